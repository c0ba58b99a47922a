"""Airbyte's own checks pass on our four connectors (release/airbyte_checks.py, run in .venv-qa), and what the
Poetry-only checks ask holds in the form our project has (setuptools [project] table, pip-tools lock)."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
QA_PYTHON = ROOT / ".venv-qa" / "bin" / "python"
CONNECTORS = ("source-shipstation", "source-netsuite-inventory", "destination-netsuite-fulfillment",
              "destination-shipstation-inventory")
STATUSES = ("PASS", "SKIP", "NOT APPLICABLE", "FAIL", "CRASH")


def test_airbyte_checks_pass_on_every_connector():
    if not QA_PYTHON.exists():
        pytest.fail(f"{QA_PYTHON} is missing. `make test` builds it (the Makefile's $(QA_STAMP) target: a venv with "
                    "airbyte-internal-ops pinned); run `make test`, not pytest alone, on a fresh checkout.")
    done = subprocess.run([str(QA_PYTHON), str(ROOT / "release" / "airbyte_checks.py"), *CONNECTORS],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    output = done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith(STATUSES)]
    bad = [line for line in lines if line.startswith(("FAIL", "CRASH"))]
    assert done.returncode == 0 and not bad, "\n".join(bad) or output
    # Every connector got the metadata validation and one line per QA check, and nothing else was printed as a
    # result: a check the package adds later shows up here as a new line, not silently.
    for connector in CONNECTORS:
        mine = [line for line in lines if line.split()[1:2] == [connector] or f" {connector} " in line]
        assert any("metadata (schema + pre-upload validators)" in line and line.startswith("PASS") for line in mine), \
            output
        assert len(mine) >= 25, output
    assert re.search(r"^total: \d+ PASS, \d+ SKIP, \d+ NOT APPLICABLE, 0 FAIL, 0 CRASH", done.stdout, re.M), output


@pytest.mark.parametrize("connector", CONNECTORS)
def test_what_the_poetry_checks_ask(connector):
    """The properties behind the four Poetry-only checks reported NOT APPLICABLE by release/airbyte_checks.py."""
    folder = ROOT / connector
    metadata = yaml.safe_load((folder / "metadata.yaml").read_text())["data"]
    pyproject = tomllib.loads((folder / "pyproject.toml").read_text())
    project = pyproject["project"]

    assert "poetry" not in pyproject.get("tool", {}), "we build with setuptools; no [tool.poetry] table"
    assert not (folder / "poetry.lock").exists()

    # CheckConnectorLicenseMatchInPyproject: the license is declared, and is the metadata's.
    assert metadata["license"] == "MIT"
    license_ = project.get("license")
    declared = license_.get("text") if isinstance(license_, dict) else license_
    assert declared and declared.lower() == metadata["license"].lower(), (declared, metadata["license"])

    # CheckConnectorVersionMatchInPyproject: one version for the package and the image.
    assert project["version"] == metadata["dockerImageTag"]

    # CheckConnectorUsesPoetry: dependencies locked for a reproducible install (every pin hashed).
    lock = folder / "requirements.lock"
    assert lock.exists(), f"{lock} is missing: `make lock` writes it"
    pins = re.findall(r"^[A-Za-z0-9_.\-\[\],]+==\S+", lock.read_text(), re.M)
    assert pins and lock.read_text().count("--hash=sha256:") >= len(pins)
    assert not (folder / "setup.py").exists()

    # CheckConnectorCDKTag: exactly one cdk: tag, cdk:python, and the CDK required without the file-based extra
    # (which would call for cdk:python-file-based).
    assert [t for t in metadata["tags"] if t.startswith("cdk:")] == ["cdk:python"]
    cdk = [d for d in project["dependencies"] if re.match(r"airbyte-cdk\b", d)]
    assert len(cdk) == 1 and "file-based" not in cdk[0], cdk


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
