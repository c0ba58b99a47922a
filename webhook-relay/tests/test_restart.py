"""Notifications stored but not yet handled when the relay stops are handled by the next relay on the same file."""
import requests


def test_pending_notifications_are_fetched_and_synced_after_a_restart(emulator, start_relay, kit, tmp_path):
    database = tmp_path / "relay.sqlite3"
    labels = [kit.control(emulator, "labels", {"order_number": number}) for number in ("SO10004", "SO10005")]
    # First relay: answers and stores, but its background work never runs (as if it died right after answering).
    first = start_relay(kit.RecordingTrigger(), start_relay=False, database=database)
    for label in labels:
        payload = {"resource_url": f"{emulator.base_url}/shipments?batchId={label['batch_id']}"
                                   "&includeShipmentItems=False", "resource_type": "SHIP_NOTIFY"}
        assert requests.post(kit.v1_url(first), json=payload, timeout=5).status_code == 202
    first.stop()
    first.relay.stop()
    assert kit.api_requests(emulator)["v1"] == 0

    trigger = kit.RecordingTrigger()
    second = start_relay(trigger, database=database)
    store = second.relay.store
    assert kit.wait_until(lambda: store.counts() == {"triggered": 2}, timeout=10), store.counts()
    assert trigger.calls == ["sync1"]
    assert {r.order_number for r in store.seen()} == {"SO10004", "SO10005"}


def test_a_sync_that_never_ran_is_asked_for_after_a_restart(emulator, start_relay, kit, tmp_path):
    database = tmp_path / "relay.sqlite3"
    label = kit.control(emulator, "labels", {"order_number": "SO10006"})

    def broken(connection):
        raise RuntimeError("the runner is down")

    first = start_relay(kit.RecordingTrigger(), database=database)
    first.relay.scheduler.trigger = type("Down", (), {"request_sync": staticmethod(broken)})()
    payload = {"resource_url": f"{emulator.base_url}/shipments?batchId={label['batch_id']}"
                               "&includeShipmentItems=False", "resource_type": "SHIP_NOTIFY"}
    requests.post(kit.v1_url(first), json=payload, timeout=5).raise_for_status()
    assert kit.wait_until(lambda: first.relay.store.awaiting_sync(), timeout=10)
    first.stop()

    trigger = kit.RecordingTrigger()
    second = start_relay(trigger, database=database)
    assert kit.wait_until(lambda: second.relay.store.counts() == {"triggered": 1}, timeout=10)
    assert trigger.calls == ["sync1"]
