"""Record API calls the destinations make: transform one record into another, and delete a record.

NetSuite answers a create (and a transform) with 204 and no body; the new record's id is the last segment of
the Location header (reference netsuite-api.md section 5).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .client import NetSuiteClient
from .errors import NetSuiteError


def transform(client: NetSuiteClient, from_type: str, from_id: str, to_type: str, body: dict[str, Any]) -> str:
    """POST {from_type}/{id}/!transform/{to_type}; returns the new record's internal id."""
    url = client.account.record_url(f"{from_type}/{quote(str(from_id), safe=':')}/!transform/{to_type}")
    response = client.request("POST", url, json=body)
    return id_from_location(response.headers.get("Location", ""))


def delete(client: NetSuiteClient, record_type: str, record_id: str) -> None:
    client.request("DELETE", client.account.record_url(f"{record_type}/{quote(str(record_id), safe=':')}"))


def id_from_location(location: str) -> str:
    new_id = location.rstrip("/").rsplit("/", 1)[-1] if location else ""
    if not new_id.isdigit():
        # The record exists but we cannot name it: say so rather than guess.
        raise NetSuiteError("NetSuite created the record but did not say its id (no usable Location header).")
    return new_id
