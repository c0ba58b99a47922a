"""Both pipelines as an Airbyte platform runs them: every connector a separate process started from its command
line (an installed wheel's console script, or a container), files handed over by path, the source's stdout read
by the platform and only its records and states passed on to the destination's stdin.

A `Launcher` says how a connector is started and how it sees a file of the shared work folder; the same checks
then run against wheels (`release/tests/test_wheels.py`) and images (`release/tests/test_images.py`).
"""
from __future__ import annotations

import json
import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer

from emulators.reliability import _Sync

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
