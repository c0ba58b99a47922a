"""Paged list answers, one shape per API: v1 `{<key>, total, page, pages}`; v2 the same plus the OAS `links`.

Which page a request asks for is read by each API's routes, beside that API's other parameters (their names,
defaults and error wording differ); which rows are on that page and how the answer is laid out is decided here.

v2 lists page in one of two ways, as the OAS documents each operation:
- `page` + `page_size` (shipments, labels, products; fulfillments in the D2 docs): the `links` hrefs say `page=N`.
- `limit` only (inventory, inventory_warehouses, inventory_locations): the OAS documents no page parameter, so
  the only way past page 1 is to follow `links.next.href`. Those hrefs carry an opaque `cursor` of the emulator's
  own (the real token's name and format are UNCONFIRMED); `page`/`page_size` are ignored there.
"""
from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlencode

from starlette.requests import Request


def ceil_pages(total: int, size: int) -> int:
    return math.ceil(total / size) if size else 0


def _as_is(row: Any) -> Any:
    return row


@dataclass(frozen=True)
class Page:
    """The page a list request asks for: its number (from 1) and how many rows a page holds."""
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def of(self, rows: list) -> list:
        """The rows that fall on this page."""
        return rows[self.offset: self.offset + self.size]


def v1_answer(key: str, rows: list, page: Page, render: Callable[[Any], Any] = _as_is) -> dict:
    """`rows` are all that matched; only the page's share is rendered."""
    total = len(rows)
    return {key: [render(row) for row in page.of(rows)], "total": total, "page": page.number,
            "pages": ceil_pages(total, page.size)}


def v2_answer(request: Request, key: str, rows: list, page: Page, render: Callable[[Any], Any] = _as_is,
              cursor: bool = False) -> dict:
    """`rows` are all that matched; only the page's share is rendered."""
    return v2_page(request, key, [render(row) for row in page.of(rows)], len(rows), page, cursor)


CURSOR = "cursor"  # the emulator's own name for the position in a `limit`-paged list's links
_UNDOCUMENTED_ON_CURSOR_LISTS = ("page", "page_size", CURSOR)


def cursor_token(number: int) -> str:
    """The opaque position a `links` href of a `limit`-paged list carries (clients follow it, never build it)."""
    return base64.urlsafe_b64encode(f"emulator-page:{number}".encode()).decode().rstrip("=")


def cursor_page(token: str) -> int:
    """The page number a cursor from `cursor_token` stands for; ValueError for anything else."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(token)
    prefix, _, number = text.partition(":")
    if prefix != "emulator-page" or not number.isdigit() or int(number) < 1:
        raise ValueError(token)
    return int(number)


def v2_page(request: Request, key: str, rows: list, total: int, page: Page, cursor: bool = False) -> dict:
    """A v2 page of rows already cut to it, with OAS `pagination_link`s (prev/next are empty objects when there is
    no such page). Each href is the emulator's own absolute URL with the request's parameters; `cursor` lists
    (OAS: `limit` only) name the page by an opaque cursor, the others by `page`."""
    pages = max(ceil_pages(total, page.size), 1)  # OAS list_shipments_response_body: pages >= 1, even when empty

    def href(n: int) -> dict:
        params = dict(request.query_params)
        if cursor:
            for name in _UNDOCUMENTED_ON_CURSOR_LISTS:
                params.pop(name, None)
            if n > 1:
                params[CURSOR] = cursor_token(n)
        else:
            params["page"] = str(n)
        query = urlencode(params)
        return {"href": f"{request.url.scheme}://{request.url.netloc}{request.url.path}" + (f"?{query}" if query
                                                                                            else "")}

    return {key: rows, "total": total, "page": page.number, "pages": pages,
            "links": {"first": href(1), "last": href(pages), "prev": href(page.number - 1) if page.number > 1 else {},
                      "next": href(page.number + 1) if page.number < pages else {}}}
