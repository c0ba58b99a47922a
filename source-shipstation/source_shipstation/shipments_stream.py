"""The `shipments` stream: what shipped, from v1 or v2, in one schema, read incrementally.

Each API is read in parts (v1: labels by creation, labels by void, label-less fulfillments; v2: shipments by
modification, label-less fulfillments). Each part is one slice with its own cursor in the stream state, so the
CDK checkpoints after every part, and a part's cursor only ever moves forward. Each record names its warehouse by
id and, from ShipStation's warehouse list (read once per sync, at the first record that names one), by name.

With `shipment_ids` (the spec's "Only these shipments", for a targeted replay) the window is read as usual and
only the records of those shipments are emitted; the cursors move as for any read, and the CDK's state messages
flow as always (whoever runs a targeted replay decides whether to keep that state; the local runner does not).
"""
from __future__ import annotations

from typing import AbstractSet, Any, Iterable, Mapping

from airbyte_cdk.models import SyncMode
from shipstation_lib.client import ShipStationClient
from shipstation_lib.credentials import V1, V2
from shipstation_lib.warehouse_names import WarehouseNames

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

    def __init__(self, client: ShipStationClient, window: Window,
                 shipment_ids: AbstractSet[str] | None = None) -> None:
        super().__init__(client, window)
        self._reader = None
        # None: every shipment. A set: only these are emitted (see the module doc).
        self.shipment_ids = frozenset(shipment_ids) if shipment_ids else None
        self._found: set[str] = set()

    def stream_slices(self, sync_mode: SyncMode, cursor_field=None, stream_state=None) -> Iterable[Mapping]:
        self._forget_cursors_on_full_refresh(sync_mode)
        self._start()
        for part in READERS[self.client.version][1]:
            yield {"part": part}
        if self.shipment_ids is not None:
            missing = sorted(self.shipment_ids - self._found)
            if missing:
                self.client.logger.warning("Not among the shipments read in this sync's window: "
                                           f"{', '.join(missing)}")

    def _start(self) -> None:
        # One reader per sync: its parts share what they learnt (labels already emitted, labelled shipments).
        self._reader = READERS[self.client.version][0](self.client, self.window)
        self._names = WarehouseNames(self.client)
        self._found = set()
        if self.shipment_ids is not None:
            self.client.logger.info(f"Emitting only {len(self.shipment_ids)} shipment(s) of those read: "
                                    f"{', '.join(sorted(self.shipment_ids))}")

    def read_records(self, sync_mode: SyncMode, cursor_field=None, stream_slice=None,
                     stream_state=None) -> Iterable[Mapping[str, Any]]:
        if self._reader is None:  # read_records called without stream_slices (CDK helpers do this)
            self._forget_cursors_on_full_refresh(sync_mode)
            self._start()
        parts = [stream_slice["part"]] if stream_slice else list(READERS[self.client.version][1])
        for part in parts:
            records = self._reader.read(part, self._state)
            if self.shipment_ids is None:
                yield from map(self._names.name, records)
                continue
            # Every record is still read, so each part's cursor moves exactly as in an unfiltered read.
            for record in records:
                if record["shipment_id"] in self.shipment_ids:
                    self._found.add(record["shipment_id"])
                    yield self._names.name(record)
