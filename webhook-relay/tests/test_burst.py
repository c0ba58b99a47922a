"""A burst of 200 notifications: every one stored and answered quickly, a handful of syncs, never two at once."""
import time
from concurrent.futures import ThreadPoolExecutor

import requests


def test_a_burst_is_stored_answered_fast_and_coalesced(emulator, start_relay, kit):
    trigger = kit.RecordingTrigger(seconds=0.4)  # a sync takes a while, so later notifications pile up behind it
    server = start_relay(trigger)
    labels = [kit.control(emulator, "labels", {"order_number": f"SO{10001 + n}"}) for n in range(10)]
    payloads = []
    for n in range(200):
        label = labels[n % len(labels)]
        # Mostly distinct URLs (different page sizes), so most are fetched, not dropped as duplicates.
        payloads.append({"resource_url": f"{emulator.base_url}/v2/labels?batch_id=se-{label['batch_id']}"
                                         f"&page_size={1 + n // len(labels)}", "resource_type": "LABEL_CREATED_V2"})

    def post(payload):
        body, headers = kit.signed(emulator, payload)
        started = time.monotonic()
        answer = requests.post(kit.v2_url(server), data=body, headers=headers, timeout=10)
        return answer.status_code, time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(post, payloads))
    burst_seconds = time.monotonic() - started
    latencies = sorted(seconds for _, seconds in results)
    assert [status for status, _ in results] == [202] * 200
    assert burst_seconds < 10 and latencies[int(0.95 * len(latencies))] < 1.0
    store = server.relay.store
    assert len(store.notifications()) == 200
    assert kit.wait_until(lambda: store.counts().get("received", 0) == 0 and not store.awaiting_sync()
                          and trigger.running == 0, timeout=30)
    assert 1 <= len(trigger.calls) <= 6
    assert trigger.max_running == 1
    assert {(r.kind, r.id) for r in store.seen()} == {("v2.shipment", label["v2_shipment_id"]) for label in labels}


def test_health_answers_during_a_burst(emulator, start_relay, kit):
    server = start_relay(kit.RecordingTrigger())
    payload = {"resource_url": f"{emulator.base_url}/shipments?batchId=999&includeShipmentItems=False",
               "resource_type": "SHIP_NOTIFY"}
    with ThreadPoolExecutor(max_workers=10) as pool:
        posts = [pool.submit(requests.post, kit.v1_url(server), json=payload, timeout=10) for _ in range(100)]
        health = requests.get(f"{server.base_url}/healthz", timeout=2)
        assert all(p.result().status_code == 202 for p in posts)
    assert health.status_code == 200 and health.json()["ok"] is True
