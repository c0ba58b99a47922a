"""NetSuite's errors as classes, and the one function that writes NetSuite's error body.

Every refusal the emulator makes is one of these classes; `error_body` is the only place the wire shape
`{"type","title","status","o:errorDetails":[{"detail","o:errorCode","o:errorPath"?}]}` is built
(reference netsuite-api.md section 6), so all answers look alike, as the real API's do.
"""
from __future__ import annotations

import json

# NetSuite points `type` at the RFC section describing the status code (seen in real 401 captures).
STATUS_TYPES = {
    400: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "Bad Request"),
    401: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2", "Unauthorized"),
    403: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4", "Forbidden"),
    404: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5", "Not Found"),
    405: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6", "Method Not Allowed"),
    415: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.16", "Unsupported Media Type"),
    429: ("https://www.rfc-editor.org/rfc/rfc6585.html#section-4", "Too Many Requests"),
    500: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1", "Internal Server Error"),
}

INVALID_LOGIN_DETAIL = ("Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
                        "Setup > Users/Roles > User Management > View Login Audit Trail.")


class NetSuiteError(Exception):
    status = 400
    code = "USER_ERROR"
    detail = "An error occurred."
    query_param: str | None = None  # o:errorQueryParam: the query parameter at fault
    reason = ""  # what the emulator found wrong, for its control plane only (GET /__emulator/query-errors)

    def __init__(self, detail: str | None = None, error_path: str | None = None) -> None:
        super().__init__(detail or self.detail)
        if detail is not None:
            self.detail = detail
        self.error_path = error_path


def error_body(err: NetSuiteError) -> dict:
    type_url, title = STATUS_TYPES.get(err.status, STATUS_TYPES[500])
    detail = {"detail": err.detail}
    if err.error_path:
        detail["o:errorPath"] = err.error_path
    if err.query_param:
        # Live captures of SuiteQL refusals carry "o:errorQueryParam": "q" although q travels in the body
        # (non-OneWorld "Unknown identifier 'subsidiary'" capture; "Invalid search type: Email." capture).
        detail["o:errorQueryParam"] = err.query_param
    detail["o:errorCode"] = err.code
    return {"type": type_url, "title": title, "status": err.status, "o:errorDetails": [detail]}


def error_bytes(err: NetSuiteError) -> bytes:
    return json.dumps(error_body(err)).encode()


class InvalidLogin(NetSuiteError):
    """Every authentication failure; the real reason goes to the login audit trail, never to the client."""
    status, code, detail = 401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL

    def __init__(self, reason: str, note: str = "") -> None:
        super().__init__()
        self.reason = reason
        self.note = note


class InvalidAccount(NetSuiteError):
    # datacenterurls for an account that does not exist (wording UNCONFIRMED).
    code = "INVALID_ACCOUNT"


class InvalidParameter(NetSuiteError):
    code = "INVALID_PARAMETER"

    def __init__(self, detail: str | None = None, error_path: str | None = None, query_param: str | None = None,
                 reason: str = "") -> None:
        super().__init__(detail, error_path)
        if query_param:
            self.query_param = query_param
        self.reason = reason or self.detail


SUITEQL_PREFIX = "Invalid search query. Detailed unprocessed description follows. "


class InvalidSearchQuery(InvalidParameter):
    """SuiteQL NetSuite refuses: 400 INVALID_PARAMETER, o:errorQueryParam q, the detail this prefix + NetSuite's
    description (every capture of a SuiteQL refusal over REST starts so: ehmad11/netsuite-rest tests, live
    captures quoted in third-party clients)."""

    def __init__(self, description: str, reason: str = "") -> None:
        super().__init__(SUITEQL_PREFIX + description, query_param="q", reason=reason or description)


class UnsupportedSearch(InvalidSearchQuery):
    """Syntax or a function SuiteQL does not run. NetSuite's words for the many such cases are not all public;
    "Invalid or unsupported search." is the one seen live (for a GROUP BY alias, a join it cannot traverse).
    Which words NetSuite uses for each case (LIMIT, WITH, a SQLite function...) is UNCONFIRMED; `reason` says what
    the emulator found and is shown only on the control plane."""

    def __init__(self, reason: str) -> None:
        super().__init__("Search error occurred: Invalid or unsupported search.", reason=reason)


