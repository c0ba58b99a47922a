import pytest

from netsuite_lib.account import InvalidAccountId, NetSuiteAccount


@pytest.mark.parametrize("typed, realm, host", [
    ("1234567", "1234567", "https://1234567.suitetalk.api.netsuite.com"),
    ("1234567_SB1", "1234567_SB1", "https://1234567-sb1.suitetalk.api.netsuite.com"),
    ("1234567-sb1", "1234567_SB1", "https://1234567-sb1.suitetalk.api.netsuite.com"),
    ("  1234567_sb2 ", "1234567_SB2", "https://1234567-sb2.suitetalk.api.netsuite.com"),
    ("tstdrv1234567", "TSTDRV1234567", "https://tstdrv1234567.suitetalk.api.netsuite.com"),
])
def test_account_id_as_typed_maps_to_realm_and_host(typed, realm, host):
    account = NetSuiteAccount.parse(typed)
    assert account.realm == realm
    assert account.base_url == host
    assert account.suiteql_url == f"{host}/services/rest/query/v1/suiteql"


def test_sandbox_is_recognised():
    assert NetSuiteAccount.parse("1234567-SB1").is_sandbox
    assert not NetSuiteAccount.parse("1234567").is_sandbox


@pytest.mark.parametrize("typed", ["", "1234567 SB1", "https://1234567.app.netsuite.com", "1234567__SB1"])
def test_malformed_account_id_is_refused_with_guidance(typed):
    with pytest.raises(InvalidAccountId, match="Company Information"):
        NetSuiteAccount.parse(typed)


def test_override_keeps_realm_but_changes_every_url():
    account = NetSuiteAccount.parse("1234567_sb1", "http://127.0.0.1:9999/")
    assert account.realm == "1234567_SB1"
    assert account.token_url == "http://127.0.0.1:9999/services/rest/auth/oauth2/v1/token"
    assert account.datacenter_lookup_url == "http://127.0.0.1:9999/rest/datacenterurls"
    assert NetSuiteAccount.parse("1234567").datacenter_lookup_url == "https://rest.netsuite.com/rest/datacenterurls"
