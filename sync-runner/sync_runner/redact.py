"""Scrubs secrets from text the runner prints or writes: connector errors and PyAirbyte exceptions can quote
request details, and a secret written into the config file directly (not through `${ENV}`) must not leak either."""
from __future__ import annotations

import re
from typing import Any, Iterable

_SECRET_KEY = re.compile(r"secret|password|token|private|api_key|apikey|client_id|consumer_key", re.IGNORECASE)
# Short values ("v2", "true") would blank ordinary words out of every message without protecting anything.
_MIN_LENGTH = 6
MASK = "****"


def secret_values(config: Any) -> set[str]:
    """The string values held under secret-looking keys, at any depth."""
    found: set[str] = set()
    if isinstance(config, dict):
        for key, value in config.items():
            if isinstance(value, str) and _SECRET_KEY.search(str(key)):
                found.add(value)
            else:
                found |= secret_values(value)
    elif isinstance(config, list):
        for value in config:
            found |= secret_values(value)
    return found


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is masked whole.
        self._secrets = sorted({s for s in secrets if len(s) >= _MIN_LENGTH}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text
