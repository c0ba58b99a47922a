"""Wire format: how NetSuite writes SuiteQL pages, errors and injected faults. No rules here."""
from __future__ import annotations

import json

from starlette.responses import Response

from .database import NsDateTime
from .errors import ConcurrencyLimitExceeded, NetSuiteError, UnexpectedError, error_bytes

ERROR_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=error; charset=UTF-8"
COLLECTION_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=collection; charset=UTF-8"
RECORD_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=singular-resource; charset=UTF-8"


def error_response(err: NetSuiteError) -> Response:
    return Response(error_bytes(err), status_code=err.status, media_type=ERROR_CONTENT_TYPE)


def json_response(data, status: int = 200, media_type: str = "application/json; charset=UTF-8") -> Response:
    return Response(json.dumps(data).encode(), status_code=status, media_type=media_type)


def suiteql_value(value, date_format: str = "D/M/YYYY") -> str:
    """SuiteQL sends every value as a string; dates in the account's display format unless TO_CHAR'd."""
    if isinstance(value, NsDateTime):
        return value.display(date_format)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def suiteql_page(base_href: str, columns: list[str], rows: list[tuple], total: int, limit: int, offset: int,
                 cap: int, date_format: str = "D/M/YYYY") -> dict:
    items = []
    for row in rows:
        item = {"links": []}
        for name, value in zip(columns, row):
            if value is not None:  # NULL columns are left out of the row, not sent as null
                item[name] = suiteql_value(value, date_format)
        items.append(item)
    has_more = offset + len(items) < min(total, cap)
    links = [{"rel": "self", "href": f"{base_href}?limit={limit}&offset={offset}"}]
    if has_more:
        links.append({"rel": "next", "href": f"{base_href}?limit={limit}&offset={offset + limit}"})
    # totalResults is the query's real total, even above the 100,000 rows a client can page through.
    return {"links": links, "count": len(items), "hasMore": has_more, "offset": offset, "totalResults": total,
            "items": items}


MAINTENANCE_PAGE = (b"<!DOCTYPE html><html><head><title>NetSuite - Service Unavailable</title></head><body>"
                    b"<h1>Service Temporarily Unavailable</h1><p>NetSuite is temporarily unavailable. "
                    b"Please try again later.</p></body></html>")


def fault_response(status: int) -> tuple[int, dict[str, str], bytes]:
    """What an injected fault looks like: NetSuite's JSON for 429 and 500; gateways answer 502/503 in HTML."""
    if status == 429:
        return 429, {"content-type": ERROR_CONTENT_TYPE}, error_bytes(ConcurrencyLimitExceeded())
    if status == 500:
        return 500, {"content-type": ERROR_CONTENT_TYPE}, error_bytes(UnexpectedError())
    return status, {"content-type": "text/html; charset=UTF-8"}, MAINTENANCE_PAGE