class UnknownIdentifier(InvalidSearchQuery):
    """An unqualified name no table in scope has (ehmad11/netsuite-rest test: `select not_existing_field from
    customer`; a live capture: `Unknown identifier 'subsidiary'. Available identifiers are:
    {transaction=transaction}.`)."""

    def __init__(self, name: str, identifiers: dict[str, str]) -> None:
        listed = ", ".join(f"{alias}={table}" for alias, table in identifiers.items())
        super().__init__(f"Search error occurred: Unknown identifier '{name}'. Available identifiers are: "
                         f"{{{listed}}}.")


class FieldNotFound(InvalidSearchQuery):
    """A qualified column the record does not have, or does not expose to SuiteQL (third-party captures: "Field
    'amout' for record 'transactionLine' was not found.", "Field 'subsidiary' for record 'transaction' was not
    found. Reason: NOT_EXPOSED"). The record name's casing in the real message is UNCONFIRMED (lowercase here)."""

    def __init__(self, field: str, record: str, reason: str | None = None) -> None:
        tail = f" Reason: {reason}" if reason else ""
        super().__init__(f"Search error occurred: Field '{field}' for record '{record}' was not found.{tail}")


class InvalidSearchType(InvalidSearchQuery):
    """A table SuiteQL does not have (ehmad11/netsuite-rest test; a live capture "Invalid search type: Email.")."""

    def __init__(self, table: str) -> None:
        super().__init__(f"Invalid search type: {table}.")


class SearchRecordNotFound(InvalidSearchQuery):
    """A table the role may not read: NetSuite says the record was not found (a client test quotes "Invalid search
    query. Detailed unprocessed description follows. Search error occurred: Record 'customer' was not found.")."""

    def __init__(self, table: str) -> None:
        super().__init__(f"Search error occurred: Record '{table}' was not found.")


class InvalidRecordQuery(InvalidParameter):
    """A record collection `q` NetSuite cannot parse. Wording from a third-party client's capture of NetSuite's
    answer to a single-quoted literal; that it is also the answer to an unknown field or a wrong operator is
    UNCONFIRMED."""

    def __init__(self, reason: str) -> None:
        super().__init__("Invalid search query. Provide a valid search query.", query_param="q", reason=reason)


class DateParseFailed(InvalidParameter):
    """A date literal in a record collection `q` that the account's date format does not parse. Wording from
    third-party captures ("Invalid search query. Search error occurred: Parse of date/time "8/5/2026 23:53" failed
    with date format "M/d/yy" in time zone America/Los_Angeles"); Airbyte source-netsuite switches its date
    format on "failed with date format"."""

    def __init__(self, literal: str, java_format: str, time_zone: str) -> None:
        super().__init__(f'Invalid search query. Search error occurred: Parse of date/time "{literal}" failed with '
                         f'date format "{java_format}" in time zone {time_zone}', query_param="q")


class InvalidContent(NetSuiteError):
    code = "INVALID_CONTENT"


class UserError(NetSuiteError):
    code = "USER_ERROR"


class DuplicateExternalId(NetSuiteError):
    # UNCONFIRMED: code and wording of a transform carrying an external id already in use.
    code = "DUP_RCRD"
    detail = "A record with this external ID already exists."


class NonexistentId(NetSuiteError):
    status, code = 404, "NONEXISTENT_ID"
    detail = "The record instance does not exist. Provide a valid record instance ID."


class UnknownPath(NetSuiteError):
    # UNCONFIRMED: the code and detail NetSuite gives for a path that names no resource.
    status, code = 404, "NONEXISTENT_ID"

    def __init__(self, path: str) -> None:
        super().__init__(f"The requested resource '{path}' does not exist.")


class MethodNotAllowed(NetSuiteError):
    # UNCONFIRMED wording.
    status, code = 405, "INVALID_METHOD"

    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"The HTTP method {method} is not supported for '{path}'.")


class InsufficientPermission(NetSuiteError):
    status, code = 403, "INSUFFICIENT_PERMISSION"

    def __init__(self, permission: str) -> None:
        super().__init__(f"Permission Violation: You need the '{permission}' permission to access this page. "
                         "Please contact your account administrator.")


class ConcurrencyLimitExceeded(NetSuiteError):
    # The status and o:errorCode are in third-party code; the title is the RFC's; the detail is UNCONFIRMED.
    status, code = 429, "CONCURRENCY_LIMIT_EXCEEDED"
    detail = "Concurrent request limit exceeded. Request blocked."


class UnexpectedError(NetSuiteError):
    # NetSuite's 500s carry an error id to quote to support; the exact wording is UNCONFIRMED.
    status, code = 500, "UNEXPECTED_ERROR"
    detail = "An unexpected error occurred. Error ID: emulator-injected-fault"


