"""The table `make bench` prints last: every figure the benchmarks printed, its target and whether it holds.

    python benchmarks/summary.py build/bench/figures.txt

Reads the whole `make bench` output (the Makefile's bench recipe tees each benchmark's standard output into
build/bench/figures.txt, between its own marker lines `# bench <script>` and `# exit <script> <status>`):
- `figure NAME VALUE UNIT` lines, as every benchmark prints them;
- the markers, which say which benchmarks ran and how each exited.

Each figure gets a row: its value, its target (TARGETS below, taken from the issues; "—" where no issue sets one)
and `holds`, `MISSED` or "—". A missed target is a row saying MISSED, never a crash: the benchmarks measure on
shared machines whose speed drifts, and the table is there to be read.

Exits non-zero when the run is incomplete: a benchmark that ran (its `# bench` marker is there) but did not
print every figure it must (REQUIRED below), a benchmark that exited non-zero (each checks its own correctness as
it goes, so a fast wrong answer fails), a figure line that does not parse, or no figures at all. A benchmark
whose marker is absent did not run in this `make bench` and is not required (so a benchmark left out of the
Makefile is not reported missing); run without markers (a hand-made file), every benchmark named below is
required whose figures appear.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# The figures each benchmark must print (the named ones; per-run figures with suffixes come on top).
REQUIRED: dict[str, tuple[str, ...]] = {
    "bench_sync1.py": ("netsuite_calls_per_fulfillment", "fulfillment_throughput_vs_bound",
                       "source_shipments_per_s", "source_shipments_per_s_v1", "source_shipments_per_s_v2",
                       "source_peak_rss_mb", "source_peak_rss_mb_v1", "source_peak_rss_mb_v2",
                       "source_calls_vs_page_floor", "source_calls_vs_page_floor_v1",
                       "source_calls_vs_page_floor_v2"),
    "bench_sync2.py": ("suiteql_rows_per_s", "source_peak_rss_mb_100k", "source_peak_rss_mb_1m",
                       "shipstation_calls_per_changed_sku", "rate_limit_utilization", "shipstation_429s"),
    "bench_webhooks.py": ("webhook_to_fulfillment_p50_s", "webhook_to_fulfillment_p95_s",
                          "webhook_to_fulfillment_p95_busy_s"),
    "bench_orders.py": ("shipstation_calls_per_changed_order", "shipstation_calls_unchanged_sync", "orders_per_s",
                        "shipstation_429s_orders"),
    "bench_audit_store.py": ("audit_store_search_ms", "audit_store_ingest_share_pct"),
    "bench_peers.py": ("calls_per_1000_rows_ours", "peer_calls_per_1000_rows_airbyte_source_netsuite",
                       "peer_wall_ratio_airbyte_source_netsuite"),
}


@dataclass(frozen=True)
class Target:
    op: str  # "<=", ">=", "==", or "flat" (at most `value` times the figure named `of`)
    value: float
    source: str  # where the target was set
    of: str | None = None

    def text(self) -> str:
        number = f"{self.value:g}"
        if self.op == "flat":
            return f"<= {number} x {self.of} (flat)"
        return f"{self.op} {number}"

    def holds(self, value: float, figures: dict[str, float]) -> bool | None:
        if math.isnan(value):
            return False
        if self.op == "<=":
            return value <= self.value
        if self.op == ">=":
            return value >= self.value
        if self.op == "==":
            return value == self.value
        if self.op == "flat":
            base = figures.get(self.of or "")
            return None if base is None or math.isnan(base) else value <= self.value * base
        raise ValueError(self.op)


# Targets by exact figure name, from the issues (`issues show N`).
TARGETS: dict[str, Target] = {
    # Issue 4 (sync 1), repeated in issue 16: lookups included; throughput against concurrency / latency.
    "netsuite_calls_per_fulfillment": Target("<=", 1.1, "issue 4, 16"),
    "fulfillment_throughput_vs_bound": Target(">=", 0.8, "issue 4, 16"),
    # Issue 5 (sync 2): reads against a zero-latency emulator; memory flat in the number of rows (read here as
    # the 1,000,000-row peak within 20% of the 100,000-row one: a tolerance of this table's, for run-to-run
    # noise; issue 5 names no number); write calls per changed SKU; share of the allowed rate; no 429.
    "suiteql_rows_per_s": Target(">=", 20_000, "issue 5"),
    "source_peak_rss_mb_1m": Target("flat", 1.2, "issue 5", of="source_peak_rss_mb_100k"),
    "shipstation_calls_per_changed_sku": Target("<=", 1.05, "issue 5"),
    "rate_limit_utilization": Target(">=", 90, "issue 5"),
    "shipstation_429s": Target("==", 0, "issue 5"),
    # Issue 6 (webhooks), and issue 16 item 3 for the figure with one core kept busy.
    "webhook_to_fulfillment_p95_s": Target("<=", 5, "issue 6, 16"),
    "webhook_to_fulfillment_p95_busy_s": Target("<=", 5, "issue 16"),
    # Issue 7 (orders): at most 1.05 calls per changed order, and 0 for a run with nothing changed.
    "shipstation_calls_per_changed_order": Target("<=", 1.05, "issue 7"),
    "shipstation_calls_unchanged_sync": Target("==", 0, "issue 7"),
    # Issue 17 (the operations page): a search over 1,000,000 outcomes, and adding a run's outcomes to the store
    # as a share of that run's time.
    "audit_store_search_ms": Target("<=", 200, "issue 17"),
    "audit_store_ingest_share_pct": Target("<=", 5, "issue 17"),
}
# Per-run figures whose named figure is "the worst over these runs" (issue 4; the lots-and-bins run, issue 15):
# each run is held to the target.
PATTERN_TARGETS: list[tuple[re.Pattern, Target]] = [
    (re.compile(r"netsuite_calls_per_fulfillment_\d+_c\d+(_lots_bins)?"), TARGETS["netsuite_calls_per_fulfillment"]),
    (re.compile(r"fulfillment_throughput_vs_bound_\d+_c\d+(_lots_bins)?"), TARGETS["fulfillment_throughput_vs_bound"]),
    (re.compile(r"shipstation_calls_unchanged_sync_v[12]"), TARGETS["shipstation_calls_unchanged_sync"]),
]

FIGURE = re.compile(r"^figure\s+(\S+)\s+(\S+)(?:\s+(.*))?$")
BENCH_START = re.compile(r"^# bench\s+(?:\S*/)?(\S+)\s*$")
BENCH_EXIT = re.compile(r"^# exit\s+(?:\S*/)?(\S+)\s+(-?\d+)\s*$")


@dataclass
class Row:
    name: str
    value: float
    text: str  # the value as printed
    unit: str
    bench: str


def target_for(name: str) -> Target | None:
    if name in TARGETS:
        return TARGETS[name]
    return next((t for pattern, t in PATTERN_TARGETS if pattern.fullmatch(name)), None)


def owner(name: str) -> str:
    """Without markers: the benchmark whose required figure this is, or whose required figure it extends
    (`netsuite_calls_per_fulfillment_1000_c5` is bench_sync1.py's); "?" when none."""
    best, length = "?", 0
    for bench, names in REQUIRED.items():
        for required in names:
            if (name == required or name.startswith(required + "_")) and len(required) > length:
                best, length = bench, len(required)
    return best


def parse(lines: list[str]) -> tuple[list[Row], dict[str, int | None], list[str]]:
    """(figure rows, benchmark -> exit status (None: started, no exit marker), problems)."""
    rows: list[Row] = []
    ran: dict[str, int | None] = {}
    problems: list[str] = []
    current = "?"
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if m := BENCH_START.match(line):
            current = m.group(1)
            ran[current] = None
            continue
        if m := BENCH_EXIT.match(line):
            ran[m.group(1)] = int(m.group(2))
            continue
        if not line.startswith("figure"):
            continue
        m = FIGURE.match(line)
        if not m:
            problems.append(f"line {number}: a figure line that does not parse: {line!r}")
            continue
        name, text, unit = m.group(1), m.group(2), (m.group(3) or "").strip()
        try:
            value = float(text)
        except ValueError:
            problems.append(f"line {number}: figure {name} has a value that is not a number: {text!r}")
            value = math.nan
        bench = current if current != "?" else owner(name)
        rows.append(Row(name, value, text, unit, bench))
    return rows, ran, problems


def check(rows: list[Row], ran: dict[str, int | None], problems: list[str]) -> list[str]:
    problems = list(problems)
    printed = {(r.bench, r.name) for r in rows}
    names = {r.name for r in rows}
    if not rows:
        problems.append("no figure lines at all")
    if ran:
        expected = {bench: REQUIRED.get(bench, ()) for bench in ran}
    else:  # no markers: require the whole set of every benchmark that printed something
        expected = {bench: REQUIRED[bench] for bench in {r.bench for r in rows} if bench in REQUIRED}
    for bench, required in expected.items():
        missing = [name for name in required if (bench, name) not in printed and (ran or name not in names)]
        if missing:
            problems.append(f"{bench} did not print {', '.join(missing)}")
    for bench, status in ran.items():
        if status is None:
            problems.append(f"{bench} has no exit status (the run was cut short?)")
        elif status != 0:
            problems.append(f"{bench} exited with status {status}")
    return problems


def table(rows: list[Row]) -> tuple[str, int]:
    """The table as text, and how many targets were missed."""
    figures = {r.name: r.value for r in rows}
    out = [("figure", "value", "unit", "target", "holds", "benchmark")]
    missed = 0
    for r in rows:
        target = target_for(r.name)
        if target is None:
            verdict, wanted = "—", "—"
        else:
            holds = target.holds(r.value, figures)
            verdict = "—" if holds is None else ("holds" if holds else "MISSED")
            missed += verdict == "MISSED"
            wanted = f"{target.text()}  ({target.source})"
        out.append((r.name, r.text, r.unit, wanted, verdict, r.bench))
    widths = [max(len(row[i]) for row in out) for i in range(len(out[0]))]
    lines = []
    for k, row in enumerate(out):
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]),
                 row[3].ljust(widths[3]), row[4].ljust(widths[4]), row[5]]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines), missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figures", type=Path, help="the benchmarks' output (build/bench/figures.txt)")
    args = parser.parse_args(argv)
    try:
        lines = args.figures.read_text(errors="replace").splitlines()
    except OSError as error:
        print(f"summary: cannot read {args.figures}: {error}", file=sys.stderr)
        return 2
    rows, ran, problems = parse(lines)
    text, missed = table(rows)
    problems = check(rows, ran, problems)
    with_target = sum(target_for(r.name) is not None for r in rows)
    print()
    print(f"=== make bench: {len(rows)} figures, {with_target} with a target, {missed} MISSED ===")
    print(text)
    if problems:
        print()
        print("INCOMPLETE RUN (make bench fails):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
