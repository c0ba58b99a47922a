"""Every attempt of a request must carry a fresh TBA signature: NetSuite refuses a reused nonce."""
import re

import requests

from netsuite_lib.account import NetSuiteAccount
from netsuite_lib.auth import build_auth

CREDENTIALS = {"auth_type": "token_based", "consumer_key": "ck", "consumer_secret": "consumer-secret-value",
               "token_id": "tid", "token_secret": "token-secret-value"}


def _signed(auth, request):
    header = auth(request).headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


def test_tba_header_has_realm_hmac_sha256_and_a_new_nonce_per_attempt():
    account = NetSuiteAccount.parse("1234567-sb1")
    auth = build_auth(CREDENTIALS, account)
    request = requests.Request("POST", account.suiteql_url, params={"limit": 1000, "offset": 0},
                               json={"q": "SELECT id FROM item"}).prepare()
    first = _signed(auth, request)
    retry = _signed(auth, request)  # what the CDK's HTTP client does before re-sending
    assert first["realm"] == "1234567_SB1"
    assert first["oauth_signature_method"] == "HMAC-SHA256"
    assert first["oauth_consumer_key"] == "ck" and first["oauth_token"] == "tid"
    assert first["oauth_nonce"] != retry["oauth_nonce"]
    assert first["oauth_signature"] != retry["oauth_signature"]
    header = request.headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    assert "consumer-secret-value" not in header and "token-secret-value" not in header
