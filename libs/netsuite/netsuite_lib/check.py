"""What `check` of both NetSuite connectors does: find the account, log in, and read each table the connector
needs, so a merchant learns which of those steps fails and why, in plain words.
"""
from __future__ import annotations

from typing import Iterable

import requests

from .client import NetSuiteClient
from .errors import NetSuiteError, PermissionMissing, RequestRejected, UnknownAccount, Unreachable


def verify_account_exists(client: NetSuiteClient, timeout: float = 20) -> None:
    account = client.account
    try:
        response = requests.get(account.datacenter_lookup_url, params={"account": account.realm}, timeout=timeout)
    except requests.RequestException as exc:
        raise Unreachable(f"NetSuite could not be reached at {account.datacenter_lookup_url} "
                          f"({type(exc).__name__}). Check the network and the base URL.") from None
    if 400 <= response.status_code < 500:
        raise UnknownAccount(
            f"NetSuite does not know the account id '{account.realm}'. Copy it from Setup > Company > Company "
            "Information (Account ID); a sandbox id ends in _SB1 (typed as _SB1 or -sb1, in any case).", response.status_code)
    if response.status_code >= 500:
        raise Unreachable(f"NetSuite's account lookup answered with a server error ({response.status_code}).")


def verify_tables_readable(client: NetSuiteClient, probes: Iterable[str]) -> None:
    for query in probes:
        client.suiteql_page(query, limit=1)


def verify_features(client: NetSuiteClient, needs: Iterable[tuple[str, str, str]]) -> None:
    """Each (setting, feature, probe): the probe is a query that fails when the account lacks the feature (the
    table is unknown) or the role may not read it; the failure names the setting and the feature to enable."""
    for setting, feature, probe in needs:
        try:
            client.suiteql_page(probe, limit=1)
        except (PermissionMissing, RequestRejected) as error:
            # SuiteQL answers a table of a feature that is off as it answers one the role may not read.
            raise type(error)(f"The setting '{setting}' needs {feature}. NetSuite refused to read what it needs: "
                              f"{error.message}", error.status, error.code) from None


def diagnose(client: NetSuiteClient, probes: Iterable[str], features: Iterable[tuple[str, str, str]] = ()
             ) -> str | None:
    """None when the connector can work, otherwise the first problem in words a merchant can act on."""
    try:
        verify_account_exists(client)
        verify_tables_readable(client, probes)
        verify_features(client, features)
    except NetSuiteError as error:
        return error.message
    return None
