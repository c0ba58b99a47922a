import logging

from source_netsuite_inventory import SourceNetsuiteInventory


def spec_properties():
    return SourceNetsuiteInventory().spec(logging.getLogger()).connectionSpecification["properties"]


def test_auth_is_a_choice_of_token_based_and_client_credentials_with_secrets_hidden():
    options = spec_properties()["credentials"]["oneOf"]
    assert [o["properties"]["auth_type"]["const"] for o in options] == ["token_based", "oauth2_client_credentials"]
    tba, m2m = (o["properties"] for o in options)
    assert all(tba[f]["airbyte_secret"] for f in ("consumer_key", "consumer_secret", "token_id", "token_secret"))
    assert m2m["private_key"]["airbyte_secret"] and m2m["private_key"]["multiline"]
    assert "RS256" not in m2m["algorithm"]["enum"]


def test_account_id_pattern_accepts_what_merchants_type():
    import re

    pattern = re.compile(spec_properties()["account_id"]["pattern"])
    for typed in ("1234567", "1234567_SB1", "1234567-sb1", "tstdrv123"):
        assert pattern.match(typed)
    assert not pattern.match("1234567 SB1")
