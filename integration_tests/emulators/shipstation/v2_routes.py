"""v2 wire format (`/v2/...`): snake_case JSON held to ShipStation's OpenAPI description, UTC dates with offset,
`se-` identifiers, `links` on every page, `error_response_body` on every failure.
"""
from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .auth import json_response, v2_endpoint
from .backend import CARRIERS, TARE_OZ, TRANSACTION_TYPES, V2_EVENTS, ControlError, Fulfillment, Level, Order, \
    OrderItem, Shipment, ShipStationBackend
from .dates import parse_v2, v2_date, v2_format
from .errors import V2Error, v2_not_found, v2_validation, v2_validation_errors
from .oas import OAS
from .paging import CURSOR, Page, cursor_page, v2_answer, v2_page

DEFAULT_PAGE_SIZE = 25  # OAS: labels come 25 at a time by default
INVENTORY_DEFAULT_PAGE_SIZE = 100  # UNCONFIRMED default for /v2/inventory and friends
CARRIER_IDS = {code: f"se-{number}" for code, _, number, _, _ in CARRIERS}


def se(n: int) -> str:
    return f"se-{n}"


def parse_se(raw: str | None, name: str) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.startswith("se-") or not raw[3:].isdigit():
        raise v2_validation(f"{name} '{raw}' is not a valid identifier", "invalid_identifier")
    return int(raw[3:])


def _int(q, name: str, default: int | None) -> int | None:
    raw = q.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise v2_validation(f"{name} must be an integer")
    if value < 1:
        raise v2_validation(f"{name} must be 1 or greater")
    return value


def _date(q, name: str):
    raw = q.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_v2(raw)
    except ValueError:
        raise v2_validation(f"{name} must be an ISO 8601 date-time")


def _enum(q, name: str, allowed, default=None):
    raw = q.get(name)
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        raise v2_validation(f"{name} must be one of {', '.join(allowed)}")
    return raw


def _sort_order(q) -> tuple[str, bool]:
    """`sort_by` and whether `sort_dir` is descending, read alike by the lists that take them (OAS: newest
    created first unless asked otherwise)."""
    sort_by = _enum(q, "sort_by", ("modified_at", "created_at"), "created_at")
    return sort_by, _enum(q, "sort_dir", ("asc", "desc"), "desc") == "desc"


def _within(moment, start, end) -> bool:
    return (start is None or (moment is not None and moment >= start)) and \
        (end is None or (moment is not None and moment <= end))


def _contains(haystack, needle: str) -> bool:
    """Name and keyword filters: a case-insensitive substring match (UNCONFIRMED: the docs say only
    "match"; a client that needs exact matches must check what comes back)."""
    return haystack is not None and needle.casefold() in str(haystack).casefold()


def _item_matches(item: OrderItem, keyword: str) -> bool:
    """OAS item_keyword (as v1 itemKeyword): "Fields searched are Sku, Description, and Options"."""
    return _contains(item.sku, keyword) or _contains(item.name, keyword) or any(
        _contains(o.get("name"), keyword) or _contains(o.get("value"), keyword)
        for o in item.options if isinstance(o, dict))


def _text(q, name: str, min_length: int = 0) -> str | None:
    raw = q.get(name)
    if raw is None:
        return None
    if len(raw) < min_length:
        raise v2_validation(f"{name} must be at least {min_length} character(s) long")
    return raw


def _requested_page(q, default_size: int) -> Page:
    return Page(_int(q, "page", 1), _int(q, "page_size", default_size))


def _requested_inventory_page(q) -> Page:
    """OAS getInventoryLevels / getInventoryWarehouses / listInventoryLocations take `limit` and no page parameter
    (so do docs.shipstation.com/openapi/inventory and the shipstation-node client's ListSKUInventoryLevelsOptions):
    `page` and `page_size` are ignored, page 1 unless the request carries the `cursor` a `links` href gave."""
    size = _int(q, "limit", INVENTORY_DEFAULT_PAGE_SIZE)
    raw = q.get(CURSOR)
    if raw is None or raw == "":
        return Page(1, size)
    try:
        return Page(cursor_page(raw), size)
    except ValueError:  # UNCONFIRMED wording and code: only a cursor the API gave out is read
        raise v2_validation(f"{CURSOR} '{raw}' is not a valid page cursor")


