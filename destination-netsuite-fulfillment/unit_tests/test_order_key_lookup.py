from destination_netsuite_fulfillment.order_lookup import internal_id_of, lookup_query


def test_only_keys_this_project_wrote_name_an_internal_id():
    assert internal_id_of("ns-5003") == 5003
    for other in (None, "", "ns-", "ns-0", "ns-12a", "key-5003", "NS-5003", "ns-5003 OR 1=1"):
        assert internal_id_of(other) is None


def test_orders_found_by_number_or_internal_id_in_one_select_so_none_comes_back_twice():
    query = lookup_query("tranid", ["SO1"], [], internal_ids=[7, 7, 3])
    assert "t.tranid IN ('SO1') OR t.id IN (3, 7)" in query
    assert query.count("SELECT 'order'") == 1
