import logging
import threading
import time

from netsuite_lib.slots import CALM_ANSWERS_TO_GROW, AccountSlots


def test_a_refusal_lowers_the_limit_below_what_was_in_flight_and_calm_answers_raise_it_back(caplog):
    slots = AccountSlots(4, logging.getLogger("test"))
    for _ in range(4):
        slots.acquire()
    with caplog.at_level(logging.INFO):
        slots.release(refused_over_limit=True)  # four were in flight: NetSuite takes at most three
    assert slots.limit == 3
    assert "now at most 3 at once (setting: 4)" in caplog.text
    slots.release(refused_over_limit=True)
    slots.release(refused_over_limit=True)
    assert slots.limit == 1
    slots.release(refused_over_limit=False)
    for _ in range(CALM_ANSWERS_TO_GROW - 1):
        slots.acquire()
        slots.release(refused_over_limit=False)
    assert slots.limit == 2
    for _ in range(10 * CALM_ANSWERS_TO_GROW):
        slots.acquire()
        slots.release(refused_over_limit=False)
    assert slots.limit == 4  # never above the setting


def test_no_more_requests_in_flight_than_the_current_limit():
    slots = AccountSlots(3, logging.getLogger("test"))
    slots.limit = 2
    in_flight, most = 0, 0
    lock = threading.Lock()

    def request():
        nonlocal in_flight, most
        slots.acquire()
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.01)
        with lock:
            in_flight -= 1
        slots.release(refused_over_limit=False)

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert most == 2


def test_release_says_whether_a_request_was_waiting_for_the_slot():
    # The adapter gives the waiting request the interpreter at once only then (no pointless yield otherwise).
    slots = AccountSlots(1, logging.getLogger("test"))
    slots.acquire()
    assert slots.release(refused_over_limit=False) is False
    slots.acquire()
    got_it = threading.Event()

    def second():
        slots.acquire()
        got_it.set()

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + 5
    while not got_it.is_set() and time.monotonic() < deadline and slots._waiting == 0:
        time.sleep(0.005)
    assert not got_it.is_set()
    assert slots.release(refused_over_limit=False) is True
    assert got_it.wait(5)
    thread.join(5)
    assert slots.release(refused_over_limit=False) is False
