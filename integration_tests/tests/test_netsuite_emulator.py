"""The NetSuite emulator, driven through real clients: requests + requests-oauthlib (TBA), PyJWT (OAuth 2.0 M2M).

Each test restores what it changes (clock, revocations, permissions, limits), so one emulator serves them all.
"""
from __future__ import annotations

import re
import threading
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.oauth1 import Client as OAuth1Client
from requests_oauthlib import OAuth1

from emulators.netsuite import start_emulator
from emulators.netsuite.backend import NetSuiteBackend

SUITEQL = "/services/rest/query/v1/suiteql"
RECORD = "/services/rest/record/v1"
TOKEN = "/services/rest/auth/oauth2/v1/token"
INVALID_LOGIN_BODY = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2", "title": "Unauthorized", "status": 401,
    "o:errorDetails": [{"detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite "
                                  "UI at Setup > Users/Roles > User Management > View Login Audit Trail.",
                        "o:errorCode": "INVALID_LOGIN"}]}
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(scope="module")
def emu():
    # 400 items x 3 locations = 1,200 stock rows (two pages); item x item = 160,000 rows (past the 100k cap).
    with start_emulator(items=400, locations=3, customers=10, orders=30) as running:
        yield running


@pytest.fixture(scope="module")
def creds(emu):
    return requests.get(emu.base_url + "/__emulator/credentials", timeout=5).json()


def tba(creds, **overrides) -> OAuth1:
    args = dict(client_key=creds["consumer_key"], client_secret=creds["consumer_secret"],
                resource_owner_key=creds["token_id"], resource_owner_secret=creds["token_secret"],
                realm=creds["realm"], signature_method="HMAC-SHA256")
    args.update(overrides)
    return OAuth1(**args)


