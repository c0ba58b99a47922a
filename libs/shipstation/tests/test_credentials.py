import pytest
import requests

from shipstation_lib.credentials import ShipStationApi
from shipstation_lib.errors import classify


def test_v1_uses_basic_auth_and_root_paths():
    api = ShipStationApi.from_config({"credentials": {"api_version": "v1", "api_key": "k", "api_secret": "s"}})
    assert api.base_url == "https://ssapi.shipstation.com" and api.rate_limit_per_minute == 40
    assert api.url("shipments") == "https://ssapi.shipstation.com/shipments"
    request = api.auth(requests.Request("GET", api.url("shipments")).prepare())
    assert request.headers["Authorization"].startswith("Basic ")


def test_v2_uses_api_key_header_and_v2_paths():
    api = ShipStationApi.from_config({"credentials": {"api_version": "v2", "api_key": "KEY"},
                                      "base_url": "http://127.0.0.1:1/", "rate_limit_per_minute": 100})
    assert api.url("inventory") == "http://127.0.0.1:1/v2/inventory"
    assert api.rate_limit_per_minute == 100
    request = api.auth(requests.Request("GET", api.url("inventory")).prepare())
    assert request.headers["API-Key"] == "KEY" and "Authorization" not in request.headers


def test_unknown_version_is_refused():
    with pytest.raises(ValueError, match="v1' or 'v2"):
        ShipStationApi.from_config({"credentials": {"api_version": "v3", "api_key": "k"}})


def _response(status, body):
    response = requests.Response()
    response.status_code = status
    response._content = body.encode()
    return response


def test_v2_error_body_is_summarised_by_its_message():
    error = classify(_response(400, '{"request_id":"x","errors":[{"error_source":"shipstation",'
                                    '"error_type":"validation","error_code":"invalid_field_value",'
                                    '"message":"sku is required"}]}'), "v2")
    assert "sku is required" in error.message and error.code == "invalid_field_value"


def test_401_says_which_key_and_where_to_find_it():
    error = classify(_response(401, ""), "v1")
    assert "v1 API key and secret" in error.message and "API Settings" in error.message


def test_v1_basic_header_is_masked_in_log_lines():
    from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets

    api = ShipStationApi.from_config({"credentials": {"api_version": "v1", "api_key": "key-abc", "api_secret": "sec-xyz"}})
    header = api.auth(requests.Request("GET", api.url("shipments")).prepare()).headers["Authorization"]
    assert header.split(" ", 1)[1] not in filter_secrets(f"headers: {{'Authorization': '{header}'}}")
