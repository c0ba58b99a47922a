"""Every error body the emulator sends, in one place: v1's ASP.NET shapes and v2's `error_response_body`.

Raise a V1Error / V2Error from anywhere below a route; the app turns it into the wire answer.
"""
from __future__ import annotations

import json
import math
import uuid

from .ratelimit import WINDOW_SECONDS

V1_UNAUTHORIZED_HTML = (b"<html><head><title>401 - Unauthorized</title></head>"
                        b"<body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1>"
                        b"</body></html>")  # UNCONFIRMED wording: v1 answers 401 with a small HTML page or nothing.
V1_TOO_MANY = {"message": "Too Many Requests"}  # D1 requirements page.

# OAS `error_source` enum is carrier | order_source | ShipStation (capital S); live bodies are not captured,
# so the emulator follows the OAS. Clients should compare error_source case-insensitively.
V2_SOURCE = "ShipStation"
# UNCONFIRMED wording (no capture): the message a bad v2 API key gets.
V2_BAD_KEY_MESSAGE = ("The API key is invalid. Please see https://www.shipstation.com/docs/api/ "
                      "for more information.")


class V1Error(Exception):
    """A v1 failure: ASP.NET Web API's HttpError shape."""

    def __init__(self, status: int, message: str, exception_message: str | None = None,
                 exception_type: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"Message": message, "ExceptionMessage": exception_message, "ExceptionType": exception_type}


def v1_bad_request(detail: str, exception_type: str = "System.ArgumentException") -> V1Error:
    # UNCONFIRMED exact texts; the shape (Message/ExceptionMessage/ExceptionType) is v1's.
    return V1Error(400, "The request is invalid.", detail, exception_type)


def v1_not_found(detail: str) -> V1Error:
    return V1Error(404, "No HTTP resource was found that matches the request URI.", detail, None)


class V2Error(Exception):
    """A v2 failure; `body()` gives OAS `error_response_body` with a fresh request id."""

    def __init__(self, status: int, error_type: str, error_code: str, message: str,
                 headers: dict[str, str] | None = None, more: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.error_type, self.error_code, self.message = status, error_type, error_code, message
        self.headers = headers or {}
        self.more = more or []  # further (error_type, error_code, message) entries of the same answer

    def body(self) -> dict:
        body = v2_error_body(self.error_type, self.error_code, self.message)
        body["errors"] += [_v2_error(*entry) for entry in self.more]
        return body


def _v2_error(error_type: str, error_code: str, message: str) -> dict:
    return {"error_source": V2_SOURCE, "error_type": error_type, "error_code": error_code, "message": message}


def v2_error_body(error_type: str, error_code: str, message: str) -> dict:
    return {"request_id": str(uuid.uuid4()), "errors": [_v2_error(error_type, error_code, message)]}


def v2_validation_errors(entries: list[tuple[str, str]]) -> V2Error:
    """One 400 answer listing every (error_code, message) found in a request, each as a validation error.
    UNCONFIRMED: whether the real API lists every problem or stops at the first, and its wording."""
    (code, message), *rest = entries
    return V2Error(400, "validation", code, message, more=[("validation", c, m) for c, m in rest])


def v2_unauthorized() -> V2Error:
    return V2Error(401, "security", "unauthorized", V2_BAD_KEY_MESSAGE)


def v2_inventory_not_enabled() -> V2Error:
    # UNCONFIRMED: no capture of the add-on-missing answer. 403 with security/forbidden (an OAS error_code).
    return V2Error(403, "security", "forbidden",
                   "The Inventory API is not enabled for this account. Activate the Inventory add-on to use it.")


def v2_validation(message: str, code: str = "invalid_field_value") -> V2Error:
    return V2Error(400, "validation", code, message)


def v2_not_found(message: str) -> V2Error:
    return V2Error(404, "validation", "invalid_identifier", message)


def v2_rate_limited(retry_after: int) -> V2Error:
    # error_type/code from the official SDK's test mock; wording UNCONFIRMED.
    return V2Error(429, "system", "rate_limit_exceeded",
                   "You have exceeded the rate limit. Please see https://www.shipstation.com/docs/api/ "
                   "for more information.", headers={"Retry-After": str(retry_after)})


def v2_server_error(status: int) -> V2Error:
    return V2Error(status, "system", "unspecified", "An unexpected error occurred. Please try again later.")


def fault_response(path: str, status: int, retry_after: float = WINDOW_SECONDS,
                   v1_limit: int = 40) -> tuple[int, dict[str, str], bytes]:
    """The real API's answer for an injected fault, in the shape of the API the path belongs to.

    An injected 429 is not counted in any window, so it says to wait a whole one (`retry_after`: the
    emulator's window length; the real API never asks for more than its 60 s window): v2 in `Retry-After`,
    v1 in what D1 documents, `X-Rate-Limit-Limit`/`-Remaining` (0)/`-Reset` (seconds), and no Retry-After."""
    retry_after = math.ceil(retry_after)  # whole seconds on the wire, as the real header
    if path.startswith("/v2/"):
        if status == 429:
            err = v2_rate_limited(retry_after)
        else:
            err = v2_server_error(status)
        return status, {"content-type": "application/json", **err.headers}, json.dumps(err.body()).encode()
    if status == 429:
        return 429, {"content-type": "application/json", "X-Rate-Limit-Limit": str(v1_limit),
                     "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(retry_after)}, \
            json.dumps(V1_TOO_MANY).encode()
    # v1 5xx: ASP.NET's generic error (UNCONFIRMED text); gateways in front (502/503) send HTML, but JSON keeps
    # one shape for clients to parse.
    return status, {"content-type": "application/json"}, json.dumps(
        {"Message": "An error has occurred.", "ExceptionMessage": None, "ExceptionType": None}).encode()