def control(emu, path, payload=None):
    if payload is None:
        r = requests.get(f"{emu.base_url}/__emulator/{path}", timeout=5)
    else:
        r = requests.post(f"{emu.base_url}/__emulator/{path}", json=payload, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def last_audit_reason(emu) -> str:
    return control(emu, "login-audit")["entries"][-1]["reason"]


def suiteql(emu, creds, q, limit=1000, offset=0, auth=None):
    return requests.post(f"{emu.base_url}{SUITEQL}?limit={limit}&offset={offset}", json={"q": q},
                         auth=auth or tba(creds), headers={"Prefer": "transient"}, timeout=10)


def sql(emu, q):
    return control(emu, "sql", {"q": q})["rows"]


def error_of(response) -> dict:
    return response.json()["o:errorDetails"][0]


def signed_get(emu, creds, path, nonce, timestamp):
    """A GET signed by oauthlib with a nonce and timestamp we choose."""
    client = OAuth1Client(creds["consumer_key"], client_secret=creds["consumer_secret"],
                          resource_owner_key=creds["token_id"], resource_owner_secret=creds["token_secret"],
                          realm=creds["realm"], signature_method="HMAC-SHA256", nonce=nonce, timestamp=str(timestamp))
    uri, headers, _ = client.sign(emu.base_url + path, http_method="GET")
    return requests.get(uri, headers=headers, timeout=5)


# --- TBA -----------------------------------------------------------------------------------------------------

def test_tba_signed_suiteql_post_with_query_params_and_get_are_accepted(emu, creds):
    r = suiteql(emu, creds, "SELECT id, tranid FROM transaction WHERE type = 'SalesOrd' ORDER BY id")
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 30
    r = requests.get(f"{emu.base_url}{RECORD}/salesOrder/5001", auth=tba(creds), timeout=5)
    assert r.status_code == 200 and r.json()["tranId"] == "SO10001"
    assert last_audit_reason(emu) == "Success"


@pytest.mark.parametrize("overrides, reason", [
    ({"client_secret": "wrong-secret"}, "InvalidSignature"),
    ({"resource_owner_secret": "wrong-secret"}, "InvalidSignature"),
    ({"realm": "1234567".lower() + "x"}, "InvalidRealm"),
    ({"signature_method": "HMAC-SHA1"}, "UnsupportedSignatureMethod"),
    ({"resource_owner_key": "not-a-token"}, "TokenRejected"),
    ({"client_key": "not-a-consumer"}, "InvalidConsumerKey"),
])
def test_bad_tba_gets_the_generic_401_and_the_reason_only_in_the_audit(emu, creds, overrides, reason):
    r = suiteql(emu, creds, "SELECT id FROM item", auth=tba(creds, **overrides))
    assert r.status_code == 401
    assert r.json() == INVALID_LOGIN_BODY
    assert reason not in r.text
    assert last_audit_reason(emu) == reason


def test_realm_in_the_wrong_case_is_refused():
    with start_emulator(account_id="1234567_SB1", items=3, customers=2, orders=2) as sandbox:
        c = requests.get(sandbox.base_url + "/__emulator/credentials", timeout=5).json()
        assert c["realm"] == "1234567_SB1"
        ok = requests.get(f"{sandbox.base_url}{RECORD}/salesOrder/5001", auth=tba(c), timeout=5)
        assert ok.status_code == 200
        bad = requests.get(f"{sandbox.base_url}{RECORD}/salesOrder/5001", auth=tba(c, realm="1234567_sb1"), timeout=5)
        assert bad.status_code == 401 and bad.json() == INVALID_LOGIN_BODY
        assert last_audit_reason(sandbox) == "InvalidRealm"
        dc = requests.get(f"{sandbox.base_url}/rest/datacenterurls?account=1234567-sb1", timeout=5)
        assert dc.status_code == 200 and dc.json()["accountId"] == "1234567_SB1"


def test_reused_nonce_is_refused(emu, creds):
    now = int(time.time())
    assert signed_get(emu, creds, f"{RECORD}/salesOrder/5001", "nonce-reuse-1", now).status_code == 200
    again = signed_get(emu, creds, f"{RECORD}/salesOrder/5001", "nonce-reuse-1", now)
    assert again.status_code == 401 and again.json() == INVALID_LOGIN_BODY
    assert last_audit_reason(emu) == "NonceUsed"


def test_oauth_body_hash_is_accepted_when_sent(emu, creds):
    """Some clients (authlib with force_include_body) sign a body hash; NetSuite accepts that too."""
    import base64
    import hashlib
    from oauthlib.oauth1.rfc5849 import signature, utils

    body = b'{"q": "SELECT id FROM item"}'
    uri = f"{emu.base_url}{SUITEQL}?limit=3&offset=0"
    oauth = [("oauth_consumer_key", creds["consumer_key"]), ("oauth_token", creds["token_id"]),
             ("oauth_nonce", "bodyhash-nonce-1"), ("oauth_timestamp", str(int(time.time()))),
             ("oauth_signature_method", "HMAC-SHA256"), ("oauth_version", "1.0"),
             ("oauth_body_hash", base64.b64encode(hashlib.sha256(body).digest()).decode())]
    params = signature.collect_parameters(uri_query="limit=3&offset=0", headers={}, exclude_oauth_signature=True)
    base = signature.signature_base_string("POST", signature.base_string_uri(uri),
                                           signature.normalize_parameters(params + oauth))
    sig = signature.sign_hmac_sha256(base, creds["consumer_secret"], creds["token_secret"])
    header = "OAuth " + ", ".join([f'realm="{creds["realm"]}"'] + [f'{k}="{utils.escape(v)}"' for k, v in
                                                                    oauth + [("oauth_signature", sig)]])
    r = requests.post(uri, data=body, timeout=5,
                      headers={"Authorization": header, "Content-Type": "application/json", "Prefer": "transient"})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 3


def test_short_nonce_is_refused(emu, creds):
    r = signed_get(emu, creds, f"{RECORD}/salesOrder/5001", "abc12", int(time.time()))
    assert r.status_code == 401 and last_audit_reason(emu) == "InvalidNonce"


def test_stale_timestamp_is_refused_after_the_emulator_clock_moves(emu, creds):
    control(emu, "clock/advance", {"seconds": 301})
    try:
        r = suiteql(emu, creds, "SELECT id FROM item")
        assert r.status_code == 401 and r.json() == INVALID_LOGIN_BODY
        assert last_audit_reason(emu) == "InvalidTimestamp"
    finally:
        emu.backend.clock.reset()
    assert suiteql(emu, creds, "SELECT id FROM item").status_code == 200


def test_revoked_token_is_refused(emu, creds):
    control(emu, "revoke", {"what": "token"})
    try:
        r = suiteql(emu, creds, "SELECT id FROM item")
        assert r.status_code == 401 and r.json() == INVALID_LOGIN_BODY
        assert last_audit_reason(emu) == "TokenRejected"
    finally:
        control(emu, "restore", {})


def test_role_permissions(emu, creds):
    control(emu, "permissions", {"remove": ["Log in using Access Tokens"]})
    try:
        r = suiteql(emu, creds, "SELECT id FROM item")
        assert r.status_code == 401 and last_audit_reason(emu) == "InsufficientPermission"
    finally:
        control(emu, "permissions", {"grant": ["Log in using Access Tokens"]})
    control(emu, "permissions", {"remove": ["REST Web Services"]})
    try:
        r = requests.get(f"{emu.base_url}{RECORD}/salesOrder/5001", auth=tba(creds), timeout=5)
        assert r.status_code == 403 and error_of(r)["o:errorCode"] == "INSUFFICIENT_PERMISSION"
    finally:
        control(emu, "permissions", {"grant": ["REST Web Services"]})
    control(emu, "permissions", {"remove": ["customer"]})
    try:
        r = suiteql(emu, creds, "SELECT c.id FROM customer c")
        assert r.status_code == 400
        assert error_of(r) == {"detail": "Invalid search query. Detailed unprocessed description follows. "
                                         "Search error occurred: Record 'customer' was not found.",
                               "o:errorQueryParam": "q", "o:errorCode": "INVALID_PARAMETER"}
    finally:
        control(emu, "permissions", {"grant": ["customer"]})
    assert suiteql(emu, creds, "SELECT c.id FROM customer c").status_code == 200


def test_datacenterurls_tells_known_from_unknown_accounts(emu):
    ok = requests.get(f"{emu.base_url}/rest/datacenterurls?account=1234567", timeout=5)
    assert ok.json() == {"accountId": "1234567", "restDomain": emu.base_url, "webservicesDomain": emu.base_url,
                         "systemDomain": emu.base_url}
    bad = requests.get(f"{emu.base_url}/rest/datacenterurls?account=7654321", timeout=5)
    assert bad.status_code == 400 and error_of(bad)["o:errorCode"] == "INVALID_ACCOUNT"


# --- OAuth 2.0 client credentials -------------------------------------------------------------------------

def assertion(emu, creds, key=None, alg="ES256", kid=None, aud=None, iat=None, lifetime=3000,
              scope="rest_webservices,restlets"):
    iat = int(time.time()) if iat is None else iat
    claims = {"iss": creds["client_id"], "scope": scope, "aud": aud or emu.base_url + TOKEN, "iat": iat,
              "exp": iat + lifetime}
    return jwt.encode(claims, key or creds["private_key"], algorithm=alg,
                      headers={"kid": kid or creds["certificate_id"], "typ": "JWT"})


def request_token(emu, jwt_assertion):
    return requests.post(emu.base_url + TOKEN, timeout=5, data={
        "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": jwt_assertion})


@pytest.fixture(scope="module")
def rsa_certificate(emu):
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    control(emu, "certificates", {"certificate_id": "rsa-cert-1", "public_key": public})
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def test_es256_assertion_buys_a_bearer_that_works(emu, creds):
    r = request_token(emu, assertion(emu, creds, scope=["rest_webservices"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["expires_in"] == "3600" and body["token_type"] == "Bearer"
    q = requests.post(
        f"{emu.base_url}{SUITEQL}?limit=5", json={"q": "SELECT id FROM item"}, timeout=5,
        headers={"Authorization": f"Bearer {body['access_token']}", "Prefer": "transient"})
    assert q.status_code == 200 and q.json()["count"] == 5


def test_ps256_assertion_with_a_registered_rsa_certificate(emu, creds, rsa_certificate):
    r = request_token(emu, assertion(emu, creds, key=rsa_certificate, alg="PS256", kid="rsa-cert-1"))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("case, error, reason", [
    ("rs256", "invalid_client", "UnsupportedAlgorithm"),
    ("wrong_kid", "invalid_client", "UnknownCertificateId"),
    ("wrong_aud", "invalid_client", "InvalidAudience"),
    ("too_long", "invalid_grant", "AssertionLifetimeTooLong"),
    ("expired", "invalid_grant", "AssertionExpired"),
    ("no_scope", "invalid_scope", "MissingScope"),
])
def test_bad_assertions_are_refused(emu, creds, rsa_certificate, case, error, reason):
    made = {
        "rs256": lambda: assertion(emu, creds, key=rsa_certificate, alg="RS256", kid="rsa-cert-1"),
        "wrong_kid": lambda: assertion(emu, creds, kid="some-other-certificate"),
        "wrong_aud": lambda: assertion(emu, creds, aud="https://1234567.suitetalk.api.netsuite.com" + TOKEN),
        "too_long": lambda: assertion(emu, creds, lifetime=3601),
        "expired": lambda: assertion(emu, creds, iat=int(time.time()) - 1000, lifetime=600),
        "no_scope": lambda: assertion(emu, creds, scope="restlets"),
    }[case]()
    r = request_token(emu, made)
    assert r.status_code == 400 and r.json() == {"error": error}
    assert last_audit_reason(emu) == reason


def test_bearer_expires_after_an_hour_of_emulator_clock(emu, creds):
    token = request_token(emu, assertion(emu, creds)).json()["access_token"]
    get = lambda: requests.get(f"{emu.base_url}{RECORD}/salesOrder/5001", timeout=5,  # noqa: E731
                               headers={"Authorization": f"Bearer {token}"})
    assert get().status_code == 200
    control(emu, "clock/advance", {"seconds": 3599})
    try:
        assert get().status_code == 200
        control(emu, "clock/advance", {"seconds": 2})
        r = get()
        assert r.status_code == 401 and r.json() == INVALID_LOGIN_BODY
        assert last_audit_reason(emu) == "AccessTokenExpired"
    finally:
        emu.backend.clock.reset()


# --- concurrency and faults ------------------------------------------------------------------------------

def test_requests_beyond_the_concurrency_limit_get_429(emu, creds):
    control(emu, "concurrency", {"limit": 2})
    control(emu, "latency", {"ms": 400})
    before = control(emu, "stats")["responses_429"]
    barrier = threading.Barrier(5)
    results = []

    def call():
        barrier.wait(timeout=5)
        results.append(suiteql(emu, creds, "SELECT id FROM item FETCH FIRST 1 ROWS ONLY"))

    threads = [threading.Thread(target=call) for _ in range(5)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
    finally:
        control(emu, "latency", {"ms": 0})
        control(emu, "concurrency", {"limit": 5})
    statuses = sorted(r.status_code for r in results)
    assert len(statuses) == 5
    assert 1 <= statuses.count(200) <= 2 and statuses.count(429) >= 3, statuses
    refused = next(r for r in results if r.status_code == 429)
    assert refused.json()["title"] == "Too Many Requests"
    assert error_of(refused)["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
    stats = control(emu, "stats")
    assert stats["max_in_flight"] <= 2 and stats["responses_429"] - before == statuses.count(429)


def test_injected_500_is_netsuites_own_error(emu, creds):
    control(emu, "faults", {"rate": 1.0, "seed": 7, "kinds": ["500"]})
    try:
        r = suiteql(emu, creds, "SELECT id FROM item")
    finally:
        control(emu, "faults", {"rate": 0.0})
    assert r.status_code == 500 and error_of(r)["o:errorCode"] == "UNEXPECTED_ERROR"


# --- SuiteQL paging rules ----------------------------------------------------------------------------------

@pytest.mark.parametrize("limit, offset, fragment", [
    (1001, 0, "between 1 and 1000"),
    (0, 0, "between 1 and 1000"),
    (10, 5, "multiple of the limit"),
])
def test_bad_paging_parameters(emu, creds, limit, offset, fragment):
    r = suiteql(emu, creds, "SELECT id FROM item", limit=limit, offset=offset)
    assert r.status_code == 400 and error_of(r)["o:errorCode"] == "INVALID_PARAMETER"
    assert fragment in error_of(r)["detail"]


def test_paging_stops_at_100000_results(emu, creds):
    q = "SELECT a.id AS a, b.id AS b FROM item a CROSS JOIN item b ORDER BY a.id, b.id"
    last = suiteql(emu, creds, q, limit=1000, offset=99000)
    assert last.status_code == 200
    page = last.json()
    assert page["count"] == 1000 and page["totalResults"] == 160000 and page["hasMore"] is False
    assert [link["rel"] for link in page["links"]] == ["self"]
    assert page["items"][0]["a"] == "248" and page["items"][0]["b"] == "201"  # row 99,001 of 400 x 400
    beyond = suiteql(emu, creds, q, limit=1000, offset=100000)
    assert beyond.status_code == 400 and error_of(beyond)["o:errorCode"] == "INVALID_PARAMETER"
    assert "100000" in error_of(beyond)["detail"]


def test_pages_of_1000_with_links(emu, creds):
    q = "SELECT s.item, s.location, s.quantityavailable FROM inventoryitemlocations s ORDER BY s.item, s.location"
    first = suiteql(emu, creds, q).json()
    assert first["count"] == 1000 and first["hasMore"] is True and first["totalResults"] == 1200
    next_href = {link["rel"]: link["href"] for link in first["links"]}["next"]
    assert next_href == f"{emu.base_url}{SUITEQL}?limit=1000&offset=1000"
    second = requests.post(next_href, json={"q": q}, auth=tba(creds), timeout=5).json()
    assert second["count"] == 200 and second["hasMore"] is False and second["offset"] == 1000
    keys = {(i["item"], i["location"]) for i in first["items"] + second["items"]}
    assert len(keys) == 1200
    assert all(set(i) == {"links", "item", "location", "quantityavailable"} for i in second["items"])
    assert all(isinstance(v, str) for i in second["items"] for k, v in i.items() if k != "links")


def test_warm_1000_row_page_is_fast(emu, creds):
    q = "SELECT s.item, s.location, s.quantityonhand FROM inventoryitemlocations s ORDER BY s.item, s.location"
    suiteql(emu, creds, q)
    backend = emu.backend
    start = time.perf_counter()
    translation = backend.translator.translate(q)
    total, _, rows = backend.db.page(translation.sql, 1000, 0)
    assert len(rows) == 1000 and time.perf_counter() - start < 0.05


# --- SuiteQL functions and value formats ------------------------------------------------------------------

def test_builtin_df_cf_and_to_char(emu, creds):
    q = ("SELECT t.id, BUILTIN.DF(t.status) AS statusname, BUILTIN.CF(t.status) AS statuscode, t.status, "
         "BUILTIN.DF(t.entity) AS customer, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified, "
         "TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate "
         "FROM transaction t WHERE BUILTIN.CF(t.status) = 'SalesOrd:B' AND t.id = 5003")
    r = suiteql(emu, creds, q)
    assert r.status_code == 200, r.text
    row = r.json()["items"][0]
    expected = sql(emu, "SELECT t.lastmodifieddate, c.entityid, c.companyname FROM \"transaction\" t "
                        "JOIN customer c ON c.id = t.entity WHERE t.id = 5003")[0]
    assert row["statusname"] == "Sales Order : Pending Fulfillment"
    assert row["statuscode"] == "SalesOrd:B" and row["status"] == "B"
    assert row["customer"] == f"{expected['entityid']} {expected['companyname']}"
    assert row["modified"] == expected["lastmodifieddate"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["trandate"])
    loc = suiteql(emu, creds, "SELECT BUILTIN.DF(s.location) AS loc FROM inventoryitemlocations s "
                              "WHERE s.location = 2 FETCH FIRST 1 ROWS ONLY").json()["items"][0]
    assert loc["loc"] == "East Coast DC"


def test_to_timestamp_filters_like_the_stored_times(emu, creds):
    cut = sql(emu, "SELECT lastmodifieddate AS m FROM item ORDER BY lastmodifieddate LIMIT 1 OFFSET 200")[0]["m"]
    expected = sql(emu, f"SELECT COUNT(*) AS n FROM item WHERE lastmodifieddate > '{cut}'")[0]["n"]
    q = (f"SELECT i.id FROM item i WHERE i.lastmodifieddate > TO_TIMESTAMP('{cut}', 'YYYY-MM-DD HH24:MI:SS') "
         "ORDER BY i.lastmodifieddate")
    r = suiteql(emu, creds, q)
    assert r.status_code == 200 and r.json()["totalResults"] == expected and 0 < expected < 400
    day = cut[:10]
    by_date = suiteql(emu, creds, f"SELECT i.id FROM item i WHERE i.lastmodifieddate >= TO_DATE('{day}', 'YYYY-MM-DD')")
    assert by_date.json()["totalResults"] == sql(
        emu, f"SELECT COUNT(*) AS n FROM item WHERE lastmodifieddate >= '{day} 00:00:00'")[0]["n"]


def test_dates_without_to_char_come_in_display_format_nulls_are_omitted_booleans_are_t_f(emu, creds):
    r = suiteql(emu, creds, "SELECT t.id, t.lastmodifieddate, t.memo, l.mainline FROM transaction t "
                            "JOIN transactionline l ON l.transaction = t.id WHERE t.id = 5001 AND l.id = 0")
    row = r.json()["items"][0]
    stored = sql(emu, "SELECT lastmodifieddate FROM \"transaction\" WHERE id = 5001")[0]["lastmodifieddate"]
    y, m, d = stored[:10].split("-")
    assert row["lastmodifieddate"] == f"{int(d)}/{int(m)}/{y}"
    assert "memo" not in row and row["mainline"] == "T"
    star = suiteql(emu, creds, "SELECT * FROM item WHERE id = 1").json()["items"][0]
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", star["lastmodifieddate"]) and star["isinactive"] == "F"


def test_invalid_sql_and_unknown_tables(emu, creds):
    bad = suiteql(emu, creds, "SELEC id FROM item")
    assert bad.status_code == 400 and error_of(bad)["o:errorCode"] == "INVALID_PARAMETER"
    assert error_of(bad)["detail"].startswith("Invalid search query. Detailed unprocessed description follows.")
    no_column = suiteql(emu, creds, "SELECT nosuchcolumn FROM item")
    assert no_column.status_code == 400
    assert error_of(no_column)["detail"].startswith("Invalid search query.")
    unknown = suiteql(emu, creds, "SELECT id FROM employee")
    assert error_of(unknown)["detail"] == ("Invalid search query. Detailed unprocessed description follows. "
                                           "Invalid search type: employee.")
    write = suiteql(emu, creds, "DELETE FROM item")
    assert write.status_code == 400


# --- record API: item fulfillments ------------------------------------------------------------------------

def order_lines(emu, so_id):
    return sql(emu, f'SELECT id, item, quantity, quantityshiprecv FROM transactionline WHERE "transaction" = {so_id} '
                    "AND mainline = 'F' ORDER BY id")


def order_status(emu, so_id):
    return sql(emu, f'SELECT status FROM "transaction" WHERE id = {so_id}')[0]["status"]


def transform(emu, creds, so_id, body):
    return requests.post(f"{emu.base_url}{RECORD}/salesOrder/{so_id}/!transform/itemFulfillment", json=body,
                         auth=tba(creds), timeout=5)


def test_transform_patch_delete_round_trip(emu, creds):
    so_id = next(r["t"] for r in sql(emu, 'SELECT l."transaction" AS t FROM transactionline l WHERE l.mainline = \'F\' '
                                          'AND l."transaction" BETWEEN 5010 AND 5030 AND l.quantity <= -2 '
                                          'ORDER BY l."transaction" LIMIT 1'))
    lines = order_lines(emu, so_id)
    first = lines[0]
    others = [{"orderLine": ln["id"], "itemReceive": False} for ln in lines[1:]]
    r = transform(emu, creds, so_id, {
        "externalId": "ss-shipment-1", "memo": "ShipStation shipment 1", "shipStatus": {"id": "C"},
        "item": {"items": [{"orderLine": first["id"], "quantity": 1, "location": 1, "itemReceive": True}] + others},
        "package": {"items": [{"packageTrackingNumber": "1Z999", "packageWeight": 1.5, "packageDescr": "box"}]}})
    assert r.status_code == 204, r.text
    location = r.headers["Location"]
    fid = int(location.rsplit("/", 1)[1])
    assert location == f"{emu.base_url}{RECORD}/itemFulfillment/{fid}"

    seen = suiteql(emu, creds, "SELECT t.id, t.type, t.externalid, t.shipstatus, BUILTIN.CF(t.status) AS code, "
                               f"l.quantity, l.createdfrom, l.item FROM transaction t JOIN transactionline l "
                               f"ON l.transaction = t.id AND l.mainline = 'F' WHERE t.id = {fid}").json()["items"]
    assert seen == [{"links": [], "id": str(fid), "type": "ItemShip", "externalid": "ss-shipment-1",
                     "shipstatus": "C", "code": "ItemShip:C", "quantity": "-1", "createdfrom": str(so_id),
                     "item": str(first["item"])}]
    assert order_lines(emu, so_id)[0]["quantityshiprecv"] == 1
    assert order_status(emu, so_id) == "D"

    remaining = -first["quantity"] - 1
    over = transform(emu, creds, so_id, {"item": {"items": [{"orderLine": first["id"], "quantity": remaining + 1}]}})
    assert over.status_code == 400
    assert error_of(over)["o:errorCode"] == "INVALID_CONTENT"
    assert error_of(over)["o:errorPath"] == "item.items[0].quantity"
    dup = transform(emu, creds, so_id, {"externalId": "ss-shipment-1",
                                        "item": {"items": [{"orderLine": first["id"], "quantity": 1}]}})
    assert dup.status_code == 400 and error_of(dup)["o:errorCode"] == "DUP_RCRD"

    by_eid = requests.get(f"{emu.base_url}{RECORD}/itemFulfillment/eid:ss-shipment-1?expandSubResources=true",
                          auth=tba(creds), timeout=5).json()
    assert by_eid["id"] == str(fid) and by_eid["package"]["items"][0]["packageTrackingNumber"] == "1Z999"
    patched = requests.patch(f"{emu.base_url}{RECORD}/itemFulfillment/{fid}?replace=package", auth=tba(creds),
                             timeout=5, json={"memo": "re-labelled", "package": {"items": [
                                 {"packageTrackingNumber": "1Z777"}, {"packageTrackingNumber": "1Z888"}]}})
    assert patched.status_code == 204
    after = requests.get(f"{emu.base_url}{RECORD}/itemFulfillment/{fid}?expandSubResources=true",
                         auth=tba(creds), timeout=5).json()
    assert after["memo"] == "re-labelled"
    assert [p["packageTrackingNumber"] for p in after["package"]["items"]] == ["1Z777", "1Z888"]

    deleted = requests.delete(f"{emu.base_url}{RECORD}/itemFulfillment/{fid}", auth=tba(creds), timeout=5)
    assert deleted.status_code == 204
    assert order_lines(emu, so_id) == lines and order_status(emu, so_id) == "B"
    gone = requests.get(f"{emu.base_url}{RECORD}/itemFulfillment/{fid}", auth=tba(creds), timeout=5)
    assert gone.status_code == 404 and error_of(gone)["o:errorCode"] == "NONEXISTENT_ID"


def test_full_fulfillment_bills_pending_and_blocks_another(emu, creds):
    so_id = 5020
    r = transform(emu, creds, so_id, {"shipStatus": "C"})  # unlisted lines ship in full, as on the create form
    assert r.status_code == 204, r.text
    assert all(-ln["quantity"] == ln["quantityshiprecv"] for ln in order_lines(emu, so_id))
    assert order_status(emu, so_id) == "F"
    again = transform(emu, creds, so_id, {})
    assert again.status_code == 400 and error_of(again)["o:errorCode"] == "USER_ERROR"
    fid = r.headers["Location"].rsplit("/", 1)[1]
    assert requests.delete(f"{emu.base_url}{RECORD}/itemFulfillment/{fid}", auth=tba(creds), timeout=5).status_code == 204
    assert order_status(emu, so_id) == "B"


def test_missing_records_and_paths(emu, creds):
    r = transform(emu, creds, 999999, {})
    assert r.status_code == 404 and error_of(r)["o:errorCode"] == "NONEXISTENT_ID"
    r = requests.get(f"{emu.base_url}{RECORD}/salesOrder/5001/item", auth=tba(creds), timeout=5)
    assert r.status_code == 200 and r.json()["items"][0]["links"][0]["href"].endswith("/salesOrder/5001/item/1")
    r = requests.get(f"{emu.base_url}{RECORD}/noSuchType/1", auth=tba(creds), timeout=5)
    assert r.status_code == 404 and r.json()["title"] == "Not Found"


def test_control_plane_sql_is_read_only(emu):
    r = requests.post(f"{emu.base_url}/__emulator/sql", json={"q": "DELETE FROM item"}, timeout=5)
    assert r.status_code == 400
    assert sql(emu, "SELECT COUNT(*) AS n FROM item")[0]["n"] == 400


def test_a_catalogue_of_150k_stock_rows_loads_whole():
    # How fast it loads is part of make bench (bench_sync2 starts such an emulator), not a timed test.
    backend = NetSuiteBackend(items=50_000, locations=3, customers=5, orders=5)
    assert backend.db.select("SELECT COUNT(*) AS n FROM inventoryitemlocations")[0]["n"] == 150_000


def test_rownum_becomes_a_limit_and_is_refused_where_oracle_would_differ(emu, creds):
    r = suiteql(emu, creds, "SELECT * FROM (SELECT id FROM item ORDER BY id DESC) WHERE ROWNUM <= 3")
    assert [i["id"] for i in r.json()["items"]] == ["400", "399", "398"]
    refused = suiteql(emu, creds, "SELECT id FROM item WHERE ROWNUM <= 3 ORDER BY id")
    assert refused.status_code == 400 and error_of(refused)["detail"].startswith("Invalid search query.")


def test_reset_regenerates_the_records_and_keeps_credentials():
    with start_emulator(items=3, customers=2, orders=2) as small:
        c = requests.get(small.base_url + "/__emulator/credentials", timeout=5).json()
        assert requests.post(small.base_url + "/__emulator/reset", json={"orders": 7, "items": 5}, timeout=5).ok
        r = requests.post(f"{small.base_url}{SUITEQL}", json={"q": "SELECT COUNT(*) AS n FROM transaction"},
                          auth=tba(c), timeout=5)
        assert r.status_code == 200 and r.json()["items"][0]["n"] == "7"
        stats = requests.get(small.base_url + "/__emulator/stats", timeout=5).json()
        assert stats["requests_served"] == 1 and stats["responses_429"] == 0
