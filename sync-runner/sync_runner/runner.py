"""The runner as code uses it (the command line, the demo, the relay): a loaded config plus "run this connection
once", printing progress as it goes."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from .config import RunnerConfig, load_config
from .audit_store import keep_summary
from .connection import DEFAULT_LOCK_WAIT_SECONDS, RunFailed, RunSummary, check_connection, run_connection
from .scheduler import Scheduler

_print_lock = threading.Lock()


def timestamped_print(text: str) -> None:
    # Several connections print from their own threads under `serve`: one whole line at a time.
    with _print_lock:
        print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


class Runner:
    def __init__(self, config: RunnerConfig, progress: Callable[[str], None] = timestamped_print,
                 lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS) -> None:
        self.config, self.progress, self.lock_wait_seconds = config, progress, lock_wait_seconds

    def run(self, name: str, since: str | None = None) -> RunSummary:
        """Runs the named connection once; with `since`, a replay from that moment (see run_connection)."""
        return self.audited(lambda: run_connection(
            self.config.connection(name), self.config.state_dir, self.progress, extra_secrets=self.config.secrets,
            lock_wait_seconds=self.lock_wait_seconds, since=since), kind="replay" if since else "sync")

    def replay_shipments(self, name: str, shipment_ids: list[str], since: str | None = None) -> RunSummary:
        """Applies exactly these shipments again (replay.py), as the page's "apply again" does."""
        from .replay import replay_shipments

        return self.audited(lambda: replay_shipments(self.config, name, shipment_ids, since, self.progress,
                                                     self.lock_wait_seconds), kind="targeted replay")

    def audited(self, run: Callable[[], RunSummary], kind: str = "sync") -> RunSummary:
        """Runs `run` and keeps the summary it returns in the audit store (audit_store.py), a failed run's too
        (RunFailed.summary): every way this runner runs a connection goes through here, so the store and the
        page see every outcome."""
        try:
            summary = run()
        except RunFailed as failed:
            keep_summary(self.config.state_dir, failed.summary, kind, str(failed), self.progress)
            raise
        keep_summary(self.config.state_dir, summary, kind, None, self.progress)
        return summary

    def apply(self, name: str, records: list[dict]) -> RunSummary:
        """The webhook relay's fast path: the named connection's destination alone, fed `records` (built by the
        relay as the source builds them); no source run, no state moved (connection.apply_records)."""
        from .connection import apply_records

        return self.audited(lambda: apply_records(
            self.config.connection(name), records, self.config.state_dir, self.progress,
            extra_secrets=self.config.secrets, lock_wait_seconds=self.lock_wait_seconds), kind="webhook fast path")

    def check(self, name: str) -> dict[str, str]:
        """connector -> "SUCCEEDED" or "FAILED: reason", for both connectors of the named connection."""
        return check_connection(self.config.connection(name), self.config.state_dir, self.config.secrets)

    def scheduler(self) -> Scheduler:
        return Scheduler(self.run, {name: c.interval_seconds for name, c in self.config.connections.items()},
                         apply_once=self.apply)


def run_once(config: str | Path | RunnerConfig, connection: str,
             progress: Callable[[str], None] = timestamped_print) -> RunSummary:
    """Runs one connection once and returns its summary: the one call a demo or a script needs."""
    loaded = config if isinstance(config, RunnerConfig) else load_config(config)
    return Runner(loaded, progress).run(connection)
