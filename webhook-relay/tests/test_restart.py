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


def test_a_store_written_before_resource_keys_keeps_its_pending_work(tmp_path):
    import sqlite3

    from webhook_relay.store import NotificationStore

    database = tmp_path / "old.sqlite3"
    with sqlite3.connect(database) as db:  # the notifications table as the first relay release wrote it
        db.executescript("""CREATE TABLE notifications (id INTEGER PRIMARY KEY AUTOINCREMENT, api TEXT NOT NULL,
            resource_type TEXT NOT NULL, resource_url TEXT NOT NULL, received_at REAL NOT NULL, state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0, updated_at REAL NOT NULL,
            detail TEXT);
            INSERT INTO notifications (api, resource_type, resource_url, received_at, state, updated_at)
            VALUES ('v2', 'LABEL_CREATED_V2', 'https://api.shipstation.com/v2/labels?batch_id=se-1', 1e12, 'received', 0);""")
    store = NotificationStore(database)
    try:
        assert [n.resource_url for n in store.due(now=2e12)] == ["https://api.shipstation.com/v2/labels?batch_id=se-1"]
        assert store.add("v2", "LABEL_CREATED_V2", "https://api.shipstation.com/v2/labels?batch_id=se-2")[1] == \
            "received"
    finally:
        store.close()