class OAuth2Error(Exception):
    """An RFC 6749 token endpoint error. NetSuite's body for a bad assertion has no public capture: UNCONFIRMED."""

    def __init__(self, error: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason
        self.status = status

    def body(self) -> dict:
        return {"error": self.error}


# --- account features (README "Account features"): refusals of the transform ----------------------------------
# REST puts "Error while accessing a resource. " before a record's validation message, with USER_ERROR (captured:
# ehmad11/netsuite-rest#26, "Error while accessing a resource. Please enter value(s) for: First Name, Last Name.").
RESOURCE_ERROR = "Error while accessing a resource. "


class RecordValidationError(UserError):
    """A record NetSuite will not save; the message after the REST prefix is NetSuite's (source per subclass)."""

    def __init__(self, message: str, error_path: str | None = None) -> None:
        super().__init__(RESOURCE_ERROR + message, error_path)


class LocationRequired(RecordValidationError):
    # The message from public SuiteScript code matching err.message; the REST code is UNCONFIRMED.
    def __init__(self, error_path: str | None = None) -> None:
        super().__init__("Multi-location Inventory Error (MLI_LOCATION_REQUIRED): this transaction or its items must "
                         "have locations.", error_path)


class NotEnoughOnHand(RecordValidationError):
    # UNCONFIRMED wording: NetSuite refuses negative inventory unless the account allows it.
    def __init__(self, onhand: int, sku: str, location: str, error_path: str | None = None) -> None:
        super().__init__(f"You cannot fulfill more than the quantity on hand ({onhand}) of item {sku} at location "
                         f"{location}.", error_path)


class ConfigureInventoryDetail(RecordValidationError):
    # Public REST and SuiteScript code quoting NetSuite: "Please configure the inventory detail in line N".
    def __init__(self, position: int, error_path: str | None = None) -> None:
        super().__init__(f"Please configure the inventory detail in line {position} of the item list.", error_path)


class InventoryDetailTotal(RecordValidationError):
    # Public code quoting a live refusal: "The total inventory detail quantity must be 255".
    def __init__(self, quantity, error_path: str | None = None) -> None:
        super().__init__(f"The total inventory detail quantity must be {quantity}.", error_path)


class SerialQuantity(RecordValidationError):
    # UNCONFIRMED wording.
    def __init__(self, number: str, error_path: str | None = None) -> None:
        super().__init__(f"The quantity of serial number {number} must be 1.", error_path)


class SerialTwice(RecordValidationError):
    # UNCONFIRMED wording.
    def __init__(self, number: str, error_path: str | None = None) -> None:
        super().__init__(f"Serial number {number} has been entered more than once.", error_path)


class InsufficientInventoryNumber(RecordValidationError):
    # UNCONFIRMED wording.
    def __init__(self, what: str, available: int, requested: int, error_path: str | None = None) -> None:
        super().__init__(f"Insufficient quantity available for {what}: {available} available, {requested} requested.",
                         error_path)


class InventoryDetailNotApplicable(RecordValidationError):
    # UNCONFIRMED wording.
    def __init__(self, sku: str, error_path: str | None = None) -> None:
        super().__init__(f"Inventory detail is not applicable to item {sku}.", error_path)


class KitNotEmulated(RecordValidationError):
    # The emulator's own limit, said in its own words.
    def __init__(self, error_path: str | None = None) -> None:
        super().__init__("Kits with lot-numbered, serialized or bin-managed members are not emulated.", error_path)


class InvalidFieldValue(RecordValidationError):
    """A value the field does not take here. REST captures: "Error while accessing a resource. You have entered an
    Invalid Field Value 53384 for the following field: customer." (USER_ERROR, o:errorPath the sublist line) and
    "… Invalid Field Value 6 for the following field: location." for a location of another subsidiary; SuiteScript
    code quoting "You have entered an Invalid Field Value 430 for the following field: issueinventorynumber" for a
    serial number that cannot be used."""

    def __init__(self, value, field: str, error_path: str | None = None) -> None:
        super().__init__(f"You have entered an Invalid Field Value {value} for the following field: {field}.",
                         error_path)


class InvalidReferenceKey(RecordValidationError):
    """NetSuite's "Invalid <field> reference key <value>." (public code quoting NetSuite: "Invalid binnumber reference
    key PLATING" for a bin the item had nothing in; the REST prefix and code UNCONFIRMED for it)."""

    def __init__(self, field: str, key, error_path: str | None = None) -> None:
        super().__init__(f"Invalid {field} reference key {key}.", error_path)
