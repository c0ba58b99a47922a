"""The demo a newcomer runs (`make demo`): start both emulators with a generated merchant and run every
connector against them through the Airbyte protocol, printing what each one says.

Until the pipelines write data, this shows the foundation: spec, check (with a good and a bad config), and a
read of both sources.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from emulators.configs import netsuite_config, shipstation_config
from emulators.netsuite import start_emulator as start_netsuite
from emulators.shipstation import start_emulator as start_shipstation

BIN = Path(sys.executable).parent


def protocol(command: str, verb: str, *args: str) -> list[dict]:
    out = subprocess.run([str(BIN / command), verb, *args], capture_output=True, text=True, timeout=300)
    messages = []
    for line in out.stdout.splitlines():
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return messages


def check(command: str, config: dict, workdir: Path) -> str:
    path = workdir / f"{command}-{len(list(workdir.iterdir()))}.json"
    path.write_text(json.dumps(config))
    for message in protocol(command, "check", "--config", str(path)):
        if message.get("type") == "CONNECTION_STATUS":
            status = message["connectionStatus"]
            return status["status"] + (f": {status['message']}" if status.get("message") else "")
        if message.get("type") == "TRACE" and message["trace"].get("error"):
            return "ERROR: " + message["trace"]["error"]["message"]
    return "no answer"


def read_counts(command: str, config: dict, workdir: Path) -> dict[str, int]:
    config_path = workdir / f"{command}-read.json"
    config_path.write_text(json.dumps(config))
    catalog = next(m["catalog"] for m in protocol(command, "discover", "--config", str(config_path))
                   if m.get("type") == "CATALOG")
    configured = {"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "append"}
                              for s in catalog["streams"]]}
    catalog_path = workdir / f"{command}-catalog.json"
    catalog_path.write_text(json.dumps(configured))
    counts: dict[str, int] = {s["name"]: 0 for s in catalog["streams"]}
    for message in protocol(command, "read", "--config", str(config_path), "--catalog", str(catalog_path)):
        if message.get("type") == "RECORD":
            counts[message["record"]["stream"]] += 1
    return counts


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, \
            start_netsuite(items=25, locations=3, customers=8, orders=6) as netsuite, \
            start_shipstation(items=25, locations=3, customers=8, orders=6) as shipstation:
        workdir = Path(tmp)
        print(f"NetSuite emulator    {netsuite.base_url}")
        print(f"ShipStation emulator {shipstation.base_url}\n")
        ns_tba = netsuite_config(netsuite.base_url, "token_based")
        ns_m2m = netsuite_config(netsuite.base_url, "oauth2_client_credentials")
        bad_ns = json.loads(json.dumps(ns_tba))
        bad_ns["credentials"]["token_secret"] = "a-wrong-secret"
        ss_v1 = shipstation_config(shipstation.base_url, "v1")
        ss_v2 = shipstation_config(shipstation.base_url, "v2")
        cases = [
            ("source-netsuite-inventory", "token-based auth", ns_tba),
            ("source-netsuite-inventory", "OAuth 2.0 client credentials", ns_m2m),
            ("source-netsuite-inventory", "a wrong token secret", bad_ns),
            ("destination-netsuite-fulfillment", "token-based auth", ns_tba),
            ("destination-netsuite-fulfillment", "OAuth 2.0 client credentials", ns_m2m),
            ("source-shipstation", "API v1 key and secret", ss_v1),
            ("source-shipstation", "API v2 key", ss_v2),
            ("destination-shipstation-inventory", "API v2 key", ss_v2),
            ("destination-shipstation-inventory", "API v1 key (stock needs v2)", ss_v1),
        ]
        print("check")
        for command, label, config in cases:
            print(f"  {command:36} {label:32} {check(command, config, workdir)}")
        print("\nread (full refresh, records per stream)")
        for command, config in (("source-netsuite-inventory", ns_tba), ("source-shipstation", ss_v2),
                                ("source-shipstation", ss_v1)):
            counts = read_counts(command, config, workdir)
            print(f"  {command:36} " + ", ".join(f"{name} {n}" for name, n in counts.items()))


if __name__ == "__main__":
    main()
