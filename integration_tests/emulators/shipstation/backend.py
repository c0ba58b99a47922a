"""The account's state and its rules (no wire format here: see v1_routes / v2_routes).

One merchant account: keys, products, orders, shipments (labels), fulfillments, inventory, webhook
subscriptions, rate windows and stats. Everything is kept in UTC. Seeded from the shared merchant generator so
NetSuite's emulator and this one describe the same business.
"""
from __future__ import annotations

import bisect
import hmac
import itertools
import random
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable

from emulators.common.clock import Clock
from emulators.common.merchant import Merchant, generate_merchant

from .dates import pacific_day, parse_v1_filter, utc_from_epoch
from .ratelimit import RateLimiter

V1_EVENTS = ("ORDER_NOTIFY", "ITEM_ORDER_NOTIFY", "SHIP_NOTIFY", "ITEM_SHIP_NOTIFY", "FULFILLMENT_SHIPPED",
             "FULFILLMENT_REJECTED")
V2_EVENTS = ("batch", "carrier_connected", "order_source_refresh_complete", "rate", "report_complete",
             "sales_orders_imported", "track", "batch_processed_v2", "fulfillment_rejected_v2",
             "fulfillment_shipped_v2", "label_created_v2", "shipment_created_v2", "track_event_v2")
ORDER_STATUSES = ("awaiting_payment", "awaiting_shipment", "pending_fulfillment", "shipped", "on_hold",
                  "cancelled")
TRANSACTION_TYPES = ("increment", "decrement", "adjust", "modify")
CARRIERS = (  # code, name, v2 carrier id number, default service, default package
    ("stamps_com", "Stamps.com", 101, "usps_priority_mail", "package"),
    ("ups_walleted", "UPS by ShipStation", 102, "ups_ground", "package"),
    ("fedex", "FedEx", 103, "fedex_ground", "package"),
)
TARE_OZ = 4.0  # a box weighs something; also keeps weights above the OAS minimums


class ControlError(Exception):
    """A bad control-plane request (not an emulated API error)."""


@dataclass
class Product:
    product_id: int
    sku: str
    name: str
    price: float
    weight_oz: float
    upc: str | None
    created: datetime
    modified: datetime
    active: bool = True


@dataclass
class OrderItem:
    order_item_id: int
    line_item_key: str
    sku: str
    name: str
    quantity: int
    unit_price: float
    product_id: int | None
    upc: str | None
    weight_oz: float
    created: datetime
    modified: datetime
    warehouse_location: str | None = None
    options: list = field(default_factory=list)
    shipped: int = 0  # units covered by live (not voided) labels or a mark-shipped fulfillment


@dataclass
class Order:
    order_id: int
    order_number: str
    order_key: str
    order_date: datetime
    created: datetime
    modified: datetime
    status: str
    customer_id: int | None
    customer_username: str | None
    customer_email: str | None
    bill_to: dict
    ship_to: dict
    items: list[OrderItem]
    store_id: int
    warehouse_id: int
    v2_shipment_id: int  # the v2 "shipment" every imported order has before it gets a label
    ship_date: datetime | None = None
    payment_date: datetime | None = None
    amount_paid: float = 0.0
    tax_amount: float = 0.0
    shipping_amount: float = 0.0
    extra: dict = field(default_factory=dict)  # other createorder fields, echoed back as sent
    # Set when the order was created as a v2 shipment (POST /v2/shipments): its key and what it was sent.
    external_shipment_id: str | None = None
    v2_fields: dict = field(default_factory=dict)


@dataclass
class Package:
    v1_shipment_id: int  # v1 shows one shipment per label/package
    tracking_number: str
    weight_oz: float
    cost: float
    sequence: int


@dataclass
class Shipment:
    shipment_id: int  # v2 se-<id>; also the first package's v1 shipmentId
    label_id: int
    batch_id: int
    order_id: int
    created: datetime
    v2_created: datetime
    modified: datetime
    ship_date: datetime
    carrier_code: str
    service_code: str
    package_code: str
    items: list[tuple[OrderItem, int]]
    packages: list[Package]
    warehouse_id: int
    ship_to: dict
    insurance_cost: float = 0.0
    voided: bool = False
    void_date: datetime | None = None
    fulfillment_id: int | None = None

    @property
    def cost(self) -> float:
        return round(sum(p.cost for p in self.packages), 2)


