"""The `shipments` stream: what shipped, from v1 or v2, in one schema, read incrementally.

Each API is read in parts (v1: labels by creation, labels by void, label-less fulfillments; v2: shipments by
modification, label-less fulfillments). Each part is one slice with its own cursor in the stream state, so the
CDK checkpoints after every part, and a part's cursor only ever moves forward.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from airbyte_cdk.models import SyncMode
from shipstation_lib.client import ShipStationClient
from shipstation_lib.credentials import V1, V2

from .v1_shipments import PARTS as V1_PARTS, V1ShipmentReader
from .v2_shipments import PARTS as V2_PARTS, V2ShipmentReader
from .windowed_stream import WindowedStream
from .windows import Window

READERS = {V1: (V1ShipmentReader, V1_PARTS), V2: (V2ShipmentReader, V2_PARTS)}


class ShipmentsStream(WindowedStream):
    name = "shipments"
    primary_key = "shipment_id"
    # The cursors in state are per part (see the module doc); this is the field a record's freshness shows in.
    cursor_field = "modified_at"
    # A checkpoint inside a part is safe: parts read in cursor order move their cursor record by record, the
    # others (voids, v2 fulfillments) only when they finish.
    state_checkpoint_interval = 500

    def __init__(self, client: ShipStationClient, window: Window) -> None:
        super().__init__(client, window)
        self._reader = None

    def stream_slices(self, sync_mode: SyncMode, cursor_field=None, stream_state=None) -> Iterable[Mapping]:
        self._forget_cursors_on_full_refresh(sync_mode)
        reader_class, parts = READERS[self.client.version]
        # One reader per sync: its parts share what they learnt (labels already emitted, labelled shipments).
        self._reader = reader_class(self.client, self.window)
        for part in parts:
            yield {"part": part}

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        if self._reader is None:  # read_records called without stream_slices (CDK helpers do this)
            list(self.stream_slices(sync_mode))
        parts = [stream_slice["part"]] if stream_slice else list(READERS[self.client.version][1])
        for part in parts:
            yield from self._reader.read(part, self._state)
