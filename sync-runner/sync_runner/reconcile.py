"""`sync-runner reconcile --config FILE --from DATE --to DATE [--out DIR]`: the month-end reconciliation.

It reads both systems, never writes (GETs to ShipStation, SuiteQL to NetSuite), with the configs of the
connections in the runner's config file only, so it serves a merchant whose syncs run on an Airbyte platform as
well (the connections need not ever have run here). Three sections:
(a) ShipStation shipments of the period, shipped and not voided, with no NetSuite item fulfillment, each with
    the audit's last word on it (reconcile_shipments.py, reconcile_audit.py);
(b) item fulfillments the connector made whose label was voided;
(c) stock per SKU and location where NetSuite and ShipStation differ now (reconcile_stock.py).
The report goes to <state_dir>/reconcile/<UTC timestamp>/report.{html,csv,json} (reconcile_report.py).

For the operations page: `run_reconcile(config, start, end)` makes one and returns its folder;
`latest_report(state_dir)` is the newest one, or None.
"""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from .config import ConfigError, Connection, RunnerConfig, load_config
from .connection import connection_dir
from .redact import Redactor, secret_values
from .reconcile_report import FOLDER_NAME, REPORT_FILES, write_report

REPORTS_DIR = "reconcile"
SHIPMENTS_DESTINATION = "destination-netsuite-fulfillment"  # sync 1, whose fulfillments (a) and (b) look for
STOCK_DESTINATION = "destination-shipstation-inventory"  # sync 2, whose stock (c) compares
CONNECTOR_PACKAGES = ("source-shipstation", "destination-netsuite-fulfillment", "source-netsuite-inventory",
                      "destination-shipstation-inventory")
# What the sections import, each line one module or its alternatives (the shipment record builder is in
# shipstation_lib, which the connector wheels bundle; older ones have it in source_shipstation only).
NEEDED_MODULES = (("destination_netsuite_fulfillment",), ("destination_shipstation_inventory",),
                  ("source_netsuite_inventory",), ("shipstation_lib.shipment_records", "source_shipstation"))
Progress = Callable[[str], None]


class ReconcileUnavailable(RuntimeError):
    """The connectors' packages, whose code reads and maps both systems, are not installed beside the runner."""


@dataclass(frozen=True)
class Period:
    start: datetime  # included
    end: datetime  # excluded
    label_from: str
    label_to: str

    @classmethod
    def of(cls, start: str | date | datetime, end: str | date | datetime) -> "Period":
        """Dates are whole UTC days, both included (2026-11-01 to 2026-11-30 is November); a date-time is that
        instant (the end excluded), UTC unless it says otherwise."""
        first, last = _moment(start, whole_day_end=False), _moment(end, whole_day_end=True)
        if last <= first:
            raise ConfigError(f"the period ends ({last:%Y-%m-%d %H:%M:%S} UTC) before it starts "
                              f"({first:%Y-%m-%d %H:%M:%S} UTC)")
        return cls(first, last, _label(start), _label(end))

    def as_dict(self) -> dict:
        return {"from": self.label_from, "to": self.label_to, "start": _iso(self.start), "end": _iso(self.end)}


def _moment(value: str | date | datetime, whole_day_end: bool) -> datetime:
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"{value!r} is not a date (2026-11-01) or an ISO date-time") from None
    if not isinstance(value, datetime):
        day = value + timedelta(days=1) if whole_day_end else value
        return datetime.combine(day, time(0), tzinfo=timezone.utc)
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _label(value: str | date | datetime) -> str:
    return value.strip() if isinstance(value, str) else value.isoformat()


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _connection_writing_to(config: RunnerConfig, destination: str) -> Connection | None:
    return next((c for c in config.connections.values() if c.destination.connector == destination), None)


def _require_connector_packages() -> None:
    for alternatives in NEEDED_MODULES:
        for n, name in enumerate(alternatives):
            try:
                importlib.import_module(name)
                break
            except ImportError as missing:
                if n == len(alternatives) - 1:
                    raise ReconcileUnavailable(
                        f"reconcile reads both systems with the connectors' own code, and {missing.name} is not "
                        "installed beside the runner: pip install the connector wheels "
                        f"({', '.join(CONNECTOR_PACKAGES)}; `make dist` builds them) into the runner's "
                        "environment") from None


