"""How the relay starts sync 1: an interface, and the two ways it is met (the Airbyte API, or a callable that the
local runner or a test hands in).

`request_sync(connection)` returns when the sync has finished (or, if it cannot know, when it has started): the
scheduler relies on that to never run two syncs of one connection at once.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Protocol

import requests

log = logging.getLogger("webhook_relay.trigger")


class TriggerError(Exception):
    pass


class SyncTrigger(Protocol):
    def request_sync(self, connection: str) -> None: ...


class CallableTrigger:
    """Runs `run(connection)` in the scheduler's thread: the local runner passes its "run this connection once".
    With `apply` (the local runner's fast path: `apply(connection, records)` runs the connection's destination
    alone on records the relay built), the relay applies what it could build itself without a source run."""

    def __init__(self, run: Callable[[str], object],
                 apply: Callable[[str, list[dict]], object] | None = None) -> None:
        self._run = run
        self._apply = apply

    @property
    def can_apply(self) -> bool:
        return self._apply is not None

    def request_sync(self, connection: str) -> None:
        self._run(connection)

    def apply_records(self, connection: str, records: list[dict]) -> object:
        if self._apply is None:
            raise TriggerError("this trigger cannot apply records: it only starts syncs")
        return self._apply(connection, records)


class AirbyteApiTrigger:
    """`POST /v1/jobs {"connectionId", "jobType": "sync"}` with a bearer token, then follows the job until it ends,
    so a second sync is only asked for once the first is over."""

    RUNNING = {"pending", "running"}

    def __init__(self, api_url: str, token: str, poll_seconds: float = 5.0, max_wait_seconds: float = 4 * 3600,
                 timeout: float = 30.0, session: requests.Session | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.poll_seconds, self.max_wait, self.timeout = poll_seconds, max_wait_seconds, timeout
        self._session = session or requests.Session()

    def request_sync(self, connection: str) -> None:
        answer = self._call("POST", "/v1/jobs", json={"connectionId": connection, "jobType": "sync"})
        if answer.status_code == 409:
            # Airbyte already runs a sync of this connection (started by its own schedule): it may have read the
            # source before our shipment existed, so ask again once it is over.
            raise TriggerError("Airbyte is already running a sync of this connection; will ask again")
        job = self._json(answer, "start a sync")
        job_id = job.get("jobId")
        log.info("Airbyte sync job %s started for connection %s", job_id, connection)
        if job_id is None:
            return
        deadline = time.monotonic() + self.max_wait
        status = job.get("status")
        while status in self.RUNNING and time.monotonic() < deadline:
            time.sleep(self.poll_seconds)
            status = self._json(self._call("GET", f"/v1/jobs/{job_id}"), "read the sync job").get("status")
        log.info("Airbyte sync job %s ended as %s", job_id, status)

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            return self._session.request(method, self.api_url + path, timeout=self.timeout,
                                         headers={"Authorization": f"Bearer {self._token}",
                                                  "Accept": "application/json"}, **kwargs)
        except requests.RequestException as exc:
            # The exception text may hold the request; only its kind is reported.
            raise TriggerError(f"the Airbyte API at {self.api_url} could not be reached ({type(exc).__name__})") \
                from None

    def _json(self, answer: requests.Response, what: str) -> dict:
        if answer.status_code in (401, 403):
            raise TriggerError(f"the Airbyte API refused the token ({answer.status_code}) when asked to {what}")
        if answer.status_code >= 300:
            raise TriggerError(f"the Airbyte API answered {answer.status_code} when asked to {what}")
        try:
            body = answer.json()
        except ValueError:
            raise TriggerError(f"the Airbyte API answered with something that is not JSON when asked to {what}") \
                from None
        return body if isinstance(body, dict) else {}


class LoggingTrigger:
    """For `serve` without a trigger configured: says what it would do, so a first setup can be tried safely."""

    def request_sync(self, connection: str) -> None:
        log.info("a sync of %s would start now (no trigger configured)", connection)


def trigger_from_config(settings: dict) -> SyncTrigger:
    kind = settings.get("kind", "log")
    if kind == "airbyte":
        if not settings.get("token") or not settings.get("connection"):
            raise ValueError("trigger kind airbyte needs connection (the connection id) and token")
        return AirbyteApiTrigger(settings.get("api_url", "https://api.airbyte.com"), settings["token"],
                                 poll_seconds=float(settings.get("poll_seconds", 5)))
    if kind == "log":
        return LoggingTrigger()
    raise ValueError(f"unknown trigger kind {kind!r}: use 'airbyte', or give the relay a CallableTrigger in code")
