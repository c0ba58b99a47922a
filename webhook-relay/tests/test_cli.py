"""The command line: subscribe, list and unsubscribe from a config file whose secrets come from the environment;
nothing it prints shows the v1 secret."""
import json

from webhook_relay.__main__ import main


def test_subscribe_list_unsubscribe_from_the_command_line(emulator, kit, tmp_path, monkeypatch, capsys):
    creds = emulator.credentials
    monkeypatch.setenv("RELAY_V1_SECRET", kit.secret)
    monkeypatch.setenv("SS_V1_KEY", creds["v1_api_key"])
    monkeypatch.setenv("SS_V1_SECRET", creds["v1_api_secret"])
    config = tmp_path / "relay.json"
    config.write_text(json.dumps({
        "database": str(tmp_path / "relay.sqlite3"), "public_url": "http://127.0.0.1:9",
        "v1_secret": "${RELAY_V1_SECRET}",
        "shipstation": {"v1": {"api_key": "${SS_V1_KEY}", "api_secret": "${SS_V1_SECRET}"},
                        "base_url": emulator.base_url}}))
    assert main(["subscribe", "--config", str(config)]) == 0
    assert main(["list", "--config", str(config)]) == 0
    listed = capsys.readouterr().out
    assert listed.count("relay") >= 3 and "SHIP_NOTIFY" in listed and "/webhooks/shipstation/v1/***" in listed
    assert main(["unsubscribe", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "removed 3 subscription(s)" in out
    assert kit.secret not in listed + out


def test_a_missing_secret_variable_is_reported_plainly(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("RELAY_V1_SECRET", raising=False)
    config = tmp_path / "relay.json"
    config.write_text(json.dumps({"v1_secret": "${RELAY_V1_SECRET}",
                                  "shipstation": {"v1": {"api_key": "k", "api_secret": "s"}}}))
    assert main(["list", "--config", str(config)]) == 2
    assert "RELAY_V1_SECRET" in capsys.readouterr().err
