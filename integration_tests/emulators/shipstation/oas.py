"""Check v2 answers against ShipStation's OpenAPI description (reference/shipstation-v2-openapi.yaml here).

The OAS is read as JSON Schema 2020-12 after repairing its known slips (see the reference):
- `allOf` members are merged into their parent, so `additionalProperties: false` beside (or inside) `allOf`
  no longer forbids the fields `allOf` brings in; the merged object keeps `additionalProperties: false`.
- `x-nullable: true` / `nullable: true` fields accept null.
- `webhook_event` gains the `*_v2` events that current SDKs and the reference list but this copy lacks.
`pickup_id` being "required" concerns requests, which are not validated here.
"""
from __future__ import annotations

import copy
import os
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

# A vendored copy (MIT) lives beside this module so the checks run from a plain checkout.
DEFAULT_OAS = Path(os.environ.get("SHIPSTATION_OAS", Path(__file__).parent / "reference" / "shipstation-v2-openapi.yaml"))
EXTRA_WEBHOOK_EVENTS = ["batch_processed_v2", "fulfillment_rejected_v2", "fulfillment_shipped_v2",
                        "label_created_v2", "shipment_created_v2", "track_event_v2"]
_REF = "#/components/schemas/"


class OAS:
    def __init__(self, path: Path = DEFAULT_OAS) -> None:
        raw = yaml.safe_load(Path(path).read_text())
        self._raw_schemas = raw["components"]["schemas"]
        self._raw_schemas["webhook_event"]["enum"] = \
            list(self._raw_schemas["webhook_event"]["enum"]) + EXTRA_WEBHOOK_EVENTS
        self._done: dict[str, dict] = {}
        self._busy: set[str] = set()
        schemas = {name: self._component(name) for name in self._raw_schemas}
        self.paths = raw["paths"]
        self.responses = raw["components"]["responses"]
        self.root = {"components": {"schemas": schemas}}

    def _component(self, name: str) -> dict:
        if name in self._done:
            return self._done[name]
        if name in self._busy:  # a cycle: keep it as a reference
            return {"$ref": _REF + name}
        self._busy.add(name)
        fixed = self._fix(copy.deepcopy(self._raw_schemas[name]))
        self._busy.discard(name)
        self._done[name] = fixed
        return fixed

    def _resolve(self, node):
        if isinstance(node, dict) and "$ref" in node and node["$ref"].startswith(_REF):
            return copy.deepcopy(self._component(node["$ref"][len(_REF):]))
        return self._fix(copy.deepcopy(node))

    def _fix(self, node):
        if isinstance(node, list):
            return [self._fix(n) for n in node]
        if not isinstance(node, dict):
            return node
        nullable = node.pop("x-nullable", False) or node.pop("nullable", False)
        out = {}
        for key, value in node.items():
            if key == "allOf":
                continue
            if key in ("properties", "patternProperties", "$defs"):
                out[key] = {k: self._fix(v) for k, v in value.items()}
            else:
                out[key] = self._fix(value)
        for member in node.get("allOf", []):
            merged = self._resolve(member)
            if "anyOf" in merged and any(b == {"type": "null"} for b in merged["anyOf"]):
                merged = next(b for b in merged["anyOf"] if b != {"type": "null"})
            for key, value in merged.items():
                if key == "properties":
                    out["properties"] = {**value, **out.get("properties", {})}
                elif key == "required":
                    out["required"] = sorted(set(out.get("required", [])) | set(value))
                elif key == "additionalProperties":
                    out.setdefault(key, value)
                elif key not in out and key not in ("title", "description", "example"):
                    out[key] = value
        if "$ref" in out and out["$ref"].startswith(_REF) and len(out) > 1:
            ref = out.pop("$ref")
            out = {"allOf": [{"$ref": ref}], **out}
        if nullable:
            return {"anyOf": [out, {"type": "null"}]}
        return out

    def response_schema(self, path: str, method: str, status: str = "200") -> dict:
        op = self.paths[path][method.lower()]
        response = op["responses"][status]
        if "$ref" in response:
            response = self.responses[response["$ref"].split("/")[-1]]
        return self._fix(copy.deepcopy(response["content"]["application/json"]["schema"]))

    def validator(self, schema: dict) -> Draft202012Validator:
        return Draft202012Validator({**self.root, **schema})

    def errors(self, path: str, method: str, status: str, body) -> list[str]:
        """Every schema violation of `body` as the answer of (path, method, status); empty when it conforms."""
        validator = self.validator(self.response_schema(path, method, status))
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]

    def component_errors(self, name: str, body) -> list[str]:
        validator = self.validator({"$ref": _REF + name})
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
