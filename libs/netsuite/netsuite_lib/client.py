"""One NetSuite client for both connectors: signed requests through the CDK's HTTP client, retried with
backoff on NetSuite's concurrency limit and server errors, at most the configured number in flight at once (fewer
while NetSuite refuses that many: slots.py).
"""
from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any, Iterator, Mapping

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.default_error_mapping import DEFAULT_ERROR_MAPPING
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from connector_http import RetriedAnswers

from .account import NetSuiteAccount
from .auth import CLIENT_CREDENTIALS, build_auth
from .errors import (LOGIN_AUDIT_HINT, BadAnswer, ConcurrencyLimited, LoginRejected, NetSuiteError, ServerError, Unreachable,
                     classify)
from .slots import AccountSlots, SlotAdapter

PAGE_SIZE = 1000
SUITEQL_ROW_CAP = 100_000
DEFAULT_CONCURRENCY = 4

_RETRY = ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, None)
_KEEP = ErrorResolution(ResponseAction.IGNORE, FailureType.config_error, None)


def _error_mapping(auth_type: str) -> dict:
    # Non-retryable answers are handed back (IGNORE) so `classify` turns them into plain-words errors.
    mapping = {**DEFAULT_ERROR_MAPPING}
    mapping.update({status: _KEEP for status in (400, 403, 404, 405, 409, 410)})
    mapping.update({429: _RETRY, 500: _RETRY, 502: _RETRY, 503: _RETRY, 504: _RETRY})
    # An expired OAuth 2.0 bearer token is renewed once; a TBA 401 is final.
    mapping[401] = (ErrorResolution(ResponseAction.REFRESH_TOKEN_THEN_RETRY, FailureType.config_error, None)
                    if auth_type == CLIENT_CREDENTIALS else _KEEP)
    return mapping


def _session_for(base_url: str) -> requests.Session:
    """A session with the environment's proxy and CA bundle settings (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE,
    CURL_CA_BUNDLE) read once: requests would read the whole environment again for every request, a tenth of the
    connector's own CPU per request, and every request goes to the one account host anyway."""
    session = requests.Session()
    proxies = requests.utils.get_environ_proxies(base_url)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.trust_env = False
    session.proxies.update(proxies)
    if bundle:
        session.verify = bundle
    return session


class NetSuiteClient:
    def __init__(self, config: Mapping[str, Any], logger: logging.Logger | None = None,
                 max_retries: int = 6, timeout: float = 60) -> None:
        self.logger = logger or logging.getLogger("netsuite")
        self.account = NetSuiteAccount.parse(config["account_id"], config.get("base_url") or None)
        credentials = config["credentials"]
        self.auth_type = credentials.get("auth_type", "")
        self.auth_name = "token-based authentication" if self.auth_type != CLIENT_CREDENTIALS else "OAuth 2.0"
        self.auth = build_auth(credentials, self.account)
        session = _session_for(self.account.base_url)
        self.slots = AccountSlots(int(config.get("concurrency") or DEFAULT_CONCURRENCY), self.logger)
        adapter = SlotAdapter(self.slots)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._timeout = timeout
        self._errors = RetriedAnswers(self.logger, _error_mapping(self.auth_type), max_retries=max_retries,
                                      max_time=timedelta(minutes=10))
        self._http = HttpClient(
            name="netsuite",
            logger=self.logger,
            error_handler=self._errors,
            authenticator=self.auth,
            use_cache=False,
            session=session,
        )

    def request(self, method: str, url: str, *, params: Mapping | None = None, json: Any = None,
                headers: Mapping | None = None) -> requests.Response:
        """Send one request; answers 2xx come back, every other answer is raised as a typed NetSuiteError."""
        self._errors.forget()
        try:
            _, response = self._http.send_request(
                method, url, request_kwargs={"timeout": self._timeout}, params=params, json=json,
                headers={"Accept": "application/json", **(headers or {})})
        except AirbyteTracedException as exc:
            last = self._errors.last_retried()
            # A configuration failure that did not end a run of retries on some other answer: the OAuth 2.0
            # token, refused after renewal or not renewable (the CDK raises those itself, on a 401).
            if exc.failure_type == FailureType.config_error and (
                    last is None or (isinstance(last, requests.Response) and last.status_code == 401)):
                raise LoginRejected(f"NetSuite refused the renewed OAuth 2.0 token. {LOGIN_AUDIT_HINT}", 401) from None
            raise _retries_exhausted(exc, last) from None
        if response.status_code >= 400:
            raise classify(response, self.auth_name)
        return response

    def suiteql_page(self, query: str, limit: int = PAGE_SIZE, offset: int = 0) -> dict:
        response = self.request("POST", self.account.suiteql_url, params={"limit": limit, "offset": offset},
                                json={"q": query}, headers={"Prefer": "transient"})
        request = f"POST {self.account.suiteql_url} (SuiteQL, offset {offset})"
        try:
            page = response.json()
        except ValueError:
            excerpt = " ".join((response.text or "")[:120].split())
            raise BadAnswer(f"NetSuite answered {request} with something that is not JSON (HTTP "
                            f"{response.status_code}, {response.headers.get('Content-Type') or 'no content type'}): "
                            f"{excerpt!r}", response.status_code) from None
        items = page.get("items") if isinstance(page, dict) else None
        if not isinstance(items, list) or not all(isinstance(row, dict) for row in items):
            raise BadAnswer(f"NetSuite's answer to {request} has no `items` list of rows.", response.status_code)
        return page

    def suiteql(self, query: str, page_size: int = PAGE_SIZE) -> Iterator[dict]:
        """Every row of `query`, page by page; stops at NetSuite's 100,000-row cap (keyset paging goes past it)."""
        offset = 0
        while True:
            page = self.suiteql_page(query, page_size, offset)
            for row in page.get("items", []):
                row.pop("links", None)
                yield row
            if not page.get("hasMore") or offset + page_size >= SUITEQL_ROW_CAP:
                return
            offset += page_size


def _retries_exhausted(exc: AirbyteTracedException, last: requests.Response | Exception | None) -> NetSuiteError:
    """What the CDK's retries ended on (the last answer our error handler ruled retryable), as our typed error."""
    if isinstance(last, requests.Response):
        if last.status_code == 429:
            return ConcurrencyLimited("NetSuite kept refusing requests over the account's concurrency limit; "
                                      "lower the connector's concurrency or try again later.", 429)
        if last.status_code >= 500:
            return ServerError(f"NetSuite kept answering with server errors ({last.status_code}).", last.status_code)
        return classify(last, "request")
    if isinstance(last, requests.RequestException) or last is None:
        return Unreachable(f"NetSuite could not be reached ({type(last).__name__ if last is not None else 'no answer'}).")
    return ServerError(exc.message or "NetSuite request failed.")
