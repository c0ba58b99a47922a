from __future__ import annotations

import threading
from typing import Any

import requests
from airbyte_cdk.sources.streams.http.error_handlers import HttpStatusErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction


class RetriedAnswers(HttpStatusErrorHandler):
    """The CDK's status error handler, which also remembers (per thread: each request is retried on the thread that
    sent it) the last answer it ruled anything but a success or an answer to hand back. When the CDK gives up after
    its retries it raises a generic error of its own; this answer, seen through the handler's public
    `interpret_response` hook, is what tells a rate limit from a server error, no answer at all or a refused
    renewed token, with no reliance on the CDK's private attributes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen = threading.local()

    def interpret_response(self, response_or_exception=None) -> ErrorResolution:
        resolution = super().interpret_response(response_or_exception)
        if resolution.response_action not in (ResponseAction.SUCCESS, ResponseAction.IGNORE):
            self._seen.answer = response_or_exception
        return resolution

    def forget(self) -> None:
        """Called before each request: what an earlier request on this thread met is not this one's."""
        self._seen.answer = None

    def last_retried(self) -> requests.Response | Exception | None:
        return getattr(self._seen, "answer", None)
