"""Reliability, fast part: hostile and broken input, property-based where it fits. Every case ends in a clear
error or a reported outcome; nothing crashes, nothing else is lost, nothing leaves loopback."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from emulators import fulfillment_testkit as kit
from emulators import reliability as rel
from emulators.configs import netsuite_config, shipstation_config
from emulators.netsuite import start_emulator as start_netsuite
from emulators.shipstation import start_emulator as start_shipstation

FAST = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module")
def guard():
    guard = rel.NetworkGuard()
    with guard.active():
        yield guard
    assert guard.foreign == [], f"requests to hosts other than loopback: {guard.foreign}"


@pytest.fixture(scope="module")
def netsuite(guard):
    with start_netsuite(items=20, locations=2, customers=5, orders=60, seed=17) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def shipstation(guard):
    with start_shipstation(seed=17, orders=5, v1_rate_limit=100000, v2_rate_limit=100000) as emulator:
        yield emulator


# ---- webhook bodies and headers against the relay's app ----------------------------------------------------------

@pytest.fixture(scope="module")
def relay_app(shipstation, tmp_path_factory):
    from starlette.testclient import TestClient
    from webhook_relay.app import create_app
    from webhook_relay.config import RelayConfig
    from webhook_relay.relay import Relay
    from webhook_relay.trigger import CallableTrigger

    creds = kit.control(shipstation, "credentials", {})
    secret = "reliability-v1-url-secret-0123456789abcdef"
    config = RelayConfig.from_dict({
        "database": str(tmp_path_factory.mktemp("relay") / "relay.sqlite3"), "public_url": "http://127.0.0.1:9",
        "v1_secret": secret, "jwks_url": f"{shipstation.base_url}/jwks", "trigger": {"connection": "sync1"},
        "shipstation": {"v1": {"api_key": creds["v1_api_key"], "api_secret": creds["v1_api_secret"]},
                        "v2": {"api_key": creds["v2_api_key"]}, "base_url": shipstation.base_url},
    }, environ={})
    relay = Relay(config, CallableTrigger(lambda connection: None))
    with TestClient(create_app(relay, manage_lifecycle=False), raise_server_exceptions=False) as client:
        yield client, relay, secret, shipstation
    relay.stop()


def _foreign_urls(emulator_origin: str):
    port = int(emulator_origin.rsplit(":", 1)[1])
    fixed = st.sampled_from([
        "http://ssapi.shipstation.com/shipments?batchId=1", "https://ssapi.shipstation.com.evil.example/shipments",
        "https://user:pw@ssapi.shipstation.com/shipments", "https://ssapi.shipstation.com:8443/shipments",
        "https://evil.example/shipments?u=https://ssapi.shipstation.com/shipments", "file:///etc/passwd",
        f"http://127.0.0.1:{port + 1}/shipments", "https://api.shipstation.com@evil.example/v2/labels",
        "https://169.254.169.254/latest/meta-data/", "//evil.example/shipments", "https://ssapi.shipstation.com\\@evil/",
    ])
    return st.one_of(fixed, st.text(max_size=300), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3))


def _bodies(emulator_origin: str):
    notification = st.fixed_dictionaries(
        {"resource_url": _foreign_urls(emulator_origin)},
        optional={"resource_type": st.one_of(st.text(max_size=200), st.integers(), st.none())})
    return st.one_of(notification.map(lambda d: json.dumps(d).encode()), st.binary(max_size=2000),
                     st.text(max_size=500).map(str.encode),
                     st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                  lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
                                  max_leaves=10).map(lambda v: json.dumps(v).encode()))


_header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120)
_headers = st.dictionaries(
    st.sampled_from(["content-type", "x-shipengine-rsa-sha256-key-id", "x-shipengine-rsa-sha256-signature",
                     "x-shipengine-timestamp", "content-encoding", "x-forwarded-for", "host", "transfer-encoding"]),
    _header_text, max_size=5)


def test_hostile_webhook_bodies_and_headers_never_get_a_5xx_and_are_never_stored(relay_app):
    client, relay, secret, emulator = relay_app
    ran = []

    @FAST
    @given(body=_bodies(emulator.base_url), headers=_headers, route=st.sampled_from(["v1", "v1-wrong", "v2"]))
    def check(body, headers, route):
        ran.append(route)
        headers = {k: v for k, v in headers.items() if k not in ("host", "transfer-encoding", "content-length")}
        path = {"v1": f"/webhooks/shipstation/v1/{secret}", "v1-wrong": "/webhooks/shipstation/v1/guess",
                "v2": "/webhooks/shipstation/v2"}[route]
        before = len(relay.store.notifications())
        answer = client.post(path, content=body, headers=headers)
        assert answer.status_code < 500, answer.text
        assert answer.status_code != 202  # every body here is invalid: foreign resource_url, unsigned, or junk
        assert len(relay.store.notifications()) == before
        assert secret not in answer.text
    check()
    assert len(ran) >= 20  # the examples really ran


# ---- hostile shipment records into destination-netsuite-fulfillment ------------------------------------------

def _write(netsuite, tmp_path, msgs, **extra):
    from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment

    audit = tmp_path / "audit.jsonl"
    before = len(kit.outcomes(audit))
    config = netsuite_config(netsuite.base_url, audit_file=str(audit), **extra)
    error = None
    try:
        list(DestinationNetsuiteFulfillment().write(config, kit.catalog(), msgs))
    except Exception as exc:  # kept, then judged: clear error or crash
        error = exc
    return error, kit.outcomes(audit)[before:]


_any_value = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                       st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=50),
                       st.text(min_size=5000, max_size=5000, alphabet=st.characters()),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
_item = st.fixed_dictionaries({}, optional={"sku": _any_value, "quantity": st.one_of(
    st.integers(min_value=-10**12, max_value=10**12), st.floats(allow_nan=True, allow_infinity=True), _any_value),
    "name": _any_value, "unit_price": _any_value})
FIELDS = ["shipment_id", "kind", "order_number", "voided", "tracking_numbers", "packages", "items", "carrier_code",
          "service_code", "ship_date", "created_at", "modified_at", "order_id", "voided_at"]


def test_hostile_shipment_records_end_in_a_reported_outcome_or_a_clear_error_and_lose_nothing_else(netsuite, tmp_path_factory):
    orders = kit.unused_orders(netsuite)
    good_order, hostile_order = orders[0], orders[1]
    good_line = kit.order_lines(netsuite, good_order)[0]
    hostile_sku = kit.order_lines(netsuite, hostile_order)[0]["sku"]
    good = kit.shipment(good_order, [(good_line["sku"], 1)], shipment_id="700001", tracking=["1ZGOOD700001"])
    tmp = tmp_path_factory.mktemp("hostile-records")
    ran = []

    @FAST
    @given(removed=st.lists(st.sampled_from(FIELDS), max_size=3, unique=True),
           changed=st.dictionaries(st.sampled_from(FIELDS), _any_value, max_size=3),
           items=st.one_of(st.none(), st.lists(_item, max_size=3)))
    def check(removed, changed, items):
        ran.append(1)
        hostile = kit.shipment(hostile_order, [(hostile_sku, 1)])
        for name in removed:
            hostile.pop(name, None)
        hostile.update(changed)
        if items is not None:
            hostile["items"] = items
        error, audit = _write(netsuite, tmp, kit.messages([hostile, good]))
        if error is not None:
            assert rel.is_clear_error(error), f"crash: {type(rel.root_error(error)).__name__}: {rel.root_error(error)}"
        else:
            assert len(audit) >= 2  # one reported outcome per record (the hostile one included)
            assert all(a["outcome"] in ("created", "already_present", "skipped", "reversed", "failed") for a in audit)
            assert all(a.get("reason") for a in audit if a["outcome"] in ("skipped", "failed"))
        made = [f for f in kit.fulfillments(netsuite, good_order) if "1ZGOOD700001" in f["packages"]]
        if error is None:
            assert len(made) == 1  # the good record beside it was applied once, whatever came before it
        assert rel.duplicate_fulfillments(rel.World(netsuite, None)) == []
    check()
    assert len(ran) >= 20


# ---- order numbers and SKUs built to break SuiteQL -------------------------------------------------------------

_BREAKERS = "'\"`;-/*\\%_()[]{}=<>|&#\n\t\r\x00"
_breaker = st.text(alphabet=st.sampled_from(_BREAKERS), min_size=1, max_size=6)
_noise = st.text(max_size=40)


def _hostile_names(real: str):
    return st.one_of(
        st.tuples(_noise, _breaker, _noise).map("".join),
        st.tuples(st.just(real), _breaker, _noise).map("".join),
        st.sampled_from([f"{real}' OR '1'='1", f"{real}'--", f"{real}' /*", "' OR tranid LIKE '%", "x' UNION SELECT 1 --",
                         f"{real}\\'", f"{real}''", "é' OR 1=1 --", "名前' --", f"{real}\u2019"]),
        st.tuples(_breaker, st.text(min_size=900, max_size=900)).map("".join))


def test_order_numbers_and_skus_built_to_break_suiteql_never_error_and_never_match_another_order(netsuite, tmp_path_factory):
    orders = kit.unused_orders(netsuite)
    real = orders[2]
    sku = kit.order_lines(netsuite, real)[0]["sku"]
    tmp = tmp_path_factory.mktemp("suiteql")
    ran = []
    count = lambda: kit.sql(netsuite, """SELECT COUNT(*) AS n FROM "transaction" WHERE type = 'ItemShip'""")[0]["n"]  # noqa: E731

    @FAST
    @given(numbers=st.lists(_hostile_names(real), min_size=1, max_size=4),
           skus=st.lists(_hostile_names(sku), min_size=1, max_size=2))
    def check(numbers, skus):
        ran.append(1)
        records = [kit.shipment(n, [(sku, 1)]) for n in numbers] + [kit.shipment(real, [(s, 1)]) for s in skus]
        before = count()
        error, audit = _write(netsuite, tmp, kit.messages(records))
        assert error is None, f"{type(rel.root_error(error)).__name__}: {rel.root_error(error)}"
        by_key = {a["key"]: a for a in audit}
        for record, number in zip(records, numbers):
            line = by_key[record["shipment_id"]]
            # no such order, or an order number NetSuite could never hold (too long): a skip with its reason
            assert line["outcome"] == "skipped", line
            assert (line["reason"] == f"no sales order with tranid {number}" or "order number" in line["reason"]), line
        for record, bad_sku in zip(records[len(numbers):], skus):
            line = by_key[record["shipment_id"]]
            assert line["outcome"] == "skipped", line
            assert (line["reason"].startswith("SKU ") and line["reason"].endswith(
                f"is not on an open line of sales order {real}")) or "has no SKU" in line["reason"], line
        assert count() == before  # matched no order at all
    check()
    assert len(ran) >= 20


# ---- malformed API answers ---------------------------------------------------------------------------------

class _Fake(BaseHTTPRequestHandler):
    answer: tuple[int, str, bytes] = (200, "application/json", b"{}")
    seen: list[str] = []

    def _reply(self):
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        type(self).seen.append(f"{self.command} {self.path}")
        status, content_type, body = type(self).answer
        if body is ECHO:  # a misconfigured proxy's debug page, listing the credentials the request carried
            sent = [v for k, v in self.headers.items() if k.lower() in ("authorization", "api-key")]
            names = [part.strip() for value in sent for part in value.split(",") if "_key" in part or "_token" in part]
            body = f"{names or sent} {self.command} {self.path}".encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = _reply

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def fake():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


ECHO = object()
HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>cloudflare</body></html>"
MALFORMED = {
    "html page (200)": (200, "text/html", HTML),
    "html error page (404)": (404, "text/html", HTML),
    "truncated json": (200, "application/json", b'{"items": [{"id": "1", "itemid": "MUG'),
    "missing fields": (200, "application/json", b'{"unexpected": true}'),
    "wrong shapes": (200, "application/json", b'{"items": "none", "shipments": 7, "labels": null, "count": "x", '
                                              b'"hasMore": "yes", "inventory": {"a": 1}}'),
}


def _run_connector(which: str, netsuite, shipstation, fake_url: str):
    from airbyte_cdk.models import AirbyteStream, ConfiguredAirbyteCatalog, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode
    from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
    from destination_shipstation_inventory import DestinationShipstationInventory
    from source_netsuite_inventory import SourceNetsuiteInventory
    from source_shipstation import SourceShipstation

    def catalog(name, mode=SyncMode.full_refresh):
        stream = AirbyteStream(name=name, json_schema={}, supported_sync_modes=[mode])
        return ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
            stream=stream, sync_mode=mode, destination_sync_mode=DestinationSyncMode.append)])

    if which == "source-shipstation":
        config = {**shipstation_config(shipstation.base_url), "base_url": fake_url}
        list(SourceShipstation().read(rel.LOGGER, config, catalog("shipments", SyncMode.incremental), None))
    elif which == "source-netsuite-inventory":
        config = {**netsuite_config(netsuite.base_url), "base_url": fake_url}
        list(SourceNetsuiteInventory().read(rel.LOGGER, config, catalog("stock"), None))
    elif which == "destination-netsuite-fulfillment":
        config = {**netsuite_config(netsuite.base_url), "base_url": fake_url}
        return list(DestinationNetsuiteFulfillment().write(config, kit.catalog(),
                                                           kit.messages([kit.shipment("SO-1", [("A", 1)])])))
    else:
        config = {**shipstation_config(shipstation.base_url), "base_url": fake_url}
        row = kit.record_message({"item_id": 1, "sku": "MUG-1", "location_id": 1, "location_name": "Main Warehouse",
                                  "quantity_available": 3, "quantity_on_hand": 3}, stream="stock")
        return list(DestinationShipstationInventory().write(config, catalog("stock"), [row, kit.state_message("s1")]))
    return []


CONNECTORS = ["source-shipstation", "source-netsuite-inventory", "destination-netsuite-fulfillment",
              "destination-shipstation-inventory"]


@pytest.mark.parametrize("which", CONNECTORS)
@pytest.mark.parametrize("mode", list(MALFORMED))
def test_malformed_api_answers_end_in_a_clear_error_naming_what_was_asked(netsuite, shipstation, fake, which, mode):
    _Fake.answer, _Fake.seen = MALFORMED[mode], []
    error, states = None, []
    try:
        states = _run_connector(which, netsuite, shipstation, fake)
    except Exception as exc:
        error = exc
    assert _Fake.seen, "the connector asked the fake server something"
    assert error is not None and states == [], f"no error, {len(states)} states passed on"
    root = rel.root_error(error)
    assert rel.is_clear_error(error), f"crash: {type(root).__name__}: {root}"
    message = str(root.message if hasattr(root, "message") else root)
    # the request is named: its path (ours), or the stream and the service (the CDK's wording around ours)
    assert "/" in message or "NetSuite" in message or "ShipStation" in message, message


# ---- one request answered badly mid-batch: a record's refusal goes on, a broken way to NetSuite stops -------------

def _answer_transforms_of(monkeypatch, tranid_id: str, status: int, content_type: str, body: bytes) -> list[str]:
    """Answers every item fulfillment transform of sales order `tranid_id` with the given answer, at the transport,
    so the client's retries and error reading see it as they would the real wire; other requests go through."""
    import requests
    from requests.adapters import HTTPAdapter
    from requests.structures import CaseInsensitiveDict

    real_send, asked = HTTPAdapter.send, []

    def send(self, request, *args, **kwargs):
        if request.method == "POST" and f"/salesOrder/{tranid_id}/!transform/itemFulfillment" in request.url:
            asked.append(request.url)
            response = requests.Response()
            response.status_code, response._content, response.url, response.request = status, body, request.url, request
            response.headers = CaseInsensitiveDict({"Content-Type": content_type, "Content-Length": str(len(body))})
            return response
        return real_send(self, request, *args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", send)
    return asked


def _order_id(netsuite, tranid: str) -> str:
    return str(kit.sql(netsuite, f"SELECT id FROM \"transaction\" WHERE tranid = '{tranid}'")[0]["id"])


def _three_orders(netsuite):
    tranids = kit.unused_orders(netsuite)[:3]
    return tranids, [kit.shipment(t, [(kit.order_lines(netsuite, t)[0]["sku"], 1)]) for t in tranids]


def test_netsuite_refusing_one_fulfillment_is_reported_and_the_sync_goes_on(netsuite, tmp_path, monkeypatch):
    from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment

    tranids, records = _three_orders(netsuite)
    refusal = json.dumps({"type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "title": "Bad Request",
                          "status": 400, "o:errorDetails": [{"detail": "You can not fulfill this order right now.",
                                                             "o:errorCode": "USER_ERROR"}]}).encode()
    asked = _answer_transforms_of(monkeypatch, _order_id(netsuite, tranids[1]), 400, "application/json", refusal)
    audit = tmp_path / "audit.jsonl"
    config = netsuite_config(netsuite.base_url, audit_file=str(audit), concurrency=1)
    states = list(DestinationNetsuiteFulfillment().write(config, kit.catalog(), kit.messages(records)))
    assert asked and len(states) == 1  # the refusal is the record's: the others are confirmed
    by_order = {a["order_number"]: a for a in kit.outcomes(audit)}
    assert by_order[tranids[1]]["outcome"] == "failed" and "fulfill this order" in by_order[tranids[1]]["reason"]
    assert [by_order[t]["outcome"] for t in (tranids[0], tranids[2])] == ["created", "created"]
    assert [len(kit.fulfillments(netsuite, t)) for t in tranids] == [1, 0, 1]


@pytest.mark.parametrize("answer", [(404, "text/html", HTML), (502, "text/html", HTML)], ids=["html 404", "502"])
def test_a_broken_answer_to_one_fulfillment_stops_the_sync_naming_the_request_and_a_rerun_applies_the_rest(
        netsuite, tmp_path, monkeypatch, answer):
    from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment

    tranids, records = _three_orders(netsuite)
    order_id = _order_id(netsuite, tranids[1])
    with monkeypatch.context() as broken, rel.short_retries(3):
        asked = _answer_transforms_of(broken, order_id, *answer)
        audit = tmp_path / "audit.jsonl"
        config = netsuite_config(netsuite.base_url, audit_file=str(audit), concurrency=1, batch_size=1)
        msgs = [m for r in records for m in kit.messages([r], state=f"after-{r['shipment_id']}")]
        states, error = [], None
        try:
            for message in DestinationNetsuiteFulfillment().write(config, kit.catalog(), msgs):
                states.append(message.state.stream.stream_state.cursor)
        except Exception as exc:
            error = exc
    assert asked and error is not None and rel.is_clear_error(error), error
    message = rel.root_error(error).message
    assert f"salesOrder/{order_id}/!transform/itemFulfillment" in message and "NetSuite" in message, message
    # the state before the broken request is confirmed; none after it
    assert states == [f"after-{records[0]['shipment_id']}"]
    assert [len(kit.fulfillments(netsuite, t)) for t in tranids] == [1, 0, 0]  # nothing after it was attempted

    again = list(DestinationNetsuiteFulfillment().write(config, kit.catalog(), msgs[2:]))
    assert len(again) == 2
    assert [len(kit.fulfillments(netsuite, t)) for t in tranids] == [1, 1, 1]


@pytest.mark.parametrize("which", ["destination-netsuite-fulfillment", "destination-shipstation-inventory"])
def test_an_answer_quoting_the_request_puts_no_credential_in_the_error_or_the_audit_file(netsuite, shipstation, fake,
                                                                                       which, tmp_path, capsys):
    from airbyte_cdk.models import (AirbyteStream, ConfiguredAirbyteCatalog, ConfiguredAirbyteStream,
                                    DestinationSyncMode, SyncMode)
    from airbyte_cdk.utils.airbyte_secrets_utils import get_secrets, update_secrets
    from airbyte_cdk.utils.traced_exception import AirbyteTracedException
    from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
    from destination_shipstation_inventory import DestinationShipstationInventory

    audit_file = tmp_path / "audit.jsonl"
    if which == "destination-netsuite-fulfillment":
        destination = DestinationNetsuiteFulfillment()
        config = {**netsuite_config(netsuite.base_url), "base_url": fake, "audit_file": str(audit_file)}
        catalog, messages = kit.catalog(), kit.messages([kit.shipment("SO-1", [("A", 1)])])
        secrets = [config["credentials"][k] for k in ("consumer_key", "token_id")]  # what an OAuth header names
    else:
        destination = DestinationShipstationInventory()
        config = {**shipstation_config(shipstation.base_url), "base_url": fake, "audit_file": str(audit_file)}
        row = {"item_id": 1, "sku": "MUG-1", "location_id": 1, "location_name": "Main Warehouse",
               "quantity_available": 3, "quantity_on_hand": 3}
        catalog = ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
            stream=AirbyteStream(name="stock", json_schema={}, supported_sync_modes=[SyncMode.full_refresh]),
            sync_mode=SyncMode.full_refresh, destination_sync_mode=DestinationSyncMode.overwrite)])
        messages = [kit.record_message(row, stream="stock"), kit.state_message("s1")]
        secrets = [config["credentials"]["api_key"]]
    # As the connector's entrypoint does before a write: the config's secrets are registered for masking.
    update_secrets(get_secrets(destination.spec(rel.LOGGER).connectionSpecification, config))
    _Fake.answer, _Fake.seen = (404, "text/plain", ECHO), []
    with pytest.raises(Exception) as stopped:
        list(destination.write(config, catalog, messages))
    assert _Fake.seen, "the destination asked the fake server something"
    error = stopped.value
    assert any(secret in str(rel.root_error(error)) for secret in secrets), "the answer did quote a credential"
    capsys.readouterr()
    # What the platform sees: the error as the connector's entrypoint prints it; and the audit file.
    (error if isinstance(error, AirbyteTracedException) else AirbyteTracedException.from_exception(error)).emit_message()
    said = capsys.readouterr().out + audit_file.read_text()  # the record it was on has its outcome
    assert "404" in said  # the answer was reported ...
    assert [s for s in secrets if s in said] == []  # ... without the credentials it quoted
