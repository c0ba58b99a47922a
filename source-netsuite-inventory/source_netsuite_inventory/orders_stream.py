"""The orders_to_ship stream: transactions to ship, with their customer, addresses, custom fields and the lines
still to ship, for destination-shipstation-inventory to turn into ShipStation orders.

Two SuiteQL queries per page of 1,000 transactions: the headers (keyset-paged like the other streams, joined to
the customer and the two address tables), then one query for the lines of that whole page, never one per order.
Incremental on the transaction's last-modified date with the same overlap window as the other streams.
Cancelled and closed orders are read only when they changed since the cursor, so the destination can cancel
what it imported; a first sync has imported nothing, so it does not read the account's closed history.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterable, Iterator, Mapping

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import Stream
from netsuite_lib.client import PAGE_SIZE, NetSuiteClient
from netsuite_lib.paging import KeysetQuery, keyset_rows
from netsuite_lib.suiteql_quote import sql_string_list

from .cursor import CURSOR_FIELD, ModifiedCursor, ModifiedCursorState
from .order_records import order_record
from .order_settings import OrderSettings
from .streams import load_schema

DATE = "'YYYY-MM-DD HH24:MI:SS'"
STREAM = "orders_to_ship"


def _address_columns(alias: str, prefix: str) -> str:
    return (f"{alias}.addressee AS {prefix}_name, {alias}.attention AS {prefix}_attention, "
            f"{alias}.addr1 AS {prefix}_street1, {alias}.addr2 AS {prefix}_street2, {alias}.city AS {prefix}_city, "
            f"{alias}.state AS {prefix}_state, {alias}.zip AS {prefix}_postal_code, "
            f"{alias}.country AS {prefix}_country, {alias}.addrphone AS {prefix}_phone")


def header_select(settings: OrderSettings) -> str:
    custom = ", ".join(f"t.{column} AS cf_{ours}" for ours, column in settings.custom_fields.items())
    return ("SELECT t.id AS id, t.tranid AS document_number, t.otherrefnum AS customer_po, "
            "BUILTIN.CF(t.status) AS status_code, BUILTIN.DF(t.status) AS status, "
            f"TO_CHAR(t.trandate, {DATE}) AS transaction_date, TO_CHAR(t.createddate, {DATE}) AS created_at, "
            f"TO_CHAR(t.lastmodifieddate, {DATE}) AS last_modified_at, t.entity AS customer_id, "
            "c.entityid AS customer_entity_id, c.companyname AS customer_company, c.email AS customer_email, "
            "c.phone AS customer_phone, t.memo AS memo, t.shipmethod AS ship_method_id, "
            f"BUILTIN.DF(t.shipmethod) AS ship_method, {_address_columns('sa', 'ship')}, "
            f"{_address_columns('ba', 'bill')}, {custom} "
            "FROM transaction t LEFT JOIN customer c ON c.id = t.entity "
            "LEFT JOIN transactionshippingaddress sa ON sa.nkey = t.shippingaddress "
            "LEFT JOIN transactionbillingaddress ba ON ba.nkey = t.billingaddress")


def header_filter(settings: OrderSettings, since: str | None) -> str:
    # The type and status codes come from our own tables (order_settings), quoted all the same.
    statuses = f"BUILTIN.CF(t.status) IN {sql_string_list(settings.wanted)}"
    if since:
        changed = f"t.lastmodifieddate >= TO_TIMESTAMP('{since}', {DATE})"
        if settings.ended:
            statuses = f"({statuses} OR BUILTIN.CF(t.status) IN {sql_string_list(settings.ended)})"
        return f"t.type = '{settings.tran_type}' AND {statuses} AND {changed}"
    return f"t.type = '{settings.tran_type}' AND {statuses}"


def lines_query(transaction_ids: Iterable[int]) -> KeysetQuery:
    ids = ", ".join(str(int(i)) for i in transaction_ids)
    return KeysetQuery(
        "SELECT tl.transaction AS order_id, tl.id AS line, i.itemid AS sku, i.displayname AS name, "
        "tl.quantity AS quantity, tl.quantityshiprecv AS shipped, tl.rate AS rate, tl.location AS location, "
        "BUILTIN.DF(tl.location) AS location_name, tl.isclosed AS isclosed "
        "FROM transactionline tl LEFT JOIN item i ON i.id = tl.item",
        ("tl.transaction", "tl.id"), ("order_id", "line"), f"tl.mainline = 'F' AND tl.transaction IN ({ids})")


class OrdersToShip(Stream, ModifiedCursorState):
    primary_key = "id"
    cursor_field = CURSOR_FIELD
    name = STREAM

    def __init__(self, client: NetSuiteClient, settings: OrderSettings, concurrency: int = 1,
                 overlap: timedelta = timedelta(minutes=60), page_size: int = PAGE_SIZE) -> None:
        self.client = client
        self.settings = settings
        self.concurrency = concurrency
        self.overlap = overlap
        self.page_size = page_size
        self._cursor = ModifiedCursor(None, overlap)

    def get_json_schema(self) -> Mapping[str, Any]:
        return load_schema(STREAM)

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        incremental = sync_mode == SyncMode.incremental
        since = self._cursor.since() if incremental else None
        for record in self._records(since):
            if not incremental:
                yield record
                continue
            key, modified = str(record["id"]), record.get(CURSOR_FIELD)
            repeat = self._cursor.is_repeat(key, modified)
            self._cursor.observe(key, modified)
            if not repeat:
                yield record
        if incremental:
            self._cursor.commit()

    def _records(self, since: str | None) -> Iterator[dict]:
        query = KeysetQuery(header_select(self.settings), ("t.id",), ("id",), header_filter(self.settings, since))
        page: list[dict] = []
        for header in keyset_rows(self.client, query, self.concurrency):
            page.append(header)
            if len(page) >= self.page_size:
                yield from self._with_lines(page)
                page = []
        if page:
            yield from self._with_lines(page)

    def _with_lines(self, headers: list[dict]) -> Iterator[dict]:
        lines: dict[int, list[dict]] = {}
        for row in keyset_rows(self.client, lines_query(h["id"] for h in headers), self.concurrency):
            lines.setdefault(int(row["order_id"]), []).append(row)
        for header in headers:
            yield order_record(header, lines.get(int(header["id"]), []), self.settings)
