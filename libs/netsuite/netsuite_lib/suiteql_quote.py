"""Values written into SuiteQL text, safely.

The REST SuiteQL endpoint takes no bind parameters, so user input (order numbers, SKUs, ids) has to be written
into the query. Oracle SQL, which SuiteQL follows, has one escape inside a string literal: a doubled single
quote; a backslash is an ordinary character. Control characters have no business in the values we look up and
could end a line comment, so they are refused rather than escaped.
"""
from __future__ import annotations

import re
from typing import Iterable

MAX_LITERAL_LENGTH = 300  # far above any NetSuite document number or external id; keeps queries small
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")


class UnsafeLiteral(ValueError):
    """A value that cannot be written into SuiteQL; the message names the problem, not the whole value."""


def sql_string(value: str) -> str:
    """`value` as an SQL string literal: `O'Brien` -> `'O''Brien'`."""
    if not isinstance(value, str):
        raise UnsafeLiteral(f"expected text, got {type(value).__name__}")
    if len(value) > MAX_LITERAL_LENGTH:
        raise UnsafeLiteral(f"longer than {MAX_LITERAL_LENGTH} characters")
    if _CONTROL_CHARACTER.search(value):
        raise UnsafeLiteral("contains a control character")
    return "'" + value.replace("'", "''") + "'"


def sql_string_list(values: Iterable[str]) -> str:
    """`('a', 'b')` for an IN clause; every value quoted, duplicates dropped, order kept. Empty input is an
    error because `IN ()` is not valid SQL."""
    unique = list(dict.fromkeys(values))
    if not unique:
        raise UnsafeLiteral("an IN list needs at least one value")
    return "(" + ", ".join(sql_string(v) for v in unique) + ")"
