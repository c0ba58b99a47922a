"""A genuine-looking call whose resource_url is not ShipStation's is refused before anything is stored, and the
merchant's key is sent nowhere: not to a look-alike host, not to another local port."""
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests


class _Decoy(BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):
        _Decoy.hits.append(dict(self.headers))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"shipments": [{"shipmentId": 1}]}')

    def log_message(self, *args):
        pass


@pytest.fixture
def decoy():
    _Decoy.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Decoy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


FOREIGN = ["http://ssapi.shipstation.com/shipments?batchId=1",
           "https://ssapi.shipstation.com.evil.com/shipments?batchId=1",
           "https://ssapi.shipstation.com@evil.com/shipments?batchId=1",
           "https://ssapi.shipstation.com:8443/shipments?batchId=1"]


def test_foreign_hosts_are_refused_and_never_called(emulator, start_relay, kit, decoy):
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger)
    for url in FOREIGN + [f"{decoy}/shipments?batchId=1"]:
        answer = requests.post(kit.v1_url(server), json={"resource_url": url, "resource_type": "SHIP_NOTIFY"},
                               timeout=5)
        assert answer.status_code == 400, url
        body, headers = kit.signed(emulator, {"resource_url": url.replace("/shipments", "/v2/labels"),
                                              "resource_type": "LABEL_CREATED_V2"})
        assert requests.post(kit.v2_url(server), data=body, headers=headers, timeout=5).status_code == 400
    kit.wait_until(lambda: _Decoy.hits, timeout=0.5)  # a wrongly made fetch would land here
    assert _Decoy.hits == []
    assert server.relay.store.notifications() == []
    assert trigger.calls == []


def test_a_stored_foreign_url_is_still_never_fetched(emulator, start_relay, kit, decoy):
    """Defence in depth: a row that reached the store some other way (an older version, a hand edit) is checked
    again before the key goes anywhere."""
    trigger = kit.RecordingTrigger()
    server = start_relay(trigger, start_relay=False)
    server.relay.store.add("v1", "SHIP_NOTIFY", f"{decoy}/shipments?batchId=1")
    server.relay.start()
    assert kit.wait_until(lambda: server.relay.store.counts().get("failed"), timeout=5)
    assert _Decoy.hits == [] and trigger.calls == []
