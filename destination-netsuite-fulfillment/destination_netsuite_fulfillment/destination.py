from __future__ import annotations

import gc
import logging
from typing import Any, Iterable, Mapping

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (AirbyteConnectionStatus, AirbyteMessage, ConfiguredAirbyteCatalog,
                                ConnectorSpecification, FailureType, Status, Type)
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from connector_audit import AuditTrail
from netsuite_lib.check import diagnose
from netsuite_lib.client import DEFAULT_CONCURRENCY, NetSuiteClient

from .batch_writer import STREAM, FulfillmentWriter, StopSync, WriterSettings
from .fulfillment_plan import DEFAULT_SHIP_STATUS, SHIP_STATUS_CODES, parse_ship_method_map
from .inventory_settings import inventory_settings
from .order_lookup import ORDER_NUMBER_FIELDS
from .spec import specification

# The reads fulfilling an order needs: the sales orders and their lines, and existing fulfillments.
CHECK_PROBES = ("SELECT id FROM transaction WHERE type = 'SalesOrd'", "SELECT transaction FROM transactionline")
CONNECTOR = "destination-netsuite-fulfillment"
DEFAULT_BATCH_SIZE = 500  # a batch ends at each state message anyway; fewer ends keep all slots busy


class DestinationNetsuiteFulfillment(Destination):
    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        try:
            client = NetSuiteClient(config, logger, max_retries=1, timeout=30)
            settings = _settings(config)
        except ValueError as error:
            return AirbyteConnectionStatus(status=Status.FAILED, message=str(error))
        needs = [(r.setting, r.feature, r.probe) for r in settings.inventory.requirements()]
        problem = diagnose(client, CHECK_PROBES, needs)
        if problem:
            return AirbyteConnectionStatus(status=Status.FAILED, message=problem)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        """Records are applied in batches; a STATE is passed on only once every record before it has been
        applied or reported (the platform then counts them as delivered), and never after a failure that a
        retry of the sync could cure, so those records come again."""
        logger = logging.getLogger("airbyte")
        try:
            settings = _settings(config)
            client = NetSuiteClient(config, logger)
        except ValueError as error:
            raise AirbyteTracedException(message=str(error), failure_type=FailureType.config_error) from None
        batch_size = int(config.get("batch_size") or DEFAULT_BATCH_SIZE)
        audit = AuditTrail(logger, CONNECTOR, config.get("audit_file") or None, scrub=filter_secrets)
        writer = FulfillmentWriter(client, audit, settings)
        ignored: set[str] = set()
        buffer: list[Mapping[str, Any]] = []
        # What exists now (the CDK, the libraries, the config: some 130,000 objects) outlives the sync: kept out of
        # the collector's full passes while it runs, each of which otherwise stops every thread, in-flight answers
        # included, for 70-100 ms (measured on a 2-core VM during a sync of 1,000 shipments).
        gc.freeze()
        try:
            for message in input_messages:
                if message.type == Type.RECORD:
                    if message.record.stream != STREAM:
                        if message.record.stream not in ignored:
                            ignored.add(message.record.stream)
                            logger.warning(f"{CONNECTOR} records only the '{STREAM}' stream; records of "
                                           f"'{message.record.stream}' are ignored.")
                        continue
                    buffer.append(message.record.data)
                    if len(buffer) >= batch_size:
                        writer.apply_batch(buffer)
                        buffer = []
                elif message.type == Type.STATE:
                    if buffer:
                        writer.apply_batch(buffer)
                        buffer = []
                    if writer.retry_needed:
                        logger.warning("state not passed on: some records failed and must be delivered again")
                        continue
                    yield message
            if buffer:
                writer.apply_batch(buffer)
        except StopSync as stop:
            audit.log_summary()
            raise AirbyteTracedException(
                message=f"The sync stopped: {stop.message.rstrip('.')}. The shipments not yet recorded were not confirmed, so "
                        "the next attempt delivers them again.",
                failure_type=FailureType.config_error if stop.config_problem else FailureType.transient_error,
            ) from None
        finally:
            audit.close()
            gc.unfreeze()
        audit.log_summary()
        if writer.retry_needed:
            raise AirbyteTracedException(
                message=f"{writer.retry_needed} shipments could not be recorded because of unexpected errors (see the "
                        "audit trail); they were not confirmed, so the next attempt delivers them again.",
                failure_type=FailureType.system_error)


def _settings(config: Mapping[str, Any]) -> WriterSettings:
    order_field = config.get("order_number_field") or "tranid"
    if order_field not in ORDER_NUMBER_FIELDS:
        raise ValueError(f"The order number field must be one of {', '.join(ORDER_NUMBER_FIELDS)}, not '{order_field}'.")
    ship_status = config.get("ship_status") or DEFAULT_SHIP_STATUS
    if ship_status not in SHIP_STATUS_CODES:
        raise ValueError(f"The fulfillment status must be one of {', '.join(SHIP_STATUS_CODES)}, not '{ship_status}'.")
    return WriterSettings(order_field=order_field, ship_status=ship_status,
                          ship_methods=parse_ship_method_map(config.get("ship_method_map")),
                          concurrency=int(config.get("concurrency") or DEFAULT_CONCURRENCY),
                          inventory=inventory_settings(config))