@dataclass
class Fulfillment:
    fulfillment_id: int
    order_id: int
    shipment_id: int  # v2 shipment the fulfillment belongs to
    created: datetime
    ship_date: datetime
    tracking_number: str | None
    carrier_code: str | None
    provider_code: str | None
    service_code: str | None
    from_label: bool  # label fulfillments show in v2 only; v1 /fulfillments lists external ones
    fee: float = 0.0
    voided: bool = False
    void_date: datetime | None = None
    delivery_date: datetime | None = None
    marketplace_notified: bool = True


@dataclass
class InventoryWarehouse:
    id: int
    name: str
    created: datetime
    updated: datetime


@dataclass
class InventoryLocation:
    id: int
    name: str
    warehouse_id: int
    created: datetime
    updated: datetime


@dataclass
class Level:
    sku: str
    location_id: int
    on_hand: int
    allocated: int
    cost: float
    currency: str = "usd"

    @property
    def available(self) -> int:
        return max(self.on_hand - self.allocated, 0)


@dataclass
class ShipFrom:
    warehouse_id: int
    name: str
    address: dict  # v1 shape
    created: datetime
    is_default: bool
    inventory_location_id: int


@dataclass
class Webhook:
    id: int
    api: str  # "v1" | "v2"
    event: str
    url: str
    store_id: int | None = None
    name: str | None = None
    headers: list = field(default_factory=list)


def _v1_address(name, company, street1, city, state, postal, country="US", phone="", residential=None):
    return {"name": name, "company": company or None, "street1": street1, "street2": None, "street3": None,
            "city": city, "state": state, "postalCode": postal, "country": country, "phone": phone or None,
            "residential": residential, "addressVerified": None}


