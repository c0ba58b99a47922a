"""The runner's one config file (YAML or JSON): the connections, their schedules, the state directory and,
optionally, the webhook relay. Secrets are written as `${ENV_NAME}` and read from the environment, so the file
itself can be committed."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

DEFAULT_STATE_DIR = ".sync-runner"
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_EVERY = re.compile(r"^every\s+(\d+)\s+(second|minute|hour|day)s?$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "second": 1, "minute": 60, "hour": 3600, "day": 86400}
# Below this, a schedule would start a new sync before connectors have even started (about 2 s each).
MIN_INTERVAL_SECONDS = 10


class ConfigError(ValueError):
    """A config the runner cannot use; the message names the place in the file, never a secret's value."""


@dataclass(frozen=True)
class Endpoint:
    connector: str  # the connector's name, e.g. source-shipstation (its console command when installed here)
    config: dict[str, Any] = field(repr=False)  # holds secrets: kept out of repr so a traceback cannot show them
    # How PyAirbyte gets the connector, as for any connector outside this repository: `pip_url` (a wheel from
    # `make dist`, a package name, a git URL) installed into a virtual environment of its own; without it, the
    # connector command installed beside the runner or on PATH.
    pip_url: str | None = None


@dataclass(frozen=True)
class Connection:
    name: str
    source: Endpoint
    destination: Endpoint
    streams: list[str]
    interval_seconds: int | None  # None: run only when asked (command line, relay)


@dataclass(frozen=True)
class RunnerConfig:
    connections: dict[str, Connection]
    state_dir: Path
    relay: dict[str, Any] | None = field(default=None, repr=False)
    # Every value that came from the environment: printed text is scrubbed of them (see redact.py).
    secrets: frozenset[str] = field(default=frozenset(), repr=False)

    def connection(self, name: str) -> Connection:
        try:
            return self.connections[name]
        except KeyError:
            known = ", ".join(sorted(self.connections)) or "none"
            raise ConfigError(f"no connection named {name!r} in the config (known: {known})") from None


def parse_schedule(value: Any, where: str) -> int | None:
    """'15m', '30s', '2h', '1d', 'every 15 minutes', a number of seconds, or null/'manual' for no schedule."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "manual", "none")):
        return None
    if isinstance(value, bool):
        raise ConfigError(f"{where}: schedule must be an interval like '15m' or 'every 15 minutes'")
    if isinstance(value, int):
        seconds = value
    else:
        text = str(value).strip().lower()
        match = _INTERVAL.match(text) or _EVERY.match(text)
        if not match:
            raise ConfigError(f"{where}: cannot read schedule {value!r}; write an interval like '15m', '1h' "
                              "or 'every 15 minutes'")
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < MIN_INTERVAL_SECONDS:
        raise ConfigError(f"{where}: schedule {value!r} is shorter than {MIN_INTERVAL_SECONDS} seconds")
    return seconds


def resolve_env(value: Any, environ: Mapping[str, str], where: str, found: set[str]) -> Any:
    """Replaces each `${NAME}` (whole string or part of one) by the environment variable NAME; records the values
    in `found` so they can be scrubbed from anything printed."""
    if isinstance(value, dict):
        return {k: resolve_env(v, environ, f"{where}.{k}", found) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env(v, environ, f"{where}[{i}]", found) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(f"{where}: environment variable {name} is not set")
        if environ[name]:
            found.add(environ[name])
        return environ[name]

    return _ENV_REFERENCE.sub(substitute, value)


def _endpoint(raw: Any, where: str, environ: Mapping[str, str], found: set[str], base_dir: Path) -> Endpoint:
    if not isinstance(raw, dict) or not isinstance(raw.get("connector"), str) or not raw["connector"]:
        raise ConfigError(f"{where}: give `connector` (its command, e.g. source-shipstation) and `config`")
    config = raw.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError(f"{where}.config must be a mapping")
    pip_url = raw.get("pip_url")
    if pip_url is not None and (not isinstance(pip_url, str) or not pip_url.strip()):
        raise ConfigError(f"{where}.pip_url must be a non-empty string (a wheel, a package name or a URL)")
    return Endpoint(raw["connector"], resolve_env(config, environ, f"{where}.config", found),
                    pip_url=_local_path_or_url(pip_url, base_dir))


def _local_path_or_url(pip_url: str | None, base_dir: Path) -> str | None:
    """A wheel or folder named relative to the config file is found whatever directory the runner starts in."""
    if not pip_url or "://" in pip_url or Path(pip_url).is_absolute():
        return pip_url
    local = base_dir / pip_url
    return str(local) if local.exists() else pip_url


def parse_config(raw: Any, base_dir: Path, environ: Mapping[str, str] | None = None) -> RunnerConfig:
    environ = os.environ if environ is None else environ
    if not isinstance(raw, dict) or not isinstance(raw.get("connections"), dict) or not raw["connections"]:
        raise ConfigError("the config needs a `connections` mapping with at least one connection")
    found: set[str] = set()
    connections = {}
    for name, body in raw["connections"].items():
        where = f"connections.{name}"
        if not _NAME.match(str(name)):
            raise ConfigError(f"{where}: a connection name uses letters, digits, '_' and '-' only")
        if not isinstance(body, dict):
            raise ConfigError(f"{where} must be a mapping")
        streams = body.get("streams")
        if not isinstance(streams, list) or not streams or not all(isinstance(s, str) for s in streams):
            raise ConfigError(f"{where}.streams: list the streams to sync, e.g. [shipments]")
        connections[name] = Connection(
            name=name, source=_endpoint(body.get("source"), f"{where}.source", environ, found, base_dir),
            destination=_endpoint(body.get("destination"), f"{where}.destination", environ, found, base_dir),
            streams=list(streams), interval_seconds=parse_schedule(body.get("schedule"), f"{where}.schedule"))
    # Relative to the config file, so the same state is found whatever directory the runner starts in.
    state_dir = Path(raw.get("state_dir") or DEFAULT_STATE_DIR).expanduser()
    if not state_dir.is_absolute():
        state_dir = base_dir / state_dir
    relay = raw.get("relay")
    if relay is not None and not isinstance(relay, dict):
        raise ConfigError("relay must be a mapping (the webhook relay's settings)")
    relay = resolve_env(relay, environ, "relay", found) if relay else None
    return RunnerConfig(connections, state_dir, relay, frozenset(found))


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> RunnerConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)  # YAML is a superset of JSON: one parser reads both
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path} is not valid YAML or JSON{at}") from None
    return parse_config(raw, path.resolve().parent, environ)
