from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (AirbyteConnectionStatus, AirbyteMessage, ConfiguredAirbyteCatalog,
                                ConnectorSpecification, FailureType, Status, Type)
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from connector_audit import AuditTrail, Outcome
from shipstation_lib.check import diagnose
from shipstation_lib.client import ShipStationClient
from shipstation_lib.credentials import V1, ShipStationApi
from shipstation_lib.errors import KeyRefused
from shipstation_lib.inventory import InventoryApi
from shipstation_lib.pacing import sliding_window_budget

from .order_mapping import ShipMethodMap
from .order_writer import STREAM as ORDERS_STREAM
from .order_writer import OrderWriter
from .spec import specification
from .stock_writer import STREAM, StockWriter

ORDER_BATCH_SIZE = 200  # orders looked up together (v1 reads ShipStation's orders once per batch)

CONNECTOR = "destination-shipstation-inventory"
# Why a record of another stream is not written, in words for the audit trail.
NOT_WRITTEN = {
    "customers": "ShipStation's API cannot create or update customers; customer data reaches ShipStation only "
                 "on orders",
}


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
        logger = logging.getLogger("airbyte")
        # A sliding window keeps writes under the limit in whatever minute ShipStation counts them: no 429.
        limit = ShipStationApi.from_config(dict(config)).rate_limit_per_minute
        client = ShipStationClient(config, logger, api_budget=sliding_window_budget(limit))
        stock_streams = [s.stream.name for s in configured_catalog.streams if s.stream.name == STREAM]
        if client.version == V1 and stock_streams:
            raise AirbyteTracedException(
                message="Stock can only be written through ShipStation's v2 Inventory API, and this is a v1 key.",
                failure_type=FailureType.config_error)
        audit = AuditTrail(logger, CONNECTOR, config.get("audit_file"), scrub=filter_secrets)
        orders = OrderWriter(client, audit, logger, ShipMethodMap.from_config(config.get("ship_method_map")),
                             dry_run=bool(config.get("dry_run")))
        pending_orders: list = []
        writer = StockWriter(InventoryApi(client), audit, logger,
                             quantity_field=config.get("quantity_field") or "available",
                             dry_run=bool(config.get("dry_run")), location_map=config.get("location_map"))
        withheld = 0
        try:
            for message in input_messages:
                if message.type == Type.RECORD:
                    record = message.record
                    if record.stream == STREAM:
                        writer.apply(record.data)
                    elif record.stream == ORDERS_STREAM:
                        pending_orders.append(record.data)
                        if len(pending_orders) >= ORDER_BATCH_SIZE:
                            orders.apply_batch(pending_orders)
                            pending_orders = []
                    else:
                        reason = NOT_WRITTEN.get(record.stream, f"this destination writes only the {STREAM} stream")
                        audit.record(record.stream, _key_of(record.data), Outcome.SKIPPED, reason)
                elif message.type == Type.STATE:
                    orders.apply_batch(pending_orders)
                    pending_orders = []
                    # Records are applied one by one before the next message is read, so every record before this
                    # state has its outcome. After a failure the state is held back: the next sync must read the
                    # failed rows again rather than skip past them.
                    if writer.failed or orders.failed:
                        withheld += 1
                    else:
                        yield message
            orders.apply_batch(pending_orders)
        except KeyRefused as refused:
            audit.log_summary()
            # Nothing more is sent with a refused key, and no state past the unwritten records goes on: stock is
            # read whole and compared each sync, orders are read again from the last state passed on, so the next
            # sync with a working key writes whatever is left.
            raise AirbyteTracedException(
                message=f"{refused.message}. The sync stopped there: the record it was writing and those after it "
                        "could not be written to ShipStation; the next sync with a working key writes them.",
                failure_type=FailureType.config_error) from None
        finally:
            audit.close()
        audit.log_summary()
        if orders.failed:
            raise AirbyteTracedException(
                message=f"{orders.failed} orders could not be written to ShipStation (see the audit trail); "
                        f"{withheld} state checkpoints were held back so the next sync writes them again.",
                failure_type=FailureType.transient_error)
        if writer.failed:
            raise AirbyteTracedException(
                message=f"{writer.failed} stock rows could not be written to ShipStation (see the audit trail); "
                        f"{withheld} state checkpoints were held back so the next sync writes them again.",
                failure_type=FailureType.transient_error)


def _key_of(data: Mapping[str, Any]) -> str:
    for field in ("id", "sku", "item_id"):
        if data.get(field) is not None:
            return str(data[field])
    return "?"
