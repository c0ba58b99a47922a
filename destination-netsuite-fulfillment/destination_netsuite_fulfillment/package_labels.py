"""Extra package labels of a multi-package v1 shipment: their tracking numbers join the fulfillment of the label
that carries the items.

ShipStation v1 lists a multi-package shipment as one row per package label, all with the same order id; the
items are on the first label only, the others list none. Such an item-less label ships nothing new, so it gets
no fulfillment of its own: its package is added to its sibling's fulfillment, and a void takes it out again.

Which fulfillment is the sibling (the key, and why):
- it was made from the same sales order (the order number leads to it, as for any shipment);
- its external id is `ss-<numeric v1 shipment id>`, so this connector made it from a ShipStation label;
- its memo, when it still names a ShipStation order id, names the label's order id (a sales order could receive
  labels of two ShipStation orders sharing a number; a memo edited by hand no longer says, and is not held
  against the fulfillment);
- of those, the one with the greatest shipment id below the label's: v1 numbers the extra labels of one
  purchase right after the first, so a later shipment of the same order never sits in between. (Seen in the
  emulator; UNCONFIRMED against a real account, see docs.md.)

Pure: no HTTP. The caller reads and writes NetSuite.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .fulfillment_plan import CannotApply, Package, packages_of

ORDER_ID_IN_MEMO = re.compile(r"ShipStation order id ([^;\s]+)")  # as memo_for writes it


@dataclass(frozen=True)
class ConnectorFulfillment:
    """An item fulfillment this connector made, as the batch lookup sees it."""
    fulfillment_id: str
    external_id: str
    memo: str | None = None


def is_package_only(record: Mapping[str, Any]) -> bool:
    """A label with tracking numbers and no items: an extra package of a sibling label's shipment."""
    return not record.get("items") and bool(packages_of(record))


def shipstation_order_id_in(memo: str | None) -> str | None:
    found = ORDER_ID_IN_MEMO.search(memo or "")
    return found.group(1) if found else None


def find_sibling(record: Mapping[str, Any], candidates: Iterable[ConnectorFulfillment]) -> ConnectorFulfillment:
    """The fulfillment the label's packages belong to, or CannotApply saying why none can be named now."""
    own = _numeric_id(str(record.get("shipment_id") or ""))
    if own is None:
        raise CannotApply("the shipment lists no items and its id is not a v1 label id, so the fulfillment its "
                          "packages belong to cannot be told")
    order_id = str(record.get("order_id") or "")
    best: tuple[int, ConnectorFulfillment] | None = None
    for candidate in candidates:
        number = _numeric_id(candidate.external_id[3:]) if candidate.external_id.startswith("ss-") else None
        if number is None or number >= own:
            continue
        named = shipstation_order_id_in(candidate.memo)
        if named is not None and named != order_id:
            continue
        if best is None or number > best[0]:
            best = (number, candidate)
    if best is None:
        # Usually the label with the items has not been recorded yet (a later batch, or it was skipped):
        # the source's lookback delivers this label again.
        raise CannotApply(f"the label lists no items and no item fulfillment of an earlier label of ShipStation "
                          f"order {order_id or '(no order id)'} exists yet to add its tracking numbers to")
    return best[1]


def packages_with(existing: list[Mapping[str, Any]], added: Iterable[Package]) -> list[dict] | None:
    """The package sublist after adding `added`, existing packages kept as they are; None when every added
    tracking number is already there (a replay)."""
    have = {str(p.get("packageTrackingNumber") or "") for p in existing}
    new = [p for p in added if p.tracking_number not in have]
    if not new:
        return None
    return [_keep(p) for p in existing] + [
        {"packageTrackingNumber": p.tracking_number,
         **({"packageWeight": p.weight_lb} if p.weight_lb is not None else {}),
         **({"packageDescr": p.description} if p.description else {})} for p in new]


def packages_without(existing: list[Mapping[str, Any]], removed: Iterable[Package]) -> list[dict] | None:
    """The package sublist after taking out `removed`; None when none of them is there (already reversed)."""
    gone = {p.tracking_number for p in removed}
    kept = [_keep(p) for p in existing if str(p.get("packageTrackingNumber") or "") not in gone]
    return None if len(kept) == len(existing) else kept


def _keep(package: Mapping[str, Any]) -> dict:
    # Only the fields the sublist takes on write; a GET adds `links`, which a PATCH must not send back.
    return {k: package[k] for k in ("packageTrackingNumber", "packageWeight", "packageDescr")
            if package.get(k) is not None}


def _numeric_id(text: str) -> int | None:
    return int(text) if text.isdigit() else None
