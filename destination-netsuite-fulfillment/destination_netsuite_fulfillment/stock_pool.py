"""What is available per item, location, lot/serial and bin during one sync, shared by the threads that fulfil
different orders at once.

The batch lookup fills it; each fulfillment takes what it assigns before it is sent (so two orders never assign
the same serial or the last of a lot), and gives it back when NetSuite refuses the fulfillment. A re-read of an
order (after a voided label put stock back) replaces its items' rows with NetSuite's numbers.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import replace
from typing import Iterable, Iterator

from .allocation import StockSlot, Take


class StockPool:
    def __init__(self, slots: Iterable[StockSlot] = ()) -> None:
        self._lock = threading.RLock()
        self._slots: dict[tuple, StockSlot] = {}
        self.add(slots)

    def add(self, slots: Iterable[StockSlot]) -> None:
        with self._lock:
            for slot in slots:
                self._slots[slot.key] = slot

    def replace_items(self, items: Iterable[str], slots: Iterable[StockSlot]) -> None:
        """NetSuite's current rows for these items, in place of what the pool held for them."""
        items = set(items)
        with self._lock:
            self._slots = {k: s for k, s in self._slots.items() if s.item not in items}
            self.add(slots)

    def at(self, item: str, location: str) -> list[StockSlot]:
        with self._lock:
            return [s for s in self._slots.values() if s.item == item and s.location == location and s.available > 0]

    def total(self, item: str, location: str) -> float:
        return sum(s.available for s in self.at(item, location))

    def take(self, takes: Iterable[Take]) -> None:
        self._move(takes, -1)

    def give_back(self, takes: Iterable[Take]) -> None:
        self._move(takes, +1)

    def _move(self, takes: Iterable[Take], sign: int) -> None:
        with self._lock:
            for t in takes:
                current = self._slots.get(t.slot.key, replace(t.slot, available=0))
                self._slots[t.slot.key] = replace(current, available=current.available + sign * t.quantity)

    @contextmanager
    def exclusive(self) -> Iterator["StockPool"]:
        """Hold the pool while one shipment's lines are allocated, so what they read is still there when taken."""
        with self._lock:
            yield self
