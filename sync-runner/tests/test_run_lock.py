"""A second run of a connection that is already running (another thread, or `sync-runner run` beside `serve`)
waits its turn, boundedly, and is refused with a clear message when the first does not end in time."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest

from sync_runner.run_lock import ConnectionBusy, run_lock


def test_a_second_run_waits_for_the_first_and_then_goes(tmp_path):
    order: list[str] = []
    first_holds = threading.Event()

    def first():
        with run_lock(tmp_path / "run.lock", "c", wait_seconds=0):
            first_holds.set()
            time.sleep(0.5)
            order.append("first ends")

    thread = threading.Thread(target=first)
    thread.start()
    assert first_holds.wait(5)
    with run_lock(tmp_path / "run.lock", "c", wait_seconds=5):
        order.append("second starts")
    thread.join()
    assert order == ["first ends", "second starts"]


def test_a_run_held_by_another_process_is_refused_after_the_wait(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from sync_runner.run_lock import run_lock
        with run_lock(Path({str(tmp_path / 'run.lock')!r}), "c", 0):
            print("holding", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with pytest.raises(ConnectionBusy, match="c is already running"):
            with run_lock(tmp_path / "run.lock", "c", wait_seconds=0.5):
                pass
        assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()
    # the kernel drops a dead holder's lock: no stale lock file blocks the next run
    with run_lock(tmp_path / "run.lock", "c", wait_seconds=2):
        pass
