"""Reliability, fast part: credentials and limits moving while a sync runs."""
from __future__ import annotations

import random
import threading
import time

import requests
from emulators import fulfillment_testkit as kit
from emulators import reliability as rel


def when_audited(sync, count: int, action, outcome: str | None = None) -> threading.Thread:
    """Runs `action` once the sync's audit file holds `count` lines (of `outcome`, if given): mid-sync."""
    def watch():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = [a for a in sync.audit_lines() if outcome is None or a["outcome"] == outcome]
            if len(lines) >= count:
                action()
                watcher.fired = True
                return
            time.sleep(0.01)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.fired = False
    watcher.start()
    return watcher


def test_netsuite_bearer_token_expiring_mid_sync_is_renewed_and_the_sync_carries_on(tmp_path, guard):
    with rel.world(seed=41) as w:
        w.buy_labels(8, random.Random(41), void_share=0.0)
        sync = rel.Sync1(w, tmp_path, auth="oauth2_client_credentials", batch_size=2, concurrency=1)
        w.control("ns", "latency", {"ms": 30})
        watcher = when_audited(sync, 1, lambda: w.control("ns", "revoke", {"what": "bearer_tokens"}))
        outcome = sync.run()
        watcher.join(timeout=30)
        assert watcher.fired and outcome.error is None, outcome.describe()
        assert rel.lost_shipments(w) == [] and rel.duplicate_fulfillments(w) == []
        entries = requests.get(f"{w.ns.base_url}/__emulator/login-audit", timeout=10).json()["entries"]
        assert any(e["status"] == "Failure" and e["scheme"] == "Bearer" for e in entries)


def test_netsuite_concurrency_limit_dropping_mid_sync_slows_it_without_failing(tmp_path, guard):
    with rel.world(seed=42) as w:
        w.buy_labels(12, random.Random(42), void_share=0.0)
        sync = rel.Sync1(w, tmp_path, batch_size=12, concurrency=4)
        w.control("ns", "latency", {"ms": 60})
        before = kit.stats(w.ns)["responses_429"]
        watcher = when_audited(sync, 1, lambda: w.control("ns", "concurrency", {"limit": 1}))
        outcome = sync.run()
        watcher.join(timeout=30)
        assert watcher.fired and outcome.error is None, outcome.describe()
        assert kit.stats(w.ns)["responses_429"] > before  # NetSuite did refuse the parallel requests
        assert not any(a["outcome"] == "failed" for a in sync.audit_lines())
        assert rel.lost_shipments(w) == [] and rel.duplicate_fulfillments(w) == []


def test_shipstation_key_revoked_mid_sync_fails_clearly_and_a_run_with_the_new_key_resumes(tmp_path, guard):
    _, logs = guard
    with rel.world(seed=44, items=40, locations=3) as w:
        sync = rel.Sync2(w, tmp_path)
        w.control("ss", "latency", {"ms": 40})
        drifted = len(rel.stock_mismatches(w))
        watcher = when_audited(sync, 3, lambda: w.control("ss", "revoke", {"api": "v2"}), outcome="updated")
        stopped = sync.run()
        watcher.join(timeout=30)
        assert watcher.fired and stopped.error is not None and not stopped.crash, stopped.describe()
        assert "could not be written to ShipStation" in str(stopped.error)
        reasons = {a["reason"] for a in sync.audit_lines() if a["outcome"] == "failed"}
        assert reasons and all("ShipStation refused the v2 API key" in r for r in reasons), reasons
        left = len(rel.stock_mismatches(w))
        assert 0 < left < drifted  # it stopped part-way
        assert sync.state_json is None  # no state past the rows it could not write

        new_key = "reliability-new-v2-key-0123456789"
        w.control("ss", "credentials", {"v2_api_key": new_key})
        sync.destination_config["credentials"]["api_key"] = new_key
        resumed = sync.run()
        assert resumed.error is None, resumed.describe()
        assert rel.stock_mismatches(w) == {}
        updated_after = [a for a in sync.audit_lines()[-(len(rel.netsuite_stock(w.ns))):] if a["outcome"] == "updated"]
        assert len(updated_after) == left  # only what was left; the rows done before the revocation stay done
        assert rel.leaked_secrets(sync.secrets() + [new_key], logs.lines + sync.texts()) == []


