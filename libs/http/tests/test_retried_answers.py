"""The answer the CDK's retries ended on is kept per thread, forgotten per request, and never a success or an
answer handed back to the caller."""
import logging
import threading

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from connector_http import RetriedAnswers

RETRY = ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, None)
KEEP = ErrorResolution(ResponseAction.IGNORE, FailureType.config_error, None)


def answer(status: int) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    return response


def handler() -> RetriedAnswers:
    return RetriedAnswers(logging.getLogger("test"), {429: RETRY, 503: RETRY, 404: KEEP}, max_retries=2)


def test_the_last_retried_answer_is_kept_and_an_answer_handed_back_is_not():
    errors = handler()
    errors.interpret_response(answer(429))
    errors.interpret_response(answer(503))
    errors.interpret_response(answer(404))  # handed back to the caller, classified there
    errors.interpret_response(answer(200))
    assert errors.last_retried().status_code == 503
    timeout = requests.ConnectTimeout("no answer")
    errors.interpret_response(timeout)
    assert errors.last_retried() is timeout


def test_each_request_starts_forgotten_and_threads_do_not_see_each_other():
    errors = handler()
    errors.interpret_response(answer(429))
    seen_elsewhere = []
    other = threading.Thread(target=lambda: seen_elsewhere.append(errors.last_retried()))
    other.start()
    other.join()
    assert seen_elsewhere == [None] and errors.last_retried().status_code == 429
    errors.forget()
    assert errors.last_retried() is None
