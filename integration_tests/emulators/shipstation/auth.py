"""The gate in front of every API route: request counting, authentication, rate limiting, error wiring.

v1 takes HTTP Basic (API key as user, secret as password); v2 takes an `API-Key` header (any case).
Credentials of one API are refused by the other. Auth is checked before the rate limit, so a wrong key does
not use up the real key's budget.
"""
from __future__ import annotations

import base64
import binascii
import json
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from .backend import ShipStationBackend
from .errors import V1_TOO_MANY, V1_UNAUTHORIZED_HTML, V1Error, V2Error, v2_inventory_not_enabled, \
    v2_rate_limited, v2_unauthorized


def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(data, separators=(",", ":")).encode()
    return Response(body, status, headers=headers, media_type="application/json; charset=utf-8")


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def v1_endpoint(backend: ShipStationBackend):
    def decorate(handler):
        @wraps(handler)
        async def gate(request: Request) -> Response:
            backend.stats["requests"]["v1"] += 1
            # Per method and path, as for v2, so a test can count writes (POST /orders/createorder).
            v1_calls = backend.stats.setdefault("v1_calls", {})
            v1_route = f"{request.method} {request.url.path}"
            v1_calls[v1_route] = v1_calls.get(v1_route, 0) + 1
            creds = basic_credentials(request)
            if creds is None or not backend.v1_credentials_ok(*creds):
                backend.stats["unauthorized"]["v1"] += 1
                # No key to count against, so no X-Rate-Limit-* here (UNCONFIRMED for live v1).
                return Response(V1_UNAUTHORIZED_HTML, 401, media_type="text/html")
            decision = backend.v1_limiter.hit(creds[0], backend.clock.now())
            limit_headers = decision.headers()
            if not decision.allowed:
                backend.stats["rate_limited"]["v1"] += 1
                # D1 documents only the three X-Rate-Limit-* headers (Reset: seconds left); no Retry-After on v1.
                return json_response(V1_TOO_MANY, 429, limit_headers)
            try:
                response = await handler(request)
            except V1Error as err:
                response = json_response(err.body, err.status)
            response.headers.update(limit_headers)
            return response
        return gate
    return decorate


def v2_endpoint(backend: ShipStationBackend, inventory: bool = False):
    def decorate(handler):
        @wraps(handler)
        async def gate(request: Request) -> Response:
            backend.stats["requests"]["v2"] += 1
            # Per method and path, so a test can tell reads from writes (e.g. POST /v2/inventory).
            calls = backend.stats.setdefault("v2_calls", {})
            route = f"{request.method} {request.url.path}"
            calls[route] = calls.get(route, 0) + 1
            key = request.headers.get("api-key")
            if not key or not backend.v2_key_ok(key):
                backend.stats["unauthorized"]["v2"] += 1
                return v2_error_response(v2_unauthorized())
            decision = backend.v2_limiter.hit(key, backend.clock.now())
            limit_headers = decision.headers() if backend.v2_rate_headers else {}
            if not decision.allowed:
                backend.stats["rate_limited"]["v2"] += 1
                return v2_error_response(v2_rate_limited(decision.reset), limit_headers)
            try:
                if inventory and not backend.inventory_addon:
                    raise v2_inventory_not_enabled()
                response = await handler(request)
            except V2Error as err:
                response = v2_error_response(err)
            response.headers.update(limit_headers)
            return response
        return gate
    return decorate


def v2_error_response(err: V2Error, extra_headers: dict | None = None) -> Response:
    return json_response(err.body(), err.status, {**err.headers, **(extra_headers or {})})

