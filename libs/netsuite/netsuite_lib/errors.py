"""NetSuite's answers turned into typed errors with plain-words messages.

NetSuite gives every login failure the same 401 "Invalid login attempt" body; the real reason is only in the
account's Login Audit Trail. So messages name the likely causes and where to look, never a secret.
"""
from __future__ import annotations

import json

import requests

LOGIN_AUDIT_HINT = ("NetSuite shows the exact reason in Setup > Users/Roles > User Management > "
                    "View Login Audit Trail.")


class NetSuiteError(Exception):
    """Base of all NetSuite failures; `retryable` says whether trying again later can help."""

    retryable = False

    def __init__(self, message: str, status: int | None = None, code: str | None = None,
                 foreign: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        # The answer was not NetSuite's own error document (a proxy's HTML page, say): it tells nothing about the
        # request and much about the way to NetSuite, so every other request would likely meet the same.
        self.foreign = foreign


class UnknownAccount(NetSuiteError):
    pass


class Unreachable(NetSuiteError):
    retryable = True


class LoginRejected(NetSuiteError):
    pass


class PermissionMissing(NetSuiteError):
    pass


class ConcurrencyLimited(NetSuiteError):
    retryable = True


class ServerError(NetSuiteError):
    retryable = True


class BadAnswer(NetSuiteError):
    """An answer that is not what the API documents (an HTML page from a proxy, cut-off JSON, no `items`)."""

    retryable = True


class RequestRejected(NetSuiteError):
    pass


def error_details(response: requests.Response) -> tuple[str | None, str]:
    """The first o:errorCode and detail of a NetSuite error body, or (None, a short excerpt of the body)."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return None, (response.text or "")[:200]
    if not isinstance(body, dict):
        return None, str(body)[:200]
    details = body.get("o:errorDetails") or []
    if details and isinstance(details[0], dict):
        return details[0].get("o:errorCode"), str(details[0].get("detail", ""))
    if "error" in body:  # OAuth 2.0 token endpoint, RFC 6749 style
        return str(body["error"]), str(body.get("error_description", body["error"]))
    return None, str(body.get("title", ""))[:200]


# SuiteQL names tables; merchants grant permissions. Which permission opens which table, as the role page shows it.
TABLE_PERMISSIONS = {
    "item": "Lists > Items",
    "inventoryitemlocations": "Lists > Items",
    "location": "Lists > Locations",
    "customer": "Lists > Customers",
    "transaction": "Transactions > Find Transaction, and Transactions > Sales Order",
    "transactionline": "Transactions > Find Transaction, and Transactions > Sales Order",
    "inventorynumber": "Lists > Items",
    "inventorybalance": "Lists > Items",
    "inventorynumberlocation": "Lists > Items",
    "bin": "Lists > Bins",
    "itembinnumber": "Lists > Bins",
    "unitstypeuom": "Lists > Units",
    "subsidiary": "Lists > Subsidiaries",
}
LOGIN_PERMISSION = {
    "token-based authentication": "'Log in using Access Tokens'",
    "OAuth 2.0": "'Log in using OAuth 2.0 Access Tokens'",
}


def spoils_every_request(error: NetSuiteError) -> bool:
    """Whether the failure is about the way to NetSuite rather than this one request: the login or a permission
    refused, NetSuite down or overloaded past the retries, an answer that is not NetSuite's. Going on with other
    requests would fail the same way; only NetSuite's own refusal of one request (a field value, a closed order,
    a record that is gone) leaves the others unharmed."""
    return (error.retryable or error.foreign
            or isinstance(error, (LoginRejected, PermissionMissing, UnknownAccount)))


def _is_error_document(response: requests.Response) -> bool:
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return False
    return isinstance(body, dict) and ("o:errorDetails" in body or "error" in body)


def classify(response: requests.Response, auth_name: str) -> NetSuiteError:
    error = _classify(response, auth_name)
    error.foreign = not _is_error_document(response)
    if error.foreign and isinstance(error, RequestRejected):
        # Not NetSuite's refusal: saying "NetSuite refused" would send the merchant looking at the wrong record.
        excerpt = " ".join((response.text or "")[:120].split())
        error = RequestRejected(
            f"NetSuite's address answered HTTP {response.status_code} with something that is not a NetSuite error "
            f"({response.headers.get('Content-Type') or 'no content type'}; a proxy or gateway page?): {excerpt!r}",
            error.status, error.code, foreign=True)
    return error


def _classify(response: requests.Response, auth_name: str) -> NetSuiteError:
    code, detail = error_details(response)
    status = response.status_code
    if status == 401:
        return LoginRejected(
            f"NetSuite refused the login ({auth_name}). Usual causes: a wrong key, secret or token, a token that "
            f"was revoked or has expired, the token belonging to another account, or the role lacking the "
            f"{LOGIN_PERMISSION.get(auth_name, 'login')} or 'REST Web Services' permission. {LOGIN_AUDIT_HINT}",
            status, code)
    if status == 403:
        return PermissionMissing(f"The NetSuite role lacks a permission: {detail}", status, code)
    if status == 429:
        return ConcurrencyLimited("NetSuite's concurrent request limit for this account was reached.", status, code)
    if status >= 500:
        return ServerError(f"NetSuite answered with a server error ({status}).", status, code)
    if "was not found" in detail and "Record '" in detail:
        # SuiteQL reports a table the role may not read as if the table did not exist.
        record = detail.split("Record '", 1)[1].split("'", 1)[0]
        permission = TABLE_PERMISSIONS.get(record.lower(), "the Lists or Transactions tab of the role")
        return PermissionMissing(
            f"The NetSuite role cannot read '{record}' records: add the permission {permission} (View or higher) "
            "to the role under Setup > Users/Roles > Manage Roles.", status, code)
    return RequestRejected(f"NetSuite refused the request ({status} {code or ''}): {detail}".replace(" )", ")"),
                           status, code)
