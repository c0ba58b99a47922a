"""The start-up shortcut changes nothing a connector says: its spec, its protocol messages and the errors for a
bad message are the same with and without it (each checked in a fresh interpreter)."""
import json
import subprocess
import sys

PROBE = r"""
import json, sys
if sys.argv[1] == "shortcut":
    import connector_start
    assert connector_start.ACTIVE
from airbyte_cdk.models import AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer
from source_shipstation import SourceShipstation
import logging
spec = SourceShipstation().spec(logging.getLogger("probe")).model_dump(mode="json") if hasattr(
    SourceShipstation().spec(logging.getLogger("probe")), "model_dump") else None
message = AirbyteMessageSerializer.load({"type": "RECORD", "record": {"stream": "s", "data": {"a": 1}, "emitted_at": 1}})
try:
    AirbyteMessageSerializer.load({"type": "RECORD", "record": {"stream": 5}})
    error = None
except Exception as exc:
    error = type(exc).__name__
catalog = ConfiguredAirbyteCatalogSerializer.load({"streams": []})
print(json.dumps({"message": AirbyteMessageSerializer.dump(message), "error": error,
                  "catalog": ConfiguredAirbyteCatalogSerializer.dump(catalog),
                  "spec": json.dumps(SourceShipstation().spec(logging.getLogger("probe")).connectionSpecification,
                                     sort_keys=True)}))
"""


def _probe(mode: str) -> dict:
    answer = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr[-2000:]
    return json.loads(answer.stdout.strip().splitlines()[-1])


def test_the_shortcut_changes_nothing_a_connector_says():
    assert _probe("shortcut") == _probe("plain")


def test_the_shortcut_is_taken_before_the_cdk_when_a_connector_package_is_imported():
    check = ("import sys, source_shipstation, connector_start; "
             "print(connector_start.ACTIVE)")
    answer = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert answer.stdout.strip() == "True", answer.stderr[-2000:]
