"""The NetSuite tables this source reads, each one SuiteQL query.

Dates are selected with TO_CHAR in one fixed format, because NetSuite otherwise answers in each account's own
date preference. SuiteQL answers every value as a string (booleans as "T"/"F"); records are typed by their schema.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Iterable, Mapping

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import Stream
from netsuite_lib.client import NetSuiteClient

DATE = "'YYYY-MM-DD HH24:MI:SS'"


@cache
def load_schema(name: str) -> dict:
    return json.loads(resources.files(__package__).joinpath("schemas", f"{name}.json").read_text())


def typed(row: Mapping[str, str], schema: dict) -> dict:
    record: dict[str, Any] = {}
    for field, spec in schema["properties"].items():
        value = row.get(field)
        if value is None:
            record[field] = None
            continue
        kinds = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
        if "boolean" in kinds:
            record[field] = value in ("T", "t", "true", True)
        elif "integer" in kinds:
            record[field] = int(float(value))
        elif "number" in kinds:
            record[field] = float(value)
        elif field.endswith("_at"):
            record[field] = value.replace(" ", "T") + "Z"  # NetSuite keeps UTC server-side
        else:
            record[field] = value
    return record


class SuiteQLStream(Stream):
    query: str = ""

    def __init__(self, client: NetSuiteClient) -> None:
        self.client = client

    def get_json_schema(self) -> Mapping[str, Any]:
        return load_schema(self.name)

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        schema = load_schema(self.name)
        for row in self.client.suiteql(self.query):
            yield typed(row, schema)


class Items(SuiteQLStream):
    primary_key = "id"
    query = ("SELECT id, itemid AS sku, displayname AS name, upccode AS upc, itemtype AS type, isinactive AS inactive, "
             f"TO_CHAR(lastmodifieddate, {DATE}) AS last_modified_at FROM item ORDER BY id")


class Locations(SuiteQLStream):
    primary_key = "id"
    query = "SELECT id, name, isinactive AS inactive FROM location ORDER BY id"


class Stock(SuiteQLStream):
    primary_key = ["item_id", "location_id"]
    query = ("SELECT item AS item_id, location AS location_id, quantityonhand AS on_hand, "
             "quantityavailable AS available, quantitycommitted AS committed, quantityonorder AS on_order, "
             "quantitybackordered AS backordered FROM inventoryitemlocations ORDER BY item, location")


class Customers(SuiteQLStream):
    primary_key = "id"
    query = ("SELECT id, entityid AS entity_id, companyname AS company_name, email, phone, "
             f"TO_CHAR(lastmodifieddate, {DATE}) AS last_modified_at FROM customer ORDER BY id")


STREAMS = (Items, Locations, Stock, Customers)
# One cheap query per table the source reads, so `check` names the table a role cannot see.
CHECK_PROBES = ("SELECT id FROM item", "SELECT id FROM location", "SELECT item FROM inventoryitemlocations",
                "SELECT id FROM customer")
