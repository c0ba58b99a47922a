"""Order numbers are user input written into SuiteQL: quoted, never able to end the literal."""
import pytest
from netsuite_lib.suiteql_quote import UnsafeLiteral, sql_string, sql_string_list

from destination_netsuite_fulfillment.order_lookup import lookup_query


def test_single_quotes_are_doubled_and_backslashes_are_plain_characters():
    assert sql_string("SO1' OR '1'='1") == "'SO1'' OR ''1''=''1'"
    assert sql_string("a\\'b") == "'a\\''b'"
    assert sql_string_list(["A", "B", "A"]) == "('A', 'B')"


@pytest.mark.parametrize("value", ["SO1\n-- x", "SO1\x00", "x" * 301, 5])
def test_control_characters_overlong_and_non_text_values_are_refused(value):
    with pytest.raises(UnsafeLiteral):
        sql_string(value)


def test_the_order_number_column_comes_only_from_the_allowed_fields():
    assert "t.otherrefnum IN ('PO-1')" in lookup_query("otherrefnum", ["PO-1"], ["ss-1"])
    with pytest.raises(ValueError):
        lookup_query("tranid OR 1=1", ["PO-1"], [])
