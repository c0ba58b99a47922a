"""The relay's settings, read from one JSON file whose secrets may be written as `"${ENV_NAME}"`.

Example:
    {"database": "relay.sqlite3", "listen": {"host": "127.0.0.1", "port": 8090},
     "public_url": "https://relay.example.com",
     "v1_secret": "${RELAY_V1_SECRET}",
     "shipstation": {"v1": {"api_key": "${SS_V1_KEY}", "api_secret": "${SS_V1_SECRET}"},
                     "v2": {"api_key": "${SS_V2_KEY}"}},
     "trigger": {"kind": "airbyte", "connection": "<connection id>", "api_url": "https://api.airbyte.com",
                 "token": "${AIRBYTE_TOKEN}"}}
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_JWKS_URL = "https://api.shipengine.com/jwks"
# The v1 secret is the only thing standing between the internet and a fetch with the merchant's key.
MIN_V1_SECRET_LENGTH = 32
_ENV_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class RelayConfig:
    database: Path
    shipstation: dict[str, dict] = field(default_factory=dict)  # {"v1": {"api_key", "api_secret"}, "v2": {...}}
    v1_secret: str | None = None
    public_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8090
    # Set only for the emulator: its origin (scheme://host:port) is then allowed in resource URLs and for API calls.
    shipstation_base_url: str | None = None
    jwks_url: str = DEFAULT_JWKS_URL
    trigger: dict[str, Any] = field(default_factory=dict)
    coalesce_seconds: float = 1.0
    max_body_bytes: int = 64 * 1024
    max_timestamp_skew_seconds: float = 300.0
    duplicate_window_seconds: float = 24 * 3600.0
    rate_limit_per_minute: dict[str, int] = field(default_factory=dict)

    @property
    def apis(self) -> list[str]:
        return [api for api in ("v1", "v2") if api in self.shipstation]

    @property
    def connection(self) -> str:
        return str(self.trigger.get("connection") or "sync1")

    def client_config(self, api: str, base_url: str | None = None) -> dict:
        """The shape `ShipStationClient` reads, for one API and one host."""
        credentials = {"api_version": api, **self.shipstation[api]}
        config: dict[str, Any] = {"credentials": credentials}
        if base_url or self.shipstation_base_url:
            config["base_url"] = base_url or self.shipstation_base_url
        if self.rate_limit_per_minute.get(api):
            config["rate_limit_per_minute"] = self.rate_limit_per_minute[api]
        return config

    @classmethod
    def from_dict(cls, raw: dict, environ: dict | None = None) -> "RelayConfig":
        data = resolve_env(raw, os.environ if environ is None else environ)
        listen = data.get("listen") or {}
        shipstation = dict(data.get("shipstation") or {})
        base_url = shipstation.pop("base_url", None)
        apis = {api: dict(shipstation[api]) for api in ("v1", "v2") if shipstation.get(api)}
        if not apis:
            raise ConfigError("shipstation: give the credentials of at least one API, v1 {api_key, api_secret} "
                              "or v2 {api_key}.")
        if "v1" in apis and not apis["v1"].get("api_secret"):
            raise ConfigError("shipstation.v1 needs api_key and api_secret.")
        secret = data.get("v1_secret")
        if "v1" in apis and (not secret or len(secret) < MIN_V1_SECRET_LENGTH):
            raise ConfigError(f"v1_secret must be at least {MIN_V1_SECRET_LENGTH} characters: v1 webhooks are "
                              "unsigned and the secret in their URL is what proves they come from ShipStation. "
                              "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'")
        return cls(
            database=Path(data.get("database") or "webhook-relay.sqlite3"),
            shipstation=apis, v1_secret=secret, public_url=(data.get("public_url") or "").rstrip("/") or None,
            host=listen.get("host", "127.0.0.1"), port=int(listen.get("port", 8090)),
            shipstation_base_url=(base_url or "").rstrip("/") or None,
            jwks_url=data.get("jwks_url") or DEFAULT_JWKS_URL, trigger=dict(data.get("trigger") or {}),
            coalesce_seconds=float(data.get("coalesce_seconds", 1.0)),
            max_body_bytes=int(data.get("max_body_bytes", 64 * 1024)),
            max_timestamp_skew_seconds=float(data.get("max_timestamp_skew_seconds", 300)),
            duplicate_window_seconds=float(data.get("duplicate_window_seconds", 24 * 3600)),
            rate_limit_per_minute={k: int(v) for k, v in (data.get("rate_limit_per_minute") or {}).items()},
        )

    @classmethod
    def load(cls, path: str | Path, environ: dict | None = None) -> "RelayConfig":
        try:
            raw = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the config file {path}: {exc}") from None
        return cls.from_dict(raw, environ)


def resolve_env(value: Any, environ) -> Any:
    """Replace every string that is exactly `${NAME}` by the environment variable NAME, so secrets stay out of
    the file. A missing variable is an error naming the variable, never a silent empty secret."""
    if isinstance(value, dict):
        return {k: resolve_env(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env(v, environ) for v in value]
    if isinstance(value, str):
        match = _ENV_REFERENCE.match(value)
        if match:
            name = match.group(1)
            if name not in environ:
                raise ConfigError(f"the config refers to the environment variable {name}, which is not set.")
            return environ[name]
    return value
