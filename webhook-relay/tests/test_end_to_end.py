"""The whole path against the ShipStation emulator: the relay subscribes itself, a label is printed, ShipStation's
webhook reaches the relay, which fetches the shipment with the merchant's key and starts sync 1."""
import logging

import pytest

from webhook_relay.subscriptions import EVENTS, SubscriptionManager


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_printed_label_reaches_the_trigger(emulator, start_relay, kit, api, caplog):
    caplog.set_level(logging.DEBUG)
    trigger = kit.RecordingTrigger()
    only_one_api = {"shipstation": {api: dict(start_relay_credentials(emulator)[api]),
                                    "base_url": emulator.base_url}}
    server = start_relay(trigger, **only_one_api)
    manager = SubscriptionManager(server.relay.config)
    made = manager.subscribe()
    assert sorted(s.event for s in made) == sorted(EVENTS[api])
    assert manager.subscribe() == []  # subscribing again changes nothing
    listed = manager.list()
    assert all(s.ours for s in listed) and len(listed) == 3
    assert all(kit.secret not in s.url for s in listed)

    label = kit.control(emulator, "labels", {"order_number": "SO10007"})
    assert kit.wait_until(lambda: trigger.calls, timeout=15)
    store = server.relay.store
    expected = (f"{api}.shipment", str(label["v1_shipment_ids"][0]) if api == "v1" else label["v2_shipment_id"])
    assert kit.wait_until(lambda: (expected[0], expected[1]) in {(r.kind, r.id) for r in store.seen()}, timeout=10)
    kit.wait_until(lambda: store.counts().get("received", 0) == 0, timeout=10)
    # v2 spends one call per label: its label listing, which names no order (the sync reads the order number)
    number = "SO10007" if api == "v1" else None
    assert [(r.order_number, r.tracking_number) for r in store.seen()] == [(number, label["tracking_numbers"][0])]
    assert trigger.calls == ["sync1"]  # three events for one label: one sync
    assert kit.api_requests(emulator)[api] >= 1

    removed = manager.unsubscribe()
    assert len(removed) == 3 and manager.list() == []
    # Everything the relay's process logged, extras included; the emulator's own client posting to the relay's
    # secret URL is ShipStation's side and left out.
    relay_side = [r for r in caplog.records if not (r.name.startswith("urllib3") and "POST /webhooks/" in r.getMessage())]
    logged = "".join(r.getMessage() + str(r.__dict__) for r in relay_side)
    assert kit.secret not in logged
    assert emulator.credentials[f"{api}_api_key"] not in logged


def start_relay_credentials(emulator):
    creds = emulator.credentials
    return {"v1": {"api_key": creds["v1_api_key"], "api_secret": creds["v1_api_secret"]},
            "v2": {"api_key": creds["v2_api_key"]}}


def test_an_order_marked_shipped_without_a_label_reaches_the_trigger(emulator, start_relay, kit):
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger)
    SubscriptionManager(server.relay.config).subscribe()
    shipped = kit.control(emulator, "mark-shipped", {"order_number": "SO10008", "carrier_code": "ups",
                                                      "tracking_number": "1Z999"})
    store = server.relay.store
    assert kit.wait_until(lambda: {r.kind for r in store.seen()} >= {"v1.fulfillment", "v2.shipment"}, timeout=15)
    assert ("v1.fulfillment", str(shipped["fulfillment_id"])) in {(r.kind, r.id) for r in store.seen()}
    assert kit.wait_until(lambda: trigger.calls, timeout=10)
