"""Fixtures for the CDK standard suites: start an emulator and write the scenario configs that a connector's
acceptance-test-config.yml names (under the connector's gitignored `secrets/`)."""
from __future__ import annotations

import contextlib
import copy
from pathlib import Path
from typing import Callable, Iterator

from .configs import netsuite_config, shipstation_config, write_configs


def _with_credential(config: dict, field: str, value: str) -> dict:
    changed = copy.deepcopy(config)
    changed["credentials"][field] = value
    return changed


@contextlib.contextmanager
def netsuite_scenarios(connector_root: Path, **emulator_args) -> Iterator[object]:
    from .netsuite import start_emulator

    with start_emulator(**emulator_args) as emulator:
        tba = netsuite_config(emulator.base_url, "token_based")
        write_configs(connector_root / "secrets", {
            "config": tba,
            "config_oauth2": netsuite_config(emulator.base_url, "oauth2_client_credentials"),
            "invalid_config": _with_credential(tba, "token_secret", "not-the-token-secret"),
        })
        yield emulator


@contextlib.contextmanager
def shipstation_scenarios(connector_root: Path, prepare: Callable[[object], None] | None = None,
                          **emulator_args) -> Iterator[object]:
    from .shipstation import start_emulator

    with start_emulator(**emulator_args) as emulator:
        if prepare:
            prepare(emulator)
        v2 = shipstation_config(emulator.base_url, "v2")
        write_configs(connector_root / "secrets", {
            "config": v2,
            "config_v1": shipstation_config(emulator.base_url, "v1"),
            "invalid_config": _with_credential(v2, "api_key", "not-a-shipstation-key"),
        })
        yield emulator
