"""v1 wire format (https://ssapi.shipstation.com paths): parameters in, camelCase JSON out, Pacific dates.

Unknown query parameters are ignored, as the real API ignores them (notably there is no modifyDate filter on
/shipments: a client sending one gets every shipment back).
"""
from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .auth import json_response, v1_endpoint
from .backend import CARRIERS, ORDER_STATUSES, V1_EVENTS, Fulfillment, Order, OrderItem, Package, Shipment, \
    ShipStationBackend
from .dates import parse_v1_filter, v1_date_only, v1_format
from .errors import V1Error, v1_bad_request, v1_not_found
from .paging import Page, v1_answer

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100


def _parsed(params, name: str, parse, default=None):
    """An optional query parameter; one that does not parse is refused as .NET's model binding refuses it."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except ValueError:
        raise v1_bad_request(f"The value '{raw}' is not valid for {name}.", "System.FormatException")


def _int(params, name: str, default: int | None = None) -> int | None:
    return _parsed(params, name, int, default)


def _date(params, name: str):
    return _parsed(params, name, parse_v1_filter)


def _bool(params, name: str) -> bool:
    return (params.get(name) or "").lower() == "true"


def _requested_page(params) -> Page:
    page, size = _int(params, "page", 1), _int(params, "pageSize", DEFAULT_PAGE_SIZE)
    if size < 1 or size > MAX_PAGE_SIZE:
        # D1: pageSize at most 500. UNCONFIRMED wording.
        raise v1_bad_request(f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    if page < 1:
        raise v1_bad_request("page must be 1 or greater.")
    return Page(page, size)


def _within(moment, start, end) -> bool:
    if start is None and end is None:
        return True
    if moment is None:
        return False
    return (start is None or moment >= start) and (end is None or moment <= end)


def _contains(haystack, needle: str) -> bool:
    """customerName / recipientName / itemKeyword: a case-insensitive substring match (UNCONFIRMED: D1 says
    "match" only)."""
    return haystack is not None and needle.casefold() in str(haystack).casefold()


def _item_matches(item: OrderItem, keyword: str) -> bool:
    """D1 list orders itemKeyword: "Fields searched are Sku, Description, and Options"."""
    return _contains(item.sku, keyword) or _contains(item.name, keyword) or any(
        _contains(o.get("name"), keyword) or _contains(o.get("value"), keyword)
        for o in item.options if isinstance(o, dict))


def _customs_countries(order: Order) -> set[str]:
    items = ((order.extra.get("internationalOptions") or {}).get("customsItems") or []) \
        if isinstance(order.extra.get("internationalOptions"), dict) else []
    return {str(i.get("countryOfOrigin") or "").upper() for i in items if isinstance(i, dict)}


# D1 list orders: orderStatus values (rejected_fulfillment is listed for filtering only).
LISTED_ORDER_STATUSES = ORDER_STATUSES + ("rejected_fulfillment",)


def _sort(rows: list, params, keys: dict, default: str, by_id) -> list:
    sort_by = params.get("sortBy") or default
    key = keys.get(sort_by.lower())
    if key is None:
        raise v1_bad_request(f"sortBy must be one of {', '.join(keys)}.")
    desc = (params.get("sortDir") or "ASC").upper() == "DESC"
    return sorted(rows, key=lambda r: (key(r) is None, key(r) or 0, by_id(r)), reverse=desc)


# ---- renderers ------------------------------------------------------------------------------------------
def render_item_for_shipment(item: OrderItem, qty: int) -> dict:
    return {"orderItemId": item.order_item_id, "lineItemKey": item.line_item_key, "sku": item.sku,
            "name": item.name, "imageUrl": None, "weight": {"value": item.weight_oz, "units": "ounces",
                                                            "WeightUnits": 1},
            "quantity": qty, "unitPrice": item.unit_price, "taxAmount": None, "shippingAmount": None,
            "warehouseLocation": item.warehouse_location, "options": item.options, "productId": item.product_id,
            "fulfillmentSku": None, "adjustment": False, "upc": item.upc, "createDate": v1_format(item.created),
            "modifyDate": v1_format(item.modified)}


def render_shipment(backend: ShipStationBackend, s: Shipment, p: Package, with_items: bool) -> dict:
    order = backend.order_of(s)
    first = p.sequence == 1
    return {
        "shipmentId": p.v1_shipment_id, "orderId": order.order_id, "orderKey": order.order_key, "userId": None,
        "customerEmail": order.customer_email, "orderNumber": order.order_number,
        "createDate": v1_format(s.created), "shipDate": v1_date_only(s.ship_date), "shipmentCost": p.cost,
        "insuranceCost": s.insurance_cost, "trackingNumber": p.tracking_number, "isReturnLabel": False,
        "batchNumber": str(s.batch_id), "carrierCode": s.carrier_code, "serviceCode": s.service_code,
        "packageCode": s.package_code, "confirmation": "none", "warehouseId": s.warehouse_id,
        "voided": s.voided, "voidDate": v1_format(s.void_date), "marketplaceNotified": True,
        "notifyErrorMessage": None, "shipTo": s.ship_to,
        "weight": {"value": p.weight_oz, "units": "ounces", "WeightUnits": 1},
        "dimensions": None,
        "insuranceOptions": {"provider": None, "insureShipment": False, "insuredValue": 0.0},
        "advancedOptions": {"billToParty": None, "billToAccount": None, "billToPostalCode": None,
                            "billToCountryCode": None, "storeId": order.store_id},
        "labelData": None, "formData": None,
        # UNCONFIRMED for multi-package labels: items are listed on the first package's row only.
        "shipmentItems": ([render_item_for_shipment(i, q) for i, q in s.items] if first else [])
        if with_items else None,
    }


def render_order(backend: ShipStationBackend, o: Order) -> dict:
    total = round(sum(i.quantity * i.unit_price for i in o.items) + o.tax_amount + o.shipping_amount, 2)
    body = {
        "orderId": o.order_id, "orderNumber": o.order_number, "orderKey": o.order_key,
        "orderDate": v1_format(o.order_date), "createDate": v1_format(o.created), "modifyDate": v1_format(o.modified),
        "paymentDate": v1_format(o.payment_date), "shipByDate": None, "orderStatus": o.status,
        "customerId": o.customer_id, "customerUsername": o.customer_username, "customerEmail": o.customer_email,
        "billTo": o.bill_to, "shipTo": o.ship_to,
        "items": [render_item_for_shipment(i, i.quantity) for i in o.items],
        "orderTotal": total, "amountPaid": o.amount_paid, "taxAmount": o.tax_amount,
        "shippingAmount": o.shipping_amount, "customerNotes": None, "internalNotes": None, "gift": False,
        "giftMessage": None, "paymentMethod": None, "requestedShippingService": None, "carrierCode": None,
        "serviceCode": None, "packageCode": None, "confirmation": "none", "shipDate": v1_date_only(o.ship_date),
        "holdUntilDate": None, "weight": {"value": round(sum(i.weight_oz * i.quantity for i in o.items), 1),
                                          "units": "ounces", "WeightUnits": 1},
        "dimensions": None, "insuranceOptions": {"provider": None, "insureShipment": False, "insuredValue": 0.0},
        "internationalOptions": {"contents": None, "customsItems": None, "nonDelivery": None},
        "advancedOptions": {"warehouseId": o.warehouse_id, "nonMachinable": False, "saturdayDelivery": False,
                            "containsAlcohol": False, "mergedOrSplit": False, "mergedIds": [], "parentId": None,
                            "storeId": o.store_id, "customField1": None, "customField2": None,
                            "customField3": None, "source": None, "billToParty": None, "billToAccount": None,
                            "billToPostalCode": None, "billToCountryCode": None},
        "tagIds": None, "userId": None, "externallyFulfilled": False, "externallyFulfilledBy": None,
        "labelMessages": None,
    }
    for k, v in o.extra.items():  # createorder fields the emulator does not model come back as sent
        if k in body and isinstance(body[k], dict) and isinstance(v, dict):
            body[k] = {**body[k], **v}
        else:
            body[k] = v
    return body


def render_fulfillment(backend: ShipStationBackend, f: Fulfillment) -> dict:
    order = backend.orders[f.order_id]
    return {"fulfillmentId": f.fulfillment_id, "orderId": order.order_id, "orderNumber": order.order_number,
            "userId": None, "customerEmail": order.customer_email, "trackingNumber": f.tracking_number,
            "createDate": v1_format(f.created), "shipDate": v1_date_only(f.ship_date),
            "voidDate": v1_format(f.void_date), "deliveryDate": v1_format(f.delivery_date),
            "carrierCode": f.carrier_code, "fulfillmentProviderCode": f.provider_code,
            "fulfillmentServiceCode": f.service_code, "fulfillmentFee": f.fee, "voidRequested": False,
            "voided": f.voided, "marketplaceNotified": f.marketplace_notified, "notifyErrorMessage": None,
            "shipTo": order.ship_to}


def _json_body(body: bytes):
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise V1Error(400, "The request is invalid.", "Error reading the request body: invalid JSON.",
                      "Newtonsoft.Json.JsonReaderException")


def routes(backend: ShipStationBackend) -> list[Route]:
    api = v1_endpoint(backend)

    @api
    async def list_shipments(request: Request):
        q = request.query_params
        page = _requested_page(q)
        cs, ce = _date(q, "createDateStart"), _date(q, "createDateEnd")
        ss, se = _date(q, "shipDateStart"), _date(q, "shipDateEnd")
        vs, ve = _date(q, "voidDateStart"), _date(q, "voidDateEnd")
        order_id, store_id = _int(q, "orderId"), _int(q, "storeId")
        batch_id = _int(q, "batchId")
        order_number, tracking = q.get("orderNumber"), q.get("trackingNumber")
        carrier, service = q.get("carrierCode"), q.get("serviceCode")
        recipient, recipient_country = q.get("recipientName"), q.get("recipientCountryCode")
        ship_start = backend.ship_day(ss) if ss else None
        ship_end = backend.ship_day(se) if se else None
        rows = []
        for s, p in backend.v1_rows():
            order = backend.order_of(s)
            day = backend.ship_day(s.ship_date)
            if not (_within(s.created, cs, ce) and _within(s.void_date, vs, ve)
                    and (ship_start is None or day >= ship_start) and (ship_end is None or day <= ship_end)
                    and (order_id is None or order.order_id == order_id)
                    and (order_number is None or order.order_number == order_number)
                    and (store_id is None or order.store_id == store_id)
                    and (batch_id is None or s.batch_id == batch_id)
                    and (tracking is None or p.tracking_number == tracking)
                    and (carrier is None or s.carrier_code == carrier)
                    and (service is None or s.service_code == service)
                    and (recipient is None or _contains((s.ship_to or {}).get("name"), recipient))
                    and (recipient_country is None
                         or ((s.ship_to or {}).get("country") or "").upper() == recipient_country.upper())):
                continue
            rows.append((s, p))
        rows = _sort(rows, q, {"createdate": lambda r: r[0].created, "shipdate": lambda r: r[0].ship_date},
                     "CreateDate", lambda r: r[1].v1_shipment_id)
        with_items = _bool(q, "includeShipmentItems")
        return json_response(v1_answer("shipments", rows, page,
                                       lambda row: render_shipment(backend, *row, with_items)))

    @api
    async def list_fulfillments(request: Request):
        q = request.query_params
        page = _requested_page(q)
        cs, ce = _date(q, "createDateStart"), _date(q, "createDateEnd")
        ss, se = _date(q, "shipDateStart"), _date(q, "shipDateEnd")
        order_id, order_number = _int(q, "orderId"), q.get("orderNumber")
        fulfillment_id, tracking, recipient = _int(q, "fulfillmentId"), q.get("trackingNumber"), \
            q.get("recipientName")
        rows = [f for f in backend.fulfillments if not f.from_label
                and _within(f.created, cs, ce) and _within(f.ship_date, ss, se)
                and (order_id is None or f.order_id == order_id)
                and (order_number is None or backend.orders[f.order_id].order_number == order_number)
                and (fulfillment_id is None or f.fulfillment_id == fulfillment_id)
                and (tracking is None or f.tracking_number == tracking)
                and (recipient is None or _contains(backend.orders[f.order_id].ship_to.get("name"), recipient))]
        rows = _sort(rows, q, {"createdate": lambda f: f.created, "shipdate": lambda f: f.ship_date},
                     "CreateDate", lambda f: f.fulfillment_id)
        return json_response(v1_answer("fulfillments", rows, page, lambda f: render_fulfillment(backend, f)))

    def orders_matching(q, status_required: bool = False) -> list[Order]:
        """D1 list orders: every filter it documents. orderNumber "performs a 'starts with' search"; dates are
        Pacific and inclusive, as on the other lists."""
        ms, me = _date(q, "modifyDateStart"), _date(q, "modifyDateEnd")
        cs, ce = _date(q, "createDateStart"), _date(q, "createDateEnd")
        os_, oe = _date(q, "orderDateStart"), _date(q, "orderDateEnd")
        ps, pe = _date(q, "paymentDateStart"), _date(q, "paymentDateEnd")
        status = q.get("orderStatus")
        if status and status not in LISTED_ORDER_STATUSES:
            raise v1_bad_request(f"orderStatus must be one of {', '.join(LISTED_ORDER_STATUSES)}.")
        if status_required and not status:  # UNCONFIRMED wording; D1 listbytag: orderStatus is required
            raise v1_bad_request("orderStatus is required.")
        number, store_id = q.get("orderNumber"), _int(q, "storeId")
        customer, keyword = q.get("customerName"), q.get("itemKeyword")
        customs = (q.get("customsCountryCode") or "").upper() or None
        return [o for o in backend.orders.values()
                if _within(o.modified, ms, me) and _within(o.created, cs, ce) and _within(o.order_date, os_, oe)
                and (ps is None and pe is None or _within(o.payment_date, ps, pe))
                and (status is None or status == "" or o.status == status)
                and (number is None or o.order_number.startswith(number))
                and (store_id is None or o.store_id == store_id)
                and (customer is None or _contains(o.bill_to.get("name"), customer)
                     or _contains(o.ship_to.get("name"), customer))
                and (keyword is None or any(_item_matches(i, keyword) for i in o.items))
                # UNCONFIRMED semantics (D1 lists it with a product's wording): orders with a customs item of
                # that origin; the emulator's seeded orders have none.
                and (customs is None or customs in _customs_countries(o))]

    def sorted_orders(rows: list[Order], q) -> list[Order]:
        return _sort(rows, q, {"orderdate": lambda o: o.order_date, "modifydate": lambda o: o.modified,
                               "createdate": lambda o: o.created}, "OrderDate", lambda o: o.order_id)

    @api
    async def list_orders(request: Request):
        """D1 GET /orders. `tagId` is not one of its parameters (tags have /orders/listbytag): ignored here, as
        the real API ignores unknown query parameters (see the module docstring)."""
        q = request.query_params
        page = _requested_page(q)
        rows = sorted_orders(orders_matching(q), q)
        return json_response(v1_answer("orders", rows, page, lambda o: render_order(backend, o)))

    @api
    async def list_orders_by_tag(request: Request):
        """D1 GET /orders/listbytag?orderStatus&tagId&page&pageSize: orders carrying the tag (tagIds as sent
        to createorder; the emulator has no other way to tag)."""
        q = request.query_params
        page = _requested_page(q)
        tag = _int(q, "tagId")
        if tag is None:  # UNCONFIRMED wording
            raise v1_bad_request("tagId is required.")
        rows = [o for o in orders_matching(q, status_required=True)
                if tag in [t for t in (o.extra.get("tagIds") or []) if isinstance(t, int)]]
        return json_response(v1_answer("orders", sorted_orders(rows, q), page, lambda o: render_order(backend, o)))

    @api
    async def get_order(request: Request):
        raw = request.path_params["order_id"]
        if not raw.isdigit():
            # D1 documents GET /orders/{orderId} with an integer id and no /orders/list (the pre-2016 path some
            # old clients still call): a word there matches no route, and ASP.NET Web API answers its own 404
            # (UNCONFIRMED for the live API: no capture; see README "v1: /orders/list").
            err = V1Error(404, "")
            err.body = {"Message": f"No HTTP resource was found that matches the request URI '{request.url}'.",
                        "MessageDetail": "No action was found on the controller 'Orders' that matches the request."}
            raise err
        order = backend.orders.get(int(raw))
        if order is None:
            raise v1_not_found(f"Order {raw} not found.")
        return json_response(render_order(backend, order))

    @api
    async def create_order(request: Request):
        body = _json_body(await request.body())
        if not isinstance(body, dict):
            raise v1_bad_request("The request body must be one order object.")
        missing = [f for f in ("orderNumber", "orderDate", "orderStatus", "billTo", "shipTo") if not body.get(f)]
        if missing:
            raise v1_bad_request(f"Missing required field(s): {', '.join(missing)}.")
        if body["orderStatus"] not in ORDER_STATUSES:
            raise v1_bad_request(f"orderStatus must be one of {', '.join(ORDER_STATUSES)}.")
        try:
            order = backend.upsert_order(body)
        except (ValueError, TypeError) as exc:
            raise v1_bad_request(str(exc))
        return json_response(render_order(backend, order))

    @api
    async def list_warehouses(request: Request):
        return json_response([{"warehouseId": w.warehouse_id, "warehouseName": w.name,
                               "originAddress": w.address, "returnAddress": w.address,
                               "createDate": v1_format(w.created), "isDefault": w.is_default}
                              for w in backend.ship_from.values()])

    @api
    async def list_stores(request: Request):
        store = dict(backend.store)
        store["createDate"], store["modifyDate"] = v1_format(store["createDate"]), v1_format(store["modifyDate"])
        return json_response([store])

    @api
    async def list_carriers(request: Request):
        return json_response([{"name": name, "code": code, "accountNumber": None, "requiresFundedAccount":
                               code == "stamps_com", "balance": 100.0 if code == "stamps_com" else 0.0,
                               "nickname": None, "shippingProviderId": number, "primary": n == 0}
                              for n, (code, name, number, _, _) in enumerate(CARRIERS)])

    @api
    async def list_customers(request: Request):
        q = request.query_params
        page = _requested_page(q)
        rows = []
        for c in backend.customers.values():
            a = c.address
            rows.append({"customerId": c.id, "createDate": v1_format(backend.store["createDate"]),
                         "modifyDate": v1_format(backend.store["createDate"]), "name": a.name,
                         "company": c.company, "street1": a.street1, "street2": None, "city": a.city,
                         "state": a.state, "postalCode": a.postal_code, "countryCode": a.country,
                         "phone": c.phone, "email": c.email, "addressVerified": "Verified",
                         "marketplaceUsernames": [], "tags": []})
        return json_response(v1_answer("customers", rows, page))

    @api
    async def list_products(request: Request):
        q = request.query_params
        page = _requested_page(q)
        sku = q.get("sku")
        products = [backend.products[sku]] if sku in backend.products else [] if sku else \
            sorted(backend.products.values(), key=lambda p: p.product_id)
        rows = [{"productId": p.product_id, "sku": p.sku, "name": p.name, "price": p.price, "defaultCost": None,
                 "length": None, "width": None, "height": None, "weightOz": p.weight_oz, "internalNotes": None,
                 "fulfillmentSku": None, "createDate": v1_format(p.created), "modifyDate": v1_format(p.modified),
                 "active": p.active, "productCategory": None, "productType": None, "warehouseLocation": None,
                 "defaultCarrierCode": None, "defaultServiceCode": None, "defaultPackageCode": None,
                 "defaultIntlCarrierCode": None, "defaultIntlServiceCode": None, "defaultIntlPackageCode": None,
                 "defaultConfirmation": None, "defaultIntlConfirmation": None, "customsDescription": None,
                 "customsValue": None, "customsTariffNo": None, "customsCountryCode": None,
                 "noCustoms": None, "tags": None, "upc": p.upc} for p in products]
        return json_response(v1_answer("products", rows, page))

    @api
    async def subscribe(request: Request):
        body = _json_body(await request.body())
        if not isinstance(body, dict) or not body.get("target_url") or not body.get("event"):
            raise v1_bad_request("target_url and event are required.")
        if body["event"] not in V1_EVENTS:
            raise v1_bad_request(f"event must be one of {', '.join(V1_EVENTS)}.")
        store_id = body.get("store_id")
        hook = backend.subscribe("v1", body["event"], body["target_url"],
                                 int(store_id) if store_id not in (None, "") else None, body.get("friendly_name"))
        return json_response({"id": hook.id}, 201)  # UNCONFIRMED status (201 vs 200); the body is D1's

    @api
    async def list_webhooks(request: Request):
        hooks = [h for h in backend.webhooks.values() if h.api == "v1"]
        return json_response({"webhooks": [
            {"IsLabelAPIHook": False, "WebHookID": h.id, "SellerID": 0, "StoreID": h.store_id,
             "HookType": h.event, "MessageFormat": "Json", "Url": h.url, "Name": h.name,
             "BulkCopyBatchID": None, "BulkCopyRecordID": None, "Active": True, "WebhookLogs": [],
             "Seller": None, "Store": None} for h in hooks]})

    @api
    async def unsubscribe(request: Request):
        raw = request.path_params["webhook_id"]
        hook = backend.webhooks.get(int(raw)) if raw.isdigit() else None
        if hook is None or hook.api != "v1":
            raise v1_not_found(f"Webhook {raw} not found.")
        with backend.lock:
            del backend.webhooks[hook.id]
        return Response(status_code=200)  # v1 answers an unsubscribe with 200 and no body

    @api
    async def not_found(request: Request):
        raise v1_not_found(f"No route for {request.method} {request.url.path}.")

    return [
        Route("/shipments", list_shipments, methods=["GET"]),
        Route("/fulfillments", list_fulfillments, methods=["GET"]),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders/createorder", create_order, methods=["POST"]),
        Route("/orders/listbytag", list_orders_by_tag, methods=["GET"]),
        Route("/orders/{order_id}", get_order, methods=["GET"]),
        Route("/warehouses", list_warehouses, methods=["GET"]),
        Route("/stores", list_stores, methods=["GET"]),
        Route("/carriers", list_carriers, methods=["GET"]),
        Route("/customers", list_customers, methods=["GET"]),
        Route("/products", list_products, methods=["GET"]),
        Route("/webhooks/subscribe", subscribe, methods=["POST"]),
        Route("/webhooks", list_webhooks, methods=["GET"]),
        Route("/webhooks/{webhook_id}", unsubscribe, methods=["DELETE"]),
    ], not_found
