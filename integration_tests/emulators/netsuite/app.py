"""The NetSuite API as an ASGI app: route table, request parsing, and the gate every API call passes.

Order of a call to /services/rest/...: authenticate (401 INVALID_LOGIN, reason to the audit trail) ->
role permission (403) -> concurrency slot (429) -> latency and injected faults (common/faults.py) -> handler.
Latency sits inside the concurrency slot, so a slow request occupies a slot as it does on NetSuite; it is the
response time, counted from arrival (common/faults.py), so the emulator's own work is not added to it.
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

from emulators.common.faults import CONTROL_PREFIX, FaultMiddleware, stamp_arrival

from .auth import authenticate, issue_token
from .backend import PERMISSION_REST, NetSuiteBackend
from .control import control_routes
from .errors import (ConcurrencyLimitExceeded, InvalidAccount, InvalidContent, InvalidLogin, InvalidParameter,
                     InvalidSearchQuery, InsufficientPermission, MethodNotAllowed, NetSuiteError, OAuth2Error,
                     SearchRecordNotFound, UnknownPath, UnsupportedSearch, error_bytes)
from .record_api import (META, NS_LINK_SCHEMA, NS_RESOURCE_SCHEMA, DateReader, QueryCompiler, RecordLister,
                         catalog_list, collection_href, json_schema, openapi, record_type)
from .records import RecordStore
from .responses import (COLLECTION_CONTENT_TYPE, ERROR_CONTENT_TYPE, RECORD_CONTENT_TYPE, error_response,
                        fault_response, json_response, suiteql_page)

PERMISSION_OF_TABLE = {"transactionshippingaddress": "transaction", "transactionbillingaddress": "transaction",
                       "customersubsidiaryrelationship": "customer"}

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
                               "It must be an integer.", query_param=name) from None


def _paging(request: Request) -> tuple[int, int]:
    """limit (1..1000, default 1000) and offset (a multiple of limit), for SuiteQL and record collections alike
    (Collection Paging; the multiple-of-limit rule from ehmad11/netsuite-rest#25). Wording UNCONFIRMED."""
    limit = _int_param(request, "limit", MAX_PAGE)
    offset = _int_param(request, "offset", 0)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidParameter(f"Invalid value for the 'limit' query parameter: {limit}. "
                               f"It must be between 1 and {MAX_PAGE}.", query_param="limit")
    if offset < 0 or offset % limit:
        raise InvalidParameter(f"Invalid value for the 'offset' query parameter: {offset}. "
                               "The offset must be a multiple of the limit.", query_param="offset")
    return limit, offset


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
        limit, offset = _paging(request)
        if offset + limit > MAX_RESULTS:
            # UNCONFIRMED code and wording: the rule (no more than 100,000 results) is Oracle's.
            raise InvalidParameter(f"Invalid value for the 'offset' query parameter: {offset}. SuiteQL returns at "
                                   f"most {MAX_RESULTS} results; narrow the query (for example page by key: "
                                   "WHERE id > :last ORDER BY id).", query_param="offset")
        body = await _json_body(request)
        query = body.get("q") if isinstance(body, dict) else None
        if not isinstance(query, str) or not query.strip():
            raise UnsupportedSearch("the request body must be a JSON object with the query in 'q'")
        try:
            translation = backend.translator.translate(query, backend.db.features.frozen())
            for table in sorted(translation.tables):
                # A transaction's address tables come with the permission to read transactions (UNCONFIRMED).
                if not backend.has_permission(PERMISSION_OF_TABLE.get(table, table)):
                    raise SearchRecordNotFound(table)
            try:
                total, columns, rows = backend.db.page(translation.sql, limit, offset)
            except sqlite3.Error as err:
                # What got past the SuiteQL checks but SQLite cannot run: never SQLite's words to the client.
                raise UnsupportedSearch(f"SQLite: {err}") from None
        except InvalidSearchQuery as err:
            backend.note_query_error(query, err)
            raise
        page = suiteql_page(base_url(request) + SUITEQL_PATH, columns, rows, total, limit, offset, MAX_RESULTS,
                            backend.date_format)
        return json_response(page, media_type=COLLECTION_CONTENT_TYPE)

    def _href(self, request: Request) -> str:
        return base_url(request) + request.url.path

    def _expand(self, request: Request) -> bool:
        return request.query_params.get("expandSubResources", "").lower() == "true"

    def _type(self, request: Request, *allowed: str):
        """The record type the path names, in any case (`salesorder` and `salesOrder` both; Airbyte's source
        lowercases every type name it sends)."""
        rtype = record_type(request.path_params["rtype"])
        if rtype is None or (allowed and rtype.name not in allowed):
            raise UnknownPath(request.url.path)
        return rtype

    async def record_collection(self, request: Request) -> Response:
        backend = self.backend
        rtype = self._type(request)
        limit, offset = _paging(request)
        q = request.query_params.get("q")
        condition, params = "", []
        if q is not None:
            try:
                condition, params = QueryCompiler(rtype, DateReader(backend.date_format, backend.time_zone)).compile(q)
            except InvalidParameter as err:
                backend.note_query_error(q, err)
                raise
        total, ids = RecordLister(backend.db).ids(rtype, condition, params, limit, offset)
        base = base_url(request)
        path = request.url.path
        # Items point at the record in the spelling the client used for the collection.
        items = [{"links": [{"rel": "self", "href": f"{base}{path.rstrip('/')}/{i}"}], "id": str(i)} for i in ids]
        has_more = offset + len(items) < total
        links = [{"rel": "self", "href": collection_href(base, path, limit, offset, q)}]
        if has_more:
            links.append({"rel": "next", "href": collection_href(base, path, limit, offset + limit, q)})
        return json_response({"links": links, "count": len(items), "hasMore": has_more, "items": items,
                              "offset": offset, "totalResults": total}, media_type=COLLECTION_CONTENT_TYPE)

    async def record(self, request: Request) -> Response:
        rtype = self._type(request)
        ref, href, expand = request.path_params["id"], self._href(request), self._expand(request)
        if rtype.name == "itemFulfillment":
            return await self.fulfillment(request)
        if request.method != "GET":
            # UNCONFIRMED: NetSuite updates these records; the emulator does not, and says so rather than pretend.
            raise MethodNotAllowed(request.method, request.url.path)
        if rtype.name == "salesOrder":
            data = self.records.sales_order(ref, href, expand)
        else:
            lister = RecordLister(self.backend.db)
            row = lister.row(rtype, ref)
            data = {"inventoryItem": lister.inventory_item, "customer": lister.customer,
                    "location": lister.location}[rtype.name](row, href, expand)
        return json_response(data, media_type=RECORD_CONTENT_TYPE)

    async def sales_order_lines(self, request: Request) -> Response:
        self._type(request, "salesOrder")
        data = self.records.sales_order_lines(request.path_params["id"], self._href(request))
        return json_response(data, media_type=COLLECTION_CONTENT_TYPE)

    async def sales_order_line(self, request: Request) -> Response:
        self._type(request, "salesOrder")
        data = self.records.sales_order_line(request.path_params["id"], request.path_params["line"],
                                             self._href(request))
        return json_response(data, media_type=RECORD_CONTENT_TYPE)

    async def metadata_list(self, request: Request) -> Response:
        return json_response(catalog_list(base_url(request)))

    async def metadata(self, request: Request) -> Response:
        name = request.path_params["name"]
        wants_schema = "application/schema+json" in request.headers.get("accept", "")
        if name.lower() in ("nslink", "nsresource"):
            body = NS_LINK_SCHEMA if name.lower() == "nslink" else NS_RESOURCE_SCHEMA
            return json_response(body, media_type="application/schema+json")
        rtype = record_type(name)
        if rtype is None:
            raise UnknownPath(request.url.path)
        if wants_schema:
            return json_response(json_schema(rtype), media_type="application/schema+json")
        return json_response(openapi(rtype, base_url(request)), media_type="application/swagger+json")

    async def transform(self, request: Request) -> Response:
        self._type(request, "salesOrder")
        if request.path_params["target"].lower() != "itemfulfillment":
            # UNCONFIRMED: the emulator transforms sales orders into item fulfillments only.
            raise UnknownPath(request.url.path)
        body = await _json_body(request)
        new_id = self.records.transform_to_fulfillment(request.path_params["id"], body, now_iso(self.backend))
        return Response(status_code=204, headers={
            "Location": f"{base_url(request)}{RECORD_PREFIX}/itemFulfillment/{new_id}"})

    async def fulfillment(self, request: Request) -> Response:
        self._type(request, "itemFulfillment")
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
        Route(r + "/metadata-catalog", h.metadata_list, methods=["GET"]),
        Route(r + "/metadata-catalog/", h.metadata_list, methods=["GET"]),
        Route(r + "/metadata-catalog/{name}", h.metadata, methods=["GET"]),
        Route(r + "/{rtype}", h.record_collection, methods=["GET"]),
        Route(r + "/{rtype}/{id}", h.record, methods=["GET", "PATCH", "DELETE"]),
        Route(r + "/{rtype}/{id}/item", h.sales_order_lines, methods=["GET"]),
        Route(r + "/{rtype}/{id}/item/{line:int}", h.sales_order_line, methods=["GET"]),
        Route(r + "/{rtype}/{id}/!transform/{target}", h.transform, methods=["POST"]),
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
        stamp_arrival(scope)  # the latency counts from here: login checks are part of NetSuite's response time
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
