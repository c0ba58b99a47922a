"""Airbyte's own connector checks, run on our connectors, offline.

    .venv-qa/bin/python release/airbyte_checks.py [CONNECTOR ...]     (default: all four; `make test` builds .venv-qa)

Two parts, one line per result, then a total; exit 1 on any FAIL or CRASH:

1. metadata.yaml against Airbyte's metadata schema (airbyte_connector_models' ConnectorMetadataDefinitionV0) and
   airbyte-internal-ops' pre-upload validators, with its own switch for the Docker Hub look-ups turned off (our
   images are not on Docker Hub, and there is no network here). Run on the file as it is in the repository.
2. Every QA check airbyte-internal-ops defines (connector_qa.checks.ENABLED_CHECKS), one at a time, each in a
   bounded time. They expect the airbyte monorepo's layout, so each connector is laid out in a temporary tree:
   airbyte-integrations/connectors/<connector>/ (a copy of its folder) and
   docs/integrations/<sources|destinations>/<slug>.md (a copy of its docs.md). In that copy only:
   - documentationUrl points at https://docs.airbyte.com/integrations/<sources|destinations>/<slug>, the only
     place the documentation checks look for docs (ours is on GitHub), so they read our docs.md;
   - ab_internal.sl is 300 (ours is 100), the level from which the documentation-content checks (headers in the
     template's order, prerequisites, sync modes, IP allow list, changelog...) apply; so they run on our docs;
   - <package>/spec.json holds the output of the connector's own `spec` command (run from .venv), which the
     Prerequisites check reads (our spec is built in Python, so without it the check would pass on nothing).
   A check is reported PASS, FAIL or SKIP (the check's own reason, e.g. "does not apply to destination
   connectors"), CRASH (it raised), or NOT APPLICABLE (our reason, from the NOT_APPLICABLE table below, for the
   checks that ask Poetry or the network for something our project has in another form).

No network. The connectors are looked up as airbyte_ops_mcp's own Connector, subclassed (OfflineConnector) to
answer the two registry questions from what we know instead of downloading Airbyte's registries: they are not
in Airbyte's catalogue. A Python audit hook refuses every socket connection and name look-up in this process, so
a check that still reaches for the network fails at once instead of waiting (and shows up as FAIL or CRASH).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("AIRBYTE_DISABLE_TELEMETRY", "1")
# google-cloud packages (pulled in by airbyte-internal-ops, unused here) warn about Python 3.11 on import.
warnings.filterwarnings("ignore", category=FutureWarning)

import yaml  # noqa: E402  (after the telemetry switches)

ROOT = Path(__file__).resolve().parent.parent
CONNECTORS = ("source-shipstation", "source-netsuite-inventory", "destination-netsuite-fulfillment",
              "destination-shipstation-inventory")
MAIN_VENV_BIN = ROOT / ".venv" / "bin"  # where the connectors are installed (make install), for `spec`
CHECK_SECONDS = 60  # each check; they read local files only, so a hang means something reached for the network
SPEC_SECONDS = 60
DOCS_ROOT = "https://docs.airbyte.com"

POETRY = ("Poetry-only: we do not use Poetry. Each connector is built with setuptools from its [project] table "
          "(libs/ bundled in at build time by release/bundle.py) and locked with pip-tools hashes in its "
          "requirements.lock. ")
NOT_APPLICABLE = {
    "CheckConnectorUsesPoetry": POETRY + "The property behind it (dependencies locked for reproducible installs) "
        "is asserted by release/tests/test_airbyte_checks.py::test_what_the_poetry_checks_ask (requirements.lock "
        "present, every pin hashed) and release/tests/test_locks.py.",
    "CheckConnectorCDKTag": POETRY + "It reads [tool.poetry.dependencies] and raises KeyError without it. "
        "release/tests/test_airbyte_checks.py::test_what_the_poetry_checks_ask asserts what it checks: one cdk: "
        "tag, cdk:python, and airbyte-cdk required without the file-based extra.",
    "CheckConnectorLicenseMatchInPyproject": POETRY + "It reads only [tool.poetry].license. "
        "release/tests/test_airbyte_checks.py::test_what_the_poetry_checks_ask asserts [project].license == "
        "metadata license (MIT).",
    "CheckConnectorVersionMatchInPyproject": POETRY + "It reads only [tool.poetry].version. "
        "release/tests/test_airbyte_checks.py::test_what_the_poetry_checks_ask asserts [project].version == "
        "metadata dockerImageTag.",
    "ValidateMetadata": "Runs the same validation as the 'metadata' line above, but with the Docker Hub look-ups "
        "on (the base image digest, the latest released tag of our dockerRepository) and no way to turn them "
        "off from the check. Our images are not on Docker Hub and there is no network here. The 'metadata' line "
        "runs the schema and every pre-upload validator, with only those look-ups off.",
    "CheckDocumentationLinks": "GETs every link in docs.md over the network (none here). It also counts a link "
        "it cannot reach as valid, so an offline run would pass without checking anything.",
    "CheckVersionIncrement": "Compares dockerImageTag with this connector's metadata.yaml on airbytehq/airbyte's "
        "master branch (raw.githubusercontent.com) and with git history against that repository. Our connectors "
        "are not in that repository (its answer is always 'no file', so any version passes). Our own rule: "
        "[project].version == dockerImageTag (test_what_the_poetry_checks_ask) and a changelog row for it "
        "(CheckChangelogEntry, run above).",
}


def refuse_network(event: str, args: tuple) -> None:
    """Audit hook: no socket connection and no name look-up leaves this process."""
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto"):
        if event == "socket.connect" and getattr(args[0], "family", None) == socket.AF_UNIX:
            return  # a local socket file is not the network
        raise ConnectionRefusedError(f"release/airbyte_checks.py runs offline: {event} {args[1:]!r} refused")


class Timeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int):
    def _alarm(signum, frame):
        raise Timeout(f"took longer than {seconds} s")
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def one_line(text: object, limit: int = 600) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def report(status: str, connector: str, check: str, message: str) -> str:
    line = f"{status:<14} {connector:<34} {check:<58} | {one_line(message)}"
    print(line, flush=True)
    return status


def slug(connector: str) -> str:
    return connector.split("-", 1)[1]


def package(connector: str) -> str:
    return connector.replace("-", "_")


def validate_metadata(connector: str) -> str:
    """Part 1: the schema and the pre-upload validators, Docker Hub look-ups off, on the repository's file."""
    from airbyte_ops_mcp.metadata_validator import PRE_UPLOAD_VALIDATORS, ValidatorOptions, validate_and_load

    folder = ROOT / connector
    options = ValidatorOptions(docs_path=str(folder / "docs.md"), disable_dockerhub_checks=True)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # it prints "Running validator: ..." for each
        model, error = validate_and_load(folder / "metadata.yaml", PRE_UPLOAD_VALIDATORS, options)
    names = ", ".join(v.__name__ for v in PRE_UPLOAD_VALIDATORS)
    if model is None:
        return report("FAIL", connector, "metadata (schema + pre-upload validators)", str(error))
    return report("PASS", connector, "metadata (schema + pre-upload validators)",
                  f"ConnectorMetadataDefinitionV0 valid; validators passed: {names} (Docker Hub look-ups off: "
                  "disable_dockerhub_checks=True)")


