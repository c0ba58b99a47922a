"""ShipStation's list paging: the one paginator every list read of both connectors goes through.

v1 (D1, each list operation: orders, shipments, fulfillments): `page` (from 1) and `pageSize` (at most 500); the
answer states its `page` and how many `pages` there are.

v2: the first page is asked for with the page-size parameter the operation documents (`V2_PAGE_SIZE`), and every
further page is the answer's `links.next.href`, as ShipStation wrote it (OAS `pagination_link`: `next.href` is set
only while `page` < `pages`). The inventory lists document `limit` and `links` and no `page` parameter at all
(OAS getInventoryLevels, getInventoryWarehouses, listInventoryLocations), so asking for page N by number is not
something every v2 list honours: an API that ignores `page` would hand back page 1 `pages` times.

Guards, each a BadAnswer naming the request (the sync stops rather than read the same rows forever or send the key
elsewhere): a `next` that points off the API's scheme and host, or at a page already read; an answer that says it
is a page already read (or, on v1, not the page asked for); more than `MAX_PAGES` pages; an answer whose `pages`
says there is more but that gives no way to it. A page whose list key is missing is `listed()`'s BadAnswer, never
"no records".
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .client import ShipStationClient, listed, page_count
from .credentials import V1
from .errors import BadAnswer

MAX_PAGES = 100_000  # a guard against an answer whose `next` never ends, not a limit anyone should meet
V1_PAGE_SIZE = 500  # D1: pageSize at most 500 on every v1 list
# The page-size parameter each v2 list operation documents, and the size asked for.
V2_PAGE_SIZE: dict[str, tuple[str, int]] = {
    "v2/inventory": ("limit", 500),  # OAS getInventoryLevels: `limit`, no maximum documented
    "v2/inventory_warehouses": ("limit", 100),  # OAS getInventoryWarehouses: `limit`
    "v2/inventory_locations": ("limit", 100),  # OAS listInventoryLocations: `limit`
    "v2/products": ("page_size", 100),  # OAS listProducts: page_size, at most 100
    "v2/fulfillments": ("page_size", 200),  # docs.shipstation.com list_fulfillments: page_size, no maximum stated
}
# OAS page_size_query_param (list_labels, list_shipments): page_size, minimum 1, default 25, no maximum stated.
V2_DEFAULT_PAGE_SIZE = ("page_size", 200)


def operation(client: ShipStationClient, path: str) -> str:
    """The operation's path as the tables above name it ("v2/inventory"), whatever form the caller wrote."""
    return urlsplit(client.api.url(path)).path.strip("/")


def pages(client: ShipStationClient, path: str, params: Mapping[str, Any] | None = None, *,
          size: int | None = None, max_pages: int = MAX_PAGES) -> Iterator[Any]:
    """Every page of one list, first to last. `size` overrides the page size asked for (not the parameter)."""
    request = f"GET {client.api.url(path)}"
    if client.version == V1:
        yield from _v1_pages(client, path, dict(params or {}), size or V1_PAGE_SIZE, max_pages, request)
    else:
        name, default = V2_PAGE_SIZE.get(operation(client, path), V2_DEFAULT_PAGE_SIZE)
        yield from _v2_pages(client, path, {**(params or {}), name: size or default}, max_pages, request)


def rows(client: ShipStationClient, path: str, key: str, params: Mapping[str, Any] | None = None, *,
         size: int | None = None, max_pages: int = MAX_PAGES) -> Iterator[dict]:
    """Every row of the list's `key`, page after page."""
    request = f"GET {client.api.url(path)}"
    for body in pages(client, path, params, size=size, max_pages=max_pages):
        yield from listed(body, key, request)


def _v1_pages(client: ShipStationClient, path: str, params: dict, size: int, max_pages: int,
              request: str) -> Iterator[Any]:
    for number in range(1, max_pages + 1):
        body = client.get(path, params={**params, "page": number, "pageSize": size})
        answered = body.get("page") if isinstance(body, dict) else None
        if answered is not None and _number(answered, "page", request) != number:
            raise BadAnswer(f"ShipStation's answer to {request} is page {answered} where page {number} was asked "
                            "for: reading on would read the same rows again.")
        yield body
        if number >= page_count(body, request, 0):
            return
    raise BadAnswer(f"ShipStation's answer to {request} still had more pages after {max_pages}: stopped there.")


def _v2_pages(client: ShipStationClient, path: str, params: dict, max_pages: int, request: str) -> Iterator[Any]:
    url = _canonical(client.api.url(path), params)
    seen_urls, seen_pages = {url}, set()
    body = client.get(path, params=params)
    for _ in range(max_pages):
        number = body.get("page") if isinstance(body, dict) else None
        if number is not None:
            number = _number(number, "page", request)
            if number in seen_pages:
                raise BadAnswer(f"ShipStation's answer to {request} is page {number} again: its `links.next` "
                                "leads back to a page already read, so reading on would never end.")
            seen_pages.add(number)
        yield body
        href = _next_href(body, request)
        if href is None:
            declared = page_count(body, request, 0)
            if number is not None and number < declared:
                raise BadAnswer(f"ShipStation's answer to {request} is page {number} of {declared} but has no "
                                "`links.next.href` to the next one.")
            return
        target = urljoin(url, href)  # a relative href is read against the page it came from
        nxt = _canonical(target, {})
        if nxt in seen_urls:
            raise BadAnswer(f"ShipStation's answer to {request} links its next page to {href!r}, a page already "
                            "read: reading on would never end.")
        seen_urls.add(nxt)
        body = client.follow(target, request)
        url = nxt
    raise BadAnswer(f"ShipStation's answer to {request} still had a next page after {max_pages}: stopped there.")


def _next_href(body: Any, request: str) -> str | None:
    links = body.get("links") if isinstance(body, dict) else None
    if links is None:
        return None
    if not isinstance(links, dict):
        raise BadAnswer(f"ShipStation's answer to {request} has `links` that are not an object.")
    nxt = links.get("next") or {}
    href = nxt.get("href") if isinstance(nxt, dict) else None
    if href is not None and not isinstance(href, str):
        raise BadAnswer(f"ShipStation's answer to {request} has a `links.next.href` that is not text.")
    return href or None


def _canonical(url: str, params: Mapping[str, Any]) -> str:
    """One spelling per page address (query parameters sorted), so a repeated page is recognised."""
    parts = urlsplit(url)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True) + [(k, str(v)) for k, v in params.items()])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, urlencode(query), ""))


def _number(value: Any, name: str, request: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadAnswer(f"ShipStation's answer to {request} has a `{name}` that is not a number.") from None