class ShipStationBackend:
    def __init__(self, clock: Clock | None = None, v1_rate_limit: int = 40, v2_rate_limit: int = 200,
                 **merchant_args) -> None:
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.base_url = "http://127.0.0.1"  # set by whoever binds the port; webhook resource URLs use it
        # Keys are random per start; tests read them from the control plane (GET credentials).
        self.v1_api_key, self.v1_api_secret = secrets.token_hex(16), secrets.token_hex(16)
        self.v2_api_key = secrets.token_urlsafe(32)
        self.revoked = {"v1": False, "v2": False}
        self.inventory_addon = True
        self.v1_limiter, self.v2_limiter = RateLimiter(v1_rate_limit), RateLimiter(v2_rate_limit)
        self.v2_rate_headers = False  # no v2 source documents X-Rate-Limit-*; off unless a test asks
        self.notify: Callable[[str, str, str, int | None], None] = lambda api, event, url, store_id: None
        self.load(**merchant_args)

    # ---- setup -------------------------------------------------------------------------------------------
    def load(self, seed: int = 1, items: int = 20, locations: int = 3, customers: int = 10,
             orders: int = 10) -> None:
        """(Re)build the account from the merchant generator; keys and rate limits survive a reset."""
        with self.lock:
            merchant = generate_merchant(seed=seed, items=items, locations=locations, customers=customers,
                                         orders=orders)
            self.merchant_args = {"seed": seed, "items": items, "locations": locations, "customers": customers,
                                  "orders": orders}
            self._rng = random.Random(seed)
            self._ids = itertools.count(1000)
            self.products: dict[str, Product] = {}
            self.orders: dict[int, Order] = {}
            self.orders_by_key: dict[str, int] = {}
            self.orders_by_number: dict[str, list[int]] = {}
            self.shipments: list[Shipment] = []
            self.shipments_by_id: dict[int, Shipment] = {}
            self.fulfillments: list[Fulfillment] = []
            self.inv_warehouses: dict[int, InventoryWarehouse] = {}
            self.inv_locations: dict[int, InventoryLocation] = {}
            self.levels: dict[tuple[str, int], Level] = {}
            self.level_keys: list[tuple[str, int]] = []  # sorted, for paging without sorting per request
            self.skus_by_location: dict[int, list[str]] = {}  # sorted SKUs per location
            self.locations_by_sku: dict[str, list[int]] = {}
            self.webhooks: dict[int, Webhook] = {}
            self.deliveries: list[dict] = []
            self.stats = {"requests": {"v1": 0, "v2": 0, "jwks": 0}, "rate_limited": {"v1": 0, "v2": 0},
                          "unauthorized": {"v1": 0, "v2": 0}}
            self.v1_limiter.clear()
            self.v2_limiter.clear()
            self._seed_from(merchant)

    def _next_id(self) -> int:
        return next(self._ids)

    def now(self) -> datetime:
        return utc_from_epoch(self.clock.now())

    def _seed_from(self, merchant: Merchant) -> None:
        start = min((o.created for o in merchant.sales_orders), default=self.now()) - timedelta(days=30)
        self.store = {"storeId": 310001, "storeName": "NetSuite", "marketplaceId": 0,
                      "marketplaceName": "ShipStation", "accountName": None, "email": None,
                      "integrationUrl": None, "active": True, "companyName": "", "phone": "", "publicEmail": "",
                      "website": "", "refreshDate": None, "lastRefreshAttempt": None, "createDate": start,
                      "modifyDate": start, "autoRefresh": False}
        self.ship_from: dict[int, ShipFrom] = {}
        for n, loc in enumerate(merchant.locations):
            wh = InventoryWarehouse(self._next_id(), loc.name, start, start)
            self.inv_warehouses[wh.id] = wh
            il = InventoryLocation(self._next_id(), "Default", wh.id, start, start)
            self.inv_locations[il.id] = il
            self.skus_by_location[il.id] = []
            sf = ShipFrom(warehouse_id=200000 + loc.id, name=loc.name, created=start, is_default=n == 0,
                          inventory_location_id=il.id,
                          address=_v1_address("Shipping Dept", "Acme Goods Inc.", f"{100 + loc.id} Commerce Way",
                                              "Austin", "TX", "78701", phone="+1 512 555 0100", residential=False))
            self.ship_from[sf.warehouse_id] = sf
        location_by_name = {self.inv_warehouses[self.inv_locations[sf.inventory_location_id].warehouse_id].name:
                            sf.inventory_location_id for sf in self.ship_from.values()}
        for item in merchant.items:
            self.products[item.sku] = Product(700000 + item.id, item.sku, item.name, item.price, item.weight_oz,
                                              item.upc, start, start, active=not item.inactive)
        for (sku, loc_name), qty in merchant.shipstation_stock.items():
            product = self.products[sku]
            self._put_level(Level(sku, location_by_name[loc_name], qty, 0, round(product.price * 0.45, 2)))
        customers = {c.id: c for c in merchant.customers}
        first_wh = next(iter(self.ship_from))
        for so in merchant.sales_orders:
            cust = customers[so.customer_id]
            addr = so.ship_to
            ship_to = _v1_address(addr.name, cust.company, addr.street1, addr.city, addr.state, addr.postal_code,
                                  addr.country, addr.phone, residential=False)
            created = so.created + timedelta(minutes=5)  # imported a few minutes after NetSuite saved it
            items = []
            for line in so.lines:
                item = merchant.item(line.item_id)
                items.append(OrderItem(self._next_id(), f"{so.id}-{line.line}", item.sku, item.name, line.quantity,
                                       line.rate, 700000 + item.id, item.upc, item.weight_oz, created, created))
            total = round(sum(i.quantity * i.unit_price for i in items), 2)
            order = Order(order_id=100000 + so.id, order_number=so.tranid, order_key=f"ns-{so.id}",
                          order_date=so.created, created=created, modified=created, status="awaiting_shipment",
                          customer_id=cust.id, customer_username=cust.entity_id, customer_email=cust.email,
                          bill_to=dict(ship_to), ship_to=ship_to, items=items, store_id=self.store["storeId"],
                          warehouse_id=first_wh, v2_shipment_id=self._next_id(), payment_date=so.created,
                          amount_paid=total)
            self._add_order(order)
        self.customers = {c.id: c for c in merchant.customers}

    # ---- inventory indexes -------------------------------------------------------------------------------
    def _put_level(self, level: Level) -> None:
        key = (level.sku, level.location_id)
        if key not in self.levels:
            bisect.insort(self.level_keys, key)
            bisect.insort(self.skus_by_location.setdefault(level.location_id, []), level.sku)
            bisect.insort(self.locations_by_sku.setdefault(level.sku, []), level.location_id)
        self.levels[key] = level

    def _drop_level(self, key: tuple[str, int]) -> None:
        del self.levels[key]
        self.level_keys.pop(bisect.bisect_left(self.level_keys, key))
        skus = self.skus_by_location[key[1]]
        skus.pop(bisect.bisect_left(skus, key[0]))
        locs = self.locations_by_sku[key[0]]
        locs.pop(bisect.bisect_left(locs, key[1]))

    def level_page(self, skus: list[str] | None, warehouse_id: int | None, location_id: int | None,
                   offset: int, size: int) -> tuple[list[Level], int]:
        """A page of levels in (sku, location) order, using the indexes instead of scanning everything."""
        if skus is not None:
            keys = [(sku, loc) for sku in sorted(set(skus)) for loc in self.locations_by_sku.get(sku, [])
                    if (location_id is None or loc == location_id)
                    and (warehouse_id is None or self.inv_locations[loc].warehouse_id == warehouse_id)]
            return [self.levels[k] for k in keys[offset:offset + size]], len(keys)
        if location_id is not None or warehouse_id is not None:
            locs = [location_id] if location_id is not None else \
                [lid for lid, loc in self.inv_locations.items() if loc.warehouse_id == warehouse_id]
            if location_id is not None and warehouse_id is not None and \
                    self.inv_locations.get(location_id, None) is not None and \
                    self.inv_locations[location_id].warehouse_id != warehouse_id:
                return [], 0
            page, total = [], 0
            for lid in locs:
                skus = self.skus_by_location.get(lid, [])
                lo, hi = max(offset - total, 0), max(offset + size - total, 0)
                page += [self.levels[(s, lid)] for s in skus[lo:hi]]
                total += len(skus)
            return page, total
        keys = self.level_keys[offset:offset + size]
        return [self.levels[k] for k in keys], len(self.level_keys)

    def change_inventory(self, sku: str, location_id: int, transaction_type: str, quantity: int,
                         cost: float | None, new_location_id: int | None) -> None:
        """POST /v2/inventory's rules; raises ValueError(field, message) for the route to word as v2 wants."""
        with self.lock:
            key = (sku, location_id)
            level = self.levels.get(key)
            if level is None:
                level = Level(sku, location_id, 0, 0, cost if cost is not None else
                              round(self.products[sku].price * 0.45, 2))
                self._put_level(level)
            if transaction_type == "increment":
                level.on_hand += quantity
            elif transaction_type == "decrement":
                if quantity > level.on_hand:
                    # UNCONFIRMED: ShipStation refuses to take stock below zero (wording invented).
                    raise ValueError("quantity", f"Cannot decrement {quantity} of SKU {sku}: "
                                                 f"only {level.on_hand} on hand at this location")
                level.on_hand -= quantity
            elif transaction_type == "adjust":
                level.on_hand = quantity
            elif transaction_type == "modify":
                if new_location_id is not None and new_location_id != location_id:
                    moved = min(quantity, level.on_hand) if quantity else level.on_hand
                    level.on_hand -= moved
                    target = self.levels.get((sku, new_location_id))
                    if target is None:
                        target = Level(sku, new_location_id, 0, 0, level.cost)
                        self._put_level(target)
                    target.on_hand += moved
            if cost is not None and transaction_type in ("increment", "adjust", "modify"):
                level.cost = cost

    def add_inventory_warehouse(self, name: str) -> InventoryWarehouse:
        with self.lock:
            if any(w.name == name for w in self.inv_warehouses.values()):
                raise ControlError(f"An inventory warehouse named '{name}' already exists")
            now = self.now()
            warehouse = InventoryWarehouse(self._next_id(), name, now, now)
            self.inv_warehouses[warehouse.id] = warehouse
            return warehouse

    def add_inventory_location(self, name: str, warehouse_id: int) -> InventoryLocation:
        with self.lock:
            now = self.now()
            location = InventoryLocation(self._next_id(), name, warehouse_id, now, now)
            self.inv_locations[location.id] = location
            self.skus_by_location[location.id] = []
            return location

    # ---- orders ------------------------------------------------------------------------------------------
    def _add_order(self, order: Order) -> None:
        self.orders[order.order_id] = order
        self.orders_by_key[order.order_key] = order.order_id
        self.orders_by_number.setdefault(order.order_number, []).append(order.order_id)
        if order.status in ("awaiting_shipment", "on_hold", "awaiting_payment", "pending_fulfillment"):
            self._allocate(order, +1)

    def _allocate(self, order: Order, sign: int) -> None:
        """Open orders hold stock at their warehouse's inventory location (allocated)."""
        loc = self.ship_from[order.warehouse_id].inventory_location_id
        for item in order.items:
            level = self.levels.get((item.sku, loc))
            if level is not None:
                level.allocated = max(level.allocated + sign * (item.quantity - item.shipped), 0)

    def orders_by_number_first(self, order_number: str) -> Order:
        ids = self.orders_by_number.get(order_number)
        if not ids:
            raise ControlError(f"no order numbered {order_number!r}")
        return self.orders[ids[-1]]

    def upsert_order(self, fields: dict) -> Order:
        """POST /orders/createorder: create, or update the order whose orderKey (or orderId) matches."""
        with self.lock:
            now = self.now()
            existing = None
            if fields.get("orderId") is not None and int(fields["orderId"]) in self.orders:
                existing = self.orders[int(fields["orderId"])]
            elif fields.get("orderKey") and fields["orderKey"] in self.orders_by_key:
                existing = self.orders[self.orders_by_key[fields["orderKey"]]]
            if existing is not None and existing.status in ("awaiting_shipment", "on_hold", "awaiting_payment",
                                                            "pending_fulfillment"):
                self._allocate(existing, -1)
            items = []
            for raw in fields.get("items") or []:
                sku = raw.get("sku") or ""
                product = self.products.get(sku) if sku else None
                if sku and product is None:
                    # ShipStation adds unknown SKUs from orders to its product list.
                    product = Product(self._next_id(), sku, raw.get("name") or sku, float(raw.get("unitPrice") or 0),
                                      float((raw.get("weight") or {}).get("value") or 0), raw.get("upc"), now, now)
                    self.products[sku] = product
                items.append(OrderItem(self._next_id(), raw.get("lineItemKey") or str(self._next_id()), sku,
                                       raw.get("name") or (product.name if product else ""),
                                       int(raw.get("quantity") or 0), float(raw.get("unitPrice") or 0),
                                       product.product_id if product else None, raw.get("upc"),
                                       float((raw.get("weight") or {}).get("value") or
                                             (product.weight_oz if product else 0)),
                                       now, now, raw.get("warehouseLocation"), raw.get("options") or []))
            advanced = fields.get("advancedOptions") or {}
            warehouse_id = int(advanced.get("warehouseId") or (existing.warehouse_id if existing else
                                                               next(iter(self.ship_from))))
            if warehouse_id not in self.ship_from:
                warehouse_id = next(iter(self.ship_from))
            known = {"orderId", "orderKey", "orderNumber", "orderDate", "orderStatus", "customerEmail",
                     "customerUsername", "billTo", "shipTo", "items", "amountPaid", "taxAmount", "shippingAmount",
                     "paymentDate", "shipDate"}
            extra = {k: v for k, v in fields.items() if k not in known}
            order_date = parse_v1_filter(fields["orderDate"])  # v1 body dates are Pacific, like its filters
            payment_date = parse_v1_filter(fields["paymentDate"]) if fields.get("paymentDate") else None
            if existing is None:
                order = Order(order_id=self._next_id() + 100000, order_number=fields["orderNumber"],
                              order_key=fields.get("orderKey") or secrets.token_hex(16), order_date=order_date,
                              created=now, modified=now, status=fields["orderStatus"], customer_id=None,
                              customer_username=fields.get("customerUsername"),
                              customer_email=fields.get("customerEmail"), bill_to=fields["billTo"],
                              ship_to=fields["shipTo"], items=items, store_id=self.store["storeId"],
                              warehouse_id=warehouse_id, v2_shipment_id=self._next_id(), payment_date=payment_date,
                              amount_paid=float(fields.get("amountPaid") or 0),
                              tax_amount=float(fields.get("taxAmount") or 0),
                              shipping_amount=float(fields.get("shippingAmount") or 0), extra=extra)
                self._add_order(order)
                return order
            existing.order_number, existing.order_date, existing.status = \
                fields["orderNumber"], order_date, fields["orderStatus"]
            existing.customer_email = fields.get("customerEmail")
            existing.customer_username = fields.get("customerUsername")
            existing.bill_to, existing.ship_to, existing.items = fields["billTo"], fields["shipTo"], items
            existing.warehouse_id, existing.payment_date = warehouse_id, payment_date
            existing.amount_paid = float(fields.get("amountPaid") or 0)
            existing.extra.update(extra)
            existing.modified = now
            if existing.status in ("awaiting_shipment", "on_hold", "awaiting_payment", "pending_fulfillment"):
                self._allocate(existing, +1)
            return existing

    # ---- v2 shipments created by a client (POST /v2/shipments) -------------------------------------------
    def create_v2_shipment(self, body: dict) -> Order:
        """A pending v2 shipment, held as an order like the others so labels, voids and v1 reads see it."""
        with self.lock:
            external = body.get("external_shipment_id")
            if external is not None and self.order_by_external_shipment_id(external) is not None:
                raise ValueError(f"A shipment with external_shipment_id '{external}' already exists.")
            ship_to = body.get("ship_to") or {}
            v1_address = {"name": ship_to.get("name"), "company": ship_to.get("company_name"),
                          "street1": ship_to.get("address_line1"), "street2": ship_to.get("address_line2"),
                          "city": ship_to.get("city_locality"), "state": ship_to.get("state_province"),
                          "postalCode": ship_to.get("postal_code"), "country": ship_to.get("country_code"),
                          "phone": ship_to.get("phone"), "residential": None}
            items = [{"sku": i.get("sku"), "name": i.get("name"), "quantity": i.get("quantity"),
                      "unitPrice": (i.get("unit_price") or {}).get("amount") if isinstance(i.get("unit_price"), dict)
                      else i.get("unit_price"), "lineItemKey": i.get("external_order_item_id")}
                     for i in body.get("items") or []]
            order = self.upsert_order({"orderNumber": body.get("shipment_number") or external or "",
                                       "orderKey": external, "orderDate": self.now().isoformat(),
                                       "customerEmail": ship_to.get("email"),
                                       "orderStatus": "awaiting_shipment", "billTo": v1_address,
                                       "shipTo": v1_address, "items": items})
            order.external_shipment_id = external
            order.v2_fields = {k: body[k] for k in ("notes_from_buyer", "notes_for_gift", "is_gift", "carrier_id",
                                                    "service_code", "confirmation") if k in body}
            return order

    def order_by_external_shipment_id(self, external: str) -> Order | None:
        return next((o for o in self.orders.values() if o.external_shipment_id == external), None)

    def cancel_v2_shipment(self, order: Order) -> None:
        with self.lock:
            if any(s.order_id == order.order_id and not s.voided for s in self.shipments) or order.status == "shipped":
                raise ValueError("Any label associated with the shipment needs to be voided first.")
            if order.status in ("awaiting_shipment", "on_hold", "awaiting_payment", "pending_fulfillment"):
                self._allocate(order, -1)
            order.status, order.modified = "cancelled", self.now()

    # ---- labels, voids, mark-shipped (control plane drives these) -------------------------------------
    def create_label(self, order_number: str, items: list[dict] | None = None, carrier_code: str | None = None,
                     service_code: str | None = None, packages: int = 1,
                     create_date: datetime | None = None) -> Shipment:
        with self.lock:
            order = self.orders_by_number_first(order_number)
            if order.status == "cancelled":
                raise ControlError(f"order {order_number} is cancelled")
            carrier = next((c for c in CARRIERS if c[0] == (carrier_code or CARRIERS[0][0])), None)
            if carrier is None:
                raise ControlError(f"unknown carrier_code {carrier_code!r}; known: {[c[0] for c in CARRIERS]}")
            if packages < 1:
                raise ControlError("packages must be at least 1")
            chosen: list[tuple[OrderItem, int]] = []
            if items is None:
                chosen = [(i, i.quantity - i.shipped) for i in order.items if i.quantity > i.shipped]
            else:
                for want in items:
                    line = next((i for i in order.items if i.sku == want.get("sku")), None)
                    qty = int(want.get("quantity", 0))
                    if line is None:
                        raise ControlError(f"order {order_number} has no SKU {want.get('sku')!r}")
                    if qty < 1 or qty > line.quantity - line.shipped:
                        raise ControlError(f"SKU {line.sku}: {line.quantity - line.shipped} left to ship, asked {qty}")
                    chosen.append((line, qty))
            if not chosen:
                raise ControlError(f"order {order_number} has nothing left to ship")
            now = create_date or self.now()
            reuse = not any(s.order_id == order.order_id for s in self.shipments)
            sid = order.v2_shipment_id if reuse else self._next_id()
            weight = round(sum(i.weight_oz * q for i, q in chosen) + TARE_OZ, 1)
            pkgs = []
            for n in range(packages):
                pkgs.append(Package(v1_shipment_id=sid if n == 0 else self._next_id(),
                                    tracking_number=self._tracking(carrier[0]),
                                    weight_oz=round(weight / packages + TARE_OZ * (n > 0), 1),
                                    cost=round(self._rng.uniform(4.5, 18.0), 2), sequence=n + 1))
            shipment = Shipment(shipment_id=sid, label_id=self._next_id(), batch_id=self._next_id(),
                                order_id=order.order_id, created=now,
                                v2_created=order.created if reuse else now, modified=now, ship_date=now,
                                carrier_code=carrier[0], service_code=service_code or carrier[3],
                                package_code=carrier[4], items=chosen, packages=pkgs,
                                warehouse_id=order.warehouse_id, ship_to=dict(order.ship_to))
            # Shipping takes the units out of stock and out of the order's allocation.
            loc = self.ship_from[order.warehouse_id].inventory_location_id
            for line, qty in chosen:
                line.shipped += qty
                level = self.levels.get((line.sku, loc))
                if level is not None:
                    level.on_hand = max(level.on_hand - qty, 0)
                    level.allocated = max(level.allocated - qty, 0)
            fulfillment = Fulfillment(self._next_id(), order.order_id, sid, now, now, pkgs[0].tracking_number,
                                      carrier[0], None, shipment.service_code, from_label=True)
            shipment.fulfillment_id = fulfillment.fulfillment_id
            self.fulfillments.append(fulfillment)
            self.shipments.append(shipment)
            self.shipments_by_id[sid] = shipment
            for p in pkgs:
                self.shipments_by_id[p.v1_shipment_id] = shipment
            if all(i.shipped >= i.quantity for i in order.items):
                order.status, order.ship_date = "shipped", now
            order.modified = now
        base = self.base_url
        self.notify("v1", "SHIP_NOTIFY",
                    f"{base}/shipments?batchId={shipment.batch_id}&includeShipmentItems=False", order.store_id)
        self.notify("v1", "ITEM_SHIP_NOTIFY",
                    f"{base}/shipments?batchId={shipment.batch_id}&includeShipmentItems=True", order.store_id)
        self.notify("v2", "label_created_v2", f"{base}/v2/labels?batch_id=se-{shipment.batch_id}", None)
        self.notify("v2", "shipment_created_v2", f"{base}/v2/shipments?batch_id=se-{shipment.batch_id}", None)
        self.notify("v2", "fulfillment_shipped_v2",
                    f"{base}/v2/fulfillments?fulfillment_id=se-{fulfillment.fulfillment_id}&shipment_id=se-{sid}",
                    None)
        return shipment

    def _tracking(self, carrier_code: str) -> str:
        if carrier_code.startswith("ups"):
            return "1Z" + "".join(self._rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
        if carrier_code == "fedex":
            return "".join(self._rng.choice("0123456789") for _ in range(12))
        return "9400" + "".join(self._rng.choice("0123456789") for _ in range(18))

    def void_label(self, shipment_id: int) -> Shipment:
        """Void a label. ShipStation sends no webhook for voids, so nothing is notified."""
        with self.lock:
            shipment = self.shipments_by_id.get(shipment_id)
            if shipment is None:
                raise ControlError(f"no shipment {shipment_id}")
            if shipment.voided:
                raise ControlError(f"shipment {shipment_id} is already voided")
            now = self.now()
            shipment.voided, shipment.void_date, shipment.modified = True, now, now
            order = self.orders[shipment.order_id]
            for line, qty in shipment.items:
                line.shipped -= qty
            for f in self.fulfillments:
                if f.fulfillment_id == shipment.fulfillment_id:
                    f.voided, f.void_date = True, now
            # The order goes back to awaiting shipment when a void leaves units unshipped (UNCONFIRMED detail:
            # stock is not put back automatically, and the allocation is restored).
            if order.status == "shipped" and any(i.shipped < i.quantity for i in order.items):
                order.status, order.ship_date = "awaiting_shipment", None
            loc = self.ship_from[order.warehouse_id].inventory_location_id
            for line, qty in shipment.items:
                level = self.levels.get((line.sku, loc))
                if level is not None:
                    level.allocated += qty
            order.modified = now
            return shipment

    def mark_shipped(self, order_number: str, carrier_code: str | None, tracking_number: str | None) -> Fulfillment:
        """Shipped outside ShipStation: a v1 fulfillment, no label, so never in /shipments."""
        with self.lock:
            order = self.orders_by_number_first(order_number)
            if order.status in ("shipped", "cancelled"):
                raise ControlError(f"order {order_number} is already {order.status}")
            now = self.now()
            self._allocate(order, -1)
            for line in order.items:
                line.shipped = line.quantity
            order.status, order.ship_date, order.modified = "shipped", now, now
            fulfillment = Fulfillment(self._next_id(), order.order_id, order.v2_shipment_id, now, now,
                                      tracking_number, carrier_code, "fulfillment_by_merchant", None,
                                      from_label=False)
            self.fulfillments.append(fulfillment)
        self.notify("v1", "FULFILLMENT_SHIPPED", f"{self.base_url}/fulfillments?orderId={order.order_id}",
                    order.store_id)
        self.notify("v2", "fulfillment_shipped_v2",
                    f"{self.base_url}/v2/fulfillments?fulfillment_id=se-{fulfillment.fulfillment_id}"
                    f"&shipment_id=se-{order.v2_shipment_id}", None)
        return fulfillment

    # ---- webhooks subscriptions -------------------------------------------------------------------------
    def subscribe(self, api: str, event: str, url: str, store_id: int | None = None, name: str | None = None,
                  headers: list | None = None) -> Webhook:
        with self.lock:
            hook = Webhook(self._next_id(), api, event, url, store_id, name, headers or [])
            self.webhooks[hook.id] = hook
            return hook

    def subscribers(self, api: str, event: str, store_id: int | None) -> list[Webhook]:
        with self.lock:
            return [h for h in self.webhooks.values() if h.api == api and h.event == event
                    and (h.store_id is None or store_id is None or h.store_id == store_id)]

    # ---- auth and limits --------------------------------------------------------------------------------
    def v1_credentials_ok(self, key: str, secret: str) -> bool:
        return not self.revoked["v1"] and hmac.compare_digest(key.encode(), self.v1_api_key.encode()) and \
            hmac.compare_digest(secret.encode(), self.v1_api_secret.encode())

    def v2_key_ok(self, key: str) -> bool:
        return not self.revoked["v2"] and hmac.compare_digest(key.encode(), self.v2_api_key.encode())

    def set_credentials(self, v1_api_key=None, v1_api_secret=None, v2_api_key=None) -> None:
        with self.lock:
            if v1_api_key is not None or v1_api_secret is not None:
                self.v1_api_key = v1_api_key or self.v1_api_key
                self.v1_api_secret = v1_api_secret or self.v1_api_secret
                self.revoked["v1"] = False
            if v2_api_key is not None:
                self.v2_api_key, self.revoked["v2"] = v2_api_key, False

    # ---- helpers for routes ------------------------------------------------------------------------------
    def order_of(self, shipment: Shipment) -> Order:
        return self.orders[shipment.order_id]

    def v1_rows(self) -> Iterable[tuple[Shipment, Package]]:
        """v1 lists one shipment per label package."""
        for s in self.shipments:
            for p in s.packages:
                yield s, p

    def ship_day(self, moment: datetime):
        return pacific_day(moment)
