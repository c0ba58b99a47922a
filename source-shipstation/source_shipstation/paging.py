"""ShipStation's paging, one way per API: v1 `page`/`pageSize` (at most 500), v2 `page`/`page_size`; both answer
`pages`, the number of pages there are."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from shipstation_lib.client import ShipStationClient, listed, page_count
from shipstation_lib.credentials import V1

V1_PAGE_SIZE = 500
V2_PAGE_SIZE = 200
# Guards against an API that keeps answering "more pages" forever.
MAX_PAGES = 100_000


def pages(client: ShipStationClient, path: str, params: Mapping[str, Any] | None = None) -> Iterable[Any]:
    size_param, size = ("pageSize", V1_PAGE_SIZE) if client.version == V1 else ("page_size", V2_PAGE_SIZE)
    for page in range(1, MAX_PAGES + 1):
        body = client.get(path, params={**(params or {}), "page": page, size_param: size})
        yield body
        if page >= page_count(body, f"GET {client.api.url(path)}", 0):
            return


def rows(client: ShipStationClient, path: str, key: str, params: Mapping[str, Any] | None = None) -> Iterable[dict]:
    for body in pages(client, path, params):
        yield from listed(body, key, f"GET {client.api.url(path)}")
