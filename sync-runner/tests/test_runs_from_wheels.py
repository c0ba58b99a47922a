"""The runner getting the connectors as a user outside this repository does: each from its `pip_url` (here the
wheels `make dist` builds), installed by PyAirbyte into a virtual environment of its own under the state folder;
`sync-runner check` and `sync-runner run` against the emulators."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")

from emulators.configs import with_pip_urls  # noqa: E402
from emulators.pipelines import build_wheels  # noqa: E402
from emulators.reliability import stock_differences  # noqa: E402

from sync_runner.cli import main  # noqa: E402


def test_connectors_from_their_wheels_check_and_sync(world, capsys, tmp_path, monkeypatch):
    ns, ss, config, secrets = world
    wheels = build_wheels(tmp_path / "dist")
    # relative to the config file, as a user's config would name them
    config.write_text(with_pip_urls(config.read_text(), {c: f"dist/{w.name}" for c, w in wheels.items()}))
    monkeypatch.chdir(tmp_path.parent)  # the wheels are found relative to the config file, not the directory

    assert main(["check", "stock_to_shipstation", "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    assert "source-netsuite-inventory" in printed and printed.count("SUCCEEDED") == 2
    assert not (tmp_path / ".sync-runner" / "stock_to_shipstation" / "state.duckdb").exists()  # no state touched
    installed = sorted(p.name for p in (tmp_path / ".sync-runner" / "connectors").glob("*/.venv-*"))
    assert installed == [".venv-destination-shipstation-inventory", ".venv-source-netsuite-inventory"]

    assert stock_differences(ns, ss)
    assert main(["run", "stock_to_shipstation", "--config", str(config)]) == 0
    assert stock_differences(ns, ss) == {}
    out = capsys.readouterr()
    assert not any(secret in out.out + out.err for secret in secrets)


def test_a_refused_key_fails_the_check_naming_the_connector_not_the_key(world, capsys, tmp_path, monkeypatch):
    ns, ss, config, secrets = world
    config.write_text(with_pip_urls(config.read_text(), build_wheels(tmp_path / "dist")))
    monkeypatch.setenv("SS_V2_KEY", "not-the-right-key")
    assert main(["check", "stock_to_shipstation", "--config", str(config)]) == 1
    printed = capsys.readouterr().out
    [line] = [ln for ln in printed.splitlines() if ln.startswith("destination-shipstation-inventory")]
    assert "FAILED" in line and "not-the-right-key" not in printed
