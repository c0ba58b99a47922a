"""Each connector's requirements.lock (what its image installs) still satisfies what the connector and the
libraries bundled into it ask for, pins every package with its hashes, and names no local index or file."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
CONNECTORS = ("source-shipstation", "source-netsuite-inventory", "destination-netsuite-fulfillment",
              "destination-shipstation-inventory")


def pins(lock: Path) -> dict[str, str]:
    found = {}
    for line in lock.read_text().splitlines():
        if line and not line.startswith((" ", "#", "-")):
            name, _, version = line.split(" ")[0].partition("==")
            found[canonicalize_name(name)] = version
    return found


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> Path:
    stage = tmp_path_factory.mktemp("stage")
    subprocess.run([sys.executable, str(ROOT / "release" / "bundle.py"), "--no-wheel", "--stage", str(stage)],
                   check=True, capture_output=True)
    return stage


@pytest.mark.parametrize("connector", CONNECTORS)
def test_the_lock_satisfies_the_connector_and_its_bundled_libraries(staged, connector):
    lock = ROOT / connector / "requirements.lock"
    text = lock.read_text()
    pinned = pins(lock)
    project = tomllib.loads((staged / connector / "pyproject.toml").read_text())
    asked = project["project"]["dependencies"] + project["build-system"]["requires"]
    for requirement in map(Requirement, asked):
        version = pinned.get(canonicalize_name(requirement.name))
        assert version is not None, f"{connector}: {requirement.name} is not in requirements.lock (run make lock)"
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{connector}: the lock pins {requirement.name}=={version}, the project asks {requirement} (make lock)"
    assert text.count("==") == len(pinned) and text.count("--hash=sha256:") >= len(pinned)
    assert "file://" not in text and "/opt/" not in text and "--index-url" not in text and "find-links" not in text
