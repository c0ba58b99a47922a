"""The control plane under /__emulator/: no auth, never faulted, loopback only. Tests steer the account here
(clock, limits, revocations, labels, voids, mark-shipped) and read state and stats back.
"""
from __future__ import annotations

import json

from starlette.requests import Request
from starlette.routing import Route

from emulators.common.faults import FaultInjector

from .auth import json_response
from .backend import ControlError, ShipStationBackend
from .dates import parse_v2, v1_format, v2_format

PREFIX = "/__emulator"


def routes(backend: ShipStationBackend, injector: FaultInjector) -> list[Route]:
    def control(handler):
        async def wrapped(request: Request):
            try:
                raw = await request.body()
                body = json.loads(raw) if raw else {}
                if not isinstance(body, dict):
                    raise ControlError("the body must be a JSON object")
                result = handler(body, request)
            except (ControlError, ValueError, TypeError, KeyError) as exc:
                return json_response({"error": str(exc)}, 400)
            return json_response(result)
        return wrapped

    def credentials(body, request):
        if request.method == "POST":
            backend.set_credentials(body.get("v1_api_key"), body.get("v1_api_secret"), body.get("v2_api_key"))
        return {"v1_api_key": backend.v1_api_key, "v1_api_secret": backend.v1_api_secret,
                "v2_api_key": backend.v2_api_key, "revoked": dict(backend.revoked),
                "inventory_addon": backend.inventory_addon}

    def advance(body, request):
        seconds = float(body["seconds"])
        if seconds < 0:
            raise ControlError("the clock only moves forward")
        backend.clock.advance(seconds)
        return {"now": v2_format(backend.now())}

    def faults(body, request):
        kwargs = {k: body[k] for k in ("rate", "seed", "kinds", "slow_seconds") if k in body}
        injector.configure(**kwargs)
        return injector.describe()

    def latency(body, request):
        injector.set_latency(float(body["ms"]))
        return injector.describe()

    def rate_limits(body, request):
        if "v1" in body:
            backend.v1_limiter.limit = int(body["v1"])
        if "v2" in body:
            backend.v2_limiter.limit = int(body["v2"])
        if "v2_headers" in body:
            backend.v2_rate_headers = bool(body["v2_headers"])
        if "window_seconds" in body:
            # Both APIs count in 60 s windows; a shorter one lets a test see limits reset within its time.
            seconds = float(body["window_seconds"])
            if not 0 < seconds <= 3600:
                raise ControlError("window_seconds must be more than 0 and at most 3600")
            backend.v1_limiter.window_seconds = backend.v2_limiter.window_seconds = seconds
        if body.get("reset_windows"):
            backend.v1_limiter.clear()
            backend.v2_limiter.clear()
        return {"v1": backend.v1_limiter.limit, "v2": backend.v2_limiter.limit,
                "v2_headers": backend.v2_rate_headers, "window_seconds": backend.v2_limiter.window_seconds,
                "early_retries": {"v1": backend.v1_limiter.early_retries,
                                  "v2": backend.v2_limiter.early_retries}}

    def revoke(body, request):
        api = body.get("api")
        if api not in ("v1", "v2"):
            raise ControlError('api must be "v1" or "v2"')
        backend.revoked[api] = True
        return {"revoked": dict(backend.revoked)}

    def inventory_addon(body, request):
        backend.inventory_addon = bool(body["enabled"])
        return {"inventory_addon": backend.inventory_addon}

    def labels(body, request):
        create_date = parse_v2(body["create_date"]) if body.get("create_date") else None
        s = backend.create_label(body["order_number"], body.get("items"), body.get("carrier_code"),
                                 body.get("service_code"), int(body.get("packages", 1)), create_date)
        return shipment_state(s)

    def void(body, request):
        raw = body["shipment_id"]
        sid = int(raw[3:]) if isinstance(raw, str) and raw.startswith("se-") else int(raw)
        return shipment_state(backend.void_label(sid))

    def mark_shipped(body, request):
        f = backend.mark_shipped(body["order_number"], body.get("carrier_code"), body.get("tracking_number"))
        return {"fulfillment_id": f.fulfillment_id, "v2_fulfillment_id": f"se-{f.fulfillment_id}",
                "order_id": f.order_id, "v2_shipment_id": f"se-{f.shipment_id}"}

    def shipment_state(s) -> dict:
        order = backend.order_of(s)
        return {"shipment_id": s.shipment_id, "v2_shipment_id": f"se-{s.shipment_id}",
                "v1_shipment_ids": [p.v1_shipment_id for p in s.packages], "label_id": f"se-{s.label_id}",
                "batch_id": s.batch_id, "order_id": order.order_id, "order_number": order.order_number,
                "order_status": order.status, "tracking_numbers": [p.tracking_number for p in s.packages],
                "cost": s.cost, "create_date_utc": v2_format(s.created), "create_date_v1": v1_format(s.created),
                "voided": s.voided, "void_date_utc": v2_format(s.void_date),
                "items": [{"sku": i.sku, "quantity": q} for i, q in s.items]}

    def state(body, request):
        with backend.lock:
            return {
                "now": v2_format(backend.now()),
                "orders": [{"order_id": o.order_id, "order_number": o.order_number, "order_key": o.order_key,
                            "status": o.status, "v2_shipment_id": f"se-{o.v2_shipment_id}",
                            "modified_utc": v2_format(o.modified),
                            "items": [{"sku": i.sku, "quantity": i.quantity, "shipped": i.shipped}
                                      for i in o.items]} for o in backend.orders.values()],
                "shipments": [shipment_state(s) for s in backend.shipments],
                "fulfillments": [{"fulfillment_id": f.fulfillment_id, "order_id": f.order_id,
                                  "from_label": f.from_label, "tracking_number": f.tracking_number,
                                  "voided": f.voided} for f in backend.fulfillments],
                "inventory": [{"sku": lv.sku, "inventory_location_id": f"se-{lv.location_id}",
                               "inventory_warehouse_id": f"se-{backend.inv_locations[lv.location_id].warehouse_id}",
                               "warehouse_name": backend.inv_warehouses[
                                   backend.inv_locations[lv.location_id].warehouse_id].name,
                               "on_hand": lv.on_hand, "allocated": lv.allocated, "available": lv.available}
                              for lv in (backend.levels[k] for k in backend.level_keys)],
                "webhooks": [{"id": h.id, "api": h.api, "event": h.event, "url": h.url}
                             for h in backend.webhooks.values()],
                "deliveries": [dict(d) for d in backend.deliveries],
            }

    def stats(body, request):
        with backend.lock:
            counts = {"delivered": 0, "failed": 0, "refused": 0, "queued": 0}
            for d in backend.deliveries:
                counts[d["status"]] = counts.get(d["status"], 0) + 1
            return {**json.loads(json.dumps(backend.stats)), "webhook_deliveries": counts,
                    "faults": injector.describe()}

    def reset(body, request):
        args = {k: int(body[k]) for k in ("seed", "items", "locations", "customers", "orders") if k in body}
        backend.load(**{**backend.merchant_args, **args})
        backend.clock.reset()
        return {"reset": True, "merchant": backend.merchant_args}

    table = [("credentials", credentials, ["GET", "POST"]), ("clock/advance", advance, ["POST"]),
             ("faults", faults, ["POST"]), ("latency", latency, ["POST"]), ("rate-limits", rate_limits, ["POST"]),
             ("revoke", revoke, ["POST"]), ("inventory-addon", inventory_addon, ["POST"]),
             ("labels", labels, ["POST"]), ("void", void, ["POST"]), ("mark-shipped", mark_shipped, ["POST"]),
             ("state", state, ["GET"]), ("stats", stats, ["GET"]), ("reset", reset, ["POST"])]
    return [Route(f"{PREFIX}/{path}", control(fn), methods=methods) for path, fn, methods in table]
