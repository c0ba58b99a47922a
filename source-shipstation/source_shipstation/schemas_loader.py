"""The JSON schemas this source publishes, read from the package so that what `discover` announces and what the
tests validate records against come from the same file.

The files are strict (`additionalProperties: false`): records must carry exactly the documented fields, and the
tests hold the mapping to that. Airbyte requires discovered schemas to stay open to new fields (the CDK's
standard suite fails a catalog that closes them), so `discover` publishes the same schema with that one keyword
left out; field names, types and meanings are unchanged.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parent / "schemas"


@lru_cache(maxsize=None)
def _read(name: str) -> str:
    return (SCHEMAS / f"{name}.json").read_text()


def load_schema(name: str) -> dict:
    """The strict contract, as written in schemas/<name>.json."""
    return json.loads(_read(name))


def published_schema(name: str) -> dict:
    """The contract as `discover` announces it: open to fields a later version may add."""
    return _open(copy.deepcopy(load_schema(name)))


def _open(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]
        for value in node.values():
            _open(value)
    elif isinstance(node, list):
        for value in node:
            _open(value)
    return node