def _field(path) -> str:
    """`shipments[0].ship_to.phone` for the path ["shipments", 0, "ship_to", "phone"]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _violation(error) -> tuple[str, str]:
    """(error_code, message) for one OAS violation of a request body, named by the field's path. A missing or
    null value where the OAS wants one is `field_value_required`; anything else `invalid_field_value` (both
    OAS error_code values; which one the real API picks per case, and its words, are UNCONFIRMED)."""
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = [name for name in error.validator_value if isinstance(error.instance, dict)
                   and name not in error.instance]
        return "field_value_required", f"{_field(path + missing[:1])} is required"
    name = _field(path)
    value = error.instance
    if value is None:
        return "field_value_required", f"{name} is required and may not be null"
    if error.validator == "additionalProperties":
        return "invalid_field_value", f"{name}: {error.message}"
    if error.validator == "minLength" and value == "":
        return "invalid_field_value", f"{name} may not be empty"
    if error.validator == "anyOf" and value == "":  # a nullable string with a minimum length, given ""
        return "invalid_field_value", f"{name} may not be empty (send null or leave it out)"
    if error.validator == "not":
        return "invalid_field_value", f"{name}: a read-only field was sent"
    return "invalid_field_value", f"{name}: {error.message}"


def _check_request(path: str, method: str, body) -> None:
    """Refuse a request body the OAS refuses: one 400 validation answer naming every violation."""
    if body is None:
        raise v2_validation("The request body is required", "request_body_required")
    errors = OAS.shared().request_errors(path, method, body)
    if errors:
        raise v2_validation_errors([_violation(e) for e in errors])


# ---- renderers ------------------------------------------------------------------------------------------
def address(v1: dict, email: str | None = None) -> dict:
    """v1 address -> OAS `address` (name, phone, line1, city, state, postal, country, residential required)."""
    residential = v1.get("residential")
    return {"name": v1.get("name") or v1.get("company") or "Unknown",
            # The OAS requires a non-empty phone; orders created without one show "0" (emulator choice).
            "phone": v1.get("phone") or "0", "email": email, "company_name": v1.get("company") or None,
            "address_line1": v1.get("street1") or "Unknown", "address_line2": v1.get("street2") or None,
            "address_line3": v1.get("street3") or None, "city_locality": v1.get("city") or "Unknown",
            "state_province": v1.get("state") or "Unknown", "postal_code": v1.get("postalCode") or "00000",
            "country_code": (v1.get("country") or "US")[:2],
            "address_residential_indicator": "unknown" if residential is None else ("yes" if residential else "no")}


def _weight(oz: float) -> dict:
    return {"value": round(oz, 2), "unit": "ounce"}


def _items(pairs) -> list:
    return [{"name": i.name, "sales_order_id": None, "sales_order_item_id": None, "quantity": q, "sku": i.sku,
             "external_order_id": None, "external_order_item_id": i.line_item_key, "item_id": None,
             "weight": _weight(max(i.weight_oz, 1.1)), "unit_price": i.unit_price,
             "inventory_location": i.warehouse_location, "options": [], "product_id": None,
             "upc": i.upc} for i, q in pairs]


def _shipment_body(backend: ShipStationBackend, order: Order, shipment_id: int, status: str, created, modified,
                   items, packages: list, carrier_code, service_code, ship_date) -> dict:
    wh = backend.ship_from[order.warehouse_id]
    total_oz = sum(p["weight"]["value"] for p in packages)
    return {
        "shipment_id": se(shipment_id), "carrier_id": CARRIER_IDS.get(carrier_code) if carrier_code else None,
        "service_code": service_code, "external_order_id": str(order.order_id),
        # A shipment a client created keeps its external_shipment_id for life, label or not.
        "external_shipment_id": order.external_shipment_id, "shipment_number": order.order_number,
        "ship_date": v2_date(ship_date), "created_at": v2_format(created),
        "modified_at": v2_format(modified), "shipment_status": status, "store_id": se(order.store_id),
        "ship_to": address(order.ship_to, order.customer_email), "ship_from": address(wh.address),
        "return_to": address(wh.address), "warehouse_id": se(wh.warehouse_id), "is_return": False,
        "confirmation": "none", "customs": None, "advanced_options": {}, "insurance_provider": "none",
        "tags": [], "items": items, "packages": packages, "total_weight": _weight(total_oz),
        "amount_paid": {"currency": "usd", "amount": order.amount_paid},
    }


def render_label_shipment(backend: ShipStationBackend, s: Shipment) -> dict:
    order = backend.order_of(s)
    packages = [{"package_code": s.package_code, "weight": _weight(p.weight_oz), "tracking_number":
                 p.tracking_number} for p in s.packages]
    return _shipment_body(backend, order, s.shipment_id, "label_purchased", s.v2_created, s.modified,
                          _items(s.items), packages, s.carrier_code, s.service_code, s.ship_date)


def render_pending_shipment(backend: ShipStationBackend, o: Order) -> dict:
    weight = sum(i.weight_oz * i.quantity for i in o.items) + TARE_OZ
    status = "cancelled" if o.status == "cancelled" else "pending"
    body = _shipment_body(backend, o, o.v2_shipment_id, status, o.created, o.modified,
                          _items((i, i.quantity) for i in o.items), [{"package_code": "package",
                                                                      "weight": _weight(weight)}],
                          None, None, None)
    if o.external_shipment_id is not None:  # created through POST /v2/shipments: show what was sent
        body.update({k: v for k, v in o.v2_fields.items() if k in ("notes_from_buyer", "notes_for_gift", "is_gift")})
    return body


def render_label(backend: ShipStationBackend, s: Shipment, base: str) -> dict:
    order = backend.order_of(s)
    first = s.packages[0]
    return {
        "label_id": se(s.label_id), "status": "voided" if s.voided else "completed", "shipment_id": se(s.shipment_id),
        "external_shipment_id": order.external_shipment_id, "external_order_id": str(order.order_id),
        "ship_date": v2_date(s.ship_date),
        "created_at": v2_format(s.created), "shipment_cost": {"currency": "usd", "amount": s.cost},
        "insurance_cost": {"currency": "usd", "amount": s.insurance_cost}, "tracking_number": first.tracking_number,
        "is_return_label": False, "rma_number": None, "is_international": False, "batch_id": se(s.batch_id),
        "carrier_id": CARRIER_IDS[s.carrier_code], "charge_event": "carrier_default", "service_code": s.service_code,
        "package_code": s.package_code, "voided": s.voided, "voided_at": v2_format(s.void_date),
        "label_format": "pdf", "display_scheme": "label", "label_layout": "4x6", "trackable": True,
        "label_image_id": None, "carrier_code": s.carrier_code, "confirmation": "none",
        # validate_address and label_download_type are writeOnly in the OAS (label requests): never answered.
        "tracking_status": "in_transit",
        "label_download": {"href": f"{base}/v2/downloads/10/label-{s.label_id}.pdf",
                           "pdf": f"{base}/v2/downloads/10/label-{s.label_id}.pdf"},
        "form_download": None, "insurance_claim": None,
        "packages": [{"package_id": p.sequence, "package_code": s.package_code, "weight": _weight(p.weight_oz),
                      "tracking_number": p.tracking_number, "sequence": p.sequence,
                      "label_messages": {"reference1": None, "reference2": None, "reference3": None},
                      "has_label_documents": True, "has_form_documents": False} for p in s.packages],
        "alternative_identifiers": None, "rate_details": [], "tracking_url": None,
        "ship_to": address(s.ship_to, order.customer_email),
    }


def render_level(backend: ShipStationBackend, level: Level) -> dict:
    return {"sku": level.sku, "on_hand": level.on_hand, "allocated": level.allocated, "available": level.available,
            "average_cost": {"amount": level.cost, "currency": level.currency},
            "inventory_warehouse_id": se(backend.inv_locations[level.location_id].warehouse_id),
            "inventory_location_id": se(level.location_id)}


def render_fulfillment(backend: ShipStationBackend, f: Fulfillment) -> dict:
    # Not in the OAS copy; shape from captured webhook resource URLs (reference section 5). created_at: the docs'
    # list_fulfillments sorts by it, and a third-party SDK's types carry it on each row (UNCONFIRMED, README).
    return {"fulfillment_id": se(f.fulfillment_id), "shipment_id": se(f.shipment_id),
            "shipment_number": backend.orders[f.order_id].order_number, "tracking_number": f.tracking_number,
            "created_at": v2_format(f.created),
            "ship_date": v2_format(f.ship_date), "voided": f.voided, "voided_at": v2_format(f.void_date),
            "fulfillment_provider_code": f.provider_code, "carrier_code": f.carrier_code,
            "ship_to": address(backend.orders[f.order_id].ship_to)}


def render_webhook(hook) -> dict:
    return {"webhook_id": se(hook.id), "url": hook.url, "event": hook.event, "headers": hook.headers}


def _json(body: bytes):
    try:
        return json.loads(body) if body else None
    except ValueError:
        raise v2_validation("The request body is not valid JSON", "invalid_object")


def routes(backend: ShipStationBackend) -> tuple[list[Route], object]:
    api = v2_endpoint(backend)
    inventory_api = v2_endpoint(backend, inventory=True)

    def base(request: Request) -> str:
        return f"{request.url.scheme}://{request.url.netloc}"

    @api
    async def list_shipments(request: Request):
        """OAS list_shipments: every query parameter it lists is honoured (pickup_id too, which the OAS marks
        required by a slip: optional here). The emulator holds no v2 sales orders and no pickups, so a
        sales_order_id or pickup_id filter matches nothing."""
        q = request.query_params
        page = _requested_page(q, DEFAULT_PAGE_SIZE)
        status = _enum(q, "shipment_status", ("pending", "processing", "label_purchased", "cancelled"))
        sort_by, desc = _sort_order(q)
        cs, ce = _date(q, "created_at_start"), _date(q, "created_at_end")
        ms, me = _date(q, "modified_at_start"), _date(q, "modified_at_end")
        ps, pe = _date(q, "payment_date_start"), _date(q, "payment_date_end")
        batch = parse_se(q.get("batch_id"), "batch_id")
        store = parse_se(q.get("store_id"), "store_id")
        pickup = q.get("pickup_id") or None  # OAS pickup_resource_id: a plain string ("pik_...")
        number = q.get("shipment_number")
        external = q.get("external_shipment_id")  # OAS list_shipments: an exact match
        sales_order, ship_to_name, keyword = q.get("sales_order_id"), q.get("ship_to_name"), q.get("item_keyword")
        rows = []  # (created, modified, id, status, order id, ship_to, items, render thunk)
        labelled = set()
        for s in backend.shipments:
            labelled.add(s.order_id)
            if batch is not None and s.batch_id != batch:
                continue
            rows.append((s.v2_created, s.modified, s.shipment_id, "label_purchased", s.order_id, s.ship_to,
                         [i for i, _ in s.items], lambda s=s: render_label_shipment(backend, s)))
        if batch is None:
            for o in backend.orders.values():
                # An order is a pending v2 shipment until it gets a label; orders shipped elsewhere drop out
                # (the emulator does not model their v2 shipment further: UNCONFIRMED).
                if o.order_id in labelled or o.status == "shipped":
                    continue
                rows.append((o.created, o.modified, o.v2_shipment_id,
                             "cancelled" if o.status == "cancelled" else "pending", o.order_id, o.ship_to, o.items,
                             lambda o=o: render_pending_shipment(backend, o)))

        def kept(r) -> bool:
            order = backend.orders[r[4]]
            return (_within(r[0], cs, ce) and _within(r[1], ms, me)
                    and (ps is None and pe is None or _within(order.payment_date, ps, pe))
                    and (status is None or r[3] == status)
                    and (number is None or order.order_number == number)
                    and (external is None or order.external_shipment_id == external)
                    and (store is None or order.store_id == store)
                    and sales_order is None and pickup is None
                    and (ship_to_name is None or _contains((r[5] or {}).get("name"), ship_to_name))
                    and (keyword is None or any(_item_matches(i, keyword) for i in r[6])))
        rows = [r for r in rows if kept(r)]
        key = (lambda r: (r[1], r[2])) if sort_by == "modified_at" else (lambda r: (r[0], r[2]))
        rows.sort(key=key, reverse=desc)
        return json_response(v2_answer(request, "shipments", rows, page, lambda r: r[-1]()))

    @api
    async def get_shipment(request: Request):
        raw = request.path_params["shipment_id"]
        sid = parse_se(raw, "shipment_id")
        s = backend.shipments_by_id.get(sid)
        if s is not None and s.shipment_id == sid:
            return json_response(render_label_shipment(backend, s))
        for o in backend.orders.values():
            if o.v2_shipment_id == sid:
                return json_response(render_pending_shipment(backend, o))
        raise v2_not_found(f"Shipment {raw} was not found")

    @api
    async def create_shipments(request: Request):
        body = _json(await request.body())
        # OAS create_shipments_request_body: ship_to's name, phone, address_line1, city_locality,
        # state_province, postal_code (minLength 1), country_code (2) and address_residential_indicator are
        # required and not nullable; no field outside the schema (additionalProperties: false).
        _check_request("/v2/shipments", "post", body)
        shipments = body["shipments"]
        # Refusals beyond the schema also refuse the whole request (a 400 the OAS documents) rather than an
        # entry with `errors`: the OAS requires every answered shipment to be a whole shipment (shipment_id,
        # ship_to, ...), which a shipment never made cannot be. UNCONFIRMED: the live API's answer to a
        # duplicate external_shipment_id (no capture).
        problems, seen = [], set()
        for n, one in enumerate(shipments):
            if not one.get("ship_to"):
                problems.append(("field_value_required", f"shipments[{n}].ship_to is required"))
            external = one.get("external_shipment_id")
            if external is not None and (external in seen or backend.order_by_external_shipment_id(external)):
                problems.append(("identifier_conflict", f"shipments[{n}].external_shipment_id: A shipment with "
                                 f"external_shipment_id '{external}' already exists."))
            seen.add(external)
        if problems:
            raise v2_validation_errors(problems)
        out = []
        for n, one in enumerate(shipments):
            try:
                order = backend.create_v2_shipment(one)
            except ValueError as err:  # a concurrent create took the external id meanwhile
                raise v2_validation_errors([("identifier_conflict", f"shipments[{n}].external_shipment_id: {err}")])
            out.append({**render_pending_shipment(backend, order), "errors": []})
        return json_response({"has_errors": False, "shipments": out})

    @api
    async def get_shipment_by_external_id(request: Request):
        external = request.path_params["external_shipment_id"]
        order = backend.order_by_external_shipment_id(external)
        if order is None:
            raise v2_not_found(f"Shipment with external_shipment_id {external} was not found")
        labelled = [s for s in backend.shipments if s.order_id == order.order_id]
        return json_response(render_label_shipment(backend, labelled[-1]) if labelled
                             else render_pending_shipment(backend, order))

    @api
    async def cancel_shipment(request: Request):
        raw = request.path_params["shipment_id"]
        sid = parse_se(raw, "shipment_id")
        order = next((o for o in backend.orders.values() if o.v2_shipment_id == sid), None)
        if order is None:
            raise v2_not_found(f"Shipment {raw} was not found")
        try:
            backend.cancel_v2_shipment(order)
        except ValueError as err:
            raise v2_validation(str(err), "invalid_status")
        return Response(status_code=204)

    @api
    async def list_labels(request: Request):
        """OAS list_labels: every query parameter it lists is honoured. Labels here are bought through the
        control plane, never from a rate, so a rate_id filter matches nothing."""
        q = request.query_params
        page = _requested_page(q, DEFAULT_PAGE_SIZE)
        status = _enum(q, "label_status", ("processing", "completed", "error", "voided"))
        sort_by, desc = _sort_order(q)
        cs, ce = _date(q, "created_at_start"), _date(q, "created_at_end")
        sid, batch = parse_se(q.get("shipment_id"), "shipment_id"), parse_se(q.get("batch_id"), "batch_id")
        carrier = parse_se(q.get("carrier_id"), "carrier_id")
        warehouse = parse_se(q.get("warehouse_id"), "warehouse_id")
        rate = parse_se(q.get("rate_id"), "rate_id")
        service = q.get("service_code")
        tracking = _text(q, "tracking_number", 1)  # OAS: minLength 1
        rows = [s for s in backend.shipments
                if (sid is None or s.shipment_id == sid) and (batch is None or s.batch_id == batch)
                and (status is None or ("voided" if s.voided else "completed") == status)
                and (carrier is None or CARRIER_IDS[s.carrier_code] == se(carrier))
                and (warehouse is None or s.warehouse_id == warehouse)
                and (service is None or s.service_code == service)
                and rate is None
                and (tracking is None or any(p.tracking_number == tracking for p in s.packages))
                and _within(s.created, cs, ce)]
        rows.sort(key=(lambda s: (s.modified, s.label_id)) if sort_by == "modified_at" else
                  (lambda s: (s.created, s.label_id)), reverse=desc)
        return json_response(v2_answer(request, "labels", rows, page,
                                       lambda s: render_label(backend, s, base(request))))

    @api
    async def list_fulfillments(request: Request):
        """D2 list_fulfillments (docs.shipstation.com/openapi/fulfillments/list_fulfillments; not in the stored
        OAS): every query parameter it lists is honoured. Order when neither sort_by nor sort_dir is given:
        oldest first (UNCONFIRMED)."""
        q = request.query_params
        page = _requested_page(q, DEFAULT_PAGE_SIZE)
        sid, fid = parse_se(q.get("shipment_id"), "shipment_id"), parse_se(q.get("fulfillment_id"), "fulfillment_id")
        batch, store = parse_se(q.get("batch_id"), "batch_id"), parse_se(q.get("order_source_id"), "order_source_id")
        ss, se_ = _date(q, "ship_date_start"), _date(q, "ship_date_end")
        cs, ce = _date(q, "create_date_start"), _date(q, "create_date_end")
        name, country = q.get("ship_to_name"), q.get("ship_to_country_code")
        number, provider, tracking = q.get("shipment_number"), q.get("fulfillment_provider_code"), \
            q.get("tracking_number")
        sort_by = _enum(q, "sort_by", ("created_at", "modified_at", "shipped_at"))
        sort_dir = _enum(q, "sort_dir", ("asc", "desc"))
        batches = {s.fulfillment_id: s.batch_id for s in backend.shipments if s.fulfillment_id is not None}

        def kept(f: Fulfillment) -> bool:
            order = backend.orders[f.order_id]
            return ((sid is None or f.shipment_id == sid) and (fid is None or f.fulfillment_id == fid)
                    and (batch is None or batches.get(f.fulfillment_id) == batch)
                    and (store is None or order.store_id == store)
                    and _within(f.ship_date, ss, se_) and _within(f.created, cs, ce)
                    and (name is None or _contains(order.ship_to.get("name"), name))
                    and (country is None or (order.ship_to.get("country") or "").upper() == country.upper())
                    and (number is None or order.order_number == number)
                    and (provider is None or f.provider_code == provider)
                    and (tracking is None or f.tracking_number == tracking))
        rows = [f for f in backend.fulfillments if kept(f)]
        if sort_by or sort_dir:
            field = {"shipped_at": lambda f: (f.ship_date, f.fulfillment_id)}.get(
                sort_by, lambda f: (f.void_date or f.created, f.fulfillment_id) if sort_by == "modified_at"
                else (f.created, f.fulfillment_id))
            rows.sort(key=field, reverse=sort_dir == "desc")
        return json_response(v2_answer(request, "fulfillments", rows, page, lambda f: render_fulfillment(backend, f)))

    @api
    async def list_warehouses(request: Request):
        return json_response({"warehouses": [
            {"warehouse_id": se(w.warehouse_id), "is_default": w.is_default, "name": w.name,
             "created_at": v2_format(w.created), "origin_address": address(w.address),
             "return_address": address(w.address)} for w in backend.ship_from.values()]})

    @api
    async def list_products(request: Request):
        q = request.query_params
        page = _requested_page(q, 100)
        if page.size > 100:
            raise v2_validation("page_size must be 100 or less")
        sku, name = q.get("sku"), q.get("name")
        active = _enum(q, "active", ("true", "false"))  # OAS listProducts: a boolean
        products = ([backend.products[sku]] if sku in backend.products else []) if sku else \
            sorted(backend.products.values(), key=lambda p: p.product_id)
        products = [p for p in products if (name is None or _contains(p.name, name))
                    and (active is None or p.active == (active == "true"))]
        return json_response(v2_answer(request, "products", products, page, lambda p: {
            "product_id": p.product_id, "sku": p.sku, "name": p.name, "upc": p.upc, "thumbnail_url": None,
            "price": {"currency": "usd", "amount": p.price}}))

    # ---- inventory (add-on) ----------------------------------------------------------------------------
    @inventory_api
    async def list_inventory(request: Request):
        q = request.query_params
        page = _requested_inventory_page(q)
        group_by = _enum(q, "group_by", ("warehouse", "location"))
        wid = parse_se(q.get("inventory_warehouse_id"), "inventory_warehouse_id")
        lid = parse_se(q.get("inventory_location_id"), "inventory_location_id")
        # OAS: "Optional list of SKUs": a comma-separated list is accepted (UNCONFIRMED separator).
        sku = [part.strip() for part in q["sku"].split(",") if part.strip()] if q.get("sku") else None
        if group_by == "warehouse":
            levels, _ = backend.level_page(sku, wid, lid, 0, len(backend.levels))
            sums: dict[tuple[str, int], dict] = {}
            for lv in levels:
                wh = backend.inv_locations[lv.location_id].warehouse_id
                row = sums.setdefault((lv.sku, wh), {"sku": lv.sku, "on_hand": 0, "allocated": 0, "available": 0,
                                                     "average_cost": {"amount": lv.cost, "currency": lv.currency},
                                                     "inventory_warehouse_id": se(wh)})
                row["on_hand"] += lv.on_hand
                row["allocated"] += lv.allocated
                row["available"] += lv.available
            rows = [sums[k] for k in sorted(sums)]
            return json_response(v2_answer(request, "inventory", rows, page, cursor=True))
        levels, total = backend.level_page(sku, wid, lid, page.offset, page.size)
        return json_response(v2_page(request, "inventory", [render_level(backend, lv) for lv in levels], total, page,
                                     cursor=True))

    @inventory_api
    async def change_inventory(request: Request):
        body = _json(await request.body())
        if body is None:
            raise v2_validation("The request body is required", "request_body_required")
        if not isinstance(body, dict):
            raise v2_validation("The request body must be a single inventory change object, not a list",
                                "invalid_object")
        missing = [f for f in ("transaction_type", "sku", "quantity", "inventory_location_id") if body.get(f) is None]
        if missing:
            raise v2_validation(f"Missing required field(s): {', '.join(missing)}", "field_value_required")
        if body["transaction_type"] not in TRANSACTION_TYPES:
            raise v2_validation(f"transaction_type must be one of {', '.join(TRANSACTION_TYPES)}")
        for name in ("sku", "inventory_location_id"):
            if not isinstance(body[name], str) or not body[name]:
                raise v2_validation(f"{name} must be a non-empty string")
        qty = body["quantity"]
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise v2_validation("quantity must be a non-negative integer")
        if qty == 0 and body["transaction_type"] in ("increment", "decrement"):
            raise v2_validation("quantity must be greater than 0 for increment and decrement")
        for name in ("reason", "notes", "condition", "lot"):
            if body.get(name) is not None and not isinstance(body[name], str):
                raise v2_validation(f"{name} must be a string")
        if body.get("effective_at") is not None:
            try:
                parse_v2(str(body["effective_at"]))
            except ValueError:
                raise v2_validation("effective_at must be an ISO 8601 date-time")
        cost = None
        if body.get("cost") is not None:
            c = body["cost"]
            if not isinstance(c, dict) or not isinstance(c.get("amount"), (int, float)) or c["amount"] < 0:
                raise v2_validation("cost must be an object with a non-negative amount")
            cost = float(c["amount"])
        _check_request("/v2/inventory", "post", body)  # what the checks above leave: enums, types of the rest
        if body["sku"] not in backend.products:
            # UNCONFIRMED: no capture of the unknown-SKU answer; a 400 validation error is the reference's guess.
            raise v2_validation(f"SKU '{body['sku']}' was not found in this account's products")
        lid = parse_se(body["inventory_location_id"], "inventory_location_id")
        if lid not in backend.inv_locations:
            raise v2_validation(f"Inventory location '{body['inventory_location_id']}' was not found",
                                "invalid_identifier")
        new_lid = parse_se(body.get("new_inventory_location_id"), "new_inventory_location_id")
        if new_lid is not None and new_lid not in backend.inv_locations:
            raise v2_validation(f"Inventory location '{body['new_inventory_location_id']}' was not found",
                                "invalid_identifier")
        try:
            backend.change_inventory(body["sku"], lid, body["transaction_type"], qty, cost, new_lid)
        except ValueError as exc:
            raise v2_validation(exc.args[-1])
        return Response(status_code=204)

    @inventory_api
    async def list_inventory_warehouses(request: Request):
        q = request.query_params
        page = _requested_inventory_page(q)
        rows = [{"inventory_warehouse_id": se(w.id), "name": w.name, "created_at": v2_format(w.created),
                 "updated_at": v2_format(w.updated)} for w in backend.inv_warehouses.values()]
        return json_response(v2_answer(request, "inventory_warehouses", rows, page, cursor=True))

    @inventory_api
    async def create_inventory_warehouse(request: Request):
        body = _json(await request.body())
        _check_request("/v2/inventory_warehouses", "post", body)
        if not body["name"].strip():
            raise v2_validation("name may not be empty", "field_value_required")
        try:
            w = backend.add_inventory_warehouse(body["name"])
        except ControlError as exc:  # UNCONFIRMED: duplicate names refused with 409
            raise V2Error(409, "validation", "identifier_conflict", str(exc))
        return json_response({"inventory_warehouse_id": se(w.id), "name": w.name, "created_at": v2_format(w.created),
                              "updated_at": v2_format(w.updated)})

    @inventory_api
    async def list_inventory_locations(request: Request):
        q = request.query_params
        page = _requested_inventory_page(q)
        rows = [{"inventory_location_id": se(loc.id), "name": loc.name,
                 "inventory_warehouse_id": se(loc.warehouse_id), "created_at": v2_format(loc.created),
                 "updated_at": v2_format(loc.updated)} for loc in backend.inv_locations.values()]
        return json_response(v2_answer(request, "inventory_locations", rows, page, cursor=True))

    @inventory_api
    async def create_inventory_location(request: Request):
        body = _json(await request.body())
        _check_request("/v2/inventory_locations", "post", body)
        if not body["name"] or not body["inventory_warehouse_id"]:
            raise v2_validation("name and inventory_warehouse_id may not be empty", "field_value_required")
        wid = parse_se(body["inventory_warehouse_id"], "inventory_warehouse_id")
        if wid not in backend.inv_warehouses:
            raise v2_validation(f"Inventory warehouse '{body['inventory_warehouse_id']}' was not found",
                                "invalid_identifier")
        loc = backend.add_inventory_location(str(body["name"]), wid)
        return json_response({"inventory_location_id": se(loc.id), "name": loc.name,
                              "inventory_warehouse_id": se(wid), "created_at": v2_format(loc.created),
                              "updated_at": v2_format(loc.updated)})

    # ---- webhooks --------------------------------------------------------------------------------------
    @api
    async def list_webhooks(request: Request):
        return json_response([render_webhook(h) for h in backend.webhooks.values() if h.api == "v2"])

    @api
    async def create_webhook(request: Request):
        body = _json(await request.body())
        if not isinstance(body, dict) or not body.get("url") or not body.get("event"):
            raise v2_validation("url and event are required", "field_value_required")
        if body["event"] not in V2_EVENTS:
            raise v2_validation(f"event must be one of {', '.join(V2_EVENTS)}")
        if not str(body["url"]).startswith(("http://", "https://")):
            raise v2_validation("url must be an absolute http(s) URL")
        headers = body.get("headers") or []
        if not isinstance(headers, list) or not all(isinstance(h, dict) and isinstance(h.get("key"), str)
                                                    and isinstance(h.get("value"), str) for h in headers):
            raise v2_validation("headers must be a list of {key, value} strings")
        if any(h.api == "v2" and h.event == body["event"] for h in backend.webhooks.values()):
            raise V2Error(409, "validation", "webhook_event_type_conflict",
                          f"A webhook for the event '{body['event']}' already exists")
        store = body.get("store_id")  # not in the OAS body schema, but in the reference: se-<n> or a number
        store_id = int(store) if isinstance(store, int) or (isinstance(store, str) and store.isdigit()) else \
            parse_se(store, "store_id") if store else None
        hook = backend.subscribe("v2", body["event"], body["url"], store_id, None,
                                 [{"key": h["key"], "value": h["value"]} for h in headers])
        return json_response(render_webhook(hook))

    @api
    async def get_webhook(request: Request):
        wid = parse_se(request.path_params["webhook_id"], "webhook_id")
        hook = backend.webhooks.get(wid)
        if hook is None or hook.api != "v2":
            raise v2_not_found(f"Webhook {request.path_params['webhook_id']} was not found")
        return json_response(render_webhook(hook))

    @api
    async def delete_webhook(request: Request):
        wid = parse_se(request.path_params["webhook_id"], "webhook_id")
        with backend.lock:
            hook = backend.webhooks.get(wid)
            if hook is None or hook.api != "v2":
                raise v2_not_found(f"Webhook {request.path_params['webhook_id']} was not found")
            del backend.webhooks[wid]
        return Response(status_code=204)

    @api
    async def not_found(request: Request):
        raise v2_not_found(f"The requested resource {request.url.path} was not found")

    return [
        Route("/v2/shipments", list_shipments, methods=["GET"]),
        Route("/v2/shipments", create_shipments, methods=["POST"]),
        Route("/v2/shipments/external_shipment_id/{external_shipment_id}", get_shipment_by_external_id,
              methods=["GET"]),
        Route("/v2/shipments/{shipment_id}/cancel", cancel_shipment, methods=["PUT"]),
        Route("/v2/shipments/{shipment_id}", get_shipment, methods=["GET"]),
        Route("/v2/labels", list_labels, methods=["GET"]),
        Route("/v2/fulfillments", list_fulfillments, methods=["GET"]),
        Route("/v2/warehouses", list_warehouses, methods=["GET"]),
        Route("/v2/products", list_products, methods=["GET"]),
        Route("/v2/inventory", list_inventory, methods=["GET"]),
        Route("/v2/inventory", change_inventory, methods=["POST"]),
        Route("/v2/inventory_warehouses", list_inventory_warehouses, methods=["GET"]),
        Route("/v2/inventory_warehouses", create_inventory_warehouse, methods=["POST"]),
        Route("/v2/inventory_locations", list_inventory_locations, methods=["GET"]),
        Route("/v2/inventory_locations", create_inventory_location, methods=["POST"]),
        Route("/v2/environment/webhooks", list_webhooks, methods=["GET"]),
        Route("/v2/environment/webhooks", create_webhook, methods=["POST"]),
        Route("/v2/environment/webhooks/{webhook_id}", get_webhook, methods=["GET"]),
        Route("/v2/environment/webhooks/{webhook_id}", delete_webhook, methods=["DELETE"]),
    ], not_found
