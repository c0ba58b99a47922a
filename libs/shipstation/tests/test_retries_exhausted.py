"""When the CDK's retries give up, the client says what they ended on (429, a server error, no answer) as our own
typed error, read from the answers its error handler saw, never from the CDK's private attributes."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from shipstation_lib.client import ShipStationClient
from shipstation_lib.errors import RateLimited, ServerError, Unreachable


def serve(status: int, headers: dict[str, str]):
    class Always(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"message": "no"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Always)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def client(base_url: str) -> ShipStationClient:
    return ShipStationClient({"credentials": {"api_version": "v2", "api_key": "k"}, "base_url": base_url},
                             max_retries=1, timeout=5)


@pytest.mark.parametrize("status, headers, error", [(429, {"Retry-After": "0"}, RateLimited),
                                                     (503, {"Retry-After": "0"}, ServerError)])
def test_retries_ending_on_an_answer_are_named_by_that_answer(status, headers, error):
    server = serve(status, headers)
    try:
        with pytest.raises(error) as raised:
            client(f"http://127.0.0.1:{server.server_port}").get("warehouses")
        assert raised.value.status == status
    finally:
        server.shutdown()


def test_retries_ending_on_no_answer_say_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    with pytest.raises(Unreachable, match="ConnectionError"):
        client(f"http://127.0.0.1:{port}").get("warehouses")
