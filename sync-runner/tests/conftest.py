"""Both emulators with one generated merchant, and a runner config whose every credential is an `${ENV}`."""
from __future__ import annotations

import pytest

from emulators.configs import runner_env
from emulators.netsuite import start_emulator as start_netsuite
from emulators.shipstation import start_emulator as start_shipstation

MERCHANT = dict(seed=11, items=12, locations=2, customers=3, orders=12)

CONFIG = """
connections:
  shipments_to_netsuite:
    schedule: 15m
    streams: [shipments]
    source:
      connector: source-shipstation
      config:
        base_url: "${SS_URL}"
        lookback_minutes: 0
        credentials: {api_version: v2, api_key: "${SS_V2_KEY}"}
    destination:
      connector: destination-netsuite-fulfillment
      config: &netsuite
        base_url: "${NS_URL}"
        account_id: "${NS_ACCOUNT}"
        credentials:
          auth_type: token_based
          consumer_key: "${NS_CONSUMER_KEY}"
          consumer_secret: "${NS_CONSUMER_SECRET}"
          token_id: "${NS_TOKEN_ID}"
          token_secret: "${NS_TOKEN_SECRET}"
  stock_to_shipstation:
    schedule: every 30 minutes
    streams: [stock]
    source: {connector: source-netsuite-inventory, config: *netsuite}
    destination:
      connector: destination-shipstation-inventory
      config:
        base_url: "${SS_URL}"
        credentials: {api_version: v2, api_key: "${SS_V2_KEY}"}
"""


@pytest.fixture()
def world(tmp_path, monkeypatch):
    """Both emulators, and a runner config whose every credential comes from the environment."""
    with start_netsuite(**MERCHANT) as ns, start_shipstation(**MERCHANT) as ss:
        env = runner_env(ns.base_url, ss.base_url)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        config = tmp_path / "runner.yaml"
        config.write_text(CONFIG)
        secrets = [env["SS_V2_KEY"], env["NS_CONSUMER_SECRET"], env["NS_TOKEN_SECRET"]]
        yield ns, ss, config, secrets


RELAY = """
relay:
  listen: {host: 127.0.0.1, port: PORT}
  public_url: http://127.0.0.1:PORT
  shipstation: {v2: {api_key: "${SS_V2_KEY}"}, base_url: "${SS_URL}"}
  jwks_url: "${SS_URL}/jwks"
  trigger: {connection: shipments_to_netsuite}
"""


@pytest.fixture()
def add_relay():
    """Appends a `relay` section to a runner config file (the emulators' ShipStation, v2 webhooks, triggering
    shipments_to_netsuite) listening on a free port, and returns the port. `coalesce_seconds=None` leaves the
    runner's default window."""
    def add(config_path, coalesce_seconds: float | None = 0.2) -> int:
        from webhook_relay.server import free_port

        port = free_port()
        section = RELAY.replace("PORT", str(port))
        if coalesce_seconds is not None:
            section += f"  coalesce_seconds: {coalesce_seconds}\n"
        config_path.write_text(config_path.read_text() + section)
        return port
    return add
