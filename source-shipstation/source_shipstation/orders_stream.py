"""The v1 `orders` stream, read by modifyDate (oldest change first) from the cursor less the lookback."""
from __future__ import annotations

import copy
from typing import Any, Iterable, Mapping, MutableMapping

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream
from shipstation_lib.client import ShipStationClient
from shipstation_lib.dates import v1_filter

from .order_records import v1_order
from .paging import rows
from .schemas_loader import published_schema
from .windows import Window, advance

# Orders come oldest change first, so a checkpoint mid-read never skips one.
CHECKPOINT_EVERY = 500


class OrdersStream(Stream, CheckpointMixin):
    primary_key = "order_id"
    cursor_field = "modified_at"
    source_defined_cursor = True
    state_checkpoint_interval = CHECKPOINT_EVERY

    def __init__(self, client: ShipStationClient, window: Window) -> None:
        self.client, self.window = client, window
        self._state: MutableMapping[str, Any] = {}

    @property
    def name(self) -> str:
        return "orders"

    @property
    def state(self) -> MutableMapping[str, Any]:
        return dict(self._state)

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._state = copy.deepcopy(dict(value or {}))

    def get_json_schema(self) -> Mapping[str, Any]:
        return published_schema("orders")

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        if sync_mode == SyncMode.full_refresh:
            self._state = {}
        start = self.window.start(self._state.get("modified_at"))
        params = {"sortBy": "ModifyDate", "sortDir": "ASC"}
        if start is not None:
            params["modifyDateStart"] = v1_filter(start)
        for raw in rows(self.client, "orders", "orders", params):
            record = v1_order(raw)
            advance(self._state, "modified_at", record["modified_at"])
            yield record