def build_report(config: RunnerConfig, period: Period, progress: Progress = lambda text: None) -> dict:
    """The report as a dict (what report.json holds); each section that cannot be read is named in `errors`,
    the others are still there."""
    _require_connector_packages()
    from netsuite_lib.client import NetSuiteClient
    from shipstation_lib.client import ShipStationClient

    from . import reconcile_audit, reconcile_shipments, reconcile_stock

    logger = logging.getLogger("sync_runner.reconcile")
    sections: dict[str, list[dict]] = {"shipped_not_fulfilled": [], "voided_with_fulfillment": [],
                                       "stock_differences": []}
    report: dict[str, Any] = {"period": period.as_dict(), "generated_at": _iso(datetime.now(timezone.utc)),
                              "connections": {}, "totals": {}, "sections": sections, "errors": [],
                              "skipped_sections": {}}
    redact = _redactor(config)

    shipments = _connection_writing_to(config, SHIPMENTS_DESTINATION)
    if shipments is None:
        why = f"no connection in the config writes to {SHIPMENTS_DESTINATION}"
        report["skipped_sections"].update(shipped_not_fulfilled=why, voided_with_fulfillment=why)
    else:
        report["connections"]["shipments"] = shipments.name
        progress(f"reading ShipStation's shipments from {period.label_from} to {period.label_to} "
                 f"and NetSuite's item fulfillments ({shipments.name})")
        try:
            shipstation = ShipStationClient(shipments.source.config, logger)
            netsuite = NetSuiteClient(shipments.destination.config, logger)
            records = list(reconcile_shipments.shipments_in_period(shipstation, period.start, period.end))
            siblings = reconcile_shipments.extra_package_siblings(shipstation, records)
            found = reconcile_shipments.fulfillments_by_external_id(
                netsuite, reconcile_shipments.external_ids_to_look_up(records, siblings))
            findings = reconcile_shipments.compare(records, found, siblings)
            audit_file = Path(shipments.destination.config.get("audit_file")
                              or connection_dir(config.state_dir, shipments.name) / "audit.jsonl").expanduser()
            words = reconcile_audit.last_words(audit_file, config.state_dir, shipments.name,
                                               [r["shipment_id"] for r in findings.missing
                                                + findings.voided_with_fulfillment])
            for row in findings.missing + findings.voided_with_fulfillment:
                word = words.get(row["shipment_id"], {})
                row.update(audit_outcome=word.get("outcome"), audit_reason=word.get("reason"),
                           audit_at=word.get("at"))
            sections["shipped_not_fulfilled"] = findings.missing
            sections["voided_with_fulfillment"] = findings.voided_with_fulfillment
            report["totals"].update(shipments_in_period=findings.read, shipped=findings.shipped,
                                    recorded_in_netsuite=findings.recorded, voided=findings.voided)
        except Exception as error:  # every failure of a read ends this section the same way, named
            report["errors"].append({"section": "shipments", "message": _say(error, redact)})

    stock = _connection_writing_to(config, STOCK_DESTINATION)
    if stock is None:
        report["skipped_sections"]["stock_differences"] = f"no connection in the config writes to {STOCK_DESTINATION}"
    else:
        report["connections"]["stock"] = stock.name
        progress(f"reading NetSuite's and ShipStation's stock ({stock.name})")
        try:
            findings = reconcile_stock.compare_stock(NetSuiteClient(stock.source.config, logger),
                                                     ShipStationClient(stock.destination.config, logger),
                                                     stock.destination.config)
            sections["stock_differences"] = findings.differences
            report["stock_quantity_field"] = findings.quantity_field
            report["stock_not_compared"] = findings.not_compared
            report["totals"].update(stock_compared=findings.compared,
                                    stock_units_apart=sum(abs(d["difference"]) for d in findings.differences),
                                    stock_not_compared=sum(findings.not_compared.values()))
        except Exception as error:
            report["errors"].append({"section": "stock", "message": _say(error, redact)})

    report["totals"].update({key: len(rows) for key, rows in sections.items()
                             if key not in report["skipped_sections"]})
    if "shipped_not_fulfilled" not in report["skipped_sections"] and any(
            e["section"] == "shipments" for e in report["errors"]):
        for key in ("shipped_not_fulfilled", "voided_with_fulfillment"):
            report["totals"].pop(key, None)  # not read: no count, rather than a reassuring 0
    if any(e["section"] == "stock" for e in report["errors"]):
        report["totals"].pop("stock_differences", None)
    return report


