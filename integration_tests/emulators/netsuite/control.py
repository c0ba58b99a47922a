"""The control plane under /__emulator/: test and demo hooks, never part of the emulated API, no auth.

The server only ever binds 127.0.0.1 (common/server.py), which is what keeps this private.
"""
from __future__ import annotations

import json
import sqlite3

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .backend import NetSuiteBackend
from .feature_seed import in_use, seed

P = "/__emulator"


def control_routes(backend: NetSuiteBackend) -> list[Route]:
    async def body(request: Request) -> dict:
        raw = await request.body()
        data = json.loads(raw) if raw else {}
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data

    def guarded(handler):
        async def endpoint(request: Request):
            try:
                return JSONResponse(await handler(request))
            except (ValueError, TypeError, KeyError, sqlite3.Error) as err:
                return JSONResponse({"error": str(err)}, status_code=400)
        return endpoint

    async def credentials(request: Request):
        c = backend.credentials
        return {"account_id": backend.account_id, "realm": backend.realm, "consumer_key": c.consumer_key,
                "consumer_secret": c.consumer_secret, "token_id": c.token_id, "token_secret": c.token_secret,
                "client_id": c.client_id, "certificate_id": c.certificate_id, "private_key": c.private_key_pem,
                "algorithm": c.algorithm}

    async def clock_advance(request: Request):
        backend.clock.advance(float((await body(request))["seconds"]))
        return {"now": backend.clock.now()}

    async def faults(request: Request):
        data = await body(request)
        kwargs = {k: data[k] for k in ("rate", "seed", "kinds", "slow_seconds") if k in data}
        backend.injector.configure(**kwargs)
        return backend.injector.describe()

    async def latency(request: Request):
        backend.injector.set_latency(float((await body(request))["ms"]))
        return backend.injector.describe()

    async def concurrency(request: Request):
        limit = int((await body(request))["limit"])
        if limit < 1:
            raise ValueError("limit must be at least 1")
        backend.gate.limit = limit
        return {"limit": limit}

    async def revoke(request: Request):
        what = (await body(request))["what"]
        if what == "token":
            backend.token_revoked = True
        elif what == "integration":
            backend.integration_revoked = True
        elif what == "bearer_tokens":
            # Every OAuth 2.0 token issued so far expires now: what a client whose clock runs behind sees.
            backend.expire_bearer_tokens()
        else:
            raise ValueError("what must be 'token', 'integration' or 'bearer_tokens'")
        return {"revoked": what}

    async def restore(request: Request):
        backend.token_revoked = backend.integration_revoked = False
        return {"restored": True}

    async def permissions(request: Request):
        data = await body(request)
        backend.permissions -= set(data.get("remove", []))
        backend.permissions |= set(data.get("grant", []))
        return {"permissions": sorted(backend.permissions)}

    async def certificates(request: Request):
        data = await body(request)
        backend.certificates[str(data["certificate_id"])] = str(data["public_key"])
        return {"certificates": sorted(backend.certificates)}

    async def login_audit(request: Request):
        return {"entries": backend.audit_entries()}

    async def reset(request: Request):
        data = await body(request)
        backend.reset(**{k: int(data[k]) for k in ("seed", "items", "locations", "customers", "orders") if k in data})
        return {"reset": True}

    async def stats(request: Request):
        return backend.stats()

    async def query_errors(request: Request):
        return {"entries": list(backend.query_errors)}

    async def preferences(request: Request):
        from .database import DATE_FORMATS
        data = await body(request)
        if "date_format" in data:
            if data["date_format"] not in DATE_FORMATS:
                raise ValueError(f"date_format must be one of {', '.join(DATE_FORMATS)}")
            backend.date_format = data["date_format"]
        return {"date_format": backend.date_format, "time_zone": backend.time_zone}

    async def features(request: Request):
        # Setup > Company > Enable Features, per emulated account (account_features.py).
        db = backend.db
        if request.method == "POST":
            with db.lock:
                db.features.apply(await body(request), lambda fid: in_use(db, fid))
                db.version += 1
        return db.features.describe()

    async def seed_data(request: Request):
        return seed(backend.db, await body(request))

    async def sql(request: Request):
        return {"rows": backend.db.read_only(str((await body(request))["q"]))}

    routes = [("/credentials", credentials, "GET"), ("/clock/advance", clock_advance, "POST"),
              ("/faults", faults, "POST"), ("/latency", latency, "POST"), ("/concurrency", concurrency, "POST"),
              ("/revoke", revoke, "POST"), ("/restore", restore, "POST"), ("/permissions", permissions, "POST"),
              ("/certificates", certificates, "POST"), ("/login-audit", login_audit, "GET"),
              ("/reset", reset, "POST"), ("/stats", stats, "GET"), ("/sql", sql, "POST"),
              ("/query-errors", query_errors, "GET"), ("/preferences", preferences, "POST"),
              ("/features", features, "GET"), ("/features", features, "POST"), ("/seed", seed_data, "POST")]
    return [Route(P + path, guarded(handler), methods=[method]) for path, handler, method in routes]
