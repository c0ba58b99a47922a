"""The v1 `orders` stream, read by modifyDate (oldest change first) from the cursor less the lookback."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from airbyte_cdk.models import SyncMode
from shipstation_lib.dates import v1_filter
from shipstation_lib.paging import rows

from .order_records import v1_order
from .windowed_stream import WindowedStream
from .windows import advance

# Orders come oldest change first, so a checkpoint mid-read never skips one.
CHECKPOINT_EVERY = 500


class OrdersStream(WindowedStream):
    name = "orders"
    primary_key = "order_id"
    cursor_field = "modified_at"
    state_checkpoint_interval = CHECKPOINT_EVERY

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        self._forget_cursors_on_full_refresh(sync_mode)
        start = self.window.start(self._state.get("modified_at"))
        params = {"sortBy": "ModifyDate", "sortDir": "ASC"}
        if start is not None:
            params["modifyDateStart"] = v1_filter(start)
        for raw in rows(self.client, "orders", "orders", params):
            if raw.get("orderId") is None:
                self.logger.warning(f"ShipStation listed an order without `orderId` (order number "
                                    f"{raw.get('orderNumber')!r}): skipped, it cannot be keyed.")
                continue
            record = v1_order(raw)
            advance(self._state, "modified_at", record["modified_at"])
            yield record
