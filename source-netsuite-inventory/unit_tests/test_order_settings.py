import pytest
from source_netsuite_inventory.order_settings import order_settings


def test_defaults_read_sales_orders_pending_or_partially_fulfilled_and_watch_cancelled_and_closed():
    settings = order_settings({})
    assert settings.tran_type == "SalesOrd"
    assert settings.wanted == ("SalesOrd:B", "SalesOrd:D", "SalesOrd:E")
    assert settings.ended == ("SalesOrd:C", "SalesOrd:H")
    assert settings.custom_fields["signature_required"] == "custbody_signature_required"


def test_item_fulfillments_default_to_picked_and_packed():
    settings = order_settings({"orders_record_type": "item_fulfillment"})
    assert (settings.tran_type, settings.wanted, settings.ended) == ("ItemShip", ("ItemShip:A", "ItemShip:B"), ())


def test_status_names_are_matched_as_netsuite_shows_them_whatever_the_case():
    assert order_settings({"orders_statuses": ["pending  fulfillment"]}).wanted == ("SalesOrd:B",)


def test_an_unknown_status_is_refused_with_the_known_ones_named():
    with pytest.raises(ValueError, match="Pending Fulfillment"):
        order_settings({"orders_statuses": ["Shipped'; DROP"]})


def test_a_custom_field_script_id_that_is_not_an_identifier_is_refused():
    # Script ids become column names in SuiteQL, which cannot be quoted: only the NetSuite form is accepted.
    with pytest.raises(ValueError, match="custbody_name"):
        order_settings({"orders_custom_fields": {"delivery_instructions": "custbody_x, (SELECT 1)"}})
    assert order_settings({"orders_custom_fields": {"authority_to_leave": "custbody_atl"}}) \
        .custom_fields["authority_to_leave"] == "custbody_atl"
