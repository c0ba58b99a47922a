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
