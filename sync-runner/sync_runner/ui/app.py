"""The page's routes. Every response is rendered from templates/ and passed through the Redactor before it
leaves, so a secret that reached a reason or a config cannot reach the page."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..audit_store import NEEDS_ATTENTION, AuditStore
from ..config import RunnerConfig
from ..connection import RunFailed
from ..redact import Redactor
from . import charts, data
from .security import Csrf, Guard

PAGE_SIZE = 50
GROUP_SHOWN = 50  # records listed per reason; "apply this group again" takes all of them
GOOD = {"created", "updated", "already_present", "unchanged", "reversed", "would_change"}
TEMPLATES = Path(__file__).parent / "templates"


def outcome_class(outcome: str) -> str:
    return "ok" if outcome in GOOD else ("bad" if outcome == "failed" else "warn")


class Page:
    """One config's page: its store, its connections and (when every variable it names is set) a runner."""

    def __init__(self, config: RunnerConfig, missing_env: set[str] | None = None, runner=None) -> None:
        self.config, self.missing_env = config, set(missing_env or ())
        self.store = AuditStore.for_state_dir(config.state_dir)
        self.secrets = data.page_secrets(config)
        self.redact = Redactor(self.secrets)
        self.csrf = Csrf()
        self.runner = runner
        self._applying = threading.Lock()  # one "apply again" at a time from this page
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
        self.env.globals.update(outcome_class=outcome_class, csrf=self.csrf.token, connections=config.connections)

    def render(self, template: str, status: int = 200, **context) -> HTMLResponse:
        html = self.env.get_template(template).render(**context)
        return HTMLResponse(self.redact(html), status_code=status)

    @property
    def can_apply(self) -> bool:
        return not self.missing_env

    def get_runner(self):
        if self.runner is None:
            from ..runner import Runner

            self.runner = Runner(self.config, progress=lambda text: None, lock_wait_seconds=120)
        return self.runner

    # ------------------------------------------------------------------------------------------------- views
    def connections(self, request: Request) -> Response:
        today = date.today()
        last_month_end = today.replace(day=1) - timedelta(days=1)
        return self.render("connections.html", nav="connections",
                           connections=data.connections(self.config, self.store, self.secrets),
                           queue=data.relay_queue(self.config), reconciliation=data.latest_reconciliation(self.config),
                           missing_env=sorted(self.missing_env), can_apply=self.can_apply,
                           period=(last_month_end.replace(day=1).isoformat(), last_month_end.isoformat()))

    def run(self, request: Request) -> Response:
        run = self.store.run(int(request.path_params["run_id"]))
        if run is None:
            return self.render("message.html", status=404, title="No such run", text="The audit store has no run "
                               f"{request.path_params['run_id']}.")
        total = self.store.count(run.id)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, _int(request.query_params.get("page"), 1)), pages)
        records = self.store.query(run_id=run.id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        errors = [r for r in self.store.query(run_id=run.id, outcome="failed", limit=PAGE_SIZE)]
        return self.render("run.html", nav="runs", run=run, records=records, page=page, pages=pages, total=total,
                           errors=errors)

    def search(self, request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        found, total = self.store.search(text) if text else ([], 0)
        histories: OrderedDict[tuple[str, str, str], list] = OrderedDict()
        for outcome in found:
            histories.setdefault((outcome.connection, outcome.stream, outcome.key), []).append(outcome)
        return self.render("search.html", nav="search", q=text, histories=histories, total=total, shown=len(found))

    def attention(self, request: Request) -> Response:
        groups = self.store.attention_groups(per_group=GROUP_SHOWN)
        return self.render("attention.html", nav="attention", groups=groups, can_apply=self.can_apply,
                           missing_env=sorted(self.missing_env))

    def charts(self, request: Request) -> Response:
        stock = self.store.stock_corrections()
        return self.render("charts.html", nav="charts", per_day=charts.outcomes_per_day(self.store.outcomes_per_day()),
                           drift=charts.drift_per_run(stock), largest=charts.largest_corrections(stock),
                           colours=charts.COLOURS)

    def report_file(self, request: Request) -> Response:
        root = data.reconcile_dir(self.config).resolve()
        path = (root / request.path_params["path"]).resolve()
        if root not in path.parents or not path.is_file() or path.suffix not in data.REPORT_SUFFIXES:
            return PlainTextResponse("no such report file", status_code=404)
        return FileResponse(path)

    async def _form(self, request: Request, cannot: str) -> tuple[dict, Response | None]:
        """A posted form, or the page refusing it: a CSRF token that is not this server's, or a config whose
        secrets are not set here (the page can show, but not act)."""
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if not self.csrf.valid(form.get("csrf")):
            return form, self.render("message.html", status=403, title="Refused",
                                     text="This form is out of date or came from another site: reload the page and "
                                          "try again.")
        if not self.can_apply:
            return form, self.render("message.html", status=409, title=cannot,
                                     text="The config names environment variables that are not set here ("
                                          + ", ".join(sorted(self.missing_env)) + "): set them and restart "
                                          "sync-runner ui.")
        return form, None

    async def apply(self, request: Request) -> Response:
        form, refusal = await self._form(request, "Cannot apply again")
        if refusal is not None:
            return refusal
        targets = _targets(self.store, form)
        if not targets:
            return self.render("message.html", status=400, title="Nothing to apply again",
                               text="None of the records asked for still needs attention.")
        results = await run_in_threadpool(self._apply, targets)
        return self.render("applied.html", nav="attention", results=results)

    async def reconcile(self, request: Request) -> Response:
        """Runs a new reconciliation (reconcile.py, read-only on both systems), then shows the connections view
        with it as the latest."""
        form, refusal = await self._form(request, "Cannot reconcile")
        if refusal is not None:
            return refusal
        try:
            from ..reconcile import run_reconcile

            await run_in_threadpool(run_reconcile, self.config, form.get("from", ""), form.get("to", ""))
        except Exception as exc:  # a bad date, a system that cannot be read: said on the page
            return self.render("message.html", status=400, title="The reconciliation did not run",
                               text=f"{type(exc).__name__}: {exc}")
        return RedirectResponse("/#reconciliation", status_code=303)

    def _apply(self, targets: dict[str, list]) -> list[dict]:
        """Per connection: sync 1's shipments by a targeted replay; stock and orders, read whole or from their own
        overlap, by a normal run of their connection."""
        results = []
        with self._applying:
            runner = self.get_runner()
            for name, outcomes in targets.items():
                keys = [o.key for o in outcomes]
                connection = self.config.connections.get(name)
                targeted = connection is not None and connection.source.connector == "source-shipstation" and all(
                    o.stream == "shipments" for o in outcomes)
                error, summary = None, None
                try:
                    summary = runner.replay_shipments(name, keys) if targeted else runner.run(name)
                except RunFailed as failed:
                    error, summary = str(failed), failed.summary
                except Exception as exc:  # a config or lock problem: said on the page, the page stays up
                    error = f"{type(exc).__name__}: {exc}"
                wanted = set(keys)
                entries = [e for e in (summary.audit if summary else []) if str(e.get("key")) in wanted]
                latest = {o.key: o for o in self.store.needs_attention(name)}
                results.append({"connection": name, "how": "targeted replay" if targeted else "a run of the connection",
                                "targets": keys, "entries": entries, "error": error, "summary": summary,
                                "still": [k for k in keys if k in latest]})
        return results


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def _targets(store: AuditStore, form: dict) -> dict[str, list]:
    """connection -> the records the form names, among those that still need attention."""
    scope, connection = form.get("scope", "one"), form.get("connection")
    if scope == "all":
        picked = store.needs_attention()
    elif scope == "group":
        picked = store.needs_attention(connection, kind=form.get("reason", ""))
    else:
        picked = store.needs_attention(connection, key=form.get("key") or "")
    targets: dict[str, list] = {}
    for o in picked:
        targets.setdefault(o.connection, []).append(o)
    return targets


def build_app(page: Page, token: str | None = None, loopback_only: bool = True) -> Guard:
    app = Starlette(routes=[
        Route("/", page.connections),
        Route("/runs/{run_id:int}", page.run),
        Route("/search", page.search),
        Route("/attention", page.attention),
        Route("/attention/apply", page.apply, methods=["POST"]),
        Route("/charts", page.charts),
        Route("/reconcile/run", page.reconcile, methods=["POST"]),
        Route("/reconcile/{path:path}", page.report_file),
    ])
    return Guard(app, token=token, loopback_only=loopback_only)


__all__ = ["NEEDS_ATTENTION", "Page", "build_app"]
