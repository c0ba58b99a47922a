"""`webhook-relay serve|subscribe|list|unsubscribe --config relay.json` (secrets in the file as "${ENV_NAME}")."""
from __future__ import annotations

import argparse
import logging
import sys

from shipstation_lib.errors import ShipStationError

from .config import ConfigError, RelayConfig
from .relay import Relay
from .server import serve
from .subscriptions import SubscriptionManager


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webhook-relay", description=__doc__)
    parser.add_argument("command", choices=["serve", "subscribe", "list", "unsubscribe"])
    parser.add_argument("--config", required=True, help="JSON config file")
    parser.add_argument("--id", action="append", help="unsubscribe: only this subscription id (repeatable)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = RelayConfig.load(args.config)
        if args.command == "serve":
            serve(Relay(config))
            return 0
        manager = SubscriptionManager(config)
        if args.command == "subscribe":
            subs = manager.subscribe()
            print(f"subscribed to {len(subs)} new event(s)" if subs else "already subscribed to every event")
        elif args.command == "unsubscribe":
            subs = manager.unsubscribe(args.id)
            print(f"removed {len(subs)} subscription(s)")
        else:
            subs = manager.list()
        for s in subs:
            print(f"{s.api}  {s.id:>10}  {s.event:<24} {'relay' if s.ours else 'other'}  {s.url}")
        return 0
    except (ConfigError, ValueError, ShipStationError) as exc:
        print(f"webhook-relay: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
