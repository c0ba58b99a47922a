"""The NetSuite API as an ASGI app: route table, request parsing, and the gate every API call passes.

Order of a call to /services/rest/...: authenticate (401 INVALID_LOGIN, reason to the audit trail) ->
role permission (403) -> concurrency slot (429) -> latency and injected faults (common/faults.py) -> handler.
Latency sits inside the concurrency slot, so a slow request occupies a slot as it does on NetSuite.
The control plane (/__emulator/, control.py) bypasses all of it.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulators.common.faults import CONTROL_PREFIX, FaultMiddleware

from .auth import authenticate, issue_token
from .backend import PERMISSION_REST, NetSuiteBackend
from .control import control_routes
from .errors import (ConcurrencyLimitExceeded, InvalidAccount, InvalidContent, InvalidLogin, InvalidParameter, InvalidSearchQuery,
                     InsufficientPermission, NetSuiteError, OAuth2Error, SearchRecordNotFound, UnknownPath,
                     error_bytes)
from .records import RecordStore
from .responses import (COLLECTION_CONTENT_TYPE, ERROR_CONTENT_TYPE, RECORD_CONTENT_TYPE, error_response,
                        fault_response, json_response, suiteql_page)

PERMISSION_OF_TABLE = {"transactionshippingaddress": "transaction", "transactionbillingaddress": "transaction"}

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
SUITEQL_PATH = "/services/rest/query/v1/suiteql"
RECORD_PREFIX = "/services/rest/record/v1"
MAX_PAGE = 1000
MAX_RESULTS = 100_000  # SuiteQL over REST pages through at most this many rows


def base_url(request: Request) -> str:
    """The URL as the client addressed it (Host header), which is also what signatures and `aud` cover."""
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}"


def now_iso(backend: NetSuiteBackend) -> str:
    return datetime.fromtimestamp(backend.clock.now(), timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidParameter(f"Invalid value for the '{name}' query parameter: '{raw}'. "
                               "It must be an integer.") from None


async def _json_body(request: Request):
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        raise InvalidContent("The request body is not valid JSON.") from None


class Handlers:
    def __init__(self, backend: NetSuiteBackend) -> None:
        self.backend = backend

    @property
    def records(self) -> RecordStore:
        return RecordStore(self.backend.db)  # the db is replaced on reset

    async def datacenter_urls(self, request: Request) -> Response:
        wanted = request.query_params.get("account", "")
        if wanted.replace("-", "_").upper() != self.backend.realm:
            # UNCONFIRMED wording; the code is the one NetSuite's login pages use for unknown accounts.
            return error_response(InvalidAccount(f"Invalid account ID: '{wanted}'. Check the account ID and "
                                                 "try again."))
        url = base_url(request)
        return json_response({"accountId": self.backend.account_id, "restDomain": url, "webservicesDomain": url,
                              "systemDomain": url})

    async def token(self, request: Request) -> Response:
        backend = self.backend
        try:
            if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                raise OAuth2Error("invalid_request", "NotFormEncoded")
            form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
            answer = issue_token(backend, form, base_url(request) + TOKEN_PATH)
        except OAuth2Error as err:
            backend.audit("OAuth2", err.reason)
            return json_response(err.body(), status=err.status)
        backend.audit("OAuth2", "AccessTokenIssued", success=True)
        return json_response(answer)

    async def suiteql(self, request: Request) -> Response:
        backend = self.backend
        limit = _int_param(request, "limit", MAX_PAGE)
        offset = _int_param(request, "offset", 0)
        if not 1 <= limit <= MAX_PAGE:
            # UNCONFIRMED wording.
            raise InvalidParameter(f"Invalid value for the 'limit' query parameter: {limit}. "
                                   f"It must be between 1 and {MAX_PAGE}.")
        if offset < 0 or offset % limit:
            # UNCONFIRMED wording; the rule is from ehmad11/netsuite-rest#25.
            raise InvalidParameter(f"Invalid value for the 'offset' query parameter: {offset}. "
                                   "The offset must be a multiple of the limit.")
        if offset + limit > MAX_RESULTS:
            # UNCONFIRMED code and wording: the rule (no more than 100,000 results) is Oracle's.
            raise InvalidParameter(f"Invalid value for the 'offset' query parameter: {offset}. SuiteQL returns at "
                                   f"most {MAX_RESULTS} results; narrow the query (for example page by key: "
                                   "WHERE id > :last ORDER BY id).")
        body = await _json_body(request)
        query = body.get("q") if isinstance(body, dict) else None
        if not isinstance(query, str) or not query.strip():
            raise InvalidSearchQuery("The request body must be a JSON object with the query in 'q'.")
        translation = backend.translator.translate(query)
        for table in sorted(translation.tables):
            # A transaction's address tables come with the permission to read transactions (UNCONFIRMED).
            if not backend.has_permission(PERMISSION_OF_TABLE.get(table, table)):
                raise SearchRecordNotFound(table)
        try:
            total, columns, rows = backend.db.page(translation.sql, limit, offset)
        except sqlite3.Error as err:
            raise InvalidSearchQuery(str(err)) from None
        page = suiteql_page(base_url(request) + SUITEQL_PATH, columns, rows, total, limit, offset, MAX_RESULTS)
        return json_response(page, media_type=COLLECTION_CONTENT_TYPE)

    def _href(self, request: Request) -> str:
        return base_url(request) + request.url.path

    def _expand(self, request: Request) -> bool:
        return request.query_params.get("expandSubResources", "").lower() == "true"

    async def sales_order(self, request: Request) -> Response:
        data = self.records.sales_order(request.path_params["id"], self._href(request), self._expand(request))
        return json_response(data, media_type=RECORD_CONTENT_TYPE)

    async def sales_order_lines(self, request: Request) -> Response:
        data = self.records.sales_order_lines(request.path_params["id"], self._href(request))
        return json_response(data, media_type=COLLECTION_CONTENT_TYPE)

    async def sales_order_line(self, request: Request) -> Response:
        data = self.records.sales_order_line(request.path_params["id"], request.path_params["line"],
                                             self._href(request))
        return json_response(data, media_type=RECORD_CONTENT_TYPE)

    async def transform(self, request: Request) -> Response:
        body = await _json_body(request)
        new_id = self.records.transform_to_fulfillment(request.path_params["id"], body, now_iso(self.backend))
        return Response(status_code=204, headers={
            "Location": f"{base_url(request)}{RECORD_PREFIX}/itemFulfillment/{new_id}"})

    async def fulfillment(self, request: Request) -> Response:
        ref = request.path_params["id"]
        if request.method == "GET":
            data = self.records.fulfillment(ref, self._href(request), self._expand(request))
            return json_response(data, media_type=RECORD_CONTENT_TYPE)
        if request.method == "DELETE":
            self.records.delete_fulfillment(ref, now_iso(self.backend))
            return Response(status_code=204)
        body = await _json_body(request)
        replace = {s.strip() for s in request.query_params.get("replace", "").split(",") if s.strip()}
        fid = self.records.patch_fulfillment(ref, body, replace, now_iso(self.backend))
        return Response(status_code=204, headers={"Location": f"{base_url(request)}{RECORD_PREFIX}/itemFulfillment/{fid}"})

    async def unknown(self, request: Request) -> Response:
        raise UnknownPath(request.url.path)


async def _netsuite_error(request: Request, err: NetSuiteError) -> Response:
    return error_response(err)


def api_routes(h: Handlers) -> list[Route]:
    r = RECORD_PREFIX
    return [
        Route("/rest/datacenterurls", h.datacenter_urls, methods=["GET"]),
        Route(TOKEN_PATH, h.token, methods=["POST"]),
        Route(SUITEQL_PATH, h.suiteql, methods=["POST"]),
        Route(r + "/salesOrder/{id}", h.sales_order, methods=["GET"]),
        Route(r + "/salesOrder/{id}/item", h.sales_order_lines, methods=["GET"]),
        Route(r + "/salesOrder/{id}/item/{line:int}", h.sales_order_line, methods=["GET"]),
        Route(r + "/salesOrder/{id}/!transform/itemFulfillment", h.transform, methods=["POST"]),
        Route(r + "/itemFulfillment/{id}", h.fulfillment, methods=["GET", "PATCH", "DELETE"]),
        Route("/{path:path}", h.unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    ]


async def _send_error(send, err: NetSuiteError) -> None:
    body = error_bytes(err)
    await send({"type": "http.response.start", "status": err.status,
                "headers": [(b"content-type", ERROR_CONTENT_TYPE.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class NetSuiteEmulatorApp:
    """The ASGI entry point: control plane, or the API behind its gate."""

    def __init__(self, backend: NetSuiteBackend) -> None:
        self.backend = backend
        router = Starlette(routes=api_routes(Handlers(backend)),
                           exception_handlers={NetSuiteError: _netsuite_error})
        self.api = FaultMiddleware(router, backend.injector, fault_response)
        self.control = Starlette(routes=control_routes(backend))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            await self.control(scope, receive, send)
            return
        self.backend.count_request()
        if path.startswith("/services/rest/") and path != TOKEN_PATH:
            await self._guarded(scope, receive, send)
        else:
            await self.api(scope, receive, send)

    async def _guarded(self, scope, receive, send) -> None:
        backend = self.backend
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        try:
            scheme_used = authenticate(backend, scope["method"], scope.get("scheme", "http"),
                                       headers.get("host", ""), path, scope.get("query_string", b"").decode("latin-1"),
                                       headers.get("authorization", ""))
        except InvalidLogin as err:
            backend.audit("Bearer" if headers.get("authorization", "")[:7].lower() == "bearer " else "TBA",
                          err.reason, err.note)
            await _send_error(send, err)
            return
        backend.audit(scheme_used, "Success", success=True)
        if not backend.has_permission(PERMISSION_REST):
            await _send_error(send, InsufficientPermission(PERMISSION_REST))
            return
        if not backend.gate.try_enter():
            backend.count_429()
            await _send_error(send, ConcurrencyLimitExceeded())
            return

        async def counting_send(message):
            if message["type"] == "http.response.start" and message["status"] == 429:
                backend.count_429()
            await send(message)

        try:
            await self.api(scope, receive, counting_send)
        finally:
            backend.gate.leave()
