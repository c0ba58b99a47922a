"""Starts the webhook relay (package webhook-relay) inside `serve`, with this runner as its trigger: a verified
ShipStation notification then becomes a sync of the connection the relay names, run by the scheduler here."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .config import ConfigError
from .scheduler import Scheduler

DEFAULT_RELAY_CONNECTION = "shipments_to_netsuite"
# The relay waits for the sync it asked for, so it can mark its notifications synced; a sync that hangs past
# this is given up by the relay (it asks again later), never waited on forever.
RELAY_WAIT_SECONDS = 30 * 60
LOCAL_COALESCE_SECONDS = 0.3


def relay_available() -> bool:
    try:
        import webhook_relay.relay  # noqa: F401
    except ImportError:
        return False
    return True


def relay_config(settings: dict[str, Any], connections: set[str], state_dir: Path):
    """The relay's own config from the runner's `relay` section: its database in the state directory unless
    given, and its trigger naming one of this runner's connections."""
    from webhook_relay.config import RelayConfig

    raw = dict(settings)
    database = Path(raw.get("database") or "webhook-relay.sqlite3")
    raw["database"] = str(database if database.is_absolute() else state_dir / database)
    trigger = dict(raw.get("trigger") or {})
    trigger.setdefault("connection", DEFAULT_RELAY_CONNECTION)
    if trigger["connection"] not in connections:
        raise ConfigError(f"relay.trigger.connection: no connection named {trigger['connection']!r}")
    raw["trigger"] = trigger
    # A local sync starts in about a second (an Airbyte job in tens): a short window still gathers one label's
    # several notifications, and a longer one would only add to every shipment's delay.
    raw.setdefault("coalesce_seconds", LOCAL_COALESCE_SECONDS)
    state_dir.mkdir(parents=True, exist_ok=True)
    return RelayConfig.from_dict(raw)


def start_relay(settings: dict[str, Any], scheduler: Scheduler, connections: set[str], state_dir: Path,
                say: Callable[[str], None]) -> Callable[[], None]:
    """Starts the relay's web server in a background thread; returns the function that stops it."""
    from webhook_relay.relay import Relay
    from webhook_relay.server import RelayServer
    from webhook_relay.trigger import CallableTrigger

    config = relay_config(settings, connections, state_dir)
    relay = Relay(config, trigger=CallableTrigger(
        lambda connection: scheduler.request_sync(connection, wait=True, timeout=RELAY_WAIT_SECONDS)))
    server = RelayServer(relay, host=config.host, port=config.port).start()
    say(f"webhook relay listening on {server.base_url}, triggering {config.connection}")
    return server.stop
