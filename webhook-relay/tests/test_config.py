"""Secrets come from the environment, and a config that would make the relay unsafe is refused up front."""
import pytest

from webhook_relay.config import ConfigError, RelayConfig

SECRET = "s" * 40


def _raw(**overrides):
    return {"database": "x.sqlite3", "v1_secret": "${RELAY_SECRET}",
            "shipstation": {"v1": {"api_key": "${SS_KEY}", "api_secret": "${SS_SECRET}"}}, **overrides}


def test_secrets_are_read_from_the_environment():
    config = RelayConfig.from_dict(_raw(), environ={"RELAY_SECRET": SECRET, "SS_KEY": "k", "SS_SECRET": "p"})
    assert config.v1_secret == SECRET
    assert config.client_config("v1")["credentials"] == {"api_version": "v1", "api_key": "k", "api_secret": "p"}


def test_a_missing_environment_variable_is_named():
    with pytest.raises(ConfigError, match="SS_SECRET"):
        RelayConfig.from_dict(_raw(), environ={"RELAY_SECRET": SECRET, "SS_KEY": "k"})


def test_a_short_v1_secret_is_refused_without_echoing_it():
    with pytest.raises(ConfigError, match="at least 32") as refused:
        RelayConfig.from_dict(_raw(v1_secret="hunter2"), environ={"SS_KEY": "k", "SS_SECRET": "p"})
    assert "hunter2" not in str(refused.value)


def test_the_v2_signature_keys_default_to_shipstations_jwks():
    config = RelayConfig.from_dict({"shipstation": {"v2": {"api_key": "k"}}}, environ={})
    assert config.jwks_url == "https://api.shipengine.com/jwks" and config.apis == ["v2"]
