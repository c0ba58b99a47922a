"""`netsuite-emulator`: run one emulated NetSuite account in the foreground on 127.0.0.1."""
from __future__ import annotations

import argparse
import json
import os
import tempfile

from emulators.common.server import serve_forever

from .app import NetSuiteEmulatorApp
from .backend import NetSuiteBackend


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--account-id", default="1234567")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--locations", type=int, default=3)
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--concurrency-limit", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--features", default="",
                        help="account features to switch on, comma-separated NetSuite ids or aliases "
                             "(e.g. MULTILOCINVT,lots,bins); README 'Account features'")
    parser.add_argument("--credentials-file", default=os.path.join(tempfile.gettempdir(),
                                                                   "netsuite-emulator-credentials.json"))
    args = parser.parse_args(argv)
    backend = NetSuiteBackend(account_id=args.account_id, seed=args.seed, items=args.items,
                              locations=args.locations, customers=args.customers, orders=args.orders,
                              concurrency_limit=args.concurrency_limit, latency_ms=args.latency_ms)
    if args.features:
        backend.db.features.apply({name.strip(): True for name in args.features.split(",") if name.strip()},
                                  lambda fid: "")
    base_url = f"http://127.0.0.1:{args.port}"
    c = backend.credentials
    creds = {"base_url": base_url, "account_id": backend.account_id, "realm": backend.realm,
             "consumer_key": c.consumer_key, "consumer_secret": c.consumer_secret, "token_id": c.token_id,
             "token_secret": c.token_secret, "client_id": c.client_id, "certificate_id": c.certificate_id,
             "private_key": c.private_key_pem, "algorithm": c.algorithm}
    # The file holds secrets of a throwaway local account; keep it private to the user anyway.
    fd = os.open(args.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(creds, fh, indent=2)
    print(f"NetSuite emulator for account {backend.account_id}: {base_url}")
    print(f"credentials: {args.credentials_file} (also GET {base_url}/__emulator/credentials)")
    serve_forever(NetSuiteEmulatorApp(backend), args.port)


if __name__ == "__main__":
    main()
