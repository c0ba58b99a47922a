from __future__ import annotations

import logging
from typing import Any, List, Mapping, Tuple

from airbyte_cdk.models import AirbyteConnectionStatus, ConnectorSpecification, Status
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from shipstation_lib.check import diagnose
from shipstation_lib.client import ShipStationClient
from shipstation_lib.credentials import V1

from .orders_stream import OrdersStream
from .shipments_stream import ShipmentsStream
from .spec import shipment_ids, specification
from .streams import LISTINGS, ShipStationListStream
from .windows import Window


class SourceShipstation(AbstractSource):
    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        # The CDK's default wraps the message in repr(); merchants should read it as written.
        ok, problem = self.check_connection(logger, config)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED if ok else Status.FAILED, message=problem)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> Tuple[bool, Any]:
        try:
            client = ShipStationClient(config, logger, max_retries=1, timeout=30)
            shipment_ids(config)
        except ValueError as error:
            return False, str(error)
        problem = diagnose(client)
        return problem is None, problem

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        client = ShipStationClient(config, logging.getLogger("airbyte"))
        window = Window.from_config(config)
        mapped: list[Stream] = [ShipmentsStream(client, window, shipment_ids(config))]
        if client.version == V1:
            # v2 has no orders list (its sales orders are not in the API ShipStation documents for v2 keys).
            mapped.append(OrdersStream(client, window))
        return mapped + [ShipStationListStream(client, listing) for listing in LISTINGS[client.version]]
