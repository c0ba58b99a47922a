"""The web half: check, store, answer. Fetching and triggering happen in the worker thread, so an answer takes
one SQLite commit (plus, for v2, a signature check), and a burst is absorbed by the queue.

No route logs its path: the v1 path holds the secret (uvicorn's access log is switched off for that reason).
"""
from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .relay import Relay
from .verify import Refused, v1_secret_matches, verify_v2

log = logging.getLogger("webhook_relay.app")


class BodyTooLarge(Exception):
    pass


async def read_bounded(request: Request, limit: int) -> bytes:
    """The raw body, refusing before reading more than `limit` bytes (a declared length is checked first)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def parse_notification(body: bytes) -> tuple[str, str]:
    try:
        payload = json.loads(body)
    except ValueError:
        raise Refused(400, "body is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("resource_type"), str):
        raise Refused(400, "body has no resource_type")
    return payload["resource_type"][:100], payload.get("resource_url")


def create_app(relay: Relay, manage_lifecycle: bool = True) -> Starlette:
    config = relay.config

    def refuse(api: str, exc: Refused) -> JSONResponse:
        log.warning("refused a %s call: %s", api, exc.reason)
        return JSONResponse({"error": exc.reason}, status_code=exc.status)

    def store(api: str, body: bytes) -> tuple[int, str]:
        resource_type, resource_url = parse_notification(body)
        relay.policy.check(api, resource_url)
        return relay.accept(api, resource_type, resource_url)

    async def receive(api: str, request: Request, verify=None) -> JSONResponse:
        """Reads the bounded body, runs `verify` on it (off the event loop: it may fetch the JWKS, so other calls
        keep being answered), then stores it; a refusal at any step is answered and logged the same way."""
        try:
            body = await read_bounded(request, config.max_body_bytes)
            if verify is not None:
                await run_in_threadpool(verify, request.headers, body)
            notification_id, state = await run_in_threadpool(store, api, body)
        except BodyTooLarge:
            return refuse(api, Refused(413, "body larger than allowed"))
        except Refused as exc:
            return refuse(api, exc)
        return JSONResponse({"id": notification_id, "state": state}, status_code=202)

    async def v1(request: Request):
        # Unknown path and wrong secret look the same (404), so the secret cannot be probed.
        if "v1" not in config.shipstation or not v1_secret_matches(request.path_params["secret"], config.v1_secret):
            return refuse("v1", Refused(404, "v1 call with a wrong secret"))
        return await receive("v1", request)

    async def v2(request: Request):
        if "v2" not in config.shipstation:
            return refuse("v2", Refused(404, "v2 is not configured"))
        return await receive("v2", request, lambda headers, body: verify_v2(
            headers, body, relay.jwks, config.max_timestamp_skew_seconds))

    async def healthz(request: Request):
        return JSONResponse({"ok": True, "notifications": await run_in_threadpool(relay.store.counts)})

    @asynccontextmanager
    async def lifespan(app):
        if manage_lifecycle:
            relay.start()
        try:
            yield
        finally:
            if manage_lifecycle:
                relay.stop()

    return Starlette(routes=[
        Route("/webhooks/shipstation/v1/{secret}", v1, methods=["POST"]),
        Route("/webhooks/shipstation/v2", v2, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ], lifespan=lifespan)
