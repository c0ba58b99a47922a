"""The merchant's account features and assignment policies, read from the config, and what each one needs from
NetSuite (the feature to enable, the SuiteQL table the role must read), so `check` can name what is missing.

Every feature is off by default: a plain account (one location per line, no lots, serials, bins or units) is
fulfilled exactly as before, and the batch lookup reads no table such an account may not have.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

FIRST_EXPIRING = "first_expiring_first"  # earliest expiry first, lots without expiry last, then the oldest lot
OLDEST = "oldest_first"  # the oldest lot first (lowest internal id: NetSuite numbers records as they are made)
LEAVE_TO_NETSUITE = "leave_to_netsuite"  # no inventory detail sent: the account assigns lots itself
LOT_POLICIES = (FIRST_EXPIRING, OLDEST, LEAVE_TO_NETSUITE)

ASSIGN_AVAILABLE = "assign_available"  # serials ShipStation does not name are taken from those available
SKIP_WITHOUT_SERIALS = "skip"  # a shipment without the serials it needs is skipped, naming the item
SERIAL_POLICIES = (ASSIGN_AVAILABLE, SKIP_WITHOUT_SERIALS)


@dataclass(frozen=True)
class Requirement:
    """What one setting needs from the account: the feature an administrator enables, and a query that fails
    when the feature is off or the role may not read its table."""
    setting: str
    feature: str
    probe: str


@dataclass(frozen=True)
class InventorySettings:
    lots: bool = False  # the account has lot-numbered items
    serials: bool = False  # the account has serial-numbered items
    lot_policy: str = FIRST_EXPIRING
    serial_policy: str = ASSIGN_AVAILABLE
    bins: bool = False  # locations use bins: a bin on every line or assignment
    units_of_measure: bool = False  # order lines may be sold in a unit other than the base unit
    drop_ship: bool = False  # the account has drop-ship / special-order lines (never fulfilled from stock)
    # ShipStation warehouse (its id or its name, as written) -> NetSuite location internal id. Warehouses not
    # listed are matched to a NetSuite location of the same name; without a match the order line's location stays.
    warehouse_locations: Mapping[str, str] = field(default_factory=dict)
    subsidiary_id: str | None = None  # OneWorld: only sales orders of this subsidiary are matched

    @property
    def numbered_inventory(self) -> bool:
        return self.lots or self.serials

    @property
    def reads_stock(self) -> bool:
        """The batch lookup also reads what is available per lot, serial and bin."""
        return self.numbered_inventory or self.bins

    def requirements(self) -> list[Requirement]:
        out: list[Requirement] = []
        enable = "Setup > Company > Enable Features > Items & Inventory"
        if self.lots:
            out.append(Requirement("Lot-numbered items", f"Lot Tracking ({enable}) and the role permission Lists > "
                                   "Items (View)", "SELECT id, islotitem FROM item"))
        if self.serials:
            out.append(Requirement("Serial-numbered items", f"Serialized Inventory ({enable}) and the role "
                                   "permission Lists > Items (View)", "SELECT id, isserialitem FROM item"))
        if self.numbered_inventory:
            out.append(Requirement("Lot-numbered items" if self.lots else "Serial-numbered items",
                                   f"the inventory numbers table (Lot Tracking or Serialized Inventory, {enable})",
                                   "SELECT id, item, inventorynumber, expirationdate FROM inventorynumber"))
        if self.bins:
            out.append(Requirement("Bins", f"Use Bins ({enable}) and the role permission Lists > Bins (View)",
                                   "SELECT id, usebins FROM item"))
            out.append(Requirement("Bins", f"Use Bins ({enable}): the bins and each item's preferred bin",
                                   "SELECT item, bin, location, preferredbin FROM itembinquantity"))
        if self.reads_stock:
            out.append(Requirement(
                "Bins" if self.bins and not self.numbered_inventory else
                "Lot-numbered items" if self.lots else "Serial-numbered items",
                f"Advanced Bin / Numbered Inventory Management ({enable}): what is available per location, lot, "
                "serial number and bin",
                "SELECT item, location, binnumber, inventorynumber, quantityavailable FROM inventorybalance"))
        if self.units_of_measure:
            out.append(Requirement(
                "Units of measure", "Multiple Units of Measure (Setup > Company > Enable Features > Items & "
                "Inventory), and the role permission Lists > Units (View)",
                "SELECT internalid, unitstype, unitname, conversionrate FROM unitstypeuom"))
        if self.drop_ship:
            out.append(Requirement("Drop-ship and special-order lines", "Drop Shipments & Special Orders "
                                   f"({enable})", "SELECT transaction, id, createpo FROM transactionline"))
        if self.subsidiary_id:
            out.append(Requirement("Subsidiary", "OneWorld (subsidiaries), and the role permission Lists > "
                                   "Subsidiaries (View)", "SELECT id, name FROM subsidiary"))
        if self.warehouse_locations or self.reads_stock:
            out.append(Requirement("Warehouse locations", "Multi-Location Inventory (Setup > Company > Enable "
                                   "Features > Company), and the role permission Lists > Locations (View)",
                                   "SELECT id, name, subsidiary FROM location"))
        return out


def inventory_settings(config: Mapping[str, Any]) -> InventorySettings:
    """The settings from the config; ValueError with a sentence a merchant can act on."""
    lot_policy = config.get("lot_policy") or FIRST_EXPIRING
    if lot_policy not in LOT_POLICIES:
        raise ValueError(f"The lot policy must be one of {', '.join(LOT_POLICIES)}, not '{lot_policy}'.")
    serial_policy = config.get("serial_policy") or ASSIGN_AVAILABLE
    if serial_policy not in SERIAL_POLICIES:
        raise ValueError(f"The serial policy must be one of {', '.join(SERIAL_POLICIES)}, not '{serial_policy}'.")
    subsidiary = str(config.get("subsidiary_id") or "").strip() or None
    if subsidiary is not None and not subsidiary.isdigit():
        raise ValueError(f"The subsidiary must be a NetSuite internal id (digits), not '{subsidiary}'.")
    return InventorySettings(
        lots=bool(config.get("lot_numbered_items")), serials=bool(config.get("serial_numbered_items")),
        lot_policy=lot_policy,
        serial_policy=serial_policy, bins=bool(config.get("bins")),
        units_of_measure=bool(config.get("units_of_measure")), drop_ship=bool(config.get("drop_ship_lines")),
        warehouse_locations=parse_warehouse_locations(config.get("warehouse_location_map")),
        subsidiary_id=subsidiary)


def parse_warehouse_locations(entries: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in entries or []:
        warehouse = str(entry.get("shipstation_warehouse") or "").strip()
        location = str(entry.get("location_id") or "").strip()
        if not warehouse or not location.isdigit():
            raise ValueError("each warehouse map entry needs a ShipStation warehouse (id or name) and a NetSuite "
                             "location internal id (digits)")
        out[warehouse.casefold()] = location
    return out
