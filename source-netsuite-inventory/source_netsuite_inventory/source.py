from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, List, Mapping, Tuple

from airbyte_cdk.models import AirbyteConnectionStatus, ConnectorSpecification, Status
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from netsuite_lib.check import diagnose
from netsuite_lib.client import DEFAULT_CONCURRENCY, NetSuiteClient

from .lots_stream import LOT_PROBES, LOT_STREAM_SETTING, Lots
from .order_settings import order_settings
from .orders_stream import OrdersToShip
from .spec import specification
from .streams import CHECK_PROBES, DEFAULT_OVERLAP_MINUTES, STREAMS, ModifiedSinceStream


class SourceNetsuiteInventory(AbstractSource):
    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        # The CDK's default wraps the message in repr(); merchants should read it as written.
        ok, problem = self.check_connection(logger, config)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED if ok else Status.FAILED, message=problem)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> Tuple[bool, Any]:
        try:
            client = NetSuiteClient(config, logger, max_retries=1, timeout=30)
            order_settings(config)
        except ValueError as error:
            return False, str(error)
        needs = [("Per-lot stock stream", "Lot Tracking (Setup > Company > Enable Features > Items & Inventory) and "
                  "the role permission Lists > Items (View)", probe)
                 for probe in (LOT_PROBES if config.get(LOT_STREAM_SETTING) else ())]
        problem = diagnose(client, CHECK_PROBES, needs)
        return problem is None, problem

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        client = NetSuiteClient(config, logging.getLogger("airbyte"))
        concurrency = int(config.get("concurrency") or DEFAULT_CONCURRENCY)
        overlap = timedelta(minutes=int(config.get("lookback_window_minutes", DEFAULT_OVERLAP_MINUTES)))
        streams: List[Stream] = [stream(client, concurrency, overlap) if issubclass(stream, ModifiedSinceStream)
                                 else stream(client, concurrency) for stream in STREAMS]
        streams.append(OrdersToShip(client, order_settings(config), concurrency, overlap))
        if config.get(LOT_STREAM_SETTING):
            streams.append(Lots(client, concurrency))
        return streams
