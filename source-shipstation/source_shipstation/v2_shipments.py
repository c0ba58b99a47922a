"""v2 shipments that shipped, with their labels, read by `modified_at`; and v2 fulfillments (orders marked
shipped without a label).

Labels are joined by listing the labels created since the window start once, and matching on shipment_id: a
label bought in the window modified its shipment in the window, so the listing holds every new label. A shipment
modified in the window whose label is older (a void, an address fix) gets its labels fetched by shipment_id,
one call each; that is rare. Shipments without a label (pending) did not ship and are not emitted.

/v2/fulfillments has no date filter (it is not even in the OAS; shape from captured webhooks), so it is listed
whole every sync and filtered here by ship or void date.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, MutableMapping

from shipstation_lib.client import ShipStationClient
from shipstation_lib.dates import utc_text, v2_filter

from . import shipment_records
from .shipment_records import later_of
from .paging import rows
from .windows import Window, advance

SHIPMENTS, FULFILLMENTS = "shipments_modified", "fulfillments"
PARTS = (SHIPMENTS, FULFILLMENTS)


def current_label(labels: list[dict]) -> dict | None:
    """The label that says what a shipment is now: the newest live one, else the newest voided one."""
    if not labels:
        return None
    newest_first = sorted(labels, key=lambda label: label.get("created_at") or "", reverse=True)
    return next((label for label in newest_first if not label.get("voided")), newest_first[0])


class V2ShipmentReader:
    def __init__(self, client: ShipStationClient, window: Window) -> None:
        self.client, self.window = client, window
        self._labelled_shipments: set[str] = set()

    def read(self, part: str, state: MutableMapping) -> Iterable[dict]:
        return {SHIPMENTS: self._shipments, FULFILLMENTS: self._fulfillments}[part](state)

    def _labels_since(self, start) -> dict[str, list[dict]]:
        params = {"sort_by": "created_at", "sort_dir": "asc"}
        if start is not None:
            params["created_at_start"] = v2_filter(start)
        by_shipment: dict[str, list[dict]] = defaultdict(list)
        for label in rows(self.client, "v2/labels", "labels", params):
            by_shipment[label["shipment_id"]].append(label)
        return by_shipment

    def _shipments(self, state: MutableMapping) -> Iterable[dict]:
        start = self.window.start(state.get("modified_at"))
        labels = self._labels_since(start)
        self._labelled_shipments.update(labels)
        params = {"shipment_status": "label_purchased", "sort_by": "modified_at", "sort_dir": "asc"}
        if start is not None:
            params["modified_at_start"] = v2_filter(start)
        for shipment in rows(self.client, "v2/shipments", "shipments", params):
            shipment_id = shipment["shipment_id"]
            own = labels.get(shipment_id)
            if own is None:
                own = list(rows(self.client, "v2/labels", "labels", {"shipment_id": shipment_id}))
            label = current_label(own)
            if label is None:
                continue
            self._labelled_shipments.add(shipment_id)
            record = shipment_records.v2_shipment(shipment, label)
            advance(state, "modified_at", record["modified_at"])
            yield record

    def _fulfillments(self, state: MutableMapping) -> Iterable[dict]:
        start = self.window.start(state.get("fulfillment_modified_at"))
        since = utc_text(start)
        latest = None
        for raw in rows(self.client, "v2/fulfillments", "fulfillments"):
            # A label's own fulfillment is emitted as that label's shipment, not a second time here.
            if raw.get("shipment_id") in self._labelled_shipments:
                continue
            record = shipment_records.v2_fulfillment(raw, None)
            if since is not None and (record["modified_at"] or "") < since:
                continue
            shipment = self.client.get(f"v2/shipments/{raw['shipment_id']}") if raw.get("shipment_id") else None
            if shipment and shipment.get("shipment_status") == "label_purchased":
                continue  # its label was bought before this sync's label window: not a label-less shipment
            record = shipment_records.v2_fulfillment(raw, shipment)
            latest = later_of(latest, record["modified_at"])
            yield record
        # The listing has no documented order: the cursor moves only once the whole listing is read.
        advance(state, "fulfillment_modified_at", latest)
