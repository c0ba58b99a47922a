"""The NetSuite tables this source reads, each one SuiteQL query read in keyset windows (see netsuite_lib.paging).

Dates are selected with TO_CHAR in one fixed format, because NetSuite otherwise answers in each account's own
date preference. SuiteQL answers every value as a string (booleans as "T"/"F"); records are typed by their schema.
Items and customers are incremental on NetSuite's last-modified date. Stock and locations are always read whole:
see Stock for why.
"""
from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any, Iterable, Mapping

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import Stream
from netsuite_lib.client import NetSuiteClient
from netsuite_lib.paging import KeysetQuery, keyset_rows

from .cursor import CURSOR_FIELD, ModifiedCursor, ModifiedCursorState

DATE = "'YYYY-MM-DD HH24:MI:SS'"
DEFAULT_OVERLAP_MINUTES = 60


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
    select: str = ""
    key_columns: tuple[str, ...] = ("id",)
    key_fields: tuple[str, ...] = ("id",)

    def __init__(self, client: NetSuiteClient, concurrency: int = 1) -> None:
        self.client = client
        self.concurrency = concurrency

    def get_json_schema(self) -> Mapping[str, Any]:
        return load_schema(self.name)

    def keyset_query(self, where: str = "") -> KeysetQuery:
        return KeysetQuery(self.select, self.key_columns, self.key_fields, where)

    def rows(self, where: str = "") -> Iterable[dict]:
        schema = load_schema(self.name)
        for row in keyset_rows(self.client, self.keyset_query(where), self.concurrency):
            yield typed(row, schema)

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        yield from self.rows()


class ModifiedSinceStream(SuiteQLStream, ModifiedCursorState):
    """Incremental on `modified_column`; the state moves only after the whole read, since rows come in key order."""

    modified_column: str = "lastmodifieddate"
    cursor_field = CURSOR_FIELD

    def __init__(self, client: NetSuiteClient, concurrency: int = 1,
                 overlap: timedelta = timedelta(minutes=DEFAULT_OVERLAP_MINUTES)) -> None:
        super().__init__(client, concurrency)
        self.overlap = overlap
        self._cursor = ModifiedCursor(None, overlap)

    def record_key(self, record: Mapping[str, Any]) -> str:
        return ":".join(str(record[field]) for field in self.key_fields)

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        if sync_mode != SyncMode.incremental:
            yield from self.rows()
            return
        since = self._cursor.since()
        where = f"{self.modified_column} >= TO_TIMESTAMP('{since}', {DATE})" if since else ""
        for record in self.rows(where):
            key, modified = self.record_key(record), record.get(CURSOR_FIELD)
            repeat = self._cursor.is_repeat(key, modified)
            self._cursor.observe(key, modified)
            if not repeat:
                yield record
        self._cursor.commit()


class Items(ModifiedSinceStream):
    primary_key = "id"
    modified_column = "lastmodifieddate"
    select = ("SELECT id, itemid AS sku, displayname AS name, upccode AS upc, itemtype AS type, "
              f"isinactive AS inactive, TO_CHAR(lastmodifieddate, {DATE}) AS last_modified_at FROM item")


class Locations(SuiteQLStream):
    primary_key = "id"
    select = "SELECT id, name, isinactive AS inactive FROM location"


class Stock(SuiteQLStream):
    """One row per item and location, carrying the SKU and location name so a destination needs no joins.

    Full refresh only, on purpose. The destination makes ShipStation equal to the rows it receives, so every sync
    must send every row: an incremental read would never undo a change made directly in ShipStation, and would
    never retry a row skipped for a cause outside NetSuite (a SKU ShipStation did not know yet) until NetSuite
    changed it again. Reading whole costs NetSuite one request per 1,000 rows and ShipStation no extra call: the
    destination compares with what ShipStation holds and writes only the differences.
    """

    primary_key = ["item_id", "location_id"]
    key_columns = ("s.item", "s.location")
    key_fields = ("item_id", "location_id")
    modified_column = "s.lastmodifieddate"
    select = ("SELECT s.item AS item_id, i.itemid AS sku, s.location AS location_id, l.name AS location_name, "
              "s.quantityonhand AS on_hand, s.quantityavailable AS available, s.quantitycommitted AS committed, "
              "s.quantityonorder AS on_order, s.quantitybackordered AS backordered, "
              f"TO_CHAR(s.lastmodifieddate, {DATE}) AS last_modified_at "
              "FROM inventoryitemlocations s JOIN item i ON i.id = s.item JOIN location l ON l.id = s.location")


class Customers(ModifiedSinceStream):
    primary_key = "id"
    modified_column = "lastmodifieddate"
    select = ("SELECT id, entityid AS entity_id, companyname AS company_name, email, phone, "
              f"TO_CHAR(lastmodifieddate, {DATE}) AS last_modified_at FROM customer")


STREAMS = (Items, Locations, Stock, Customers)
# One cheap query per table the source reads, so `check` names the table a role cannot see.
CHECK_PROBES = ("SELECT id FROM item", "SELECT id FROM location", "SELECT item FROM inventoryitemlocations",
                "SELECT id FROM customer")
