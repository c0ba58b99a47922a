"""Calls that do not prove they come from ShipStation are refused, and leave nothing behind: nothing stored,
nothing fetched with the merchant's key, no sync."""
import base64
import json
import time

import pytest
import requests


def _payload(emulator, api="v2"):
    path = "/v2/labels?batch_id=se-1" if api == "v2" else "/shipments?batchId=1&includeShipmentItems=False"
    return {"resource_url": f"{emulator.base_url}{path}", "resource_type": "LABEL_CREATED_V2"}


def _assert_nothing_happened(server, emulator, kit, trigger):
    time.sleep(0.5)  # give a wrongly accepted call the time to be fetched and trigger, so the checks can fail
    assert server.relay.store.notifications() == []
    assert kit.api_requests(emulator)["v1"] == 0 and kit.api_requests(emulator)["v2"] == 0
    assert trigger.calls == []


def test_a_wrong_v1_secret_is_refused(emulator, start_relay, kit):
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger)
    body = _payload(emulator, "v1")
    for secret in ("guess-0123456789", kit.secret[:-1], kit.secret + "x", kit.secret.upper()):
        answer = requests.post(kit.v1_url(server, secret), json=body, timeout=5)
        assert answer.status_code == 404
        assert secret not in answer.text
    _assert_nothing_happened(server, emulator, kit, trigger)


@pytest.mark.parametrize("forgery", ["no headers", "bad signature", "tampered body", "unknown key id",
                                     "ec key id", "stale timestamp", "future timestamp"])
def test_a_forged_v2_call_is_refused(emulator, start_relay, kit, forgery):
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger)
    stamp = None
    if forgery == "stale timestamp":
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() - 6 * 60))
    if forgery == "future timestamp":
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() + 6 * 60))
    body, headers = kit.signed(emulator, _payload(emulator), stamp)
    if forgery == "no headers":
        headers = {"Content-Type": "application/json"}
    elif forgery == "bad signature":
        headers["x-shipengine-rsa-sha256-signature"] = base64.b64encode(b"\0" * 256).decode()
    elif forgery == "tampered body":
        body = body.replace(b"se-1", b"se-2")
    elif forgery == "unknown key id":
        headers["x-shipengine-rsa-sha256-key-id"] = "not-a-published-key"
    elif forgery == "ec key id":
        headers["x-shipengine-rsa-sha256-key-id"] = emulator.app.signer.ec_kid
    answer = requests.post(kit.v2_url(server), data=body, headers=headers, timeout=5)
    expected = {"no headers": 404, "stale timestamp": 400, "future timestamp": 400}.get(forgery, 401)
    assert answer.status_code == expected
    _assert_nothing_happened(server, emulator, kit, trigger)


def test_a_genuine_v2_call_is_accepted(emulator, start_relay, kit):
    # The counterpart of the forgeries above, so they fail for the right reason.
    server = start_relay()
    body, headers = kit.signed(emulator, _payload(emulator))
    answer = requests.post(kit.v2_url(server), data=body, headers=headers, timeout=5)
    assert answer.status_code == 202
    assert [n.resource_type for n in server.relay.store.notifications()] == ["LABEL_CREATED_V2"]


def test_a_delivery_signed_by_a_clock_five_minutes_off_is_refused(emulator, start_relay, kit):
    """The emulator signs with its own clock: moved 10 minutes ahead, its genuine delivery is too old to trust."""
    server = start_relay()
    kit.control(emulator, "clock/advance", {"seconds": 600})
    requests.post(f"{emulator.base_url}/v2/environment/webhooks", timeout=5,
                  headers={"API-Key": emulator.credentials["v2_api_key"]},
                  json={"url": kit.v2_url(server), "event": "label_created_v2"}).raise_for_status()
    kit.control(emulator, "labels", {"order_number": "SO10001"})
    deliveries = lambda: [d for d in requests.get(f"{emulator.base_url}/__emulator/state", timeout=5)
                          .json()["deliveries"] if d["status"] in ("delivered", "failed")]
    done = kit.wait_until(deliveries, timeout=15)
    assert done and done[0]["status"] == "failed" and done[0]["http_status"] == 400
    assert server.relay.store.notifications() == []


def test_an_oversized_body_is_refused_with_413(emulator, start_relay, kit):
    server = start_relay(max_body_bytes=1024)
    payload = {**_payload(emulator, "v1"), "padding": "x" * 2000}
    answer = requests.post(kit.v1_url(server), data=json.dumps(payload), timeout=5,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert server.relay.store.notifications() == []
