"""The config file as a user writes it: secrets from the environment, schedules in plain words, clear errors."""
from __future__ import annotations

import json

import pytest

from sync_runner.cli import main
from sync_runner.config import ConfigError, load_config

CONFIG = """
connections:
  stock_to_shipstation:
    schedule: every 15 minutes
    streams: [stock]
    source:
      connector: source-netsuite-inventory
      config:
        account_id: "123456"
        credentials: {auth_type: token_based, token_secret: "${NS_TOKEN_SECRET}"}
    destination:
      connector: destination-shipstation-inventory
      config:
        base_url: "http://127.0.0.1:${SS_PORT}"
        credentials: {api_version: v2, api_key: "${SS_API_KEY}"}
"""
SECRETS = {"NS_TOKEN_SECRET": "ns-token-secret-value-1", "SS_API_KEY": "ss-api-key-value-2", "SS_PORT": "8082"}


def write(tmp_path, text: str, name: str = "runner.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_secrets_and_parts_of_strings_come_from_the_environment(tmp_path):
    config = load_config(write(tmp_path, CONFIG), environ=SECRETS)
    stock = config.connection("stock_to_shipstation")
    assert stock.source.config["credentials"]["token_secret"] == "ns-token-secret-value-1"
    assert stock.destination.config["credentials"]["api_key"] == "ss-api-key-value-2"
    assert stock.destination.config["base_url"] == "http://127.0.0.1:8082"
    assert stock.streams == ["stock"] and stock.interval_seconds == 900
    # the state lives next to the config file by default, wherever the runner is started from
    assert config.state_dir == tmp_path / ".sync-runner"
    # a config printed by accident (a log line, a traceback) shows no secret
    assert "ns-token-secret-value-1" not in repr(config) and "ss-api-key-value-2" not in repr(config)


def test_a_missing_variable_is_named_with_its_place_and_no_secret_value_is_shown(tmp_path):
    environ = {k: v for k, v in SECRETS.items() if k != "SS_API_KEY"}
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, CONFIG), environ=environ)
    message = str(caught.value)
    assert "SS_API_KEY" in message
    assert "connections.stock_to_shipstation.destination.config.credentials.api_key" in message
    assert not any(value in message for value in SECRETS.values())


def test_the_command_line_reports_the_missing_variable_and_exits_with_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NS_TOKEN_SECRET", SECRETS["NS_TOKEN_SECRET"])
    monkeypatch.setenv("SS_PORT", "8082")
    monkeypatch.delenv("SS_API_KEY", raising=False)
    assert main(["run", "stock_to_shipstation", "--config", str(write(tmp_path, CONFIG))]) == 2
    out = capsys.readouterr()
    assert "environment variable SS_API_KEY is not set" in out.err
    assert SECRETS["NS_TOKEN_SECRET"] not in out.out + out.err


def test_json_is_read_as_well_as_yaml(tmp_path):
    raw = {"state_dir": "/tmp/elsewhere", "connections": {"c": {
        "schedule": "1h", "streams": ["shipments"], "source": {"connector": "source-shipstation", "config": {}},
        "destination": {"connector": "destination-netsuite-fulfillment", "config": {}}}}}
    config = load_config(write(tmp_path, json.dumps(raw), "runner.json"), environ={})
    assert config.connection("c").interval_seconds == 3600
    assert str(config.state_dir) == "/tmp/elsewhere"


@pytest.mark.parametrize("schedule, seconds", [("15m", 900), ("30s", 30), ("2h", 7200), ("every 1 minute", 60),
                                               ("every 5 minutes", 300), ("manual", None), (None, None), (120, 120)])
def test_schedules_in_plain_words(tmp_path, schedule, seconds):
    text = CONFIG.replace("schedule: every 15 minutes", f"schedule: {json.dumps(schedule)}")
    assert load_config(write(tmp_path, text), environ=SECRETS).connection("stock_to_shipstation") \
        .interval_seconds == seconds


@pytest.mark.parametrize("schedule", ["soon", "15 parsecs", "*/5 * * * *", "1s"])
def test_an_unreadable_or_too_short_schedule_is_refused_with_its_place(tmp_path, schedule):
    text = CONFIG.replace("schedule: every 15 minutes", f"schedule: {json.dumps(schedule)}")
    with pytest.raises(ConfigError, match="connections.stock_to_shipstation.schedule"):
        load_config(write(tmp_path, text), environ=SECRETS)


def test_an_unknown_connection_names_the_known_ones(tmp_path):
    config = load_config(write(tmp_path, CONFIG), environ=SECRETS)
    with pytest.raises(ConfigError, match="stock_to_shipstation"):
        config.connection("shipments")


def test_a_pip_url_names_a_wheel_relative_to_the_config_file_or_anything_pip_installs(tmp_path):
    wheel = tmp_path / "dist" / "source_netsuite_inventory-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"")
    text = CONFIG.replace("connector: source-netsuite-inventory\n",
                          f"connector: source-netsuite-inventory\n      pip_url: dist/{wheel.name}\n")
    text = text.replace("connector: destination-shipstation-inventory\n",
                        "connector: destination-shipstation-inventory\n"
                        "      pip_url: destination-shipstation-inventory==0.1.0\n")
    stock = load_config(write(tmp_path, text), environ=SECRETS).connection("stock_to_shipstation")
    assert stock.source.pip_url == str(wheel)  # found whatever directory the runner starts in
    assert stock.destination.pip_url == "destination-shipstation-inventory==0.1.0"  # left to pip


@pytest.mark.parametrize("value", ["''", "42", "[a, b]"])
def test_a_pip_url_that_is_not_text_is_refused_with_its_place(tmp_path, value):
    text = CONFIG.replace("connector: source-netsuite-inventory\n",
                          f"connector: source-netsuite-inventory\n      pip_url: {value}\n")
    with pytest.raises(ConfigError, match=r"connections\.stock_to_shipstation\.source\.pip_url"):
        load_config(write(tmp_path, text), environ=SECRETS)
