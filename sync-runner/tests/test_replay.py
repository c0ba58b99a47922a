"""`sync-runner replay`: exactly the shipments named (or every failed or skipped one) applied again through
PyAirbyte on the emulators, nothing else read into the destination, nothing made twice, the saved state left
alone; and each replay kept in the audit store."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
pytest.importorskip("airbyte")

from emulators import fulfillment_testkit as kit  # noqa: E402

from sync_runner.audit_store import AuditStore  # noqa: E402
from sync_runner.cli import main  # noqa: E402
from sync_runner.config import load_config  # noqa: E402


def replay(capsys, config, *args) -> tuple[int, str, str]:
    code = main(["replay", "shipments_to_netsuite", "--config", str(config), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_failed_shipments_are_applied_again_and_only_they(world, capsys):
    ns, ss, config, secrets = world
    closed, other = kit.unused_orders(ns)[:2]
    kit.set_order_status(ns, closed, "H")  # closed in NetSuite by mistake when the label is printed
    skipped = kit.control(ss, "labels", {"order_number": closed})
    kit.control(ss, "labels", {"order_number": other})
    assert main(["run", "shipments_to_netsuite", "--config", str(config)]) == 0
    capsys.readouterr()
    store = AuditStore.for_state_dir(load_config(config).state_dir)
    [attention] = store.needs_attention()
    assert attention.order_number == closed

    saved_state = load_config(config).state_dir / "shipments_to_netsuite" / "state.duckdb"
    before = saved_state.read_bytes()
    kit.set_order_status(ns, closed, "B")  # reopened: the cause is fixed
    code, out, err = replay(capsys, config, "--failed")
    assert code == 0, err
    assert f"applying again 1 shipment(s): {attention.key}" in out
    summary = [line for line in out.splitlines() if line.startswith("summary: ")][0]
    assert "1 records read, 1 created" in summary  # the other shipment, in the same window, was not sent
    assert len(kit.fulfillments(ns, closed)) == 1 and len(kit.fulfillments(ns, other)) == 1
    assert saved_state.read_bytes() == before
    assert store.needs_attention() == []
    assert store.runs()[0].kind == "targeted replay"
    assert not any(secret in out + err for secret in secrets)

    # The same shipment again: the destination recognises it, nothing is made twice.
    code, out, _ = replay(capsys, config, "--shipment", attention.key)
    assert code == 0 and "1 already_present" in out
    assert len(kit.fulfillments(ns, closed)) == 1
    assert skipped["tracking_numbers"][0] in " ".join(kit.fulfillments(ns, closed)[0]["packages"])

    code, out, _ = replay(capsys, config, "--failed")
    assert code == 0 and "nothing to apply again" in out


def test_a_shipment_the_store_never_saw_needs_a_date(world, capsys):
    ns, ss, config, secrets = world
    code, _, err = replay(capsys, config, "--shipment", "se-424242")
    assert code == 2 and "give --since DATE" in err
    code, out, _ = replay(capsys, config, "--shipment", "se-424242", "--since", "2000-01-01")
    assert code == 0 and "not found in ShipStation since 2000-01-01T00:00:00Z: se-424242" in out
    assert main(["replay", "stock_to_shipstation", "--config", str(config), "--shipment", "x",
                 "--since", "2000-01-01"]) == 2


def test_the_source_is_told_which_shipments_and_an_older_one_that_cannot_be_is_refused(world, capsys, monkeypatch):
    """The filter is the source's own setting (source-shipstation's `shipment_ids`), asked for through PyAirbyte's
    public API; a source without that setting would hand on the whole window, so the replay refuses to start."""
    from sync_runner import replay as replay_module

    ns, ss, config, secrets = world
    real = replay_module.source_and_destination
    built: list[dict] = []

    def spying(connection, source_config, destination_config, install_dir):
        built.append(source_config)
        return real(connection, source_config, destination_config, install_dir)

    monkeypatch.setattr(replay_module, "source_and_destination", spying)
    code, out, _ = replay(capsys, config, "--shipment", "se-424242", "--shipment", " se-1 ", "--since", "2000-01-01")
    assert code == 0 and "not found in ShipStation since 2000-01-01T00:00:00Z: se-1, se-424242" in out
    assert built[-1]["shipment_ids"] == ["se-1", "se-424242"] and built[-1]["start_date"] == "2000-01-01T00:00:00Z"

    class OlderSource:
        config_spec = {"properties": {"credentials": {}, "start_date": {}}}

    written: list[str] = []

    class Destination:
        def write(self, *args, **kwargs):
            written.append("write")

    monkeypatch.setattr(replay_module, "source_and_destination", lambda *args: (OlderSource(), Destination()))
    code, _, err = replay(capsys, config, "--shipment", "se-1", "--since", "2000-01-01")
    assert code == 2 and "has no 'shipment_ids' setting" in err and "upgrade" in err
    assert written == []
