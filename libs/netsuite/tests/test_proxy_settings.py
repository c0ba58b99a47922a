"""Merchants behind an egress proxy set HTTP(S)_PROXY for the connector; the client reads it (once) and uses it."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from netsuite_lib.client import NetSuiteClient
from netsuite_lib.errors import Unreachable

CONFIG = {"account_id": "1234567", "base_url": "http://1234567.netsuite.invalid",
          "credentials": {"auth_type": "token_based", "consumer_key": "ck", "consumer_secret": "cs",
                          "token_id": "tid", "token_secret": "ts"}}


@pytest.fixture
def proxy():
    seen = []

    class Proxy(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(self.requestline)
            body = json.dumps({"items": [{"id": "1"}], "hasMore": False}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def test_requests_go_through_the_proxy_the_environment_names(proxy, monkeypatch):
    address, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = NetSuiteClient(CONFIG, max_retries=0)
    assert client.suiteql_page("SELECT id FROM item", 1)["items"] == [{"id": "1"}]
    assert len(seen) == 1 and seen[0].startswith("POST http://1234567.netsuite.invalid/services/rest/query/v1/suiteql")


def test_no_proxy_for_the_account_host_is_honoured(proxy, monkeypatch):
    address, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", address)
    monkeypatch.setenv("NO_PROXY", ".netsuite.invalid")
    client = NetSuiteClient(CONFIG, max_retries=0, timeout=5)
    with pytest.raises(Unreachable):
        client.suiteql_page("SELECT id FROM item", 1)  # straight to the (unresolvable) host, not the proxy
    assert seen == []
