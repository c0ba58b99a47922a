"""Starts the webhook relay (package webhook-relay) inside `serve`, with this runner as its trigger: a verified
ShipStation notification then becomes a sync of the connection the relay names, run by the scheduler here.

The fast path (on unless the relay section says `fast_path: false`): the relay has already fetched the shipment
a webhook names, so it builds its record (the source's own builder, in shipstation_lib) and this runner applies it
with the connection's destination alone (`Runner.apply`), in the connection's scheduler lane and under its run
lock like any sync, without starting a source process to learn it again; no state is saved by it, so the regular
syncs (the connection's schedule) still read everything within the source's lookback and apply what the fast
path could not. What the relay cannot build itself still gets a regular sync."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .config import ConfigError, Connection
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
    raw.pop("fast_path", None)  # the runner's switch, not the relay's
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
                say: Callable[[str], None], shipments_connection: Connection | None = None) -> Callable[[], None]:
    """Starts the relay's web server in a background thread; returns the function that stops it.
    `shipments_connection` (the connection the relay triggers) turns the fast path on where it applies."""
    from webhook_relay.relay import Relay
    from webhook_relay.server import RelayServer
    from webhook_relay.trigger import CallableTrigger

    config = relay_config(settings, connections, state_dir)
    apply = None
    if fast_path_on(settings, scheduler, shipments_connection):
        apply = lambda connection, records: scheduler.apply_records(  # noqa: E731
            connection, records, timeout=RELAY_WAIT_SECONDS)
    relay = Relay(config, trigger=CallableTrigger(
        lambda connection: scheduler.request_sync(connection, wait=True, timeout=RELAY_WAIT_SECONDS), apply=apply))
    server = RelayServer(relay, host=config.host, port=config.port).start()
    say(f"webhook relay listening on {server.base_url}, triggering {config.connection}"
        + (" (fast path: the relay's records applied by the destination alone)" if apply else ""))
    warning = unscheduled_catch_up(shipments_connection) if apply else None
    if warning:
        say(warning)
    return server.stop


def unscheduled_catch_up(connection: Connection | None) -> str | None:
    """What a connection without a schedule means under the fast path, said once at start: a shipment the fast
    path applied but had to skip (its sales order not in NetSuite yet, too little stock) moves no state, and waits
    for a regular sync to read it again, which nothing starts on its own then."""
    if connection is None or connection.interval_seconds:
        return None
    return (f"[{connection.name}] has no schedule: a shipment the fast path skips (its sales order not yet in "
            "NetSuite, too little stock) is applied only by a later regular sync, started by a webhook the fast "
            f"path cannot build or by you (sync-runner run {connection.name}); give the connection a schedule "
            "(schedule: 15m) to have them caught up on their own")


def fast_path_on(settings: dict[str, Any], scheduler: Scheduler, shipments_connection: Connection | None) -> bool:
    """The fast path needs a scheduler that can apply records and a connection that syncs source-shipstation's
    `shipments` (the records the relay builds are that stream's; when the connection is not given here,
    `apply_records` refuses any other and the relay falls back to a regular sync)."""
    if settings.get("fast_path") is False or not getattr(scheduler, "can_apply", False):
        return False
    return shipments_connection is None or (shipments_connection.source.connector == "source-shipstation"
                                            and "shipments" in shipments_connection.streams)
