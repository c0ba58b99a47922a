"""Bursts of sync requests become few syncs, one connection never runs two at once, a failing trigger is retried
a bounded number of times."""
import time

from webhook_relay.scheduler import CoalescingScheduler


def test_requests_within_the_window_become_one_sync(kit):
    trigger = kit.RecordingTrigger()
    scheduler = CoalescingScheduler(trigger, window_seconds=0.3)
    for _ in range(50):
        scheduler.request("sync1")
    assert kit.wait_until(lambda: trigger.calls, timeout=5)
    kit.wait_until(lambda: len(trigger.calls) > 1, timeout=0.8)
    scheduler.stop()
    assert trigger.calls == ["sync1"]


def test_requests_during_a_sync_make_exactly_one_more_and_never_overlap(kit):
    trigger = kit.RecordingTrigger(seconds=0.5)
    scheduler = CoalescingScheduler(trigger, window_seconds=0.05)
    scheduler.request("sync1")
    assert kit.wait_until(lambda: trigger.running, timeout=5, interval=0.005)
    for _ in range(20):  # all while the first sync runs
        scheduler.request("sync1")
        time.sleep(0.01)
    assert kit.wait_until(lambda: len(trigger.calls) == 2 and trigger.running == 0, timeout=5)
    kit.wait_until(lambda: len(trigger.calls) > 2, timeout=0.5)
    scheduler.stop()
    assert trigger.calls == ["sync1", "sync1"] and trigger.max_running == 1


def test_two_connections_sync_independently(kit):
    trigger = kit.RecordingTrigger(seconds=0.3)
    scheduler = CoalescingScheduler(trigger, window_seconds=0.05)
    scheduler.request("a")
    scheduler.request("b")
    assert kit.wait_until(lambda: sorted(trigger.calls) == ["a", "b"], timeout=5)
    scheduler.stop()
    assert trigger.max_running == 2  # one per connection, at the same time


def test_a_failing_trigger_is_retried_boundedly_and_covered_work_is_kept(kit):
    attempts, covered_after = [], []

    class Down:
        def request_sync(self, connection):
            attempts.append(connection)
            raise RuntimeError("Airbyte is down")

    scheduler = CoalescingScheduler(Down(), window_seconds=0.01, retry_seconds=0.01, max_failures=3,
                                    before_sync=lambda c: [1, 2], after_sync=lambda c, ids: covered_after.append(ids))
    scheduler.request("sync1")
    assert kit.wait_until(lambda: len(attempts) == 3, timeout=5)
    kit.wait_until(lambda: len(attempts) > 3, timeout=0.5)
    scheduler.stop()
    assert len(attempts) == 3 and covered_after == []
