"""v2 shipments that shipped, with their labels, read by `modified_at`; and v2 fulfillments (orders marked
shipped without a label).

Labels are joined by listing the labels created since the window start once, and matching on shipment_id: a
label bought in the window modified its shipment in the window, so the listing holds every new label. A shipment
modified in the window whose label is older (a void, an address fix) gets its labels fetched by shipment_id,
one call each; that is rare. Shipments without a label (pending) did not ship and are not emitted.

Fulfillments (GET /v2/fulfillments, not in the stored OAS copy; docs.shipstation.com/openapi/fulfillments/
list_fulfillments documents it) are listed by creation date: `create_date_start` (inclusive) from the cursor
less the lookback, `sort_by=created_at`, ascending. The cursor is the newest fulfillment `created_at` seen. A
fulfillment voided after the lookback is not seen again (the list has no void or modification date filter; the
same holds for v1 /fulfillments). An account that answers 404 for the operation gets one warning and no
fulfillments; labelled shipments are still read and emitted, and the sync does not fail.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, MutableMapping

from shipstation_lib.client import ShipStationClient
from shipstation_lib.dates import v2_filter, v2_to_utc_text
from shipstation_lib.errors import RequestRejected
from shipstation_lib.paging import rows

from . import shipment_records
from .shipment_records import current_label, later_of, missing_id
from .windows import Window, advance

SHIPMENTS, FULFILLMENTS = "shipments_modified", "fulfillments"
PARTS = (SHIPMENTS, FULFILLMENTS)


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
            # The OAS marks no label field required: a label without its shipment cannot be joined to one.
            if label.get("shipment_id"):
                by_shipment[label["shipment_id"]].append(label)
            else:
                self.client.logger.warning(f"ShipStation listed label {label.get('label_id')!r} without "
                                           "`shipment_id`: it cannot be matched to a shipment and is left out.")
        return by_shipment

    def _shipments(self, state: MutableMapping) -> Iterable[dict]:
        start = self.window.start(state.get("modified_at"))
        labels = self._labels_since(start)
        self._labelled_shipments.update(labels)
        params = {"shipment_status": "label_purchased", "sort_by": "modified_at", "sort_dir": "asc"}
        if start is not None:
            params["modified_at_start"] = v2_filter(start)
        for shipment in rows(self.client, "v2/shipments", "shipments", params):
            if missing_id(self.client.logger, shipment, "shipment_id", "shipment", shipment.get("shipment_number")):
                continue
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
        cursor = state.get("fulfillment_created_at") or state.get("fulfillment_modified_at")  # (older states)
        start = self.window.start(cursor)
        params = {"sort_by": "created_at", "sort_dir": "asc"}
        if start is not None:
            params["create_date_start"] = v2_filter(start)
        latest, listed_any = None, False
        listing = rows(self.client, "v2/fulfillments", "fulfillments", params)
        while True:
            try:
                raw = next(listing)
            except StopIteration:
                break
            except RequestRejected as error:
                if error.status != 404 or listed_any:
                    raise
                self.client.logger.warning(
                    "ShipStation answered 404 to GET /v2/fulfillments: this account does not offer the fulfillments "
                    "list, so orders marked shipped without a ShipStation label are not read; shipments with labels "
                    f"are. ({error.message})")
                return
            listed_any = True
            # The cursor is the fulfillment's own creation (what the filter reads); a row without `created_at`
            # (the docs' field list is not explicit about it) moves it by its ship or void date instead.
            latest = later_of(latest, v2_to_utc_text(raw.get("created_at"))
                              or later_of(v2_to_utc_text(raw.get("ship_date")), v2_to_utc_text(raw.get("voided_at"))))
            # A label's own fulfillment is emitted as that label's shipment, not a second time here.
            if raw.get("shipment_id") in self._labelled_shipments:
                continue
            if missing_id(self.client.logger, raw, "fulfillment_id", "fulfillment", raw.get("shipment_number")):
                continue
            shipment = self.client.get(f"v2/shipments/{raw['shipment_id']}") if raw.get("shipment_id") else None
            if shipment and shipment.get("shipment_status") == "label_purchased":
                continue  # its label was bought before this sync's label window: not a label-less shipment
            yield shipment_records.v2_fulfillment(raw, shipment)
        # Moved once the whole listing is read; never past what was listed.
        advance(state, "fulfillment_created_at", latest)