def run_reconcile(config: RunnerConfig | str | Path, start: str | date | datetime, end: str | date | datetime,
                  out_dir: str | Path | None = None, progress: Progress = lambda text: None) -> Path:
    """Makes a report of the period and returns the folder holding report.html, report.csv and report.json:
    under `out_dir` if given, else <state_dir>/reconcile/, in a folder named by the UTC time it was made."""
    if not isinstance(config, RunnerConfig):
        config = load_config(config)
    report = build_report(config, Period.of(start, end), progress)
    base = Path(out_dir).expanduser() if out_dir else config.state_dir / REPORTS_DIR
    base.mkdir(parents=True, exist_ok=True)
    return write_report(report, _new_folder(base), _redactor(config))


def _new_folder(base: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder, n = base / stamp, 1
    while folder.exists() or folder.with_name(folder.name + ".partial").exists():
        n += 1
        folder = base / f"{stamp}-{n}"
    return folder


def latest_report(state_dir: str | Path) -> dict | None:
    """The newest complete report under <state_dir>/reconcile/: report.json's content, with `folder` and `files`
    (name -> path) added; None when there is none yet."""
    base = Path(state_dir).expanduser() / REPORTS_DIR
    try:
        # The names are UTC timestamps: text order is time order (a -2 for a second report that same second).
        folders = sorted((p for p in base.iterdir() if FOLDER_NAME.match(p.name) and p.is_dir()),
                         key=lambda p: (p.name.split("-")[0], int(p.name.split("-")[1]) if "-" in p.name else 1))
    except FileNotFoundError:
        return None
    for folder in reversed(folders):
        try:
            report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        report["folder"] = str(folder)
        report["files"] = {name: str(folder / name) for name in REPORT_FILES}
        return report
    return None


def _redactor(config: RunnerConfig) -> Redactor:
    found = set(config.secrets)
    for connection in config.connections.values():
        found |= secret_values(connection.source.config) | secret_values(connection.destination.config)
    return Redactor(found)


def _say(error: Exception, redact: Redactor) -> str:
    # The connectors' typed errors carry a merchant-facing `message`; others are named by their type.
    message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    return redact(str(message))


# --- the command line (wired into cli.py) ----------------------------------------------------------------------
def add_reconcile_command(sub) -> None:
    reconcile = sub.add_parser("reconcile", help="write a month-end report: shipped but not in NetSuite, voided "
                                                 "but still fulfilled, stock that differs (reads only)")
    reconcile.add_argument("--config", required=True, help="the runner's YAML or JSON config file")
    reconcile.add_argument("--from", dest="start", required=True, metavar="DATE",
                           help="first day of the period (2026-11-01), UTC")
    reconcile.add_argument("--to", dest="end", required=True, metavar="DATE",
                           help="last day of the period, included (2026-11-30), UTC")
    reconcile.add_argument("--out", default=None, metavar="DIR",
                           help="where to write the report's folder (default: <state_dir>/reconcile/)")


def command_reconcile(args: argparse.Namespace) -> int:
    """Prints the totals and where the report is; 0 when every section was read, 1 when one could not be,
    2 (from main) for a config problem or missing connector packages."""
    config = load_config(args.config)
    try:
        folder = run_reconcile(config, args.start, args.end, args.out, progress=print)
    except ReconcileUnavailable as missing:
        raise ConfigError(str(missing)) from None
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    for key, value in report["totals"].items():
        print(f"  {key:28} {value}")
    for error in report["errors"]:
        print(f"sync-runner: reconcile could not read {error['section']}: {error['message']}", file=sys.stderr)
    print(f"report: {folder / 'report.html'} (also report.csv, report.json)")
    return 1 if report["errors"] else 0
