"""`sync-runner run CONNECTION --config FILE` runs one connection once (`--since DATE`: a replay from that date,
leaving the saved state alone); `sync-runner serve --config FILE` stays up
with the schedules (and the webhook relay, when installed and configured) until Ctrl-C or SIGTERM;
`sync-runner subscribe --config FILE` subscribes that relay to ShipStation's notifications;
`sync-runner check CONNECTION --config FILE` checks that both connectors of a connection can log in;
`sync-runner replay CONNECTION --shipment ID... | --failed --config FILE` applies exactly those shipments again;
`sync-runner ui --config FILE` serves the operations page on 127.0.0.1;
`sync-runner reconcile --config FILE --from DATE --to DATE` writes the month-end report, reading both systems only."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from datetime import datetime, timezone

from .config import ConfigError, load_config
from .connection import RunFailed, RunSummary
from .executables import ConnectorNotFound
from .reconcile import add_reconcile_command, command_reconcile
from .redact import Redactor
from .relay_bridge import DEFAULT_RELAY_CONNECTION, relay_available, relay_config, start_relay
from .run_lock import ConnectionBusy
from .runner import Runner, timestamped_print

AUDIT_LINES_SHOWN = 50  # a whole catalogue's audit would bury the summary; the file has every line


def audit_line(entry: dict) -> str:
    reason = f" ({entry['reason']})" if entry.get("reason") else ""
    return f"  {entry.get('outcome', '?'):<16} {entry.get('stream', '')}: {entry.get('key', '')}{reason}"


def print_report(summary: RunSummary) -> None:
    print(f"audit of this run ({len(summary.audit)} records):")
    for entry in summary.audit[:AUDIT_LINES_SHOWN]:
        print(audit_line(entry))
    if len(summary.audit) > AUDIT_LINES_SHOWN:
        print(f"  ... and {len(summary.audit) - AUDIT_LINES_SHOWN} more in {summary.audit_file}")
    print(f"summary: {summary.text()}")


def command_run(args) -> int:
    runner = Runner(load_config(args.config), lock_wait_seconds=args.lock_wait)
    return reported(lambda: runner.run(args.connection, since=args.since))


def reported(run) -> int:
    """Runs one sync (or replay), prints its audit and summary, failed or not; the exit code says which."""
    try:
        summary = run()
    except RunFailed as failed:
        print_report(failed.summary)
        print(f"sync-runner: {failed}", file=sys.stderr)
        return 1
    print_report(summary)
    return 0


def command_replay(args) -> int:
    """Applies the given shipments again, or (--failed) every shipment whose latest outcome is failed or skipped."""
    from .replay import failed_shipments

    config = load_config(args.config)
    config.connection(args.connection)
    shipments = args.shipment or failed_shipments(config.state_dir, args.connection)
    if not shipments:
        print(f"{args.connection}: no shipment's latest outcome is failed or skipped; nothing to apply again")
        return 0
    runner = Runner(config, lock_wait_seconds=args.lock_wait)
    return reported(lambda: runner.replay_shipments(args.connection, shipments, since=args.since))


def command_ui(args) -> int:
    from .ui.serve import serve_ui

    return serve_ui(args.config, host=args.host, port=args.port)  # loads the config itself (unset ${ENV} allowed)


def command_check(args) -> int:
    answers = Runner(load_config(args.config)).check(args.connection)
    for connector, answer in answers.items():
        print(f"{connector:36} {answer}")
    return 0 if all(answer == "SUCCEEDED" for answer in answers.values()) else 1


def command_serve(args) -> int:
    config = load_config(args.config)
    runner = Runner(config, lock_wait_seconds=args.lock_wait)
    say = lambda text: timestamped_print(Redactor(config.secrets)(text))  # noqa: E731
    scheduler = runner.scheduler().start()
    for connection in config.connections.values():
        every = f"every {connection.interval_seconds} s" if connection.interval_seconds else "on request only"
        say(f"[{connection.name}] scheduled {every}")
    stop_relay = None
    if config.relay is not None:
        if relay_available():
            # The connection the relay triggers: with it, the relay applies what it fetched through the fast path.
            triggered = (config.relay.get("trigger") or {}).get("connection", DEFAULT_RELAY_CONNECTION)
            stop_relay = start_relay(config.relay, scheduler, set(config.connections), config.state_dir, say,
                                     shipments_connection=config.connections.get(triggered))
        else:
            say("the config has a relay section but the webhook-relay package is not installed: "
                "no webhooks are received (pip install -e webhook-relay)")

    stop = threading.Event()

    def on_signal(signum, frame):
        if stop.is_set():  # a second Ctrl-C: do not wait for the sync under way
            raise SystemExit(130)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    # Until a signal, or --duration; woken every second so signals are handled promptly.
    deadline = time.monotonic() + args.duration if args.duration else None
    while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
        stop.wait(1.0)
    say("shutting down: no new syncs; waiting for a sync under way to end")
    if stop_relay:
        stop_relay()
    ended = scheduler.stop(timeout=args.shutdown_timeout)
    say("stopped" if ended else f"stopped; a sync was still running after {args.shutdown_timeout:.0f} s and is cut short "
        "(safe: the next run applies what it did not confirm)")
    return 0


def command_subscribe(args) -> int:
    """Subscribes the relay to ShipStation's notifications, with the relay settings of this config file."""
    config = load_config(args.config)
    if config.relay is None or not relay_available():
        print("sync-runner: subscribe needs a relay section in the config and the webhook-relay package",
              file=sys.stderr)
        return 2
    from webhook_relay.subscriptions import SubscriptionManager

    made = SubscriptionManager(relay_config(config.relay, set(config.connections), config.state_dir)).subscribe()
    print(f"subscribed to {len(made)} new event(s)" if made else "already subscribed to every event")
    return 0


