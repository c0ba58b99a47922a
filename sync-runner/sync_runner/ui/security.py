"""Who may use the page, and which requests may change something.

- On 127.0.0.1 (the default) only this machine reaches the page; the Host header must name a loopback address,
  so a web page elsewhere cannot reach it through DNS rebinding.
- On any other address a token, generated at start and printed, is required: `?token=` once (then a cookie,
  HttpOnly, SameSite=Strict) or `Authorization: Bearer`. There is no way to listen elsewhere without one.
- "Apply again" is a POST carrying a CSRF token of this server process, and refused when the browser says it
  comes from another site (Sec-Fetch-Site, Origin): another site can neither read the token nor send the form."""
from __future__ import annotations

import secrets
from hmac import compare_digest
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
COOKIE = "sync_runner_ui"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _hostname(host_header: str) -> str:
    if host_header.startswith("["):  # [::1]:8765
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class Guard:
    """ASGI middleware applying the rules above to every request."""

    def __init__(self, app, token: str | None, loopback_only: bool) -> None:
        if not loopback_only and not token:
            raise ValueError("the page listens beyond this machine only with a token")
        self.app, self.token, self.loopback_only = app, token, loopback_only

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        given = request.query_params.get("token")
        if self.token and given:
            # The token leaves the address bar (and the browser history) at once; the cookie carries it on.
            query = urlencode([(k, v) for k, v in parse_qsl(request.url.query) if k != "token"])
            response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
            response.set_cookie(COOKIE, given, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, request: Request):
        if self.loopback_only and not is_loopback(_hostname(request.headers.get("host", ""))):
            return PlainTextResponse("this page answers only to 127.0.0.1 or localhost", status_code=421)
        if self.token:
            offered = (request.query_params.get("token") or request.cookies.get(COOKIE)
                       or request.headers.get("authorization", "").removeprefix("Bearer ").strip())
            if not offered or not compare_digest(offered, self.token):
                return PlainTextResponse("open the address sync-runner ui printed at start (it carries the token)",
                                         status_code=401)
        if request.method not in ("GET", "HEAD"):
            if request.headers.get("sec-fetch-site") == "cross-site":
                return PlainTextResponse("refused: a request from another site", status_code=403)
            origin = request.headers.get("origin")
            if origin and origin != "null" and origin.split("://", 1)[-1] != request.headers.get("host"):
                return PlainTextResponse("refused: a request from another site", status_code=403)
        return None


class Csrf:
    """One token per server process, put in every form and checked on every POST."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(32)

    def valid(self, offered: str | None) -> bool:
        return bool(offered) and compare_digest(offered, self.token)
