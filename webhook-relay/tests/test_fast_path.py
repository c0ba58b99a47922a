"""The fast path, relay side: from a label's webhooks the relay builds the very record source-shipstation emits
for that shipment (one builder, in shipstation_lib), spends at most one more call per sync to do it, and hands the
records to a trigger that can apply them; what it cannot build still gets a regular sync."""
import pytest

from webhook_relay.store import SeenParts
from webhook_relay.subscriptions import SubscriptionManager
from webhook_relay.trigger import CallableTrigger

source_shipstation = pytest.importorskip("source_shipstation")

from shipstation_lib.client import ShipStationClient  # noqa: E402
from shipstation_lib.warehouse_names import WarehouseNames  # noqa: E402
from source_shipstation.v1_shipments import LABELS_CREATED, V1ShipmentReader  # noqa: E402
from source_shipstation.v2_shipments import SHIPMENTS, V2ShipmentReader  # noqa: E402
from source_shipstation.windows import Window  # noqa: E402


class ApplyingTrigger(CallableTrigger):
    """Records the regular syncs asked for and the records handed over for the fast path."""

    def __init__(self, fail_apply: bool = False) -> None:
        super().__init__(self._sync, apply=self._apply)
        self.syncs: list[str] = []
        self.applied: list[list[dict]] = []
        self.fail_apply = fail_apply

    def _sync(self, connection: str) -> None:
        self.syncs.append(connection)

    def _apply(self, connection: str, records: list[dict]) -> dict:
        if self.fail_apply:
            raise RuntimeError("the destination could not start")
        self.applied.append(records)
        return {"outcomes": {"created": len(records)}}


def source_records(emulator, api: str) -> dict[str, dict]:
    """What source-shipstation's shipments read emits now, by shipment id (read from the start)."""
    creds = emulator.credentials
    credentials = ({"api_version": "v1", "api_key": creds["v1_api_key"], "api_secret": creds["v1_api_secret"]}
                   if api == "v1" else {"api_version": "v2", "api_key": creds["v2_api_key"]})
    client = ShipStationClient({"credentials": credentials, "base_url": emulator.base_url})
    window = Window.from_config({})
    if api == "v1":
        records = V1ShipmentReader(client, window).read(LABELS_CREATED, {})
    else:
        records = V2ShipmentReader(client, window).read(SHIPMENTS, {})
    names = WarehouseNames(client)  # as the shipments stream names each record's warehouse
    return {r["shipment_id"]: names.name(r) for r in records}


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_the_relay_builds_the_record_the_source_emits_and_hands_it_over_without_a_sync(emulator, start_relay,
                                                                                        kit, api):
    trigger = ApplyingTrigger()
    creds = emulator.credentials
    only = {"v1": {"api_key": creds["v1_api_key"], "api_secret": creds["v1_api_secret"]},
            "v2": {"api_key": creds["v2_api_key"]}}[api]
    server = start_relay(trigger, shipstation={api: only, "base_url": emulator.base_url})
    SubscriptionManager(server.relay.config).subscribe()
    before = kit.api_requests(emulator)[api]
    label = kit.control(emulator, "labels", {"order_number": "SO10007", "packages": 1})
    assert kit.wait_until(lambda: trigger.applied, timeout=15)
    kit.wait_until(lambda: server.relay.store.counts().get("fetched", 0) == 0, timeout=10)
    calls = kit.api_requests(emulator)[api] - before
    [records] = trigger.applied
    expected = source_records(emulator, api)
    sid = str(label["v1_shipment_ids"][0]) if api == "v1" else str(label["v2_shipment_id"])
    assert [r["shipment_id"] for r in records] == [sid]
    assert records[0] == expected[sid]  # field for field, the source's record
    assert trigger.syncs == []  # no regular sync was needed
    assert records[0]["warehouse_name"]  # the emulator's warehouses are named after the merchant's locations
    # v1: the batch, with its items; v2: the label batch, and the shipments listing of the sync; both: the
    # warehouse list, once (the relay keeps it for WAREHOUSE_NAMES_MAX_AGE).
    assert calls == (2 if api == "v1" else 3)


def test_what_the_fast_path_cannot_apply_gets_a_regular_sync(emulator, start_relay, kit):
    trigger = ApplyingTrigger(fail_apply=True)
    server = start_relay(trigger)
    SubscriptionManager(server.relay.config).subscribe()
    kit.control(emulator, "labels", {"order_number": "SO10007"})
    assert kit.wait_until(lambda: trigger.syncs, timeout=15)
    assert trigger.applied == []
    kit.wait_until(lambda: server.relay.store.counts().get("fetched", 0) == 0, timeout=10)
    assert server.relay.store.counts().get("fetched", 0) == 0  # the regular sync covered them


def test_a_voided_label_or_a_label_less_fulfillment_is_left_to_a_regular_sync(tmp_path):
    from webhook_relay.fast_path import ShipmentAssembler, record_of

    shipment = {"shipment_id": "se-1", "shipment_status": "label_purchased", "shipment_number": "SO1", "items": [],
                "modified_at": "2026-11-02T10:00:00Z"}
    live = {"label_id": "se-9", "shipment_id": "se-1", "created_at": "2026-11-02T10:00:00Z", "voided": False,
            "tracking_number": "1Z1", "packages": []}
    assert record_of(SeenParts(1, "v2", "https://x/v2/labels?batch_id=se-3", "v2.shipment", "se-1", live,
                               shipment))["tracking_numbers"] == ["1Z1"]
    voided = {**live, "voided": True}
    assert record_of(SeenParts(1, "v2", "u", "v2.shipment", "se-1", voided, shipment)) is None
    assert record_of(SeenParts(1, "v2", "u", "v2.fulfillment", "se-5", None, None)) is None
    assembled = ShipmentAssembler(fetcher=None).assemble([
        SeenParts(1, "v2", "https://x/v2/labels?batch_id=se-3", "v2.shipment", "se-1", live, shipment),
        SeenParts(2, "v2", "https://x/v2/fulfillments?x=1", "v2.fulfillment", "se-5", None, None)])
    assert assembled.built == [1] and assembled.left == [2] and len(assembled.records) == 1
