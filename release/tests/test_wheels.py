"""`make dist`'s wheels, each installed alone into an empty virtual environment outside the checkout, from the
package index only, as a user or PyAirbyte's `pip_url` installs it; then run as the platform runs a connector:
spec, check with a good and a bad config, discover, and both pipelines process to process against the emulators,
asserting on the emulators' state."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from emulators import pipelines
from emulators.pipelines import CONNECTORS

ROOT = Path(__file__).resolve().parents[2]
SHARED = {"source-shipstation": ["connector_start", "shipstation_lib", "connector_http"],
          "source-netsuite-inventory": ["connector_start", "netsuite_lib", "connector_http"],
          "destination-netsuite-fulfillment": ["connector_start", "netsuite_lib", "connector_http", "connector_audit"],
          "destination-shipstation-inventory": ["connector_start", "shipstation_lib", "connector_http",
                                                "connector_audit"]}


def _clean_env() -> dict[str, str]:
    """Nothing of the checkout on the import path, and pip with the package index only (this machine's pip
    config adds local wheel folders and indexes, which a user does not have)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PIP_FIND_LINKS")}
    return {**env, "PIP_CONFIG_FILE": os.devnull}


def _install(wheel: Path, venv: Path) -> Path:
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, env=_clean_env())
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   cwd=venv.parent, env=_clean_env(), timeout=600)
    return venv


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """connector -> its venv, from wheels built by `release/bundle.py` (what `make dist` runs)."""
    work = tmp_path_factory.mktemp("wheels")
    wheels = pipelines.build_wheels(work / "dist")
    with ThreadPoolExecutor(max_workers=4) as pool:
        venvs = pool.map(lambda c: _install(wheels[c], work / "venvs" / c), CONNECTORS)
    return dict(zip(CONNECTORS, venvs))


@pytest.fixture
def commands(installed, tmp_path) -> pipelines.InstalledCommands:
    return pipelines.InstalledCommands({c: venv / "bin" / c for c, venv in installed.items()}, tmp_path)


@pytest.mark.parametrize("connector", CONNECTORS)
def test_each_wheel_carries_its_shared_code_and_needs_nothing_of_the_checkout(installed, connector, tmp_path):
    python = installed[connector] / "bin" / "python"
    package = connector.replace("-", "_")
    where = subprocess.run([str(python), "-c", "import importlib, sys\n"
                            f"for name in {[package, *SHARED[connector]]!r}:\n"
                            "    print(importlib.import_module(name).__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=_clean_env(), check=True)
    files = where.stdout.split()
    assert len(files) == 1 + len(SHARED[connector])
    assert all(f.startswith(str(installed[connector])) for f in files), files
    assert not any(str(ROOT) in f for f in files)
    # bundled, not separate distributions a package index would have to serve
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True,
                            env=_clean_env(), check=True).stdout.lower()
    assert not any(name in listed for name in ("connector-start", "netsuite-lib", "shipstation-lib",
                                               "connector-http", "connector-audit"))
    assert subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, env=_clean_env()).returncode == 0


def test_spec_check_and_discover_from_the_installed_commands(commands):
    pipelines.assert_spec_check_discover(commands)


def test_both_pipelines_process_to_process_from_the_installed_commands(commands):
    pipelines.assert_both_pipelines(commands)
