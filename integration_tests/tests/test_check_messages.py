"""`check` of all four connectors really calls the API and says what is wrong in plain words."""
from __future__ import annotations

import logging

import pytest
import requests
from destination_netsuite_fulfillment import DestinationNetsuiteFulfillment
from destination_shipstation_inventory import DestinationShipstationInventory
from emulators.common.server import free_port
from emulators.configs import netsuite_config, shipstation_config
from emulators.netsuite import start_emulator as start_netsuite
from emulators.shipstation import start_emulator as start_shipstation
from source_netsuite_inventory import SourceNetsuiteInventory
from source_shipstation import SourceShipstation

LOGGER = logging.getLogger("test")
NETSUITE_CONNECTORS = [SourceNetsuiteInventory, DestinationNetsuiteFulfillment]
SHIPSTATION_CONNECTORS = [SourceShipstation, DestinationShipstationInventory]
AUTHS = ["token_based", "oauth2_client_credentials"]


def run_check(connector_class, config: dict) -> tuple[str, str]:
    status = connector_class().check(LOGGER, config)
    return status.status.name, status.message or ""


def secrets_of(config: dict) -> list[str]:
    return [value for key, value in config["credentials"].items() if key not in ("auth_type", "api_version",
                                                                                  "algorithm", "certificate_id")]


def assert_no_secret(config: dict, message: str) -> None:
    for secret in secrets_of(config):
        assert secret not in message


@pytest.fixture(scope="module")
def netsuite():
    with start_netsuite(account_id="1234567_SB1", items=3, locations=1, customers=2, orders=1) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def shipstation():
    with start_shipstation(items=3, locations=1, customers=2, orders=1) as emulator:
        yield emulator


def control(emulator, route: str, body: dict) -> None:
    requests.post(f"{emulator.base_url}/__emulator/{route}", json=body, timeout=10).raise_for_status()


@pytest.mark.parametrize("connector", NETSUITE_CONNECTORS)
@pytest.mark.parametrize("auth", AUTHS)
def test_netsuite_valid_config_passes_with_the_account_id_typed_any_way(netsuite, connector, auth):
    for typed in ("1234567_SB1", "1234567-sb1", "1234567_sb1"):
        config = {**netsuite_config(netsuite.base_url, auth), "account_id": typed}
        assert run_check(connector, config) == ("SUCCEEDED", "")


@pytest.mark.parametrize("connector", NETSUITE_CONNECTORS)
def test_netsuite_unknown_account_id_is_named(netsuite, connector):
    config = {**netsuite_config(netsuite.base_url), "account_id": "7654321"}
    status, message = run_check(connector, config)
    assert status == "FAILED" and "does not know the account id '7654321'" in message


@pytest.mark.parametrize("connector", NETSUITE_CONNECTORS)
def test_netsuite_malformed_account_id_is_explained(netsuite, connector):
    config = {**netsuite_config(netsuite.base_url), "account_id": "https://1234567.app.netsuite.com"}
    status, message = run_check(connector, config)
    assert status == "FAILED" and "is not a NetSuite account id" in message


@pytest.mark.parametrize("connector", NETSUITE_CONNECTORS)
def test_netsuite_rejected_signature_points_to_the_login_audit_trail(netsuite, connector):
    config = netsuite_config(netsuite.base_url)
    config["credentials"]["token_secret"] = "wrong-token-secret-value"
    status, message = run_check(connector, config)
    assert status == "FAILED" and "refused the login" in message and "Login Audit Trail" in message
    assert_no_secret(config, message)


def test_netsuite_oauth2_wrong_key_is_refused_plainly(netsuite):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    config = netsuite_config(netsuite.base_url, "oauth2_client_credentials")
    config["credentials"].update(private_key=other_key, algorithm="ES256")
    status, message = run_check(SourceNetsuiteInventory, config)
    assert status == "FAILED" and "refused the OAuth 2.0 client credentials" in message
    assert_no_secret(config, message)