def replay_start(text: str) -> str:
    """A date or a date-time with offset, as the source's start_date wants it (UTC midnight for a bare date)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (2026-11-01) or an ISO date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sync-runner", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one connection once, print its audit and summary")
    run.add_argument("connection")
    run.add_argument("--since", type=replay_start, default=None, metavar="DATE",
                     help="replay: read ShipStation's shipments again from DATE (2026-11-01 or an ISO date-time), "
                          "applying what earlier syncs skipped; the saved state is left as it is, nothing is "
                          "applied twice")
    check = sub.add_parser("check", help="check that both connectors of a connection can log in")
    check.add_argument("connection")
    serve = sub.add_parser("serve", help="stay up: run the connections on their schedules (and webhooks)")
    serve.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    serve.add_argument("--shutdown-timeout", type=float, default=60.0,
                       help="seconds a sync under way may take to end on shutdown")
    subscribe = sub.add_parser("subscribe", help="subscribe the relay to ShipStation's notifications")
    replay = sub.add_parser("replay", help="apply given shipments again (or every failed or skipped one)")
    replay.add_argument("connection")
    targets = replay.add_mutually_exclusive_group(required=True)
    targets.add_argument("--shipment", action="append", metavar="ID",
                         help="a ShipStation shipment id to apply again (repeat for several)")
    targets.add_argument("--failed", action="store_true",
                         help="every shipment whose latest outcome in the audit store is failed or skipped")
    replay.add_argument("--since", type=replay_start, default=None, metavar="DATE",
                        help="read ShipStation's shipments from DATE (default: a day before the audit store first "
                             "saw them)")
    ui = sub.add_parser("ui", help="serve the operations page (runs, search, needs attention, charts)")
    ui.add_argument("--host", default="127.0.0.1",
                    help="address to listen on; any but 127.0.0.1/localhost requires the token printed at start")
    ui.add_argument("--port", type=int, default=8765)
    for command in (run, check, serve, subscribe, replay, ui):
        command.add_argument("--config", required=True, help="the runner's YAML or JSON config file")
        command.add_argument("--lock-wait", type=float, default=15 * 60,
                             help="seconds to wait for a run of the same connection already under way")
    add_reconcile_command(sub)  # its own --config; no --lock-wait: it runs no sync
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        commands = {"run": command_run, "check": command_check, "serve": command_serve,
                    "subscribe": command_subscribe, "replay": command_replay, "ui": command_ui,
                    "reconcile": command_reconcile}
        return commands[args.command](args)
    except (ConfigError, ConnectorNotFound, ConnectionBusy) as exc:
        print(f"sync-runner: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
