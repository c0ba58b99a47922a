from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (AirbyteConnectionStatus, AirbyteMessage, ConfiguredAirbyteCatalog,
                                ConnectorSpecification, FailureType, Status)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from netsuite_lib.check import diagnose
from netsuite_lib.client import NetSuiteClient

from .spec import specification

# The reads fulfilling an order needs: the sales orders and their lines, and existing fulfillments.
CHECK_PROBES = ("SELECT id FROM transaction WHERE type = 'SalesOrd'", "SELECT transaction FROM transactionline")


class DestinationNetsuiteFulfillment(Destination):
    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        try:
            client = NetSuiteClient(config, logger, max_retries=1, timeout=30)
        except ValueError as error:
            return AirbyteConnectionStatus(status=Status.FAILED, message=str(error))
        problem = diagnose(client, CHECK_PROBES)
        if problem:
            return AirbyteConnectionStatus(status=Status.FAILED, message=problem)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        # Until fulfillments are written, refuse loudly: passing state on would tell the platform that
        # shipments were recorded when none was.
        raise AirbyteTracedException(
            message="This version of destination-netsuite-fulfillment checks the connection only; recording "
                    "shipments as item fulfillments is not available yet. No record was consumed.",
            failure_type=FailureType.config_error,
        )