def spec_of(connector: str) -> dict:
    """The connector's own `spec` output, from the main .venv (the connectors are not installed in .venv-qa)."""
    command = MAIN_VENV_BIN / connector
    if not command.exists():
        raise RuntimeError(f"{command} is missing: run `make install` (the connectors' .venv) first")
    done = subprocess.run([str(command), "spec"], capture_output=True, text=True, timeout=SPEC_SECONDS,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    for line in done.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("type") == "SPEC":
            return message["spec"]
    raise RuntimeError(f"`{connector} spec` printed no SPEC message (exit {done.returncode}): "
                       f"{one_line(done.stderr, 300)}")


def lay_out(connector: str, tree: Path) -> None:
    """The temporary monorepo-shaped tree for one connector (see the module docstring)."""
    kind = yaml.safe_load((ROOT / connector / "metadata.yaml").read_text())["data"]["connectorType"]
    code = tree / "airbyte-integrations" / "connectors" / connector
    shutil.copytree(ROOT / connector, code, ignore=shutil.ignore_patterns(
        "__pycache__", "*.pyc", "*.egg-info", ".pytest_cache", "secrets", "build", "dist"))
    metadata = yaml.safe_load((code / "metadata.yaml").read_text())
    metadata["data"]["documentationUrl"] = f"{DOCS_ROOT}/integrations/{kind}s/{slug(connector)}"
    metadata["data"].setdefault("ab_internal", {})["sl"] = 300
    (code / "metadata.yaml").write_text(yaml.safe_dump(metadata, sort_keys=False))
    docs = tree / "docs" / "integrations" / f"{kind}s" / f"{slug(connector)}.md"
    docs.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / connector / "docs.md", docs)
    (code / package(connector) / "spec.json").write_text(json.dumps(spec_of(connector), indent=2))


