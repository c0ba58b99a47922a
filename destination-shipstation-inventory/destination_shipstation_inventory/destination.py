from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (AirbyteConnectionStatus, AirbyteMessage, ConfiguredAirbyteCatalog,
                                ConnectorSpecification, FailureType, Status)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from shipstation_lib.check import diagnose
from shipstation_lib.client import ShipStationClient

from .spec import specification


class DestinationShipstationInventory(Destination):
    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        try:
            client = ShipStationClient(config, logger, max_retries=1, timeout=30)
        except ValueError as error:
            return AirbyteConnectionStatus(status=Status.FAILED, message=str(error))
        problem = diagnose(client, needs_inventory=True)
        if problem:
            return AirbyteConnectionStatus(status=Status.FAILED, message=problem)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        # Until stock is written, refuse loudly: passing state on would claim ShipStation matches NetSuite.
        raise AirbyteTracedException(
            message="This version of destination-shipstation-inventory checks the connection only; writing stock "
                    "is not available yet. No record was consumed.",
            failure_type=FailureType.config_error,
        )
