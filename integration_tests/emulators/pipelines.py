"""Both pipelines as an Airbyte platform runs them: every connector a separate process started from its command
line (an installed wheel's console script, or a container), files handed over by path, the source's stdout read
by the platform and only its records and states passed on to the destination's stdin.

A `Launcher` says how a connector is started and how it sees a file of the shared work folder; the same checks
then run against wheels (`release/tests/test_wheels.py`) and images (`release/tests/test_images.py`).
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from emulators.configs import netsuite_config, shipstation_config
from emulators.reliability import (Sync1, Sync2, _Sync, duplicate_fulfillments, lost_shipments, stock_mismatches,
                                   world)

CONNECTORS = ("source-shipstation", "source-netsuite-inventory", "destination-netsuite-fulfillment",
              "destination-shipstation-inventory")
BUNDLE = Path(__file__).resolve().parents[2] / "release" / "bundle.py"


def build_wheels(into: Path) -> dict[str, Path]:
    """connector -> its self-contained wheel, built now from this checkout as `make dist` builds it."""
    built = subprocess.run([sys.executable, str(BUNDLE), "--stage", str(into / "stage"), "--dist", str(into)],
                           check=True, capture_output=True, text=True)
    wheels = [Path(line) for line in built.stdout.split()]
    by_connector = {c: w for c in CONNECTORS for w in wheels if w.name.startswith(c.replace("-", "_") + "-")}
    assert sorted(by_connector) == sorted(CONNECTORS), built.stdout
    return by_connector

PASSED_ON = {"RECORD", "STATE"}


class Launcher(Protocol):
    workdir: Path

    def command(self, connector: str, args: list[str]) -> list[str]: ...

    def path(self, host_path: Path) -> str: ...


@dataclass
class InstalledCommands:
    """Console scripts of connectors installed each in its own virtual environment."""

    bins: dict[str, Path]
    workdir: Path

    def command(self, connector: str, args: list[str]) -> list[str]:
        return [str(self.bins[connector]), *args]

    def path(self, host_path: Path) -> str:
        return str(host_path)


@dataclass
class Containers:
    """Connector images run as the platform runs them: the image's own entrypoint, stdin open, the job's files
    mounted (at /data here), loopback reachable through the host's network for the emulators."""

    images: dict[str, str]
    workdir: Path
    runtime: str = "podman"

    def command(self, connector: str, args: list[str]) -> list[str]:
        return [self.runtime, "run", "--rm", "-i", "--network=host", "-v", f"{self.workdir}:/data",
                self.images[connector], *args]

    def path(self, host_path: Path) -> str:
        return "/data/" + Path(host_path).relative_to(self.workdir).as_posix()


@dataclass
class Run:
    returncode: int
    messages: list[dict]
    stderr: str

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.messages if m.get("type") == kind]

    def errors(self) -> list[str]:
        return [m["trace"]["error"].get("message", "") for m in self.of_type("TRACE")
                if m.get("trace", {}).get("type") == "ERROR"]

    def audit(self) -> list[dict]:
        """The per-record outcomes the destination logged (`audit {json}`): on a platform, the job log keeps
        them after the container is gone."""
        return [json.loads(m["log"]["message"][len("audit "):]) for m in self.of_type("LOG")
                if m["log"].get("message", "").startswith("audit {")]


def _env() -> dict[str, str]:
    # Outside the checkout: nothing of this repository's import path, and no proxy between the connector and the
    # emulators on loopback.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(proxy, None)
    return env


def _messages(lines: list[str]) -> list[dict]:
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # the CDK prints only messages; anything else is not the protocol
    return out


def write_json(launcher: Launcher, name: str, data) -> str:
    """Writes data into the work folder; returns the path the connector sees."""
    path = launcher.workdir / name
    path.write_text(json.dumps(data))
    path.chmod(0o644)
    return launcher.path(path)


def run(launcher: Launcher, connector: str, args: list[str], timeout: float = 180) -> Run:
    done = subprocess.run(launcher.command(connector, args), capture_output=True, text=True, timeout=timeout,
                          env=_env(), cwd=launcher.workdir, stdin=subprocess.DEVNULL)
    return Run(done.returncode, _messages(done.stdout.splitlines()), done.stderr)


def spec(launcher: Launcher, connector: str) -> dict:
    result = run(launcher, connector, ["spec"])
    assert result.returncode == 0, result.stderr[-2000:]
    [message] = result.of_type("SPEC")
    return message["spec"]


def check(launcher: Launcher, connector: str, config: dict, name: str = "check-config.json") -> dict:
    result = run(launcher, connector, ["check", "--config", write_json(launcher, name, config)])
    [message] = result.of_type("CONNECTION_STATUS")
    return message["connectionStatus"]


def discover(launcher: Launcher, connector: str, config: dict) -> list[str]:
    result = run(launcher, connector, ["discover", "--config", write_json(launcher, "discover-config.json", config)])
    assert result.returncode == 0, result.stderr[-2000:]
    [message] = result.of_type("CATALOG")
    return sorted(stream["name"] for stream in message["catalog"]["streams"])


@dataclass
class PipelineRun:
    source: Run
    destination: Run
    passed_on: dict[str, int] = field(default_factory=dict)


