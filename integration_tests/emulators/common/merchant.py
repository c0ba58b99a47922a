"""A realistic merchant, generated from a seed: the same business as NetSuite and ShipStation each see it.

NetSuite holds items, locations, stock per item and location, customers and sales orders; ShipStation
holds the matching orders (order number = NetSuite document number), inventory warehouses named like the
NetSuite locations, and stock that has drifted from NetSuite's.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

WORDS = ("Alpine", "Harbor", "Cedar", "Summit", "Meadow", "Copper", "Drift", "Maple", "Granite", "Willow",
         "Ember", "Coastal", "Prairie", "Orchard", "Canyon", "Birch")
PRODUCTS = ("Mug", "Tote", "Candle", "Notebook", "Scarf", "Bottle", "Lamp", "Blanket", "Cap", "Planter",
            "Journal", "Socks", "Apron", "Coaster", "Poster", "Backpack")
CITIES = (("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Portland", "OR", "97205"),
          ("Columbus", "OH", "43215"), ("Raleigh", "NC", "27601"), ("Madison", "WI", "53703"))
FIRST = ("Ava", "Liam", "Noah", "Mia", "Zoe", "Ethan", "Iris", "Owen", "Ruth", "Jonas", "Léa", "Søren")
LAST = ("Nguyen", "Garcia", "Okafor", "Schmidt", "Rossi", "Kowalski", "Tanaka", "Haddad", "Müller", "Silva")
LOCATION_NAMES = ("Main Warehouse", "East Coast DC", "West Coast DC", "Retail Store", "Returns Bay")


@dataclass
class Address:
    name: str
    street1: str
    city: str
    state: str
    postal_code: str
    country: str = "US"
    phone: str = ""


@dataclass
class Item:
    id: int
    sku: str
    name: str
    upc: str
    price: float
    weight_oz: float
    inactive: bool = False


@dataclass
class Location:
    id: int
    name: str


@dataclass
class Stock:
    item_id: int
    location_id: int
    on_hand: int
    committed: int
    on_order: int
    backordered: int

    @property
    def available(self) -> int:
        return max(self.on_hand - self.committed, 0)


@dataclass
class Customer:
    id: int
    entity_id: str
    company: str
    email: str
    phone: str
    address: Address


@dataclass
class OrderLine:
    line: int
    item_id: int
    quantity: int
    rate: float
    location_id: int


@dataclass
class SalesOrder:
    id: int
    tranid: str
    otherrefnum: str
    customer_id: int
    status: str  # NetSuite letter: B Pending Fulfillment
    created: datetime
    ship_to: Address
    lines: list[OrderLine] = field(default_factory=list)


@dataclass
class Merchant:
    account_id: str
    seed: int
    locations: list[Location]
    items: list[Item]
    stock: list[Stock]
    customers: list[Customer]
    sales_orders: list[SalesOrder]
    # What ShipStation holds today for a (sku, location name): drifted from NetSuite, the pain we fix.
    shipstation_stock: dict[tuple[str, str], int]

    def item(self, item_id: int) -> Item:
        return self.items[item_id - 1]


def generate_merchant(seed: int = 1, items: int = 20, locations: int = 3, customers: int = 10,
                      orders: int = 10, account_id: str = "1234567",
                      now: datetime | None = None) -> Merchant:
    """A merchant of the given size; the same seed gives the same merchant."""
    if not 1 <= locations <= len(LOCATION_NAMES):
        raise ValueError(f"locations must be between 1 and {len(LOCATION_NAMES)}")
    rnd = random.Random(seed)
    now = now or datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc)
    locs = [Location(id=i + 1, name=LOCATION_NAMES[i]) for i in range(locations)]
    item_list = []
    for i in range(1, items + 1):
        word, product = WORDS[i % len(WORDS)], PRODUCTS[(i // len(WORDS)) % len(PRODUCTS)]
        item_list.append(Item(id=i, sku=f"{product[:3].upper()}-{word[:3].upper()}-{i:05d}",
                              name=f"{word} {product}", upc=f"{rnd.randrange(10**11, 10**12)}",
                              price=round(rnd.uniform(4, 120), 2), weight_oz=round(rnd.uniform(2, 80), 1)))
    stock, drifted = [], {}
    for item in item_list:
        for loc in locs:
            on_hand = rnd.randrange(0, 500)
            row = Stock(item.id, loc.id, on_hand, committed=rnd.randrange(0, min(on_hand, 20) + 1),
                        on_order=rnd.choice((0, 0, 50, 100)), backordered=rnd.choice((0, 0, 0, 5)))
            stock.append(row)
            drifted[(item.sku, loc.name)] = row.available if rnd.random() < 0.7 else rnd.randrange(0, 500)
    cust_list = []
    for i in range(1, customers + 1):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        city, state, zip_code = rnd.choice(CITIES)
        phone = f"+1 512 555 {rnd.randrange(1000, 9999)}"
        cust_list.append(Customer(
            id=1000 + i, entity_id=f"CUST{i:05d}", company=f"{last} {rnd.choice(WORDS)} Co.",
            email=f"{first.lower()}.{last.lower()}{i}@example.com".replace("é", "e").replace("ø", "o").replace("ü", "u"),
            phone=phone,
            address=Address(f"{first} {last}", f"{rnd.randrange(1, 9999)} {rnd.choice(WORDS)} St", city, state,
                            zip_code, phone=phone)))
    order_list = []
    for i in range(1, orders + 1):
        cust = rnd.choice(cust_list)
        chosen = rnd.sample(item_list, k=min(len(item_list), rnd.randrange(1, 4)))
        lines = [OrderLine(line=n + 1, item_id=it.id, quantity=rnd.randrange(1, 5), rate=it.price,
                           location_id=locs[0].id) for n, it in enumerate(chosen)]
        order_list.append(SalesOrder(id=5000 + i, tranid=f"SO{10000 + i}", otherrefnum=f"PO-{rnd.randrange(10**5, 10**6)}",
                                     customer_id=cust.id, status="B",
                                     created=now - timedelta(days=orders - i, hours=rnd.randrange(0, 12)),
                                     ship_to=cust.address, lines=lines))
    return Merchant(account_id, seed, locs, item_list, stock, cust_list, order_list, drifted)
