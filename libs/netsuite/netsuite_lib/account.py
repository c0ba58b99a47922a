"""Account ids as merchants type them, mapped to the REST host and the OAuth realm.

NetSuite shows sandbox ids as `1234567_SB1`; people paste `1234567-sb1` or lower case too. The host wants
`1234567-sb1`, the TBA realm wants `1234567_SB1` exactly (a realm in the wrong case is an "Invalid login").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)?$")


class InvalidAccountId(ValueError):
    pass


@dataclass(frozen=True)
class NetSuiteAccount:
    realm: str  # canonical form, e.g. 1234567_SB1
    base_url: str  # REST host, or the override for emulators

    @classmethod
    def parse(cls, raw: str, base_url_override: str | None = None) -> "NetSuiteAccount":
        cleaned = (raw or "").strip()
        if not _ACCOUNT_ID.match(cleaned):
            raise InvalidAccountId(
                f"'{cleaned}' is not a NetSuite account id. Copy it from Setup > Company > Company Information "
                "(Account ID), for example 1234567 or, for a sandbox, 1234567_SB1."
            )
        realm = cleaned.replace("-", "_").upper()
        host = realm.replace("_", "-").lower()
        base_url = (base_url_override or f"https://{host}.suitetalk.api.netsuite.com").rstrip("/")
        return cls(realm=realm, base_url=base_url)

    @property
    def is_sandbox(self) -> bool:
        return "_SB" in self.realm

    @property
    def datacenter_lookup_url(self) -> str:
        # Oracle's own lookup of an account's domains; it needs no login, so it tells an unknown account
        # apart from bad credentials. Emulators answer it at the override base URL.
        if self.base_url.endswith(".suitetalk.api.netsuite.com"):
            return "https://rest.netsuite.com/rest/datacenterurls"
        return f"{self.base_url}/rest/datacenterurls"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/services/rest/auth/oauth2/v1/token"

    @property
    def suiteql_url(self) -> str:
        return f"{self.base_url}/services/rest/query/v1/suiteql"

    def record_url(self, path: str) -> str:
        return f"{self.base_url}/services/rest/record/v1/{path.lstrip('/')}"
