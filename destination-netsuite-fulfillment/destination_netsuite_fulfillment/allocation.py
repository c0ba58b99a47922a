"""Which lots, serials and bins a fulfillment line takes, by the merchant's policy. Pure: no HTTP, no state.

A slot is one row of NetSuite's inventory balance: what is available of one item at one location, in one lot or
serial number (or none) and one bin (or none). Allocation walks the slots in the policy's order and takes from
each until the quantity is covered; what it cannot cover is the shortfall the skip reason names.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .inventory_settings import FIRST_EXPIRING, OLDEST


@dataclass(frozen=True)
class StockSlot:
    item: str
    location: str
    available: float  # in the item's base unit
    number_id: str | None = None  # inventorynumber internal id (a lot or a serial)
    number: str | None = None  # the lot or serial number as people read it
    expiry: str | None = None  # YYYY-MM-DD, or None when the lot does not expire
    bin_id: str | None = None
    bin_number: str | None = None
    preferred_bin: bool = False

    @property
    def key(self) -> tuple:
        return (self.item, self.location, self.number_id, self.bin_id)


@dataclass(frozen=True)
class Take:
    slot: StockSlot
    quantity: float


def _age(number_id: str | None) -> int:
    # NetSuite hands out internal ids in creation order: the lowest id is the oldest lot.
    return int(number_id) if number_id and number_id.isdigit() else 0


def _bin_order(slot: StockSlot) -> tuple:
    # The preferred bin first, then the fullest bins (fewest picks), then by bin number for a stable order.
    return (not slot.preferred_bin, -slot.available, slot.bin_number or "")


def policy_order(slots: Iterable[StockSlot], lot_policy: str) -> list[StockSlot]:
    """The slots in the order they are drawn from: lots by the policy, bins within a lot by preference."""
    def key(slot: StockSlot) -> tuple:
        if lot_policy == FIRST_EXPIRING:
            lot = (slot.expiry is None, slot.expiry or "", _age(slot.number_id), slot.number or "")
        elif lot_policy == OLDEST:
            lot = (_age(slot.number_id), slot.number or "")
        else:
            raise ValueError(f"no lot order for policy {lot_policy!r}")
        return (*lot, *_bin_order(slot))
    return sorted((s for s in slots if s.available > 0), key=key)


def bin_order(slots: Iterable[StockSlot]) -> list[StockSlot]:
    """Bins of an item that is not lot-numbered: the preferred bin, else bins with stock, fullest first."""
    return sorted((s for s in slots if s.available > 0), key=_bin_order)


def allocate(ordered_slots: Sequence[StockSlot], quantity: float, whole_units: bool = False
             ) -> tuple[list[Take], float]:
    """Takes from the slots in the given order until `quantity` is covered: (takes, shortfall). With
    `whole_units` (serials) each take is exactly 1."""
    takes: list[Take] = []
    left = quantity
    for slot in ordered_slots:
        if left <= 0:
            break
        take = 1.0 if whole_units else min(slot.available, left)
        if take <= 0 or slot.available < take:
            continue
        takes.append(Take(slot, take))
        left -= take
    return takes, max(left, 0.0)


def take_named(slots: Iterable[StockSlot], numbers: Sequence[str]) -> tuple[list[Take], list[str]]:
    """Serials named by ShipStation: one take each from a slot holding that number; the numbers not available
    (unknown, already shipped, at another location) come back so the reason can name them."""
    by_number: dict[str, list[StockSlot]] = {}
    for slot in slots:
        if slot.number and slot.available >= 1:
            by_number.setdefault(slot.number.casefold(), []).append(slot)
    takes, missing = [], []
    for number in numbers:
        found = by_number.get(number.casefold())
        if not found:
            missing.append(number)
            continue
        takes.append(Take(bin_order(found)[0], 1.0))
        by_number.pop(number.casefold())
    return takes, missing
