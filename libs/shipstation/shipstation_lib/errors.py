"""ShipStation's answers turned into typed errors with plain-words messages (v1 and v2 differ in shape)."""
from __future__ import annotations

import requests


class ShipStationError(Exception):
    retryable = False

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class Unreachable(ShipStationError):
    retryable = True


class KeyRejected(ShipStationError):
    pass


class FeatureMissing(ShipStationError):
    pass


class RateLimited(ShipStationError):
    retryable = True


class ServerError(ShipStationError):
    retryable = True


class RequestRejected(ShipStationError):
    pass


class BadAnswer(ShipStationError):
    """An answer that is not what the API documents (an HTML page from a proxy, cut-off JSON, a missing list):
    retrying the whole sync later may help, going on with it would read nothing where there is something."""

    retryable = True


def answer_excerpt(response: requests.Response) -> str:
    return " ".join((response.text or "")[:120].split())


def error_summary(response: requests.Response) -> tuple[str | None, str]:
    """(error code, message) from a v2 `errors[]` body or a v1 `Message` body; never the request itself."""
    try:
        body = response.json()
    except ValueError:
        return None, (response.text or "").strip()[:200]
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return errors[0].get("error_code"), str(errors[0].get("message", ""))
        for key in ("Message", "message", "ExceptionMessage"):
            if body.get(key):
                return None, str(body[key])
    return None, str(body)[:200]


def classify(response: requests.Response, api_version: str) -> ShipStationError:
    code, message = error_summary(response)
    status = response.status_code
    if status == 401:
        what = "API key and secret" if api_version == "v1" else "API key"
        return KeyRejected(
            f"ShipStation refused the {api_version} {what}: it is wrong, was revoked, or belongs to the other API "
            f"version. Create or copy it under Settings > Account > API Settings.", status, code)
    if status == 403:
        return FeatureMissing(f"ShipStation refused access: {message}", status, code)
    if status == 429:
        return RateLimited("ShipStation's rate limit was reached.", status, code)
    if status >= 500:
        return ServerError(f"ShipStation answered with a server error ({status}).", status, code)
    return RequestRejected(f"ShipStation refused the request ({status}{' ' + code if code else ''}): {message}",
                           status, code)


class KeyRefused(Exception):
    """ShipStation refused the connection's credential: a writer stops at once (every further call would be
    refused the same way) and says which credential to replace (`credential_refused`'s words)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def credential_refused(error: ShipStationError, api_version: str) -> str | None:
    """When ShipStation refused this connection's credential (401) or its access (403), the words to stop a sync
    with: every further call would be refused the same way, so the merchant must act. None for any other error.
    Names which credential, never its value."""
    what = "API key and secret" if api_version == "v1" else "API key"
    if isinstance(error, KeyRejected):
        return (f"ShipStation refused the {api_version} {what} of this connection (401): it was revoked, replaced, "
                f"or is wrong. Make a new key under Settings > Account > API Settings and update the connection")
    if isinstance(error, FeatureMissing):
        detail = error.message.removeprefix("ShipStation refused access: ").rstrip(".")
        return (f"ShipStation refused the {api_version} {what} of this connection (403): {detail}. Check the "
                "account's plan and add-ons in ShipStation, then run the connection's check")
    return None
