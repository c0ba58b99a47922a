"""The account's records as SQLite tables, shaped like the SuiteQL tables our connectors read.

Dates are stored as UTC ISO text 'YYYY-MM-DD HH:MM:SS' in columns declared NSDATETIME; reading such a
column gives an `NsDateTime` (a str), which SuiteQL answers in the account's display format unless the
query formatted it with TO_CHAR (then SQLite returns plain text). That is how the real API behaves and why
clients must use TO_CHAR. One in-memory connection, guarded by a lock: the event loop and the control plane
share it.
"""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta, timezone

from emulators.common.merchant import Merchant

from .account_features import AccountFeatures
from .feature_schema import FEATURE_TABLES


# The account's date format preferences the emulator offers (Set Preferences > Date Format), with the Java
# pattern NetSuite names when a record-collection `q` date does not parse (third-party captures show "M/d/yy"
# for an M/D/YYYY account). D/M/YYYY is the default, so clients that assume US dates are caught.
DATE_FORMATS = {"D/M/YYYY": ("d/M/yy", "{d}/{m}/{y}"), "M/D/YYYY": ("M/d/yy", "{m}/{d}/{y}"),
                "DD.MM.YYYY": ("dd.MM.yy", "{d:02d}.{m:02d}.{y}")}


class NsDateTime(str):
    """ISO text read from a date column."""

    def display(self, date_format: str = "D/M/YYYY") -> str:
        # SuiteQL answers dates in the account's date format preference, date only.
        return DATE_FORMATS[date_format][1].format(d=int(self[8:10]), m=int(self[5:7]), y=int(self[0:4]))


sqlite3.register_converter("NSDATETIME", lambda raw: NsDateTime(raw.decode()))

STATUS_NAMES = {
    "SalesOrd": ("Sales Order", {"A": "Pending Approval", "B": "Pending Fulfillment", "C": "Cancelled",
                                 "D": "Partially Fulfilled", "E": "Pending Billing/Partially Fulfilled",
                                 "F": "Pending Billing", "G": "Billed", "H": "Closed"}),
    "ItemShip": ("Item Fulfillment", {"A": "Picked", "B": "Packed", "C": "Shipped"}),
}
SHIP_STATUS_NAMES = STATUS_NAMES["ItemShip"][1]
# Transaction header columns in their SQL order: inserts name them, so columns can be added later.
TRANSACTION_COLUMNS = ("id", "tranid", "otherrefnum", "externalid", "type", "status", "entity", "trandate",
                       "createddate", "lastmodifieddate", "memo", "shipstatus", "createdfrom",
                       "linkedtrackingnumberlist")
INSERT_TRANSACTION = (f'INSERT INTO "transaction" ({", ".join(TRANSACTION_COLUMNS)}) '
                      f'VALUES ({", ".join("?" for _ in TRANSACTION_COLUMNS)})')
# Shipping items (BUILTIN.DF(t.shipmethod) names them). In NetSuite they are items of type ShipItem; here they
# stay out of the item table so the item and stock streams see only what they saw before.
SHIP_METHODS = {1: "UPS Ground", 2: "FedEx 2Day", 3: "USPS Priority Mail", 4: "Will Call"}
LINE_COLUMNS = ("transaction", "id", "linesequencenumber", "mainline", "item", "quantity", "quantityshiprecv",
                "isclosed", "location", "rate", "createdfrom", "orderline", "linelastmodifieddate")
_QUOTED_LINE_COLUMNS = ", ".join(f'"{c}"' for c in LINE_COLUMNS)
INSERT_LINE = f'INSERT INTO transactionline ({_QUOTED_LINE_COLUMNS}) VALUES ({", ".join("?" for _ in LINE_COLUMNS)})'
SUBSIDIARY_ID = 1
SUBSIDIARY_NAME = "Parent Company"
ASSET_ACCOUNT, COGS_ACCOUNT, INCOME_ACCOUNT = 120, 500, 400
ACCOUNTS = {ASSET_ACCOUNT: ("1200", "Inventory Asset", "OthCurrAsset"),
            COGS_ACCOUNT: ("5000", "Cost of Goods Sold", "COGS"), INCOME_ACCOUNT: ("4000", "Sales", "Income")}

