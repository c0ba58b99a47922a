"""The Airbyte API trigger asks for a sync job of the right connection with the bearer token, follows the job to
its end (so the scheduler never overlaps syncs), and never shows the token in an error."""
import threading

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from webhook_relay.server import free_port
from webhook_relay.trigger import AirbyteApiTrigger, TriggerError

TOKEN = "airbyte-token-7f3a9c"


class FakeAirbyte:
    """Airbyte's public API, as much as the trigger uses: POST /v1/jobs, GET /v1/jobs/{id}."""

    def __init__(self, polls_until_done: int = 2, answer_status: int = 200) -> None:
        self.started, self.polls, self.auth = [], 0, []
        self.polls_until_done, self.answer_status = polls_until_done, answer_status

        async def create(request: Request):
            self.auth.append(request.headers.get("authorization"))
            if self.answer_status != 200:
                return JSONResponse({"message": "nope"}, status_code=self.answer_status)
            self.started.append(await request.json())
            return JSONResponse({"jobId": 42, "status": "running", "jobType": "sync"})

        async def read(request: Request):
            self.polls += 1
            done = self.polls >= self.polls_until_done
            return JSONResponse({"jobId": 42, "status": "succeeded" if done else "running"})

        self.app = Starlette(routes=[Route("/v1/jobs", create, methods=["POST"]),
                                     Route("/v1/jobs/{job_id}", read, methods=["GET"])])


@pytest.fixture
def airbyte():
    def start(**kwargs):
        fake = FakeAirbyte(**kwargs)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        for _ in range(500):
            if server.started:
                break
            threading.Event().wait(0.01)
        return fake, f"http://127.0.0.1:{port}"

    servers = []
    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def test_a_sync_job_is_started_and_followed_to_its_end(airbyte):
    fake, url = airbyte(polls_until_done=3)
    AirbyteApiTrigger(url, TOKEN, poll_seconds=0.01).request_sync("conn-123")
    assert fake.started == [{"connectionId": "conn-123", "jobType": "sync"}]
    assert fake.auth == [f"Bearer {TOKEN}"]
    assert fake.polls == 3


@pytest.mark.parametrize("status", [401, 409, 500])
def test_a_refused_sync_raises_without_the_token(airbyte, status):
    fake, url = airbyte(answer_status=status)
    with pytest.raises(TriggerError) as refused:
        AirbyteApiTrigger(url, TOKEN, poll_seconds=0.01).request_sync("conn-123")
    assert TOKEN not in str(refused.value)


def test_an_unreachable_airbyte_raises_without_the_token():
    with pytest.raises(TriggerError) as refused:
        AirbyteApiTrigger(f"http://127.0.0.1:{free_port()}", TOKEN, timeout=2).request_sync("conn-123")
    assert TOKEN not in str(refused.value)
