"""Route table and middleware: v1 at the root, v2 under /v2/, the JWKS, the control plane, faults in front."""
from __future__ import annotations

import contextvars

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from emulators.common.faults import FaultInjector, FaultMiddleware

from . import control, v1_routes, v2_routes
from .auth import json_response
from .backend import ShipStationBackend
from .errors import fault_response
from .webhooks import Dispatcher, Signer

_current_path: contextvars.ContextVar[str] = contextvars.ContextVar("shipstation_path", default="/")


class _RememberPath:
    """FaultMiddleware's error_response gets only a status; the path (v1 or v2 shape) travels in a contextvar."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            _current_path.set(scope["path"])
        await self.app(scope, receive, send)


class EmulatorApp:
    """The ASGI app plus the parts tests may want to reach (backend, injector, signer, dispatcher)."""

    def __init__(self, backend: ShipStationBackend, injector: FaultInjector | None = None) -> None:
        self.backend = backend
        self.injector = injector or FaultInjector()
        self.signer = Signer()
        self.dispatcher = Dispatcher(backend, self.signer)
        v1, v1_fallback = v1_routes.routes(backend)
        v2, v2_fallback = v2_routes.routes(backend)

        async def jwks(request: Request):
            backend.stats["requests"]["jwks"] += 1
            return json_response(self.signer.jwks())

        async def fallback(request: Request):
            path = request.url.path
            return await (v2_fallback if path.startswith("/v2/") or path == "/v2" else v1_fallback)(request)

        any_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        table = control.routes(backend, self.injector) + [Route("/jwks", jwks, methods=["GET"])] + v2 + v1 + [
            Route("/{path:path}", fallback, methods=any_method)]
        starlette = Starlette(routes=table)
        faulted = FaultMiddleware(starlette, self.injector,
                                  lambda status: fault_response(_current_path.get(), status,
                                                                self.backend.v2_limiter.window_seconds,
                                                                self.backend.v1_limiter.limit))
        self.asgi = _RememberPath(faulted)

    async def __call__(self, scope, receive, send) -> None:
        await self.asgi(scope, receive, send)


def build_app(backend: ShipStationBackend, latency_ms: float = 0) -> EmulatorApp:
    app = EmulatorApp(backend)
    if latency_ms:
        app.injector.set_latency(latency_ms)
    return app
