"""Paged list answers, one shape per API: v1 `{<key>, total, page, pages}`; v2 the same plus the OAS `links`.

Which page a request asks for is read by each API's routes, beside that API's other parameters (their names,
defaults and error wording differ); which rows are on that page and how the answer is laid out is decided here.
"""
from __future__ import annotations

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


def v2_answer(request: Request, key: str, rows: list, page: Page, render: Callable[[Any], Any] = _as_is) -> dict:
    """`rows` are all that matched; only the page's share is rendered."""
    return v2_page(request, key, [render(row) for row in page.of(rows)], len(rows), page)


def v2_page(request: Request, key: str, rows: list, total: int, page: Page) -> dict:
    """A v2 page of rows already cut to it, with OAS `pagination_link`s (prev/next are empty objects when there is
    no such page)."""
    pages = max(ceil_pages(total, page.size), 1)  # OAS list_shipments_response_body: pages >= 1, even when empty

    def href(n: int) -> dict:
        params = dict(request.query_params)
        params["page"] = str(n)
        return {"href": f"{request.url.scheme}://{request.url.netloc}{request.url.path}?{urlencode(params)}"}

    return {key: rows, "total": total, "page": page.number, "pages": pages,
            "links": {"first": href(1), "last": href(pages), "prev": href(page.number - 1) if page.number > 1 else {},
                      "next": href(page.number + 1) if page.number < pages else {}}}
