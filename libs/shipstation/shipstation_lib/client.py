"""One ShipStation client for both connectors: v1 or v2 by the credentials, paced on the rate limit through the
CDK's HTTP client and API budget, 429s waited out as the headers say, failures as typed errors.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Mapping
from urllib.parse import urljoin, urlsplit

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.call_rate import HttpAPIBudget
from airbyte_cdk.sources.streams.http.error_handlers.default_error_mapping import DEFAULT_ERROR_MAPPING
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from connector_http import RetriedAnswers

from .credentials import ShipStationApi
from .errors import BadAnswer, RateLimited, ServerError, ShipStationError, Unreachable, answer_excerpt, classify
from .pacing import RetryAfterBackoff, shipstation_budget

_RETRY = ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, None)
_KEEP = ErrorResolution(ResponseAction.IGNORE, FailureType.config_error, None)


def _error_mapping() -> dict:
    mapping = {**DEFAULT_ERROR_MAPPING}
    # Refusals come back to `classify`, which words them for a merchant; only transient answers are retried.
    mapping.update({status: _KEEP for status in (400, 401, 403, 404, 405, 409, 410, 422)})
    mapping.update({429: _RETRY, 500: _RETRY, 502: _RETRY, 503: _RETRY, 504: _RETRY})
    return mapping


class ShipStationClient:
    def __init__(self, config: Mapping[str, Any], logger: logging.Logger | None = None,
                 max_retries: int = 6, timeout: float = 60, api_budget: HttpAPIBudget | None = None) -> None:
        self.logger = logger or logging.getLogger("shipstation")
        self.api = ShipStationApi.from_config(dict(config))
        self._timeout = timeout
        self._errors = RetriedAnswers(self.logger, _error_mapping(), max_retries=max_retries,
                                      max_time=timedelta(minutes=10))
        self._http = HttpClient(
            name="shipstation",
            logger=self.logger,
            error_handler=self._errors,
            backoff_strategy=RetryAfterBackoff(),
            api_budget=api_budget or shipstation_budget(self.api.rate_limit_per_minute),
            authenticator=self.api.auth,
            use_cache=False,
        )

    @property
    def version(self) -> str:
        return self.api.version

    def request(self, method: str, path: str, *, params: Mapping | None = None, json: Any = None) -> requests.Response:
        return self._send(method, self.api.url(path), params=params, json=json)

    def _send(self, method: str, url: str, *, params: Mapping | None = None, json: Any = None) -> requests.Response:
        self._errors.forget()
        try:
            _, response = self._http.send_request(method, url, request_kwargs={"timeout": self._timeout},
                                                  params=params, json=json, headers={"Accept": "application/json"})
        except AirbyteTracedException:
            raise _retries_exhausted(self._errors.last_retried()) from None
        if response.status_code >= 400:
            raise classify(response, self.api.version)
        return response

    def get(self, path: str, params: Mapping | None = None) -> Any:
        return self._json(self.api.url(path), params)

    def follow(self, href: str, request: str) -> Any:
        """GET a link ShipStation put in an answer (a list's `links.next.href`), resolved against the API's base:
        only on the API's own scheme and host, never with the key anywhere else. `request` names the list it came
        from, for the error."""
        url = urljoin(self.api.base_url + "/", href)
        if not self.on_api_host(url):
            raise BadAnswer(f"ShipStation's answer to {request} links its next page to {url!r}, which is not on "
                            f"{self.api.base_url}: not followed.")
        return self._json(url, None)

    def on_api_host(self, url: str) -> bool:
        mine, theirs = urlsplit(self.api.base_url), urlsplit(url)
        return (theirs.scheme.lower(), theirs.netloc.lower()) == (mine.scheme.lower(), mine.netloc.lower())

    def _json(self, url: str, params: Mapping | None) -> Any:
        response = self._send("GET", url, params=params)
        try:
            body = response.json()
        except ValueError:
            raise BadAnswer(f"ShipStation answered GET {url} with something that is not JSON "
                            f"(HTTP {response.status_code}, {response.headers.get('Content-Type') or 'no content type'}): "
                            f"{answer_excerpt(response)!r}", response.status_code) from None
        if not isinstance(body, (dict, list)):
            raise BadAnswer(f"ShipStation answered GET {url} with JSON that is not an object or a list.",
                            response.status_code)
        return body


def listed(body: Any, key: str, request: str) -> list[dict]:
    """The `key` list of a list answer (null reads as empty); an answer without it, or with something else in it,
    is a BadAnswer naming the request rather than a page read as empty."""
    if not isinstance(body, dict) or key not in body:
        raise BadAnswer(f"ShipStation's answer to {request} has no `{key}` list.")
    rows = body[key]
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise BadAnswer(f"ShipStation's answer to {request} has a `{key}` that is not a list of objects.")
    return rows


def page_count(body: Any, request: str, default: int) -> int:
    value = body.get("pages") if isinstance(body, dict) else None
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadAnswer(f"ShipStation's answer to {request} has a `pages` that is not a number.") from None


def _retries_exhausted(last: requests.Response | Exception | None) -> ShipStationError:
    """What the CDK's retries ended on (the last answer our error handler ruled retryable), as our typed error."""
    if isinstance(last, requests.Response):
        if last.status_code == 429:
            return RateLimited("ShipStation kept answering 429 (rate limit) after waiting as it asked.", 429)
        return ServerError(f"ShipStation kept answering with server errors ({last.status_code}).", last.status_code)
    return Unreachable(f"ShipStation could not be reached ({type(last).__name__ if last is not None else 'no answer'}).")
