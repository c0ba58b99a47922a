"""The same notification twice is fetched once and syncs once; notifications about one label (v1's SHIP_NOTIFY and
ITEM_SHIP_NOTIFY, v2's label / shipment / fulfillment events) cost one call on the merchant's rate limit and sync
once; a notification naming a shipment the relay has not seen is still fetched."""
import requests


def test_the_same_v1_notification_twice_is_fetched_once_and_syncs_once(emulator, start_relay, kit):
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger)
    label = kit.control(emulator, "labels", {"order_number": "SO10002"})
    payload = {"resource_url": f"{emulator.base_url}/shipments?batchId={label['batch_id']}&includeShipmentItems=False",
               "resource_type": "SHIP_NOTIFY"}
    states = [requests.post(kit.v1_url(server), json=payload, timeout=5).json()["state"] for _ in range(2)]
    assert states == ["received", "duplicate"]
    assert kit.wait_until(lambda: trigger.calls, timeout=10)
    kit.wait_until(lambda: len(trigger.calls) > 1, timeout=1.0)  # a second sync, wrongly, would start by now
    assert trigger.calls == ["sync1"]
    assert kit.api_requests(emulator)["v1"] == 1
    seen = server.relay.store.seen()
    assert [(r.kind, r.id, r.order_number) for r in seen] == \
        [("v1.shipment", str(label["v1_shipment_ids"][0]), "SO10002")]


def test_notifications_naming_the_same_shipment_sync_once(emulator, start_relay, kit):
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger)
    label = kit.control(emulator, "labels", {"order_number": "SO10003"})
    base, batch, sid = emulator.base_url, label["batch_id"], label["v2_shipment_id"]
    urls = [("LABEL_CREATED_V2", f"{base}/v2/labels?batch_id=se-{batch}"),
            ("SHIPMENT_CREATED_V2", f"{base}/v2/shipments?batch_id=se-{batch}"),
            ("FULFILLMENT_SHIPPED_V2", f"{base}/v2/fulfillments?shipment_id={sid}")]
    for resource_type, url in urls:
        body, headers = kit.signed(emulator, {"resource_url": url, "resource_type": resource_type})
        assert requests.post(kit.v2_url(server), data=body, headers=headers, timeout=5).status_code == 202
    store = server.relay.store
    assert kit.wait_until(lambda: not store.counts().get("received"), timeout=10)
    assert kit.wait_until(lambda: trigger.calls, timeout=10)
    kit.wait_until(lambda: len(trigger.calls) > 1, timeout=1.0)
    assert kit.api_requests(emulator)["v2"] == 1  # the batch's labels; the rest is known from their URLs
    assert trigger.calls == ["sync1"]
    assert [(r.kind, r.id) for r in store.seen()] == [("v2.shipment", sid)]
    assert sorted(store.counts().items()) == [("duplicate", 1), ("known", 1), ("triggered", 1)]


def test_v1_ship_notify_and_item_ship_notify_of_one_batch_cost_one_call(emulator, start_relay, kit):
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger)
    label = kit.control(emulator, "labels", {"order_number": "SO10004"})
    states = []
    for resource_type, items in (("SHIP_NOTIFY", "False"), ("ITEM_SHIP_NOTIFY", "True")):
        payload = {"resource_url": f"{emulator.base_url}/shipments?batchId={label['batch_id']}"
                                   f"&includeShipmentItems={items}", "resource_type": resource_type}
        states.append(requests.post(kit.v1_url(server), json=payload, timeout=5).json()["state"])
    assert states == ["received", "duplicate"]
    assert kit.wait_until(lambda: trigger.calls, timeout=10)
    assert kit.api_requests(emulator)["v1"] == 1


def test_a_fulfillment_of_a_shipment_not_seen_yet_is_fetched_and_syncs(emulator, start_relay, kit):
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger)
    label = kit.control(emulator, "labels", {"order_number": "SO10005"})
    url = f"{emulator.base_url}/v2/fulfillments?shipment_id={label['v2_shipment_id']}"
    body, headers = kit.signed(emulator, {"resource_url": url, "resource_type": "FULFILLMENT_SHIPPED_V2"})
    assert requests.post(kit.v2_url(server), data=body, headers=headers, timeout=5).status_code == 202
    assert kit.wait_until(lambda: trigger.calls, timeout=10)
    assert kit.api_requests(emulator)["v2"] == 1
    assert [(r.kind, r.id) for r in server.relay.store.seen()] == [("v2.shipment", label["v2_shipment_id"])]
