"""Connector configs pointing at running emulators: what tests, the standard suites and the demo feed the connectors."""
from __future__ import annotations

import json
from pathlib import Path

import requests


def emulator_credentials(base_url: str) -> dict:
    response = requests.get(f"{base_url}/__emulator/credentials", timeout=10)
    response.raise_for_status()
    return response.json()


def netsuite_config(base_url: str, auth: str = "token_based", **extra) -> dict:
    creds = emulator_credentials(base_url)
    if auth == "token_based":
        credentials = {"auth_type": "token_based", "consumer_key": creds["consumer_key"],
                       "consumer_secret": creds["consumer_secret"], "token_id": creds["token_id"],
                       "token_secret": creds["token_secret"]}
    elif auth == "oauth2_client_credentials":
        credentials = {"auth_type": "oauth2_client_credentials", "client_id": creds["client_id"],
                       "certificate_id": creds["certificate_id"], "private_key": creds["private_key"],
                       "algorithm": creds.get("algorithm", "ES256")}
    else:
        raise ValueError(f"unknown NetSuite auth {auth!r}")
    return {"account_id": creds["account_id"], "credentials": credentials, "base_url": base_url, **extra}


def shipstation_config(base_url: str, version: str = "v2", **extra) -> dict:
    creds = emulator_credentials(base_url)
    if version == "v1":
        credentials = {"api_version": "v1", "api_key": creds["v1_api_key"], "api_secret": creds["v1_api_secret"]}
    elif version == "v2":
        credentials = {"api_version": "v2", "api_key": creds["v2_api_key"]}
    else:
        raise ValueError(f"unknown ShipStation API version {version!r}")
    return {"credentials": credentials, "base_url": base_url, **extra}


def write_configs(directory: Path, configs: dict[str, dict]) -> None:
    """Write each config as <directory>/<name>.json (the standard suites read configs from files)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, config in configs.items():
        (directory / f"{name}.json").write_text(json.dumps(config, indent=2))


def runner_env(ns_url: str, ss_url: str, prefix: str = "") -> dict[str, str]:
    """The environment a runner config refers to with `${NAME}`: both emulators' addresses and every credential
    (the ShipStation v2 key, NetSuite TBA), named `<prefix>SS_URL`, `<prefix>NS_TOKEN_SECRET`..."""
    ns, ss = emulator_credentials(ns_url), emulator_credentials(ss_url)
    values = {"SS_URL": ss_url, "SS_V2_KEY": ss["v2_api_key"], "NS_URL": ns_url, "NS_ACCOUNT": ns["account_id"],
              "NS_CONSUMER_KEY": ns["consumer_key"], "NS_CONSUMER_SECRET": ns["consumer_secret"],
              "NS_TOKEN_ID": ns["token_id"], "NS_TOKEN_SECRET": ns["token_secret"]}
    return {f"{prefix}{name}": value for name, value in values.items()}


def with_pip_urls(runner_config: str, wheels: dict[str, Path]) -> str:
    """A runner config (YAML text) with a `pip_url` beside each connector named in `wheels` (connector -> wheel):
    the runner then has PyAirbyte install each from its wheel, as for a user outside this repository."""
    for connector, wheel in wheels.items():
        runner_config = runner_config.replace(f"connector: {connector}\n",
                                              f"connector: {connector}\n      pip_url: {wheel}\n")
        runner_config = runner_config.replace(f"{{connector: {connector}, ",
                                              f"{{connector: {connector}, pip_url: {wheel}, ")
    return runner_config
