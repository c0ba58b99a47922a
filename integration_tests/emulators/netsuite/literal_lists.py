"""IN lists of plain literals, set aside while a SuiteQL query is translated and put back after.

The connectors' batch lookups send queries that differ only in their IN lists (the batch's order numbers and
external ids): each one is new to the translation cache, and sqlglot takes ~70 ms to parse one of 13 KB. That is
the emulator's own time, not NetSuite's, and it was added to every lookup's answer. With each list replaced by
one placeholder literal, such queries share one translation; the lists go back into the SQLite text verbatim,
since a plain string or integer literal is written the same in Oracle SQL and SQLite ('' inside a string).

Only lists the SuiteQL checks would pass as they are (at most MAX_IN_VALUES items, each a string or integer
literal) are set aside; a placeholder that does not come back exactly once sends the caller to translate the
query as sent, so nothing is accepted or refused differently.
"""
from __future__ import annotations

import re

_ITEM = re.compile(r"\s*('(?:[^']|'')*'|-?[0-9]+)\s*([,)])")
_IDENTIFIER_CHAR = re.compile(r"[A-Za-z0-9_$#]")


def placeholder(n: int) -> str:
    return f"'__emulator_in_list_{n}__'"


def set_aside(query: str, max_items: int) -> tuple[str, list[str]]:
    """(the query with each literal IN list replaced by a placeholder, the lists' texts in order)."""
    out: list[str] = []
    lists: list[str] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch in "'\"":
            end = _end_of_quoted(query, i)
            out.append(query[i:end])
            i = end
        elif query.startswith("--", i):
            end = query.find("\n", i)
            end = n if end < 0 else end
            out.append(query[i:end])
            i = end
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(query[i:end])
            i = end
        elif (ch in "iI" and query[i:i + 2].upper() == "IN" and (i == 0 or not _IDENTIFIER_CHAR.match(query[i - 1]))
              and (i + 2 >= n or not _IDENTIFIER_CHAR.match(query[i + 2]))):
            found = _literal_list(query, i + 2, max_items)
            if found is None:
                out.append(query[i:i + 2])
                i += 2
            else:
                text, end = found
                out.append(f"IN ({placeholder(len(lists))})")
                lists.append(text)
                i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out), lists


def put_back(sql: str, lists: list[str]) -> str | None:
    """The translated SQL with each list in its placeholder's place; None if a placeholder is not there once."""
    for n, text in enumerate(lists):
        mark = placeholder(n)
        if sql.count(mark) != 1:
            return None
        sql = sql.replace(mark, text)
    return sql


def _end_of_quoted(query: str, start: int) -> int:
    quote = query[start]
    i = start + 1
    while True:
        i = query.find(quote, i)
        if i < 0:
            return len(query)
        if query.startswith(quote * 2, i):
            i += 2
            continue
        return i + 1


def _literal_list(query: str, after_in: int, max_items: int) -> tuple[str, int] | None:
    """The text inside `( ... )` right after IN and the index past `)`, if it holds 2..max_items literals only."""
    i = after_in
    while i < len(query) and query[i].isspace():
        i += 1
    if i >= len(query) or query[i] != "(":
        return None
    start = i + 1
    i, items = start, 0
    while True:
        match = _ITEM.match(query, i)
        if match is None:
            return None
        items += 1
        i = match.end()
        if match.group(2) == ")":
            break
    if not 2 <= items <= max_items:
        return None
    return query[start:i - 1], i
