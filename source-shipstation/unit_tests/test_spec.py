import logging

from source_shipstation import SourceShipstation


def test_both_api_versions_are_offered_with_every_key_hidden():
    spec = SourceShipstation().spec(logging.getLogger()).connectionSpecification
    options = spec["properties"]["credentials"]["oneOf"]
    assert [o["properties"]["api_version"]["const"] for o in options] == ["v1", "v2"]
    for option in options:
        for name, field in option["properties"].items():
            if name != "api_version":
                assert field["airbyte_secret"], name
    assert {g["id"] for g in spec["groups"]} == {p["group"] for p in spec["properties"].values()}
