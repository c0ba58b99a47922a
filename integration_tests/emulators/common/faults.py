"""Latency and fault injection, as ASGI middleware in front of an emulator's API (never its control plane).

Faults are drawn from a seeded generator, so a failing run can be replayed with the same seed.
"""
from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import dataclass, field
from typing import Callable

CONTROL_PREFIX = "/__emulator"
FAULT_KINDS = ("429", "500", "502", "503", "slow", "drop")


@dataclass
class FaultSettings:
    rate: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = FAULT_KINDS
    slow_seconds: float = 35.0
    latency_ms: float = 0.0
    injected: dict[str, int] = field(default_factory=dict)


class FaultInjector:
    """Decides, per API request, whether to answer with a fault; thread-safe, deterministic for a seed."""

    def __init__(self) -> None:
        self.settings = FaultSettings()
        self._random = random.Random(0)
        self._lock = threading.Lock()
        self.timing = LatencyTiming()

    def configure(self, rate: float = 0.0, seed: int = 0, kinds=FAULT_KINDS, slow_seconds: float = 35.0,
                  latency_ms: float | None = None) -> None:
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        with self._lock:
            before = self.settings.latency_ms
            latency = before if latency_ms is None else latency_ms
            self.settings = FaultSettings(rate=rate, seed=seed, kinds=tuple(kinds), slow_seconds=slow_seconds,
                                          latency_ms=latency)
            self._random = random.Random(seed)
            if latency != before:
                self.timing.count_afresh()

    def set_latency(self, latency_ms: float) -> None:
        with self._lock:
            self.settings.latency_ms = latency_ms
            self.timing.count_afresh()

    def draw(self) -> str | None:
        with self._lock:
            if self.settings.rate <= 0 or self._random.random() >= self.settings.rate:
                return None
            kind = self._random.choice(self.settings.kinds)
            self.settings.injected[kind] = self.settings.injected.get(kind, 0) + 1
            return kind

    def describe(self) -> dict:
        s = self.settings
        return {"rate": s.rate, "seed": s.seed, "kinds": list(s.kinds), "slow_seconds": s.slow_seconds,
                "latency_ms": s.latency_ms, "injected": dict(s.injected), "latency_kept": self.timing.describe()}


class LatencyTiming:
    """Keeps the emulated response time on the configured latency, and measures it.

    The event loop's timers fire late: epoll rounds its timeout up to the next millisecond, and a virtual CPU
    woken from idle or a loop busy with another request adds more, about a millisecond in all on a 2-core VM, so
    every answer left some 5% after 20 ms. It learns how late its waits end (a running correction, never more
    than MAX_EARLY_S) and aims that much earlier, so the answers leave at the configured latency on average,
    each within about a millisecond of it. What it kept since the latency was last set is counted (answers, mean
    and earliest arrival-to-answer time), so a benchmark can print the latency it was really measured against."""

    MAX_EARLY_S = 0.002
    LEARNING = 0.05

    def __init__(self) -> None:
        self.early = 0.0
        self.count_afresh()

    def count_afresh(self) -> None:
        self.answers = 0
        self.total_s = 0.0
        self.earliest_s: float | None = None

    async def wait_until(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        wait = deadline - self.early - loop.time()
        if wait <= 0:
            return
        await asyncio.sleep(wait)
        late = loop.time() - deadline
        self.early = min(self.MAX_EARLY_S, max(0.0, self.early + self.LEARNING * late))

    def answered(self, response_time_s: float) -> None:
        self.answers += 1
        self.total_s += response_time_s
        if self.earliest_s is None or response_time_s < self.earliest_s:
            self.earliest_s = response_time_s

    def describe(self) -> dict:
        if not self.answers:
            return {"answers": 0, "mean_ms": None, "earliest_ms": None}
        return {"answers": self.answers, "mean_ms": round(1000 * self.total_s / self.answers, 3),
                "earliest_ms": round(1000 * self.earliest_s, 3)}


Respond = Callable[[int], tuple[int, dict[str, str], bytes]]


class FaultMiddleware:
    """Adds latency and injected faults to every request outside the control plane. An injected fault comes after
    the full latency; a normal answer is held until the latency has passed since the request arrived.

    `error_response(status)` gives the emulated API's own answer for a 429 or 5xx (status, headers, body),
    so an injected fault looks exactly like the real API's.
    """

    def __init__(self, app, injector: FaultInjector, error_response: Respond) -> None:
        self.app = app
        self.injector = injector
        self.error_response = error_response

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        latency = self.injector.settings.latency_ms
        kind = self.injector.draw()
        if kind is None and latency > 0:
            await self.app(scope, receive, _answering_after(arrived_at(scope), latency / 1000.0, self.injector.timing,
                                                            send))
            return
        if latency > 0:
            await asyncio.sleep(latency / 1000.0)
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == "slow":
            await asyncio.sleep(self.injector.settings.slow_seconds)
            await self.app(scope, receive, send)
        elif kind == "drop":
            await _drop_connection(send)
        else:
            status, headers, body = self.error_response(int(kind))
            await _send(send, status, headers, body)


ARRIVED = "emulator.arrived"


def stamp_arrival(scope) -> None:
    """Marks when the request reached the emulator, before its own checks (login, permission, slot) ran."""
    scope.setdefault(ARRIVED, asyncio.get_running_loop().time())


def arrived_at(scope) -> float:
    stamp_arrival(scope)
    return scope[ARRIVED]


def _answering_after(arrival: float, latency_s: float, timing: LatencyTiming, send):
    """The emulated latency is the API's response time: the answer leaves `latency_s` after the request arrived
    (on average: LatencyTiming), and the emulator's own work on the request happens within that time rather than
    added to it, as a real API's processing is part of its response time. A handler slower than the latency
    answers when done."""
    async def delayed(message):
        if message["type"] == "http.response.start":
            await timing.wait_until(arrival + latency_s)
            timing.answered(asyncio.get_running_loop().time() - arrival)
        await send(message)
    return delayed


async def _send(send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(send) -> None:
    # Promise a body and end early: the server closes the socket mid-answer, as a dropped connection does.
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")]})
    await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": False})


def json_body(data) -> bytes:
    return json.dumps(data).encode()