def test_netsuite_token_revoked_mid_sync_fails_clearly_and_a_run_after_restore_resumes(tmp_path, guard):
    _, logs = guard
    with rel.world(seed=45) as w:
        w.buy_labels(8, random.Random(45), void_share=0.0)
        sync = rel.Sync1(w, tmp_path, batch_size=2, concurrency=1)
        w.control("ns", "latency", {"ms": 30})
        watcher = when_audited(sync, 2, lambda: w.control("ns", "revoke", {"what": "token"}), outcome="created")
        stopped = sync.run()
        watcher.join(timeout=30)
        w.control("ns", "restore", {})
        assert watcher.fired and stopped.error is not None and not stopped.crash, stopped.describe()
        assert "refused the login" in str(stopped.error)
        created_first = sum(a["outcome"] == "created" for a in sync.audit_lines())
        assert 2 <= created_first < 8
        assert rel.duplicate_fulfillments(w) == []

        resumed = sync.run()
        assert resumed.error is None, resumed.describe()
        assert rel.lost_shipments(w) == [] and rel.duplicate_fulfillments(w) == []
        last = sync.audit_lines()[-8:]
        assert sum(a["outcome"] == "already_present" for a in last) == created_first
        assert rel.leaked_secrets(sync.secrets(), logs.lines + sync.texts()) == []


def test_shipstation_key_revoked_mid_sync_stops_with_an_error_naming_the_key(tmp_path, guard):
    with rel.world(seed=44, items=40, locations=3) as w:
        sync = rel.Sync2(w, tmp_path)
        w.control("ss", "latency", {"ms": 40})
        watcher = when_audited(sync, 3, lambda: w.control("ss", "revoke", {"api": "v2"}), outcome="updated")
        stopped = sync.run()
        watcher.join(timeout=30)
        message = str(stopped.error)
        assert stopped.error is not None and not stopped.crash, stopped.describe()
        # which credential, and what to do about it; never the credential itself
        assert "v2 API key of this connection" in message and "API Settings" in message, message
        assert rel.leaked_secrets(sync.secrets(), [message]) == []
        assert sum(a["outcome"] == "failed" for a in sync.audit_lines()) <= 1  # nothing more sent with a dead key


def test_shipstation_rate_limit_shrinking_mid_sync_is_waited_out_and_every_stock_level_converges(tmp_path, guard):
    # ShipStation's window is 60 s (the soak's case); 3 s on the emulator and in the connector's pacing lets the
    # shrunken limit refuse, and reset, several times within a few seconds.
    window, shrunk_to = 3, 6
    _, logs = guard
    with rel.world(seed=46, items=20, locations=2) as w, rel.short_rate_window(w, window):
        sync = rel.Sync2(w, tmp_path)
        w.control("ss", "latency", {"ms": 30})
        assert len(rel.stock_mismatches(w)) > 3 + shrunk_to  # writes left after the shrink for more than a window
        shrunk_at: list[float] = []

        def shrink():
            shrunk_at.append(time.monotonic())
            w.control("ss", "rate-limits", {"v2": shrunk_to})  # from ShipStation's 200
        watcher = when_audited(sync, 3, shrink, outcome="updated")
        started = time.monotonic()
        outcome = sync.run()
        finished = time.monotonic()
        watcher.join(timeout=30)
        assert watcher.fired and outcome.error is None, outcome.describe()
        # About 3 windows; a client still pacing on 60 s windows would sit out a whole minute per 429.
        assert finished - started < 40, f"{finished - started:.0f} s"
        assert rel.stock_mismatches(w) == {}
        assert not any(a["outcome"] == "failed" for a in sync.audit_lines())

        refused = kit.stats(w.ss)["rate_limited"]["v2"]
        assert refused >= 1  # the shrink bit: the sync was held back by ShipStation's 429s
        # Each 429 was waited out: no request came back inside the window it was refused in, hence at most one
        # refusal per window since the shrink (a client retrying on its own schedule would pile them up).
        assert w.control("ss", "rate-limits", {})["early_retries"]["v2"] == 0
        assert refused <= (finished - shrunk_at[0]) / window + 1, refused
        assert rel.leaked_secrets(sync.secrets(), logs.lines + sync.texts()) == []
