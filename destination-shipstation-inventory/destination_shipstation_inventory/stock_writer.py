"""Makes ShipStation's on-hand stock equal NetSuite's, one SKU and location at a time, writing only differences.

What ShipStation holds is read once per sync (every inventory level), then each NetSuite stock row is compared
with it: equal rows cost no call, differing rows one `adjust` call (it sets on hand, so a replay is harmless).
Every row it reads gets exactly one outcome in the audit trail. A refused key stops the writer at once: every
further call would be refused too, and sending them would only hammer ShipStation with a dead key.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from connector_audit import AuditTrail, Outcome
from shipstation_lib.errors import KeyRefused, ShipStationError, credential_refused
from shipstation_lib.inventory import InventoryApi

from .mapping import LocationMap

STREAM = "stock"


def wanted_quantity(record: Mapping[str, Any], field: str) -> tuple[int, str | None]:
    """NetSuite's figure as ShipStation can hold it, and a note when it had to be changed to fit."""
    value = record.get(field)
    if value is None:
        # SuiteQL leaves a NULL column out of its row: NetSuite shows no quantity, which means none.
        return 0, None
    quantity = int(round(float(value)))
    if quantity < 0:
        return 0, f"NetSuite {field} is {quantity}; ShipStation cannot hold negative stock, so 0 is used"
    return quantity, None


class StockWriter:
    def __init__(self, api: InventoryApi, audit: AuditTrail, logger: logging.Logger, quantity_field: str = "available",
                 dry_run: bool = False, location_map: list | None = None) -> None:
        self.api = api
        self.audit = audit
        self.logger = logger
        self.quantity_field = quantity_field
        self.dry_run = dry_run
        self._explicit_map = location_map or []
        self._map: LocationMap | None = None
        self._on_hand: dict[tuple[str, str], int] = {}
        self._skus_with_levels: set[str] = set()
        self._product_skus: set[str] | None = None
        self.failed = 0
        self.writes = 0

    def _load(self) -> None:
        # Read lazily, so a sync that brings no stock rows costs no ShipStation call.
        self._map = LocationMap(self.api.locations(), self._explicit_map)
        ignored = 0
        for level in self.api.levels():
            # The OAS marks no field of an inventory row required: a row without its SKU or location says nothing
            # we can compare with, so it is left out, once, with a warning naming the row and the field.
            lacking = [f for f in ("sku", "inventory_location_id") if not level.get(f)]
            if lacking:
                ignored += 1
                self.logger.warning(
                    f"ShipStation listed an inventory level without `{'` or `'.join(lacking)}` (sku "
                    f"{level.get('sku')!r}, inventory_location_id {level.get('inventory_location_id')!r}, on_hand "
                    f"{level.get('on_hand')!r}): ignored; the NetSuite rows are compared with the other levels")
                continue
            self._on_hand[(level["sku"], level["inventory_location_id"])] = int(level.get("on_hand") or 0)
            self._skus_with_levels.add(level["sku"])
        self.logger.info(f"ShipStation holds {len(self._on_hand)} inventory levels"
                         + (f" ({ignored} more without a SKU or location were ignored)" if ignored else ""))

    def _known(self, sku: str) -> bool:
        if sku in self._skus_with_levels:
            return True
        if self._product_skus is None:
            # Only needed for a SKU with no stock anywhere in ShipStation yet: read the product list once.
            self._product_skus = self.api.product_skus()
        return sku in self._product_skus

    def apply(self, record: Mapping[str, Any]) -> Outcome:
        sku = record.get("sku")
        where = record.get("location_name")
        key = f"{sku} @ {where}"
        if self._map is None:
            try:
                self._load()
            except ShipStationError as error:
                self._stop_if_refused(key, error)
                # The sync ends here (nothing can be compared); the row it was on still gets its outcome.
                self.failed += 1
                self._report(key, Outcome.FAILED, f"reading ShipStation's inventory failed: {error.message}")
                raise
        if not sku:
            return self._report(key, Outcome.SKIPPED, "the NetSuite item has no SKU (item name/number)")
        resolution = self._map.resolve(where)
        if resolution.location is None:
            return self._report(key, Outcome.SKIPPED, resolution.reason)
        location = resolution.location
        quantity, note = wanted_quantity(record, self.quantity_field)
        details = {"inventory_location_id": location.id, "quantity": quantity, "note": note}
        current = self._on_hand.get((sku, location.id))
        if current == quantity:
            return self._report(key, Outcome.UNCHANGED, None, **details)
        if current is None and not self._known(sku):
            return self._report(key, Outcome.SKIPPED, "SKU not found in ShipStation's products; it is not created "
                                                     "here, add the product in ShipStation", **details)
        details["previous"] = current
        if self.dry_run:
            return self._report(key, Outcome.WOULD_CHANGE, None, **details)
        try:
            self.writes += 1
            self.api.set_on_hand(sku, location.id, quantity)
        except ShipStationError as error:
            self._stop_if_refused(key, error, **details)
            self.failed += 1
            return self._report(key, Outcome.FAILED, error.message, **details)
        self._on_hand[(sku, location.id)] = quantity
        self._skus_with_levels.add(sku)
        return self._report(key, Outcome.UPDATED, None, **details)

    def _stop_if_refused(self, key: str, error: ShipStationError, **details: Any) -> None:
        refused = credential_refused(error, self.api.client.version)
        if refused:
            self.failed += 1
            self._report(key, Outcome.FAILED, error.message, **details)
            raise KeyRefused(refused)

    def _report(self, key: str, outcome: Outcome, reason: str | None, **details: Any) -> Outcome:
        self.audit.record(STREAM, key, outcome, reason, **details)
        return outcome
