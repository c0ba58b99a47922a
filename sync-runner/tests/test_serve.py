"""`sync-runner serve` as a service manager runs it: stays up, stops cleanly on SIGTERM."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

CONFIG = """
connections:
  shipments_to_netsuite:
    schedule: manual
    streams: [shipments]
    source: {connector: source-shipstation, config: {credentials: {api_version: v2, api_key: "${SR_TEST_KEY}"}}}
    destination: {connector: destination-netsuite-fulfillment, config: {}}
"""


def test_serve_stays_up_and_stops_cleanly_on_sigterm(tmp_path):
    config = tmp_path / "runner.yaml"
    config.write_text(CONFIG)
    process = subprocess.Popen([sys.executable, "-m", "sync_runner", "serve", "--config", str(config)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={"SR_TEST_KEY": "a-secret-key-for-serve", "PATH": "/usr/bin:/bin"})
    try:
        time.sleep(1.5)
        assert process.poll() is None, process.stdout.read()  # still serving
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, out
    assert "[shipments_to_netsuite] scheduled on request only" in out
    assert "shutting down" in out and out.rstrip().endswith("stopped")
    assert "a-secret-key-for-serve" not in out


def test_serve_applies_a_webhook_without_a_source_run_and_leaves_no_config_copy(world, tmp_path, add_relay):
    """The relay's fast path under `serve`: the label's fulfillment is written by the destination alone, and on
    SIGTERM the destination process kept open for the relay's batches ends and its config copy is removed."""
    import os

    import pytest

    pytest.importorskip("webhook_relay.relay")
    from emulators import fulfillment_testkit as kit

    ns, ss, config_path, secrets = world
    # No schedules: the only way the label can reach NetSuite here is the relay.
    text = config_path.read_text().replace("schedule: 15m", "schedule: manual").replace(
        "schedule: every 30 minutes", "schedule: manual")
    config_path.write_text(text)
    add_relay(config_path, coalesce_seconds=None)
    env = {**os.environ, "AIRBYTE_OFFLINE_MODE": "1"}
    subscribe = subprocess.run([sys.executable, "-m", "sync_runner", "subscribe", "--config", str(config_path)],
                               capture_output=True, text=True, env=env, timeout=60)
    assert subscribe.returncode == 0, subscribe.stdout + subscribe.stderr
    process = subprocess.Popen([sys.executable, "-m", "sync_runner", "serve", "--config", str(config_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        order = kit.unused_orders(ns)[0]
        time.sleep(3)  # the relay listening
        label = kit.control(ss, "labels", {"order_number": order})
        deadline = time.monotonic() + 90  # the first one also pays PyAirbyte's import
        while not kit.fulfillments(ns, order) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        [made] = kit.fulfillments(ns, order)
        assert made["packages"] == label["tracking_numbers"]
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, out
    assert "applying 1 shipments records from the webhook relay" in out, out
    assert "starting: source-shipstation" not in out  # no regular sync ran
    assert not list((config_path.parent / ".sync-runner" / "shipments_to_netsuite").glob("apply-*"))
    assert not any(secret in out for secret in secrets)
