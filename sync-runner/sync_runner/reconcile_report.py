"""Writes a reconciliation report three ways, from one dict: `report.json` (everything, for tools),
`report.csv` (one row per finding, a `section` column first, for spreadsheets) and `report.html` (plain
server-side HTML, no script: totals first, then each section as a table, for the controller who signs it off).

A report is written into a folder of its own and renamed into place when complete, so whoever shows "the latest
report" never reads a half-written one.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from html import escape
from pathlib import Path
from typing import Any, Callable

REPORT_FILES = ("report.html", "report.csv", "report.json")
FOLDER_NAME = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")  # 20261201T170000Z, or -2... for a second one that second

# Each section: its key in the report, its title, what it means, and its columns (field, header).
SECTIONS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("shipped_not_fulfilled", "Shipped in ShipStation, no item fulfillment in NetSuite",
     "Labels bought (not voided) and orders marked shipped in ShipStation in the period, for which NetSuite has "
     "no item fulfillment made by the connector. The last audit outcome says what the sync did with it.",
     (("shipment_id", "Shipment"), ("kind", "Kind"), ("order_number", "Order"),
      ("created_at", "Created (UTC)"), ("ship_date", "Ship date"), ("carrier", "Carrier"),
      ("tracking_numbers", "Tracking"), ("items", "Items"), ("external_id", "Expected external id"),
      ("audit_outcome", "Last audit outcome"), ("audit_reason", "Reason"), ("audit_at", "Audited at (UTC)"),
      ("note", "Note"))),
    ("voided_with_fulfillment", "Voided in ShipStation, item fulfillment still in NetSuite",
     "Labels of the period that were voided, whose item fulfillment made by the connector still exists: the "
     "sync reverses these when it reads the void; older ones need a person.",
     (("shipment_id", "Shipment"), ("order_number", "Order"), ("created_at", "Created (UTC)"),
      ("voided_at", "Voided (UTC)"), ("tracking_numbers", "Tracking"), ("fulfillment_id", "Fulfillment id"),
      ("sales_order", "Sales order"), ("external_id", "External id"), ("audit_outcome", "Last audit outcome"),
      ("audit_reason", "Reason"), ("audit_at", "Audited at (UTC)"))),
    ("stock_differences", "Stock that differs now",
     "Per SKU and location: NetSuite's quantity (as the stock sync would set it in ShipStation) against "
     "ShipStation's on hand, read when the report was made. Difference = ShipStation minus NetSuite.",
     (("sku", "SKU"), ("netsuite_location", "NetSuite location"), ("shipstation_warehouse", "ShipStation warehouse"),
      ("shipstation_location", "ShipStation location"), ("netsuite_quantity", "NetSuite quantity"),
      ("netsuite_as_synced", "NetSuite, as synced"), ("shipstation_on_hand", "ShipStation on hand"),
      ("difference", "Difference"), ("note", "Note"))),
)

TOTALS = (("shipments_in_period", "ShipStation shipments created in the period"),
          ("shipped", "of which shipped (not voided)"),
          ("recorded_in_netsuite", "of which with an item fulfillment in NetSuite"),
          ("shipped_not_fulfilled", "shipped with no item fulfillment"),
          ("voided", "voided labels of the period"),
          ("voided_with_fulfillment", "voided with an item fulfillment still in NetSuite"),
          ("stock_compared", "stock levels compared (SKU and location)"),
          ("stock_differences", "stock levels that differ"),
          ("stock_units_apart", "units apart, all differences added (absolute)"),
          ("stock_not_compared", "NetSuite stock rows with nothing to compare with"))


def write_report(report: dict, folder: Path, scrub: Callable[[str], str]) -> Path:
    """Writes the three files into `folder` (made here, complete or not at all); every text passes `scrub`."""
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=False)
    texts = {"report.json": json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n",
             "report.csv": to_csv(report), "report.html": to_html(report)}
    for name, text in texts.items():
        (partial / name).write_text(scrub(text), encoding="utf-8")
    os.replace(partial, folder)
    return folder


def to_csv(report: dict) -> str:
    columns: list[str] = []
    for _, _, _, fields in SECTIONS:
        columns += [name for name, _ in fields if name not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, ["section", *columns], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for key, _, _, _ in SECTIONS:
        for row in report["sections"][key]:
            writer.writerow({"section": key, **{k: _csv_cell(v) for k, v in row.items()}})
    return out.getvalue()


def to_html(report: dict) -> str:
    period = report["period"]
    title = f"Reconciliation {period['from']} to {period['to']}"
    parts = [f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>",
             f"<style>{_STYLE}</style></head><body>", f"<h1>{escape(title)}</h1>",
             f"<p>Period: {escape(period['start'])} to {escape(period['end'])} (UTC, end excluded). Made "
             f"{escape(report['generated_at'])} by reading ShipStation and NetSuite, nothing written.</p>"]
    if report.get("errors"):
        parts.append("<div class=\"errors\"><h2>Not complete</h2><ul>")
        parts += [f"<li>{escape(e['section'])}: {escape(e['message'])}</li>" for e in report["errors"]]
        parts.append("</ul></div>")
    parts.append("<h2>Totals</h2><table class=\"totals\"><tbody>")
    totals = report["totals"]
    for key, label in TOTALS:
        if key in totals:
            parts.append(f"<tr><th scope=\"row\">{escape(label)}</th><td>{escape(_cell(totals[key]))}</td></tr>")
    parts.append("</tbody></table>")
    for key, heading, meaning, fields in SECTIONS:
        rows = report["sections"][key]
        parts.append(f"<h2 id=\"{key}\">{escape(heading)} ({len(rows)})</h2><p>{escape(meaning)}</p>")
        if key in report.get("skipped_sections", {}):
            parts.append(f"<p class=\"none\">Not read: {escape(report['skipped_sections'][key])}</p>")
            continue
        if not rows:
            parts.append("<p class=\"none\">None.</p>")
            continue
        headers = [_header(name, h, report) for name, h in fields]
        parts.append("<table><thead><tr>" + "".join(f"<th scope=\"col\">{escape(h)}</th>" for h in headers)
                     + "</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(_html_cell(row.get(name)) for name, _ in fields) + "</tr>")
        parts.append("</tbody></table>")
    not_compared = report.get("stock_not_compared") or {}
    if not_compared:
        parts.append("<h3>Stock rows not compared</h3><ul>")
        parts += [f"<li>{n} × {escape(reason)}</li>" for reason, n in sorted(not_compared.items())]
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _csv_cell(value: Any) -> str:
    # Text from either system (an order number, a SKU) starting like a formula would run as one when the CSV is
    # opened in a spreadsheet: a leading quote keeps it text. Numbers are left as they are.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return _cell(value)


def _header(name: str, header: str, report: dict) -> str:
    # Which NetSuite figure the stock sync copies is the merchant's setting: say which one is shown.
    if name == "netsuite_quantity" and report.get("stock_quantity_field"):
        return f"NetSuite {report['stock_quantity_field'].replace('_', ' ')}"
    return header


def _html_cell(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"<td class=\"num\">{escape(_cell(value))}</td>"
    text = _cell(value)
    if _TIMESTAMP.match(text):  # 2026-12-01T17:02:14.021000Z reads as 2026-12-01 17:02:14 (UTC, as headed)
        text = f"{text[:10]} {text[11:19]}"
    return f"<td>{escape(text)}</td>"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_STYLE = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1em}"
          "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}"
          "thead th{background:#eee}.totals th{font-weight:normal}.totals td{text-align:right;font-weight:bold}"
          ".errors{border:2px solid #b00;padding:0 1em;margin-bottom:1em}.none{color:#555}"
          "td.num{text-align:right;font-variant-numeric:tabular-nums}")
