"""What the incrementally read streams (`orders`, `shipments`) share: the client and window they read with, their
cursors kept as the stream state, and their published schema.

The state is the cursors as a plain mapping, saved by the CDK as given and handed back as given on the next run;
its format is each stream's own (one `modified_at` for orders, one cursor per part for shipments).
"""
from __future__ import annotations

import copy
from typing import Any, Mapping, MutableMapping

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream
from shipstation_lib.client import ShipStationClient

from .schemas_loader import published_schema
from .windows import Window


class WindowedStream(Stream, CheckpointMixin):
    """A stream read from its cursors less the window's lookback. Subclasses set `name`, which is also the name of
    their schema file."""

    source_defined_cursor = True

    def __init__(self, client: ShipStationClient, window: Window) -> None:
        self.client, self.window = client, window
        self._state: MutableMapping[str, Any] = {}

    @property
    def state(self) -> MutableMapping[str, Any]:
        return dict(self._state)

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        # A copy: reading moves the cursors in place, and must not move them in the mapping the caller passed.
        self._state = copy.deepcopy(dict(value or {}))

    def get_json_schema(self) -> Mapping[str, Any]:
        return published_schema(self.name)

    def _forget_cursors_on_full_refresh(self, sync_mode: SyncMode) -> None:
        """A full refresh reads from the window's start, whatever earlier runs saved."""
        if sync_mode == SyncMode.full_refresh:
            self._state = {}
