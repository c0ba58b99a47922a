"""The shared NetSuite client against the emulator: paging, token renewal, the concurrency limit."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from emulators.configs import netsuite_config
from emulators.netsuite import start_emulator
from netsuite_lib.client import NetSuiteClient


@pytest.fixture(scope="module")
def netsuite():
    with start_emulator(items=2500, locations=1, customers=2, orders=1) as emulator:
        yield emulator


def control(emulator, route: str, body: dict) -> None:
    requests.post(f"{emulator.base_url}/__emulator/{route}", json=body, timeout=10).raise_for_status()


@pytest.mark.parametrize("auth", ["token_based", "oauth2_client_credentials"])
def test_suiteql_pages_through_every_row(netsuite, auth):
    client = NetSuiteClient(netsuite_config(netsuite.base_url, auth))
    ids = [int(row["id"]) for row in client.suiteql("SELECT id FROM item ORDER BY id")]
    assert ids == list(range(1, 2501))


def test_expired_oauth2_token_is_renewed_once_and_the_request_succeeds(netsuite):
    client = NetSuiteClient(netsuite_config(netsuite.base_url, "oauth2_client_credentials"))
    assert client.suiteql_page("SELECT id FROM location", limit=1)["items"]
    assert client.auth.tokens_issued == 1
    control(netsuite, "revoke", {"what": "bearer_tokens"})  # NetSuite says the hour is over; our cache disagrees
    assert client.suiteql_page("SELECT id FROM location", limit=1)["items"]
    assert client.auth.tokens_issued == 2


def _stats(emulator) -> dict:
    return requests.get(f"{emulator.base_url}/__emulator/stats", timeout=10).json()


@pytest.mark.parametrize("cap, refused", [(8, True), (2, False)],
                         ids=["cap over NetSuite's limit: refused and retried", "cap within it: never refused"])
def test_parallel_requests_all_finish_and_netsuite_refuses_some_only_past_its_limit(netsuite, cap, refused):
    control(netsuite, "concurrency", {"limit": 2})
    control(netsuite, "latency", {"ms": 50})
    try:
        client = NetSuiteClient({**netsuite_config(netsuite.base_url), "concurrency": cap})
        before = _stats(netsuite)
        with ThreadPoolExecutor(8) as pool:
            pages = list(pool.map(lambda n: client.suiteql_page("SELECT id FROM item ORDER BY id", 1000, 0),
                                  range(16)))
        after = _stats(netsuite)
    finally:
        control(netsuite, "concurrency", {"limit": 5})
        control(netsuite, "latency", {"ms": 0})
    assert all(len(page["items"]) == 1000 for page in pages)
    assert (after["responses_429"] > before["responses_429"]) is refused


def test_bearer_token_is_masked_in_every_log_line(netsuite):
    from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets

    client = NetSuiteClient(netsuite_config(netsuite.base_url, "oauth2_client_credentials"))
    client.suiteql_page("SELECT id FROM location", limit=1)
    token = client.auth._current_token()
    assert token not in filter_secrets(f"headers: {{'Authorization': 'Bearer {token}'}}")