SCHEMA = """
CREATE TABLE "transaction" (
  id INTEGER PRIMARY KEY, tranid TEXT, otherrefnum TEXT, externalid TEXT, type TEXT NOT NULL, status TEXT,
  entity INTEGER, trandate NSDATETIME, createddate NSDATETIME, lastmodifieddate NSDATETIME, memo TEXT,
  shipstatus TEXT, createdfrom INTEGER, linkedtrackingnumberlist TEXT,
  -- Header `subsidiary` is deliberately absent: SuiteQL answers "Field 'subsidiary' for record 'transaction' was
  -- not found. Reason: NOT_EXPOSED"; the lines carry it (suiteql.py NOT_EXPOSED).
  -- Order header fields read by the orders_to_ship stream (added later, so inserts name their columns).
  shippingaddress INTEGER, billingaddress INTEGER, shipmethod INTEGER,
  custbody_delivery_instructions TEXT, custbody_authority_to_leave TEXT, custbody_signature_required TEXT);
-- NetSuite keeps a transaction's addresses in these two tables, joined on nkey = transaction.shippingaddress
-- / billingaddress.
CREATE TABLE transactionshippingaddress (
  nkey INTEGER PRIMARY KEY, addressee TEXT, attention TEXT, addr1 TEXT, addr2 TEXT, city TEXT, state TEXT,
  zip TEXT, country TEXT, addrphone TEXT);
CREATE TABLE transactionbillingaddress (
  nkey INTEGER PRIMARY KEY, addressee TEXT, attention TEXT, addr1 TEXT, addr2 TEXT, city TEXT, state TEXT,
  zip TEXT, country TEXT, addrphone TEXT);
CREATE TABLE transactionline (
  "transaction" INTEGER NOT NULL, id INTEGER NOT NULL, linesequencenumber INTEGER, mainline TEXT NOT NULL,
  item INTEGER, quantity INTEGER, quantityshiprecv INTEGER, isclosed TEXT, location INTEGER, rate REAL,
  createdfrom INTEGER, orderline INTEGER, linelastmodifieddate NSDATETIME, PRIMARY KEY ("transaction", id));
CREATE TABLE item (
  id INTEGER PRIMARY KEY, itemid TEXT, displayname TEXT, upccode TEXT, itemtype TEXT, isinactive TEXT,
  baseprice REAL, weight REAL, weightunit TEXT, lastmodifieddate NSDATETIME);
CREATE TABLE inventoryitemlocations (
  item INTEGER NOT NULL, location INTEGER NOT NULL, quantityonhand INTEGER, quantityavailable INTEGER,
  quantitycommitted INTEGER, quantityonorder INTEGER, quantitybackordered INTEGER, lastmodifieddate NSDATETIME,
  PRIMARY KEY (item, location));
CREATE TABLE location (id INTEGER PRIMARY KEY, name TEXT, isinactive TEXT);
CREATE TABLE customer (
  id INTEGER PRIMARY KEY, entityid TEXT, companyname TEXT, email TEXT, phone TEXT, lastmodifieddate NSDATETIME,
  datecreated NSDATETIME, externalid TEXT, isinactive TEXT, isperson TEXT, subsidiary INTEGER);
CREATE TABLE subsidiary (id INTEGER PRIMARY KEY, name TEXT, fullname TEXT, isinactive TEXT, iselimination TEXT,
  country TEXT, parent INTEGER, lastmodifieddate NSDATETIME);
CREATE TABLE customersubsidiaryrelationship (id INTEGER PRIMARY KEY, entity INTEGER, subsidiary INTEGER,
  isprimarysub TEXT);
CREATE TABLE account (id INTEGER PRIMARY KEY, acctnumber TEXT, accountsearchdisplayname TEXT, fullname TEXT,
  accttype TEXT, isinactive TEXT, subsidiary TEXT);
-- Columns the Records Catalog lists for item, location and transactionline that the connectors do not read.
-- They live beside the tables (whose column lists tests insert into by position) and SuiteQL reads them through
-- the suiteql_* views whenever a query names one (suiteql.py VIEWS). Class, department and item location stay
-- NULL (this merchant uses none); subtype is NULL for inventory items (Sale/Purchase/Resale is for others);
-- totalquantityonhand is the sum of the item's stock rows, so it follows every fulfillment.
CREATE TABLE item_extra (id INTEGER PRIMARY KEY, fullname TEXT, createddate NSDATETIME, externalid TEXT,
  subsidiary TEXT, class INTEGER, department INTEGER, location INTEGER, assetaccount INTEGER, cogsaccount INTEGER,
  incomeaccount INTEGER, expenseaccount INTEGER, subtype TEXT);
CREATE TABLE location_extra (id INTEGER PRIMARY KEY, fullname TEXT, subsidiary TEXT, externalid TEXT,
  makeinventoryavailable TEXT, parent INTEGER);
""" + FEATURE_TABLES + """
CREATE VIEW suiteql_item AS SELECT i.*, COALESCE(x.fullname, i.itemid) AS fullname, x.createddate AS createddate,
  x.externalid AS externalid, COALESCE(x.subsidiary, '1') AS subsidiary, x.class AS class,
  x.department AS department, x.location AS location, COALESCE(x.assetaccount, 120) AS assetaccount,
  COALESCE(x.cogsaccount, 500) AS cogsaccount, COALESCE(x.incomeaccount, 400) AS incomeaccount,
  x.expenseaccount AS expenseaccount, x.subtype AS subtype,
  (SELECT COALESCE(SUM(s.quantityonhand), 0) FROM inventoryitemlocations s WHERE s.item = i.id) AS totalquantityonhand,
  -- Account features (feature_schema.py): NULL, so left out of `SELECT *`, while the feature is off. Scalar
  -- subqueries, not joins: a view that is a join cannot be flattened into the right side of a LEFT JOIN, and
  -- SQLite would then build all of it for every query (10x slower order lookups).
  (SELECT f.isfulfillable FROM ns_item_feature f WHERE f.id = i.id) AS isfulfillable,
  CASE WHEN ns_feature('LOTNUMBEREDINVENTORY') THEN
    COALESCE((SELECT f.islotitem FROM ns_item_feature f WHERE f.id = i.id), 'F') END AS islotitem,
  CASE WHEN ns_feature('SERIALIZEDINVENTORY') THEN
    COALESCE((SELECT f.isserialitem FROM ns_item_feature f WHERE f.id = i.id), 'F') END AS isserialitem,
  CASE WHEN ns_feature('BINMANAGEMENT') THEN
    COALESCE((SELECT f.usebins FROM ns_item_feature f WHERE f.id = i.id), 'F') END AS usebins,
  CASE WHEN ns_feature('UNITSOFMEASURE') THEN (SELECT f.unitstype FROM ns_item_feature f WHERE f.id = i.id) END
    AS unitstype,
  CASE WHEN ns_feature('UNITSOFMEASURE') THEN (SELECT f.saleunit FROM ns_item_feature f WHERE f.id = i.id) END
    AS saleunit,
  CASE WHEN ns_feature('UNITSOFMEASURE') THEN (SELECT f.stockunit FROM ns_item_feature f WHERE f.id = i.id) END
    AS stockunit,
  CASE WHEN ns_feature('UNITSOFMEASURE') THEN (SELECT f.purchaseunit FROM ns_item_feature f WHERE f.id = i.id) END
    AS purchaseunit
  FROM item i LEFT JOIN item_extra x ON x.id = i.id;
CREATE VIEW suiteql_location AS SELECT l.*, COALESCE(x.fullname, l.name) AS fullname,
  COALESCE(x.subsidiary, '1') AS subsidiary, x.externalid AS externalid,
  COALESCE(x.makeinventoryavailable, 'T') AS makeinventoryavailable, x.parent AS parent,
  CASE WHEN ns_feature('BINMANAGEMENT') THEN
    COALESCE((SELECT f.usesbins FROM ns_location_feature f WHERE f.id = l.id), 'F') END AS usesbins
  FROM location l LEFT JOIN location_extra x ON x.id = l.id;
-- Every line belongs to its transaction's subsidiary: 1 unless OneWorld seeded another (header
-- transaction.subsidiary is NOT_EXPOSED to SuiteQL). itemtype is the item's, or Group/EndGroup on group lines.
-- No joins here (see suiteql_item): this view must stay flattenable.
CREATE VIEW suiteql_transactionline AS SELECT tl.*,
  COALESCE((SELECT tf.subsidiary FROM ns_transaction_feature tf WHERE tf.id = tl."transaction"), 1) AS subsidiary,
  NULL AS department, NULL AS class,
  COALESCE((SELECT lf.itemtype FROM ns_line_feature lf WHERE lf."transaction" = tl."transaction" AND lf.id = tl.id),
           (SELECT i.itemtype FROM item i WHERE i.id = tl.item)) AS itemtype,
  (SELECT lf.kitmemberof FROM ns_line_feature lf WHERE lf."transaction" = tl."transaction" AND lf.id = tl.id)
    AS kitmemberof,
  (SELECT lf.createpo FROM ns_line_feature lf WHERE lf."transaction" = tl."transaction" AND lf.id = tl.id)
    AS createpo,
  CASE WHEN ns_feature('UNITSOFMEASURE') THEN (SELECT lf.units FROM ns_line_feature lf
    WHERE lf."transaction" = tl."transaction" AND lf.id = tl.id) END AS units
  FROM transactionline tl;
-- Package sublist of item fulfillments: record API only, not a SuiteQL table.
CREATE TABLE ns_package (fulfillment INTEGER, seq INTEGER, trackingnumber TEXT, weight REAL, descr TEXT);
CREATE INDEX transaction_type_modified ON "transaction" (type, lastmodifieddate);
CREATE INDEX ns_package_fulfillment ON ns_package (fulfillment, seq);
CREATE INDEX transaction_externalid ON "transaction" (externalid);
CREATE INDEX transaction_createdfrom ON "transaction" (createdfrom);
CREATE INDEX transactionline_item ON transactionline (item);
CREATE INDEX transactionline_createdfrom ON transactionline (createdfrom);
CREATE INDEX item_modified ON item (lastmodifieddate);
CREATE INDEX stock_location ON inventoryitemlocations (location);
CREATE INDEX stock_modified ON inventoryitemlocations (lastmodifieddate);
CREATE INDEX customer_modified ON customer (lastmodifieddate);
"""


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class Database:
    def __init__(self, merchant: Merchant) -> None:
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(":memory:", check_same_thread=False, detect_types=sqlite3.PARSE_DECLTYPES,
                                    isolation_level=None)
        self.features = AccountFeatures()  # all off; a reset makes a new Database, so switches everything off
        self.conn.executescript(SCHEMA)
        self.version = 0  # bumped by every write, so cached counts are dropped
        self._counts: dict[tuple[str, int], int] = {}
        self._names: dict[str, dict[int, str]] = {
            "entity": {}, "item": {}, "location": {}, "transaction": {}, "shipmethod": dict(SHIP_METHODS),
            "subsidiary": {SUBSIDIARY_ID: SUBSIDIARY_NAME},
            # Display names of the account features' records, filled by feature_seed.py.
            "bin": {}, "inventorynumber": {}, "uom": {}, "unitstype": {},
            "account": {aid: f"{num} {name}" for aid, (num, name, _) in ACCOUNTS.items()}}
        self._register_functions()
        self._load(merchant)

    # --- BUILTIN.DF / BUILTIN.CF, called by the SQL suiteql.py writes -------------------------------------
    def _register_functions(self) -> None:
        def df(kind, value):
            if value is None:
                return None
            if kind == "type":
                return STATUS_NAMES.get(value, (value,))[0]
            if kind == "shipstatus":
                return SHIP_STATUS_NAMES.get(value, value)
            try:
                key = int(value)
            except (TypeError, ValueError):  # already a display value (inventorynumber.inventorynumber is text)
                return str(value)
            return self._names.get(kind, {}).get(key, str(value))

        def df_status(tran_type, letter):
            if letter is None:
                return None
            type_name, names = STATUS_NAMES.get(tran_type, (tran_type, {}))
            return f"{type_name} : {names.get(letter, letter)}"

        def cf_status(tran_type, letter):
            return None if letter is None else f"{tran_type}:{letter}"

        self.conn.create_function("ns_df", 2, df, deterministic=True)
        # Feature-gated columns of the suiteql_* views (feature_schema.py) ask this.
        self.conn.create_function("ns_feature", 1, lambda fid: 1 if self.features.on(fid) else 0)
        self.conn.create_function("ns_df_status", 2, df_status, deterministic=True)
        self.conn.create_function("ns_cf_status", 2, cf_status, deterministic=True)

    def _load(self, m: Merchant) -> None:
        base = datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc)
        c = self.conn
        c.execute("BEGIN")
        # One subsidiary (the account's root), the three accounts an inventory item posts to.
        c.execute("INSERT INTO subsidiary VALUES (?,?,?,'F','F','US',NULL,?)",
                  (SUBSIDIARY_ID, SUBSIDIARY_NAME, SUBSIDIARY_NAME, iso(base - timedelta(days=400))))
        c.executemany("INSERT INTO account VALUES (?,?,?,?,?,'F',?)", [
            (aid, num, f"{num} {name}", name, kind, str(SUBSIDIARY_ID)) for aid, (num, name, kind) in ACCOUNTS.items()])
        c.executemany("INSERT INTO location VALUES (?,?,'F')", [(loc.id, loc.name) for loc in m.locations])
        c.executemany("INSERT INTO location_extra VALUES (?,?,?,NULL,'T',NULL)",
                      [(loc.id, loc.name, str(SUBSIDIARY_ID)) for loc in m.locations])
        # Spread last-modified dates over 90 days so incremental reads have something to filter.
        c.executemany("INSERT INTO item VALUES (?,?,?,?,'InvtPart',?,?,?,'oz',?)", [
            (it.id, it.sku, it.name, it.upc, "T" if it.inactive else "F", it.price, it.weight_oz,
             iso(base - timedelta(days=it.id % 90, minutes=it.id % 1440))) for it in m.items])
        # Created 120 days before the item was last modified (in SQL: 50,000 items load in a blink).
        c.execute("INSERT INTO item_extra SELECT id, itemid, datetime(lastmodifieddate, '-120 days'), NULL, ?, NULL, "
                  "NULL, NULL, ?, ?, ?, NULL, NULL FROM item",
                  (str(SUBSIDIARY_ID), ASSET_ACCOUNT, COGS_ACCOUNT, INCOME_ACCOUNT))
        c.executemany("INSERT INTO inventoryitemlocations VALUES (?,?,?,?,?,?,?,?)", [
            (s.item_id, s.location_id, s.on_hand, s.available, s.committed, s.on_order, s.backordered,
             iso(base - timedelta(days=(s.item_id + s.location_id) % 60, seconds=s.item_id % 86400)))
            for s in m.stock])
        c.executemany("INSERT INTO customer VALUES (?,?,?,?,?,?,?,NULL,'F','F',?)", [
            (cu.id, cu.entity_id, cu.company, cu.email, cu.phone, iso(base - timedelta(days=cu.id % 30)),
             iso(base - timedelta(days=200 + cu.id % 30)), SUBSIDIARY_ID)
            for cu in m.customers])
        c.executemany("INSERT INTO customersubsidiaryrelationship VALUES (?,?,?,'T')",
                      [(n, cu.id, SUBSIDIARY_ID) for n, cu in enumerate(m.customers, start=1)])
        headers, lines = [], []
        for so in m.sales_orders:
            created = iso(so.created)
            headers.append((so.id, so.tranid, so.otherrefnum, None, "SalesOrd", so.status, so.customer_id,
                            created[:10] + " 00:00:00", created, created, None, None, None, None))
            lines.append((so.id, 0, 0, "T", None, None, None, "F", so.lines[0].location_id if so.lines else None,
                          None, None, None, created))
            for ln in so.lines:
                lines.append((so.id, ln.line, ln.line, "F", ln.item_id, -ln.quantity, 0, "F", ln.location_id,
                              ln.rate, None, None, created))
        c.executemany(INSERT_TRANSACTION, headers)
        # Every generated order ships to its customer's address by UPS Ground; bills to the same address.
        for table in ("transactionshippingaddress", "transactionbillingaddress"):
            c.executemany(f"INSERT INTO {table} VALUES (?,?,NULL,?,NULL,?,?,?,?,?)", [
                (so.id, so.ship_to.name, so.ship_to.street1, so.ship_to.city, so.ship_to.state,
                 so.ship_to.postal_code, so.ship_to.country, so.ship_to.phone or None) for so in m.sales_orders])
        c.executemany('UPDATE "transaction" SET shippingaddress = ?, billingaddress = ?, shipmethod = 1, '
                      "custbody_authority_to_leave = 'F', custbody_signature_required = 'F' WHERE id = ?",
                      [(so.id, so.id, so.id) for so in m.sales_orders])
        c.executemany(INSERT_LINE, lines)
        c.execute("COMMIT")
        self._names["entity"] = {cu.id: f"{cu.entity_id} {cu.company}" for cu in m.customers}
        self._names["item"] = {it.id: it.sku for it in m.items}
        self._names["location"] = {loc.id: loc.name for loc in m.locations}
        self._names["transaction"] = {so.id: f"Sales Order #{so.tranid}" for so in m.sales_orders}

    def name_of(self, kind: str, value) -> str:
        return self._names[kind].get(int(value), str(value))

    def remember_transaction_name(self, tran_id: int, name: str) -> None:
        self._names["transaction"][tran_id] = name

    # --- reading -----------------------------------------------------------------------------------------
    def page(self, sql: str, limit: int, offset: int) -> tuple[int, list[str], list[tuple]]:
        """Total row count of a translated query, and one page of it."""
        with self.lock:
            key = (sql, self.version)
            total = self._counts.get(key)
            if total is None:
                # Paging clients ask for every page of the same query: count it once per data version.
                total = self.conn.execute(f"SELECT COUNT(*) FROM ({sql})").fetchone()[0]
                if len(self._counts) > 256:
                    self._counts.clear()
                self._counts[key] = total
            cur = self.conn.execute(f"SELECT * FROM ({sql}) LIMIT ? OFFSET ?", (limit, offset))
            rows = cur.fetchall()
            columns = [d[0].lower() for d in cur.description]
        return total, columns, rows

    def select(self, sql: str, params=()) -> list[dict]:
        with self.lock:
            cur = self.conn.execute(sql, params)
            columns = [d[0] for d in cur.description]
            return [dict(zip(columns, row)) for row in cur.fetchall()]

    def read_only(self, sql: str) -> list[dict]:
        """For the control plane: any query, but nothing may change."""
        with self.lock:
            self.conn.execute("PRAGMA query_only = ON")
            try:
                return [{k: (str(v) if isinstance(v, NsDateTime) else v) for k, v in row.items()}
                        for row in self.select(sql)]
            finally:
                self.conn.execute("PRAGMA query_only = OFF")
