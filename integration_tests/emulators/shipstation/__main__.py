"""`shipstation-emulator`: run the emulator in the foreground on 127.0.0.1."""
from __future__ import annotations

import argparse

from emulators.common.clock import Clock
from emulators.common.server import serve_forever

from .app import build_app
from .backend import ShipStationBackend


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Strict local ShipStation v1/v2 emulator (127.0.0.1 only)")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--locations", type=int, default=3)
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--v1-rate-limit", type=int, default=40)
    parser.add_argument("--v2-rate-limit", type=int, default=200)
    args = parser.parse_args(argv)
    backend = ShipStationBackend(Clock(), v1_rate_limit=args.v1_rate_limit, v2_rate_limit=args.v2_rate_limit,
                                 seed=args.seed, items=args.items, locations=args.locations,
                                 customers=args.customers, orders=args.orders)
    backend.base_url = f"http://127.0.0.1:{args.port}"
    app = build_app(backend, args.latency_ms)
    print(f"ShipStation emulator on {backend.base_url}  v1 key={backend.v1_api_key} "
          f"secret={backend.v1_api_secret}  v2 key={backend.v2_api_key}", flush=True)
    serve_forever(app, args.port)


if __name__ == "__main__":
    main()