def sync(launcher: Launcher, connection: _Sync, source: str, destination: str, timeout: float = 300) -> PipelineRun:
    """One whole sync of `connection` (a reliability harness `Sync1` or `Sync2`, for its configs and catalogs):
    `source read` piped through the platform's filter into `destination write`."""
    destination_config = dict(connection.destination_config)
    if "audit_file" in destination_config:
        destination_config["audit_file"] = launcher.path(connection.audit_file)
        connection.audit_file.touch()
        connection.audit_file.chmod(0o666)  # an image's connector runs as its own non-root user
    source_args = ["read", "--config", write_json(launcher, "source-config.json", connection.source_config),
                   "--catalog", write_json(launcher, "source-catalog.json",
                                           ConfiguredAirbyteCatalogSerializer.dump(connection.source_catalog()))]
    destination_args = ["write", "--config", write_json(launcher, "destination-config.json", destination_config),
                        "--catalog", write_json(launcher, "destination-catalog.json",
                                                ConfiguredAirbyteCatalogSerializer.dump(connection.destination_catalog()))]
    env = _env()
    reader = subprocess.Popen(launcher.command(source, source_args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, env=env, cwd=launcher.workdir)
    writer = subprocess.Popen(launcher.command(destination, destination_args), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=launcher.workdir)
    source_lines: list[str] = []
    passed_on: dict[str, int] = {}
    collected: dict[str, list[str]] = {"source_err": [], "out": [], "err": []}

    def pump() -> None:
        try:
            for line in reader.stdout:
                source_lines.append(line)
                parsed = _messages([line])
                kind = parsed[0].get("type") if parsed else None
                if kind in PASSED_ON:
                    passed_on[kind] = passed_on.get(kind, 0) + 1
                    writer.stdin.write(line)
        finally:
            writer.stdin.close()

    threads = [threading.Thread(target=pump, daemon=True),
               threading.Thread(target=lambda: collected["source_err"].extend(reader.stderr), daemon=True),
               threading.Thread(target=lambda: collected["out"].extend(writer.stdout), daemon=True),
               threading.Thread(target=lambda: collected["err"].extend(writer.stderr), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        reader.wait(timeout=timeout)
        writer.wait(timeout=timeout)
    finally:
        for process in (reader, writer):
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=10)
    return PipelineRun(Run(reader.returncode, _messages(source_lines), "".join(collected["source_err"])),
                       Run(writer.returncode, _messages(collected["out"]), "".join(collected["err"])), passed_on)


# ---- the checks both the wheel and the image tests run ------------------------------------------------------------

def _other_private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def assert_spec_check_discover(launcher: Launcher) -> None:
    """spec for each connector; check with a good config (every API version and auth method once) and with a
    refused credential; discover for both sources."""
    with world(orders=4) as w:
        good = {"source-shipstation": shipstation_config(w.ss.base_url, "v1"),
                "destination-shipstation-inventory": shipstation_config(w.ss.base_url, "v2"),
                "source-netsuite-inventory": netsuite_config(w.ns.base_url, "token_based"),
                "destination-netsuite-fulfillment": netsuite_config(w.ns.base_url, "oauth2_client_credentials")}
        for connector, config in good.items():
            assert spec(launcher, connector)["connectionSpecification"]["properties"], connector
            assert check(launcher, connector, config)["status"] == "SUCCEEDED", connector
            bad = {**config, "credentials": {**config["credentials"]}}
            secret = next(k for k in ("api_key", "token_secret", "private_key") if k in bad["credentials"])
            bad["credentials"][secret] = _other_private_key() if secret == "private_key" else "not-the-right-one"
            refused = check(launcher, connector, bad, name="bad-config.json")
            assert refused["status"] == "FAILED" and refused.get("message"), connector
        assert "shipments" in discover(launcher, "source-shipstation", good["source-shipstation"])
        assert {"items", "stock"} <= set(discover(launcher, "source-netsuite-inventory",
                                                  good["source-netsuite-inventory"]))


def assert_both_pipelines(launcher: Launcher) -> None:
    """Sync 1 (labels to fulfillments) and sync 2 (stock to ShipStation), each source process piped into its
    destination process; asserted on the emulators' state. Sync 1 runs twice: the second run, with no audit file,
    applies nothing again, and its log alone says so for every shipment."""
    with world(orders=12) as w:
        labels = w.buy_labels(5, random.Random(3), void_share=0.0)
        assert labels and lost_shipments(w)
        sync1 = Sync1(w, launcher.workdir, api_version="v2")
        done = sync(launcher, sync1, "source-shipstation", "destination-netsuite-fulfillment")
        assert done.source.returncode == 0 and done.destination.returncode == 0, done.destination.stderr[-2000:]
        assert done.passed_on.get("RECORD", 0) >= len(labels)
        assert lost_shipments(w) == [] and duplicate_fulfillments(w) == []
        assert done.destination.of_type("STATE"), "the destination confirmed no state"
        filed = sync1.audit_lines()
        assert {line["outcome"] for line in filed} == {"created"} and len(filed) == done.passed_on["RECORD"]
        assert done.destination.audit() == filed  # the log carries every outcome the file does

        sync1.destination_config.pop("audit_file")
        again = sync(launcher, sync1, "source-shipstation", "destination-netsuite-fulfillment")
        assert again.destination.returncode == 0, again.destination.stderr[-2000:]
        assert duplicate_fulfillments(w) == []
        logged = again.destination.audit()
        assert len(logged) == again.passed_on["RECORD"] and {e["outcome"] for e in logged} == {"already_present"}
        assert {e["key"] for e in logged} == {e["key"] for e in filed}

        assert stock_mismatches(w)  # the generated merchant's ShipStation stock has drifted from NetSuite's
        sync2 = Sync2(w, launcher.workdir)
        done = sync(launcher, sync2, "source-netsuite-inventory", "destination-shipstation-inventory")
        assert done.source.returncode == 0 and done.destination.returncode == 0, done.destination.stderr[-2000:]
        assert stock_mismatches(w) == {}
        assert "updated" in {line["outcome"] for line in sync2.audit_lines()}
