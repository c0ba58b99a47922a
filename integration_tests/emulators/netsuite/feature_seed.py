"""`POST /__emulator/seed`: records the account features need (README "Account features", "Seeding data").

One JSON object, its keys applied in SEED_ORDER inside one SQLite transaction, so a call can refer to what it
creates and a refused call changes nothing. Every refusal is a ValueError (the control plane answers 400).
"""
from __future__ import annotations

from .account_features import ADVBINS, BINS, LOTS, ONEWORLD, SERIALS, UNITS
from .database import INSERT_LINE, INSERT_TRANSACTION, Database
from .line_kinds import FULFILLED_WHEN_FLAGGED, ITEM_TYPES, NO_QUANTITY

SEED_ORDER = ("subsidiaries", "locations", "bins", "unitstypes", "items", "stock", "customers", "sales_orders")
SEED_TIME = "2026-11-22 10:00:00"


def _tf(value) -> str:
    return "T" if value else "F"


def _positive_int(value, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{what} must be a positive whole number, not {value!r}")
    return value


class Seeder:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.c = db.conn
        self.features = db.features
        self.created: dict[str, list] = {}

    # --- helpers ---------------------------------------------------------------------------------------------
    def _need(self, fid: str, what: str) -> None:
        if not self.features.on(fid):
            raise ValueError(f"{what} needs the {fid} feature on (POST /__emulator/features)")

    def _one(self, sql: str, params=()):
        return self.c.execute(sql, params).fetchone()

    def _new_id(self, table: str, wanted, column: str = "id", floor: int = 0) -> int:
        if wanted is not None:
            wanted = _positive_int(wanted, f"{table} id")
            if self._one(f'SELECT 1 FROM "{table}" WHERE {column} = ?', (wanted,)):
                raise ValueError(f"{table} {wanted} already exists")
            return wanted
        top = self._one(f'SELECT MAX({column}) FROM "{table}"')[0] or 0
        return max(top, floor) + 1

    def _exists(self, table: str, key, what: str, column: str = "id") -> int:
        if not isinstance(key, int) or not self._one(f'SELECT 1 FROM "{table}" WHERE {column} = ?', (key,)):
            raise ValueError(f"{what} {key!r} does not exist")
        return key

    def _item(self, ref) -> dict:
        if isinstance(ref, str):
            row = self._one("SELECT id, itemid, itemtype, baseprice FROM item WHERE itemid = ?", (ref,))
        elif isinstance(ref, int) and not isinstance(ref, bool):
            row = self._one("SELECT id, itemid, itemtype, baseprice FROM item WHERE id = ?", (ref,))
        else:
            row = None
        if row is None:
            raise ValueError(f"item {ref!r} does not exist")
        flags = self._one("SELECT islotitem, isserialitem, usebins, unitstype, saleunit FROM ns_item_feature "
                          "WHERE id = ?", (row[0],)) or (None,) * 5
        return {"id": row[0], "itemid": row[1], "itemtype": row[2], "baseprice": row[3], "islotitem": flags[0] == "T",
                "isserialitem": flags[1] == "T", "usebins": flags[2] == "T", "unitstype": flags[3],
                "saleunit": flags[4]}

    def _location_uses_bins(self, location: int) -> bool:
        row = self._one("SELECT usesbins FROM ns_location_feature WHERE id = ?", (location,))
        return bool(row) and row[0] == "T"

    def _subsidiary(self, value) -> int:
        if value is None or value == 1:
            return 1
        self._need(ONEWORLD, "a subsidiary other than 1")
        return self._exists("subsidiary", value, "subsidiary")

    # --- the keys --------------------------------------------------------------------------------------------
    def subsidiaries(self, specs: list) -> None:
        self._need(ONEWORLD, "subsidiaries")
        for s in specs:
            sid = self._new_id("subsidiary", s.get("id"))
            parent = self._exists("subsidiary", s.get("parent", 1), "parent subsidiary")
            parent_name = self._one("SELECT fullname FROM subsidiary WHERE id = ?", (parent,))[0]
            name = str(s["name"])
            self.c.execute("INSERT INTO subsidiary VALUES (?,?,?,'F','F',?,?,?)",
                           (sid, name, f"{parent_name} : {name}", s.get("country", "US"), parent, SEED_TIME))
            self.db._names["subsidiary"][sid] = name
            self.created.setdefault("subsidiaries", []).append(sid)

    def locations(self, specs: list) -> None:
        for s in specs:
            lid = s.get("id")
            if lid is not None and self._one("SELECT 1 FROM location WHERE id = ?", (lid,)):
                if "name" in s:
                    self.c.execute("UPDATE location SET name = ? WHERE id = ?", (str(s["name"]), lid))
            else:
                lid = self._new_id("location", lid)
                name = str(s.get("name", f"Location {lid}"))
                self.c.execute("INSERT INTO location VALUES (?,?,'F')", (lid, name))
                self.c.execute("INSERT INTO location_extra VALUES (?,?,'1',NULL,'T',NULL)", (lid, name))
            if "subsidiary" in s:
                self.c.execute("UPDATE location_extra SET subsidiary = ? WHERE id = ?",
                               (str(self._subsidiary(s["subsidiary"])), lid))
            if "usesbins" in s:
                self._need(BINS, "usesbins")
                self.c.execute("INSERT OR REPLACE INTO ns_location_feature VALUES (?, ?)", (lid, _tf(s["usesbins"])))
            self.db._names["location"][lid] = self._one("SELECT name FROM location WHERE id = ?", (lid,))[0]
            self.created.setdefault("locations", []).append(lid)

    def bins(self, specs: list) -> None:
        self._need(BINS, "bins")
        for s in specs:
            bid = self._new_id("bin", s.get("id"))
            location = self._exists("location", s.get("location"), "location")
            if not self._location_uses_bins(location):
                raise ValueError(f"location {location} does not use bins (seed it with usesbins: true)")
            self.c.execute("INSERT INTO bin VALUES (?,?,?,'F')", (bid, str(s["binnumber"]), location))
            self.db._names["bin"][bid] = str(s["binnumber"])
            self.created.setdefault("bins", []).append(bid)

    def unitstypes(self, specs: list) -> None:
        self._need(UNITS, "unitstypes")
        for s in specs:
            tid = self._new_id("unitstype", s.get("id"))
            self.c.execute("INSERT INTO unitstype VALUES (?,?,'F')", (tid, str(s["name"])))
            self.db._names["unitstype"][tid] = str(s["name"])
            uoms = s.get("uoms") or []
            if sum(1 for u in uoms if u.get("baseunit")) != 1:
                raise ValueError(f"units type {tid} needs exactly one uom with baseunit: true")
            for u in uoms:
                rate = u.get("conversionrate", 1)
                if not isinstance(rate, (int, float)) or rate <= 0 or (u.get("baseunit") and rate != 1):
                    raise ValueError(f"uom {u.get('unitname')!r}: conversionrate must be positive (1 for the base)")
                uid = self._new_id("unitstypeuom", u.get("id"), column="internalid")
                name = str(u.get("unitname", u.get("abbreviation", uid)))
                self.c.execute("INSERT INTO unitstypeuom VALUES (?,?,?,?,?,?,?,?)",
                               (uid, tid, name, u.get("pluralname", name), u.get("abbreviation", name),
                                u.get("pluralabbreviation", u.get("abbreviation", name)), rate, _tf(u.get("baseunit"))))
                self.db._names["uom"][uid] = name
            self.created.setdefault("unitstypes", []).append(tid)

    def items(self, specs: list) -> None:
        for s in specs:
            kind = s.get("itemtype", "InvtPart")
            if kind not in ITEM_TYPES:
                raise ValueError(f"itemtype must be one of {', '.join(sorted(ITEM_TYPES))}")
            iid = self._new_id("item", s.get("id"), floor=9000)
            sku = str(s.get("itemid", f"ITEM-{iid}"))
            if self._one("SELECT 1 FROM item WHERE itemid = ?", (sku,)):
                raise ValueError(f"an item with itemid {sku!r} already exists")
            self.c.execute("INSERT INTO item (id, itemid, displayname, itemtype, isinactive, baseprice, "
                           "lastmodifieddate) VALUES (?,?,?,?,'F',?,?)",
                           (iid, sku, s.get("displayname", sku), kind, s.get("baseprice"), SEED_TIME))
            self.c.execute("INSERT INTO item_extra (id, fullname, createddate) VALUES (?,?,?)", (iid, sku, SEED_TIME))
            self.db._names["item"][iid] = sku
            self._item_flags(iid, kind, s)
            for m in s.get("members") or []:
                if kind not in ("Kit", "Group"):
                    raise ValueError(f"item {sku}: members only on Kit and Group items")
                member = self._item(m["item"])
                if member["itemtype"] in ("Kit", "Group") or member["itemtype"] in NO_QUANTITY:
                    raise ValueError(f"item {sku}: member {member['itemid']} must be an item with a quantity, "
                                     "not a kit or group")
                self.c.execute("INSERT INTO itemmember (parentitem, item, quantity) VALUES (?,?,?)",
                               (iid, member["id"], _positive_int(m.get("quantity", 1), "member quantity")))
            self.created.setdefault("items", []).append(iid)

    def _item_flags(self, iid: int, kind: str, s: dict) -> None:
        lot, serial, usebins = bool(s.get("islotitem")), bool(s.get("isserialitem")), bool(s.get("usebins"))
        if (lot or serial or usebins or s.get("preferredbins")) and kind != "InvtPart":
            raise ValueError("islotitem, isserialitem, usebins and preferredbins are for InvtPart items")
        if lot and serial:
            raise ValueError("an item is lot-numbered or serialized, not both")
        if lot:
            self._need(LOTS, "islotitem")
        if serial:
            self._need(SERIALS, "isserialitem")
        if usebins or s.get("preferredbins"):
            self._need(BINS, "usebins")
        fulfillable = None
        if kind in FULFILLED_WHEN_FLAGGED:
            fulfillable = _tf(s.get("isfulfillable"))
        elif "isfulfillable" in s:
            raise ValueError("isfulfillable is for NonInvtPart, Service and OthCharge items")
        units = [None, None, None, None]
        if s.get("unitstype") is not None:
            self._need(UNITS, "unitstype")
            utype = self._exists("unitstype", s["unitstype"], "units type")
            base = self._one("SELECT internalid FROM unitstypeuom WHERE unitstype = ? AND baseunit = 'T'", (utype,))[0]
            units[0] = utype
            for n, key in enumerate(("saleunit", "stockunit", "purchaseunit"), start=1):
                uom = s.get(key, base)
                if not self._one("SELECT 1 FROM unitstypeuom WHERE internalid = ? AND unitstype = ?", (uom, utype)):
                    raise ValueError(f"{key} {uom!r} is not a uom of units type {utype}")
                units[n] = uom
        self.c.execute("INSERT INTO ns_item_feature VALUES (?,?,?,?,?,?,?,?,?)",
                       (iid, _tf(lot), _tf(serial), _tf(usebins), fulfillable, *units))
        for p in s.get("preferredbins") or []:
            if not usebins:
                raise ValueError("preferredbins needs usebins: true")
            location = self._exists("location", p.get("location"), "location")
            if not self._one("SELECT 1 FROM bin WHERE id = ? AND location = ?", (p.get("bin"), location)):
                raise ValueError(f"bin {p.get('bin')!r} is not at location {location}")
            self.c.execute("INSERT OR REPLACE INTO ns_item_bin VALUES (?,?,?)", (iid, location, p["bin"]))

    def stock(self, specs: list) -> None:
        for s in specs:
            item = self._item(s.get("item"))
            if item["itemtype"] != "InvtPart":
                raise ValueError(f"item {item['itemid']} is a {item['itemtype']}: only inventory items hold stock")
            location = self._exists("location", s.get("location"), "location")
            binned = self.features.on(BINS) and item["usebins"] and self._location_uses_bins(location)
            bin_id = s.get("bin")
            if binned and bin_id is None:
                raise ValueError(f"item {item['itemid']} uses bins at location {location}: give a bin")
            if bin_id is not None and (not binned or not self._one("SELECT 1 FROM bin WHERE id = ? AND location = ?",
                                                                   (bin_id, location))):
                raise ValueError(f"bin {bin_id!r} is not a bin of location {location} that this item can use")
            if item["isserialitem"]:
                serials = s.get("serials")
                if not isinstance(serials, list) or not serials or "lot" in s:
                    raise ValueError(f"item {item['itemid']} is serialized: give serials (a list of numbers)")
                buckets = [(self._number(item, str(n), None, serial=True), 1) for n in serials]
            elif item["islotitem"]:
                if "lot" not in s or "serials" in s:
                    raise ValueError(f"item {item['itemid']} is lot-numbered: give lot")
                quantity = _positive_int(s.get("quantity"), "quantity")
                buckets = [(self._number(item, str(s["lot"]), s.get("expirationdate")), quantity)]
            else:
                if "lot" in s or "serials" in s:
                    raise ValueError(f"item {item['itemid']} is neither lot-numbered nor serialized")
                buckets = [(None, _positive_int(s.get("quantity"), "quantity"))]
            detailed = binned or item["islotitem"] or item["isserialitem"]
            if detailed:
                self._refuse_undetailed_stock(item, location)
            for number, quantity in buckets:
                if detailed:
                    self._add_bucket(item["id"], location, bin_id, number, quantity)
                self._add_location_stock(item["id"], location, quantity)
            self.created.setdefault("stock", []).append({"item": item["id"], "location": location, "bin": bin_id,
                                                         "inventorynumbers": [b[0] for b in buckets if b[0]]})

    def _number(self, item: dict, text: str, expiration, serial: bool = False) -> int:
        row = self._one("SELECT id FROM inventorynumber WHERE item = ? AND inventorynumber = ?", (item["id"], text))
        if row and serial:
            raise ValueError(f"serial number {text} of item {item['itemid']} already exists")
        date = None
        if expiration is not None:
            if not isinstance(expiration, str) or len(expiration) != 10:
                raise ValueError("expirationdate must be YYYY-MM-DD")
            date = f"{expiration} 00:00:00"
        if row:
            if date:
                self.c.execute("UPDATE inventorynumber SET expirationdate = ? WHERE id = ?", (date, row[0]))
            return row[0]
        nid = self._new_id("inventorynumber", None)
        self.c.execute("INSERT INTO inventorynumber VALUES (?,?,?,?)", (nid, text, item["id"], date))
        self.db._names["inventorynumber"][nid] = text
        return nid

    def _refuse_undetailed_stock(self, item: dict, location: int) -> None:
        row = self._one("SELECT quantityonhand FROM inventoryitemlocations WHERE item = ? AND location = ?",
                        (item["id"], location))
        detailed = self._one("SELECT COALESCE(SUM(quantityonhand), 0) FROM ns_detail_balance WHERE item = ? "
                             "AND location = ?", (item["id"], location))[0]
        if row and (row[0] or 0) != detailed:
            raise ValueError(f"item {item['itemid']} already has {row[0]} on hand at location {location} without "
                             "bin or lot detail; stock a new item or location")

    def _add_bucket(self, item: int, location: int, bin_id, number, quantity: int) -> None:
        updated = self.c.execute("UPDATE ns_detail_balance SET quantityonhand = quantityonhand + ? WHERE item = ? AND "
                                 "location = ? AND binnumber IS ? AND inventorynumber IS ?",
                                 (quantity, item, location, bin_id, number)).rowcount
        if not updated:
            self.c.execute("INSERT INTO ns_detail_balance VALUES (?,?,?,?,?)", (item, location, bin_id, number, quantity))

    def _add_location_stock(self, item: int, location: int, quantity: int) -> None:
        updated = self.c.execute("UPDATE inventoryitemlocations SET quantityonhand = quantityonhand + ?, "
                                 "quantityavailable = MAX(quantityonhand + ? - quantitycommitted, 0), "
                                 "lastmodifieddate = ? WHERE item = ? AND location = ?",
                                 (quantity, quantity, SEED_TIME, item, location)).rowcount
        if not updated:
            self.c.execute("INSERT INTO inventoryitemlocations VALUES (?,?,?,?,0,0,0,?)",
                           (item, location, quantity, quantity, SEED_TIME))

    def customers(self, specs: list) -> None:
        for s in specs:
            cid = self._new_id("customer", s.get("id"), floor=3000)
            primary = self._subsidiary(s.get("subsidiary", 1))
            entity = str(s.get("entityid", f"CUST-{cid}"))
            company = str(s.get("companyname", entity))
            self.c.execute("INSERT INTO customer VALUES (?,?,?,?,?,?,?,NULL,'F','F',?)",
                           (cid, entity, company, s.get("email"), s.get("phone"), SEED_TIME, SEED_TIME, primary))
            subs = [primary] + [self._subsidiary(x) for x in s.get("subsidiaries") or [] if x != primary]
            for sub in dict.fromkeys(subs):
                rid = self._new_id("customersubsidiaryrelationship", None)
                self.c.execute("INSERT INTO customersubsidiaryrelationship VALUES (?,?,?,?)",
                               (rid, cid, sub, _tf(sub == primary)))
            self.db._names["entity"][cid] = f"{entity} {company}"
            self.created.setdefault("customers", []).append(cid)

    def sales_orders(self, specs: list) -> None:
        for s in specs:
            self.created.setdefault("sales_orders", []).append(self._sales_order(s))

    def _sales_order(self, s: dict) -> dict:
        so_id = self._new_id("transaction", s.get("id"))
        tranid = str(s.get("tranid", f"SO{so_id}"))
        sub = self._subsidiary(s.get("subsidiary", 1))
        customer = s.get("customer")
        if customer is None:
            customer = self._one("SELECT MIN(id) FROM customer")[0]
        customer = self._exists("customer", customer, "customer")
        if sub != 1 and not self._one("SELECT 1 FROM customersubsidiaryrelationship WHERE entity = ? AND "
                                      "subsidiary = ?", (customer, sub)):
            raise ValueError(f"customer {customer} does not trade in subsidiary {sub}")
        for (other,) in self.c.execute("SELECT id FROM \"transaction\" WHERE type = 'SalesOrd' AND tranid = ?",
                                       (tranid,)).fetchall():
            row = self._one("SELECT subsidiary FROM ns_transaction_feature WHERE id = ?", (other,))
            if not self.features.on(ONEWORLD) or (row[0] if row else 1) == sub:
                raise ValueError(f"sales order {tranid} already exists in subsidiary {sub}")
        status = s.get("status", "B")
        self.c.execute(INSERT_TRANSACTION, (so_id, tranid, s.get("otherrefnum"), s.get("externalid"), "SalesOrd",
                                            status, customer, SEED_TIME[:10] + " 00:00:00", SEED_TIME, SEED_TIME,
                                            None, None, None, None))
        company = self._one("SELECT companyname FROM customer WHERE id = ?", (customer,))[0]
        for table in ("transactionshippingaddress", "transactionbillingaddress"):
            self.c.execute(f"INSERT INTO {table} VALUES (?,?,NULL,'1 Seed Street',NULL,'Austin','TX','78701','US',"
                           "NULL)", (so_id, company))
        self.c.execute('UPDATE "transaction" SET shippingaddress = ?, billingaddress = ?, shipmethod = 1, '
                       "custbody_authority_to_leave = 'F', custbody_signature_required = 'F' WHERE id = ?",
                       (so_id, so_id, so_id))
        if sub != 1:
            self.c.execute("INSERT INTO ns_transaction_feature VALUES (?, ?)", (so_id, sub))
        default_location = s.get("location", 1)
        lines = []
        for spec in s.get("lines") or []:
            location = spec.get("location", default_location)
            if location is not None:
                self._exists("location", location, "location")
            item = self._item(spec.get("item"))
            if item["itemtype"] == "Group":
                quantity = _positive_int(spec.get("quantity", 1), "quantity")
                lines.append(self._line(so_id, len(lines) + 1, item, quantity, location, spec, lines))
                for (member, mq) in self.c.execute("SELECT item, quantity FROM itemmember WHERE parentitem = ? "
                                                   "ORDER BY id", (item["id"],)).fetchall():
                    lines.append(self._line(so_id, len(lines) + 1, self._item(member), quantity * mq, location,
                                            {}, lines))
                lines.append(self._line(so_id, len(lines) + 1, None, None, location, {}, lines))
            else:
                lines.append(self._line(so_id, len(lines) + 1, item, spec.get("quantity", 1), location, spec, lines))
        first_location = next((ln["location"] for ln in lines if ln["location"] is not None), None)
        self.c.execute(INSERT_LINE, (so_id, 0, 0, "T", None, None, None, "F", first_location, None, None, None,
                                     SEED_TIME))
        self.db._names["transaction"][so_id] = f"Sales Order #{tranid}"
        return {"id": so_id, "tranid": tranid, "subsidiary": sub, "lines": lines}

    def _line(self, so_id: int, n: int, item: dict | None, quantity, location, spec: dict, lines: list) -> dict:
        """One order line; item None is a group's EndGroup line."""
        kind = item["itemtype"] if item else "EndGroup"
        units, rate = None, 1
        if kind in NO_QUANTITY:
            quantity = None
        else:
            quantity = _positive_int(quantity, "quantity")
            if item.get("unitstype") is not None and self.features.on(UNITS):
                units = spec.get("units", item["saleunit"])
                row = self._one("SELECT conversionrate FROM unitstypeuom WHERE internalid = ? AND unitstype = ?",
                                (units, item["unitstype"]))
                if row is None:
                    raise ValueError(f"units {units!r} is not a uom of item {item['itemid']}'s units type")
                rate = row[0]
            elif spec.get("units") is not None:
                raise ValueError(f"item {item['itemid']} has no units type (needs {UNITS} and unitstype)")
        createpo = spec.get("createpo")
        if createpo not in (None, "DropShip", "SpecOrd"):
            raise ValueError("createpo must be DropShip or SpecOrd")
        base = None if quantity is None else int(round(quantity * rate))
        rate_value = spec.get("rate", item["baseprice"] if item else None)
        self.c.execute(INSERT_LINE, (so_id, n, n, "F", item["id"] if item else None,
                                     None if base is None else -base, None if base is None else 0, "F", location,
                                     rate_value, None, None, SEED_TIME))
        if units is not None or createpo is not None or item is None:
            self.c.execute("INSERT INTO ns_line_feature VALUES (?,?,?,?,?,NULL)",
                           (so_id, n, "EndGroup" if item is None else None, units, createpo))
        return {"line": n, "item": item["id"] if item else None, "itemtype": kind, "quantity": quantity,
                "units": units, "location": location}


def seed(db: Database, data: dict) -> dict:
    unknown = set(data) - set(SEED_ORDER)
    if unknown:
        raise ValueError(f"unknown seed keys {sorted(unknown)}: use {', '.join(SEED_ORDER)}")
    seeder = Seeder(db)
    with db.lock:
        db.conn.execute("BEGIN")
        try:
            for key in SEED_ORDER:
                if key in data:
                    if not isinstance(data[key], list):
                        raise ValueError(f"{key} must be a list")
                    getattr(seeder, key)(data[key])
            db.conn.execute("COMMIT")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.version += 1
    return {"created": seeder.created}


def in_use(db: Database, fid: str) -> str:
    """What seeded data uses a feature (so it cannot be switched off), or ''."""
    checks = {
        LOTS: "SELECT 'item ' || i.itemid FROM ns_item_feature f JOIN item i ON i.id = f.id WHERE f.islotitem = 'T'",
        SERIALS: "SELECT 'item ' || i.itemid FROM ns_item_feature f JOIN item i ON i.id = f.id "
                 "WHERE f.isserialitem = 'T'",
        BINS: "SELECT 'bin ' || binnumber FROM bin UNION ALL SELECT 'location ' || id FROM ns_location_feature "
              "WHERE usesbins = 'T'",
        ADVBINS: "SELECT 'fulfillment ' || \"transaction\" FROM inventoryassignment",
        ONEWORLD: "SELECT 'subsidiary ' || name FROM subsidiary WHERE id != 1",
        UNITS: "SELECT 'units type ' || name FROM unitstype",
    }
    sql = checks.get(fid)
    if not sql:
        return ""
    rows = db.select(f"SELECT * FROM ({sql}) LIMIT 1")
    return next(iter(rows[0].values())) if rows else ""