@pytest.mark.parametrize("connector", NETSUITE_CONNECTORS)
def test_netsuite_unreachable_host_is_named(connector):
    config = {"account_id": "1234567", "base_url": f"http://127.0.0.1:{free_port()}",
              "credentials": {"auth_type": "token_based", "consumer_key": "a", "consumer_secret": "b",
                              "token_id": "c", "token_secret": "d"}}
    status, message = run_check(connector, config)
    assert status == "FAILED" and "could not be reached" in message


def test_netsuite_missing_permission_names_the_record(netsuite):
    control(netsuite, "permissions", {"remove": ["customer"]})
    try:
        status, message = run_check(SourceNetsuiteInventory, netsuite_config(netsuite.base_url))
        # The fulfillment destination does not read customers, so it still passes.
        assert run_check(DestinationNetsuiteFulfillment, netsuite_config(netsuite.base_url))[0] == "SUCCEEDED"
    finally:
        control(netsuite, "permissions", {"grant": ["customer"]})
    assert status == "FAILED" and "cannot read 'customer' records" in message


@pytest.mark.parametrize("connector", NETSUITE_CONNECTORS)
def test_netsuite_revoked_token_fails(connector):
    with start_netsuite(items=2, locations=1, customers=1, orders=1) as emulator:
        config = netsuite_config(emulator.base_url)
        assert run_check(connector, config)[0] == "SUCCEEDED"
        control(emulator, "revoke", {"what": "token"})
        status, message = run_check(connector, config)
    assert status == "FAILED" and "revoked" in message


@pytest.mark.parametrize("connector", SHIPSTATION_CONNECTORS)
def test_shipstation_v2_key_passes(shipstation, connector):
    assert run_check(connector, shipstation_config(shipstation.base_url, "v2")) == ("SUCCEEDED", "")


def test_shipstation_source_accepts_a_v1_key(shipstation):
    assert run_check(SourceShipstation, shipstation_config(shipstation.base_url, "v1")) == ("SUCCEEDED", "")


def test_stock_destination_explains_that_a_v1_key_cannot_write_stock(shipstation):
    status, message = run_check(DestinationShipstationInventory, shipstation_config(shipstation.base_url, "v1"))
    assert status == "FAILED" and "v2 Inventory API" in message and "v1 key" in message


@pytest.mark.parametrize("connector", SHIPSTATION_CONNECTORS)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_shipstation_wrong_key_is_named(shipstation, connector, version):
    if connector is DestinationShipstationInventory and version == "v1":
        pytest.skip("a v1 key is refused before any call")
    config = shipstation_config(shipstation.base_url, version)
    config["credentials"]["api_key"] = "wrong-key-value-123"
    status, message = run_check(connector, config)
    assert status == "FAILED" and f"refused the {version} API key" in message
    assert_no_secret(config, message)


def test_shipstation_revoked_key_fails_and_inventory_addon_is_required():
    with start_shipstation(items=2, locations=1, customers=1, orders=1) as emulator:
        config = shipstation_config(emulator.base_url, "v2")
        control(emulator, "inventory-addon", {"enabled": False})
        status, message = run_check(DestinationShipstationInventory, config)
        assert status == "FAILED" and "Inventory" in message and "add-on" in message
        assert run_check(SourceShipstation, config)[0] == "SUCCEEDED"
        control(emulator, "revoke", {"api": "v2"})
        status, message = run_check(SourceShipstation, config)
    assert status == "FAILED" and "revoked" in message


@pytest.mark.parametrize("connector", SHIPSTATION_CONNECTORS)
def test_shipstation_unreachable_host_is_named(connector):
    config = {"credentials": {"api_version": "v2", "api_key": "k"}, "base_url": f"http://127.0.0.1:{free_port()}"}
    status, message = run_check(connector, config)
    assert status == "FAILED" and "could not be reached" in message