def own_skip_reason(check, connector) -> str | None:
    """The check's own reason not to apply, from its public applicability properties (as Check.run words it)."""
    if connector.language not in check.applies_to_connector_languages:
        return f"Check does not apply to {connector.language.value} connectors"
    if connector.connector_type not in check.applies_to_connector_types:
        return f"Check does not apply to {connector.connector_type} connectors"
    return None


EXPLAINED: set[str] = set()  # NOT APPLICABLE reasons already printed in full


def run_qa_checks(connector_name: str) -> list[str]:
    """Part 2: every QA check, in a temporary tree, one line each."""
    from airbyte_ops_mcp.connector_ops.utils import Connector
    from airbyte_ops_mcp.connector_qa.checks import ENABLED_CHECKS
    from airbyte_ops_mcp.connector_qa.models import CheckStatus

    class OfflineConnector(Connector):
        """Airbyte's Connector, answering its two registry questions without downloading the registries."""

        @property
        def is_released(self) -> bool:
            # Connector.is_released downloads Airbyte's OSS registry to see whether this definition id and
            # version are published there. Ours are not in Airbyte's catalogue: never released there.
            return False

        @property
        def cloud_usage(self) -> str | None:
            # Connector.cloud_usage downloads Airbyte's Cloud registry for usage figures: not listed there.
            return None

    statuses = []
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="airbyte-checks-") as tmp:
        tree = Path(tmp)
        try:
            lay_out(connector_name, tree)
        except Exception as exc:  # noqa: BLE001 - reported, and fails the run
            return [report("CRASH", connector_name, "(laying out the temporary tree)", f"{type(exc).__name__}: {exc}")]
        os.chdir(tree)  # Connector resolves ./airbyte-integrations/connectors/<name> and ./docs/... from here
        try:
            connector = OfflineConnector(connector_name)
            for check in ENABLED_CHECKS:
                name = type(check).__name__
                if name in NOT_APPLICABLE:
                    reason = own_skip_reason(check, connector)
                    if reason:
                        statuses.append(report("SKIP", connector_name, name, reason))
                        continue
                    why = NOT_APPLICABLE[name] if name not in EXPLAINED else "(the reason given above)"
                    EXPLAINED.add(name)
                    statuses.append(report("NOT APPLICABLE", connector_name, name, why))
                    continue
                try:
                    with time_limit(CHECK_SECONDS):
                        result = check.run(connector)
                except BaseException as exc:  # noqa: BLE001 - a check that raises is reported, not fatal
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    statuses.append(report("CRASH", connector_name, name, f"{type(exc).__name__}: {exc}"))
                    continue
                status = {CheckStatus.PASSED: "PASS", CheckStatus.FAILED: "FAIL",
                          CheckStatus.SKIPPED: "SKIP"}[result.status]
                statuses.append(report(status, connector_name, name, result.message))
        finally:
            os.chdir(here)
    return statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("connectors", nargs="*", metavar="CONNECTOR", help=f"default: {' '.join(CONNECTORS)}")
    args = parser.parse_args(argv)
    connectors = args.connectors or list(CONNECTORS)
    unknown = sorted(set(connectors) - set(CONNECTORS))
    if unknown:
        parser.error(f"unknown connector(s) {', '.join(unknown)}; known: {', '.join(CONNECTORS)}")

    sys.addaudithook(refuse_network)
    logging_quiet()
    started = time.monotonic()
    from importlib.metadata import version
    print(f"airbyte-internal-ops {version('airbyte-internal-ops')}, airbyte-connector-models "
          f"{version('airbyte-connector-models')}; offline. Documentation checks read each docs.md laid out at "
          f"docs/integrations/<type>s/<slug>.md, with documentationUrl pointed at {DOCS_ROOT}/integrations/... "
          "and ab_internal.sl at 300 in the temporary copy only (see this file's docstring).", flush=True)
    statuses: list[str] = []
    for connector in connectors:
        statuses.append(validate_metadata(connector))
        statuses.extend(run_qa_checks(connector))
    counts = {s: statuses.count(s) for s in ("PASS", "SKIP", "NOT APPLICABLE", "FAIL", "CRASH")}
    print("total: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + f" ({time.monotonic() - started:.1f} s)")
    return 1 if counts["FAIL"] or counts["CRASH"] else 0


def logging_quiet() -> None:
    """The ops package warns about every connector's missing fields on the root logger; keep the lines ours."""
    import logging
    logging.basicConfig(level=logging.ERROR)


if __name__ == "__main__":
    sys.exit(main())
