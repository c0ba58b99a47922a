"""Reading every row of a SuiteQL query, past the 100,000 rows one query can page through.

SuiteQL over REST answers at most 100,000 rows per query, in pages of up to 1000, with an offset that must be a
multiple of the page size. So the rows are read in keyset windows: each window is the query restricted to keys
after the last key of the previous window, ordered by that key, and paged by offset up to the cap. Within a
window the offset pages are fetched in parallel (the client caps how many requests run at once), and handed on
in order, holding at most a few pages in memory whatever the number of rows.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from math import ceil
from typing import Iterator, Mapping, Sequence

from .client import PAGE_SIZE, SUITEQL_ROW_CAP, NetSuiteClient


@dataclass(frozen=True)
class KeysetQuery:
    """`SELECT ... FROM ...` (no WHERE, no ORDER BY), the integer key columns that order it totally, as written
    in SQL (`s.item`) and as named in the answer (`item_id`), and an optional filter (`s.lastmodifieddate > ...`)."""

    select: str
    key_columns: Sequence[str]
    key_fields: Sequence[str]
    where: str = ""

    def window(self, after: Sequence[int] | None) -> str:
        conditions = [f"({self.where})"] if self.where else []
        if after is not None:
            conditions.append(_after(self.key_columns, after))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"{self.select}{where} ORDER BY {', '.join(self.key_columns)}"

    def key_of(self, row: Mapping[str, str]) -> tuple[int, ...]:
        return tuple(int(row[field]) for field in self.key_fields)


def _after(columns: Sequence[str], values: Sequence[int]) -> str:
    """Rows whose key sorts after `values`: (a > 1) OR (a = 1 AND b > 7) ... SuiteQL has no row-value comparison."""
    alternatives = []
    for i, column in enumerate(columns):
        equal = [f"{columns[j]} = {int(values[j])}" for j in range(i)]
        alternatives.append(" AND ".join([*equal, f"{column} > {int(values[i])}"]))
    return "(" + " OR ".join(f"({alt})" for alt in alternatives) + ")"


def keyset_rows(client: NetSuiteClient, query: KeysetQuery, concurrency: int = 1, page_size: int = PAGE_SIZE,
                row_cap: int = SUITEQL_ROW_CAP) -> Iterator[dict]:
    """Every row of `query`, in key order, each exactly once (unless rows change while being read)."""
    if row_cap % page_size:
        raise ValueError("the row cap must be a multiple of the page size, or the last offset page is refused")
    after: tuple[int, ...] | None = None
    with ThreadPoolExecutor(max_workers=max(concurrency, 1), thread_name_prefix="suiteql-page") as pool:
        while True:
            sql = query.window(after)
            first = client.suiteql_page(sql, page_size, 0)
            total = int(first.get("totalResults") or 0)
            pages = ceil(min(total, row_cap) / page_size)
            last: dict | None = None
            for page in _pages_in_order(pool, client, sql, first, pages, page_size, max(concurrency, 1)):
                for row in page.get("items", []):
                    row.pop("links", None)
                    last = row
                    yield row
            if last is None or total <= row_cap:
                return
            # The window was cut at the cap: the next one starts right after its last key.
            after = query.key_of(last)


def _pages_in_order(pool: ThreadPoolExecutor, client: NetSuiteClient, sql: str, first: dict, pages: int,
                    page_size: int, ahead: int) -> Iterator[dict]:
    yield first
    pending: deque[Future] = deque()
    next_page = 1
    try:
        while next_page < pages or pending:
            while next_page < pages and len(pending) < ahead:
                pending.append(pool.submit(client.suiteql_page, sql, page_size, next_page * page_size))
                next_page += 1
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
