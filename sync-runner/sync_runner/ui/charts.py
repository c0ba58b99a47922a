"""The charts as inline SVG, drawn here: no JavaScript and no chart library, so they show with scripts off too."""
from __future__ import annotations

from html import escape

from ..audit_store import Outcome, Run

COLOURS = {"created": "#2e7d32", "updated": "#66bb6a", "already_present": "#90a4ae", "unchanged": "#cfd8dc",
           "reversed": "#7e57c2", "would_change": "#ffb74d", "skipped": "#f9a825", "failed": "#c62828"}
WIDTH, HEIGHT, LEFT, BOTTOM = 720, 220, 40, 40
BAR_MAX = 48  # a few days or runs still read as bars, not as a wall


def _frame(bars: str, top: int, labels: str, title: str) -> str:
    return (f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11">'
            f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" stroke="#999"/>'
            f'<text x="{LEFT - 4}" y="14" text-anchor="end">{top}</text>'
            f'<text x="{LEFT - 4}" y="{HEIGHT - BOTTOM}" text-anchor="end">0</text>{bars}{labels}</svg>')


def outcomes_per_day(per_day: dict[str, dict[str, int]]) -> str:
    """Stacked bars: one per day, a segment per outcome kind."""
    if not per_day:
        return ""
    top = max(sum(counts.values()) for counts in per_day.values()) or 1
    step = (WIDTH - LEFT) / len(per_day)
    plot = HEIGHT - BOTTOM - 10
    bars, labels = [], []
    for n, (day, counts) in enumerate(per_day.items()):
        x, y = LEFT + n * step + 2, HEIGHT - BOTTOM
        for outcome in COLOURS:
            count = counts.get(outcome, 0)
            if not count:
                continue
            h = plot * count / top
            y -= h
            bars.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{min(max(step - 4, 1), BAR_MAX):.1f}" height="{h:.1f}" '
                        f'fill="{COLOURS[outcome]}"><title>{escape(day)}: {count} {escape(outcome)}</title></rect>')
        labels.append(f'<text x="{x + min(step - 4, BAR_MAX) / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">'
                      f'{escape(day[5:])}</text>')
    return _frame("".join(bars), top, "".join(labels), "outcomes per day")


def drift_per_run(runs: list[tuple[Run, list[Outcome]]]) -> str:
    """A bar per stock run: how many levels it corrected."""
    if not runs:
        return ""
    top = max(len(corrected) for _, corrected in runs) or 1
    step = (WIDTH - LEFT) / len(runs)
    plot = HEIGHT - BOTTOM - 10
    bars, labels = [], []
    for n, (run, corrected) in enumerate(runs):
        x = LEFT + n * step + 2
        h = plot * len(corrected) / top
        bars.append(f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{min(max(step - 4, 1), BAR_MAX):.1f}" '
                    f'height="{h:.1f}" fill="#1565c0"><title>run {run.id} ({escape(run.started_at)}): '
                    f'{len(corrected)} levels corrected</title></rect>')
        labels.append(f'<text x="{x + min(step - 4, BAR_MAX) / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">'
                      f'#{run.id}</text>')
    return _frame("".join(bars), top, "".join(labels), "stock levels corrected per run")


def correction_size(outcome: Outcome) -> float:
    try:
        previous = float(outcome.entry.get("previous") or 0)
        return float(outcome.entry.get("quantity") or 0) - previous
    except (TypeError, ValueError):
        return 0.0


def largest_corrections(runs: list[tuple[Run, list[Outcome]]], count: int = 10) -> list[tuple[Run, Outcome, float]]:
    every = [(run, o, correction_size(o)) for run, corrected in runs for o in corrected]
    return sorted(every, key=lambda item: abs(item[2]), reverse=True)[:count]
