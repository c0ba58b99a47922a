"""Record API rules: sales orders (read) and item fulfillments (transform, read, patch, delete).

The rules follow reference netsuite-api.md section 5; the records are the SQL rows, so a fulfillment made
here is what SuiteQL reads next.
"""
from __future__ import annotations

from .account_features import MULTILOCINVT
from .database import INSERT_LINE, INSERT_TRANSACTION, SHIP_STATUS_NAMES, STATUS_NAMES, Database
from .errors import DuplicateExternalId, InvalidContent, LocationRequired, NonexistentId, UserError
from .inventory_detail import FulfillmentPlanner, move_stock as _move_stock, undo_detail, write_lines
from .line_kinds import STOCKED, in_line_units, remaining_units, transaction_lines

FULFILLABLE = ("B", "D", "E")  # Pending Fulfillment, Partially Fulfilled, Pending Billing/Partially Fulfilled
FULLY_SHIPPED_STATUS = "F"      # Pending Billing (kept simple: no invoice is made)
PARTIAL_STATUS = "D"
UNSHIPPED_STATUS = "B"

# REST record fields carry ISO 8601 dates, unlike SuiteQL's display format.
def _iso_z(value) -> str | None:
    return None if value is None else f"{str(value)[:10]}T{str(value)[11:19]}Z"


def _ref(id_, name) -> dict | None:
    return None if id_ is None else {"id": str(id_), "refName": name}


class RecordStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- lookups -----------------------------------------------------------------------------------------
    def _transaction(self, ref: str, tran_type: str) -> dict:
        if ref.startswith("eid:"):
            rows = self.db.select('SELECT * FROM "transaction" WHERE externalid = ? AND type = ?', (ref[4:], tran_type))
        elif ref.isdigit():
            rows = self.db.select('SELECT * FROM "transaction" WHERE id = ? AND type = ?', (int(ref), tran_type))
        else:
            rows = []
        if not rows:
            raise NonexistentId()
        return rows[0]

    def _lines(self, tran_id: int) -> list[dict]:
        # Each line also says its item type, unit and whether a fulfillment can take it (line_kinds.py).
        return transaction_lines(self.db, tran_id)

    def _line_json(self, ln: dict, fulfillment: bool = False) -> dict:
        item = ln["item"]  # None on a group's EndGroup line
        out = {"links": [], "line": ln["id"], "item": _ref(item, self.db.name_of("item", item) if item else None),
               "quantity": in_line_units(ln, ln["quantity"]),
               "location": _ref(ln["location"], self.db.name_of("location", ln["location"]))
               if ln["location"] is not None else None}
        if fulfillment:
            out["orderLine"] = ln["orderline"]
            out["itemReceive"] = True
        else:
            out["quantityFulfilled"] = in_line_units(ln, ln["quantityshiprecv"])
            out["isClosed"] = ln["isclosed"] == "T"
            out["rate"] = ln["rate"]
        if ln.get("units") is not None:  # a line entered in another unit than the base (Units of Measure)
            out["units"] = {"id": str(ln["units"]), "refName": ln["unitname"]}
        return {k: v for k, v in out.items() if v is not None}

    def _sublist(self, href: str, lines: list[dict] | None) -> dict:
        if lines is None:
            return {"links": [{"rel": "self", "href": href}]}
        return {"links": [{"rel": "self", "href": href}], "items": lines, "totalResults": len(lines),
                "count": len(lines), "hasMore": False, "offset": 0}

    # --- sales orders ------------------------------------------------------------------------------------
    def sales_order(self, ref: str, href: str, expand: bool) -> dict:
        so = self._transaction(ref, "SalesOrd")
        type_name, names = STATUS_NAMES["SalesOrd"]
        lines = [self._line_json(ln) for ln in self._lines(so["id"])] if expand else None
        body = {"links": [{"rel": "self", "href": href}], "id": str(so["id"]), "tranId": so["tranid"],
                "otherRefNum": so["otherrefnum"], "externalId": so["externalid"],
                "status": {"id": so["status"], "refName": names.get(so["status"], so["status"])},
                "orderStatus": {"id": so["status"], "refName": names.get(so["status"], so["status"])},
                "entity": _ref(so["entity"], self.db.name_of("entity", so["entity"])),
                "tranDate": str(so["trandate"])[:10], "createdDate": _iso_z(so["createddate"]),
                "lastModifiedDate": _iso_z(so["lastmodifieddate"]), "memo": so["memo"],
                "item": self._sublist(f"{href}/item", lines)}
        return {k: v for k, v in body.items() if v is not None}

    def sales_order_lines(self, ref: str, href: str) -> dict:
        so = self._transaction(ref, "SalesOrd")
        items = [{"links": [{"rel": "self", "href": f"{href}/{ln['id']}"}]} for ln in self._lines(so["id"])]
        return {"links": [{"rel": "self", "href": href}], "items": items, "totalResults": len(items),
                "count": len(items), "hasMore": False, "offset": 0}

    def sales_order_line(self, ref: str, line: int, href: str) -> dict:
        so = self._transaction(ref, "SalesOrd")
        for ln in self._lines(so["id"]):
            if ln["id"] == line:
                return {**self._line_json(ln), "links": [{"rel": "self", "href": href}]}
        raise NonexistentId()

    # --- item fulfillments --------------------------------------------------------------------------------
    def transform_to_fulfillment(self, so_ref: str, body: dict, now: str) -> int:
        if not isinstance(body, dict):
            raise InvalidContent("The request body must be a JSON object.")
        db = self.db
        with db.lock:
            so = self._transaction(so_ref, "SalesOrd")
            if so["status"] not in FULFILLABLE:
                # NetSuite's wording when a transform source cannot be fulfilled (code UNCONFIRMED).
                raise UserError(f"You can not initialize itemfulfillment: invalid reference {so['id']}.")
            external_id = body.get("externalId")
            if external_id is not None and db.select('SELECT id FROM "transaction" WHERE externalid = ? AND type = ?',
                                                     (str(external_id), "ItemShip")):
                raise DuplicateExternalId(error_path="externalId")
            ship_status = _ship_status(body.get("shipStatus", "C"))
            plan = FulfillmentPlanner(db, so).plan(self._plan_lines(so, body.get("item")))
            packages = _packages(body.get("package"))
            memo = body.get("memo")
            new_id = (db.select('SELECT MAX(id) AS m FROM "transaction"')[0]["m"] or 0) + 1
            tranid = f"IF{new_id}"
            c = db.conn
            c.execute("BEGIN")
            try:
                c.execute(INSERT_TRANSACTION,
                          (new_id, tranid, None, None if external_id is None else str(external_id), "ItemShip",
                           ship_status, so["entity"], now[:10] + " 00:00:00", now, now, memo, ship_status, so["id"],
                           ", ".join(p["trackingnumber"] for p in packages if p["trackingnumber"]) or None))
                c.execute(INSERT_LINE, (new_id, 0, 0, "T", None, None, None, "F", plan[0].location, None, so["id"],
                                        None, now))
                write_lines(db, new_id, so["id"], plan, now)
                self._save_packages(new_id, packages, replace=True)
                self._refresh_order_status(so["id"], now)
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            db.version += 1
            db.remember_transaction_name(new_id, f"Item Fulfillment #{tranid}")
            return new_id

    def _plan_lines(self, so: dict, sublist) -> list[tuple]:
        """(order line, location, quantity in the line's unit, body entry, body index) per line to ship. Lines the
        body does not mention are shipped in full, as on NetSuite's create form; `itemReceive: false` leaves a line
        out. Only lines a fulfillment can take are open (line_kinds.py)."""
        if sublist is None:
            requested = []
        elif isinstance(sublist, dict) and isinstance(sublist.get("items"), list):
            requested = sublist["items"]
        else:
            raise InvalidContent("The sublist 'item' must be an object with an 'items' array.", "item")
        open_lines = {ln["id"]: ln for ln in self._lines(so["id"]) if ln["isclosed"] != "T" and ln["fulfillable"]}
        chosen: dict[int, tuple] = {}
        for ln in open_lines.values():
            remaining = remaining_units(ln)
            if remaining > 0:
                chosen[ln["id"]] = (ln, ln["location"], remaining, None, None)
        for i, entry in enumerate(requested):
            path = f"item.items[{i}]"
            if not isinstance(entry, dict):
                raise InvalidContent("Each sublist line must be an object.", path)
            order_line = entry.get("orderLine")
            if not isinstance(order_line, int) or order_line not in open_lines:
                raise InvalidContent(f"Invalid value for orderLine: {order_line!r} is not an open line of the "
                                     "sales order.", f"{path}.orderLine")
            ln = open_lines[order_line]
            remaining = remaining_units(ln)
            receive = entry.get("itemReceive", entry.get("itemreceive", True))
            if receive is False:
                chosen.pop(order_line, None)
                continue
            qty = entry.get("quantity", remaining)
            if not isinstance(qty, (int, float)) or isinstance(qty, bool) or qty <= 0 or qty != int(qty):
                raise InvalidContent(f"Invalid value for quantity: {qty!r}.", f"{path}.quantity")
            if qty > remaining:
                raise InvalidContent(f"You can not fulfill more than the remaining quantity ({remaining}) of "
                                     f"order line {order_line}.", f"{path}.quantity")
            location = entry.get("location", ln["location"])
            if isinstance(location, dict):
                location = location.get("id")
            if location is None and ln["itemtype"] in STOCKED and self.db.features.on(MULTILOCINVT):
                raise LocationRequired(path)
            try:
                location = int(location)
            except (TypeError, ValueError):
                raise InvalidContent(f"Invalid value for location: {location!r}.", f"{path}.location") from None
            if not self.db.select("SELECT id FROM location WHERE id = ?", (location,)):
                raise InvalidContent(f"Invalid reference key {location} for location.", f"{path}.location")
            chosen[order_line] = (ln, location, int(qty), entry, i)
        if not chosen:
            raise UserError("You must enter at least one line item for this transaction.")
        return [chosen[k] for k in sorted(chosen)]

    def _refresh_order_status(self, so_id: int, now: str) -> None:
        lines = [ln for ln in self._lines(so_id) if ln["isclosed"] != "T" and ln["fulfillable"]]
        shipped = sum(ln["quantityshiprecv"] or 0 for ln in lines)
        ordered = sum(-(ln["quantity"] or 0) for ln in lines)
        status = FULLY_SHIPPED_STATUS if shipped >= ordered else PARTIAL_STATUS if shipped else UNSHIPPED_STATUS
        self.db.conn.execute('UPDATE "transaction" SET status = ?, lastmodifieddate = ? WHERE id = ?',
                             (status, now, so_id))

    def _save_packages(self, fulfillment_id: int, packages: list[dict], replace: bool) -> None:
        c = self.db.conn
        if replace:
            c.execute("DELETE FROM ns_package WHERE fulfillment = ?", (fulfillment_id,))
        start = c.execute("SELECT COALESCE(MAX(seq), 0) FROM ns_package WHERE fulfillment = ?",
                          (fulfillment_id,)).fetchone()[0]
        c.executemany("INSERT INTO ns_package VALUES (?,?,?,?,?)",
                      [(fulfillment_id, start + n, p["trackingnumber"], p["weight"], p["descr"])
                       for n, p in enumerate(packages, start=1)])
        numbers = [r[0] for r in c.execute("SELECT trackingnumber FROM ns_package WHERE fulfillment = ? AND "
                                           "trackingnumber IS NOT NULL ORDER BY seq", (fulfillment_id,))]
        c.execute('UPDATE "transaction" SET linkedtrackingnumberlist = ? WHERE id = ?',
                  (", ".join(numbers) or None, fulfillment_id))

    def fulfillment(self, ref: str, href: str, expand: bool) -> dict:
        f = self._transaction(ref, "ItemShip")
        lines = [self._line_json(ln, fulfillment=True) for ln in self._lines(f["id"])] if expand else None
        packages = None
        if expand:
            packages = [{"links": [], "packageTrackingNumber": p["trackingnumber"], "packageWeight": p["weight"],
                         "packageDescr": p["descr"]}
                        for p in self.db.select("SELECT * FROM ns_package WHERE fulfillment = ? ORDER BY seq", (f["id"],))]
            packages = [{k: v for k, v in p.items() if v is not None} for p in packages]
        body = {"links": [{"rel": "self", "href": href}], "id": str(f["id"]), "tranId": f["tranid"],
                "externalId": f["externalid"], "memo": f["memo"],
                "shipStatus": {"id": f["shipstatus"], "refName": SHIP_STATUS_NAMES.get(f["shipstatus"], "")},
                "createdFrom": _ref(f["createdfrom"], self.db.name_of("transaction", f["createdfrom"])),
                "entity": _ref(f["entity"], self.db.name_of("entity", f["entity"])),
                "tranDate": str(f["trandate"])[:10], "createdDate": _iso_z(f["createddate"]),
                "lastModifiedDate": _iso_z(f["lastmodifieddate"]),
                "item": self._sublist(f"{href}/item", lines), "package": self._sublist(f"{href}/package", packages)}
        return {k: v for k, v in body.items() if v is not None}

    def patch_fulfillment(self, ref: str, body: dict, replace: set[str], now: str) -> int:
        if not isinstance(body, dict):
            raise InvalidContent("The request body must be a JSON object.")
        db = self.db
        with db.lock:
            f = self._transaction(ref, "ItemShip")
            sets, params = ["lastmodifieddate = ?"], [now]
            if "memo" in body:
                sets.append("memo = ?")
                params.append(body["memo"])
            if "shipStatus" in body:
                status = _ship_status(body["shipStatus"])
                sets += ["shipstatus = ?", "status = ?"]
                params += [status, status]
            if "externalId" in body:
                eid = str(body["externalId"])
                if db.select('SELECT id FROM "transaction" WHERE externalid = ? AND type = ? AND id != ?',
                             (eid, "ItemShip", f["id"])):
                    raise DuplicateExternalId(error_path="externalId")
                sets.append("externalid = ?")
                params.append(eid)
            packages = _packages(body["package"]) if "package" in body else None
            c = db.conn
            c.execute("BEGIN")
            try:
                c.execute(f'UPDATE "transaction" SET {", ".join(sets)} WHERE id = ?', (*params, f["id"]))
                if packages is not None or "package" in replace:
                    self._save_packages(f["id"], packages or [], replace="package" in replace)
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            db.version += 1
            return f["id"]

    def delete_fulfillment(self, ref: str, now: str) -> None:
        db = self.db
        with db.lock:
            f = self._transaction(ref, "ItemShip")
            c = db.conn
            c.execute("BEGIN")
            try:
                for ln in self._lines(f["id"]):
                    qty = -ln["quantity"]
                    c.execute('UPDATE transactionline SET quantityshiprecv = quantityshiprecv - ?, '
                              'linelastmodifieddate = ? WHERE "transaction" = ? AND id = ?',
                              (qty, now, f["createdfrom"], ln["orderline"]))
                    _move_stock(c, ln["item"], ln["location"], qty, now)
                undo_detail(db, f["id"])  # lots, serials and bins back where they came from
                c.execute('DELETE FROM transactionline WHERE "transaction" = ?', (f["id"],))
                c.execute('DELETE FROM "transaction" WHERE id = ?', (f["id"],))
                c.execute("DELETE FROM ns_package WHERE fulfillment = ?", (f["id"],))
                self._refresh_order_status(f["createdfrom"], now)
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            db.version += 1


def _ship_status(value) -> str:
    letter = value.get("id") if isinstance(value, dict) else value
    if letter not in SHIP_STATUS_NAMES:
        raise InvalidContent(f"Invalid value for shipStatus: {letter!r}. Use A (Picked), B (Packed) or C (Shipped).",
                             "shipStatus")
    return letter


def _packages(sublist) -> list[dict]:
    if sublist is None:
        return []
    if not isinstance(sublist, dict) or not isinstance(sublist.get("items"), list):
        raise InvalidContent("The sublist 'package' must be an object with an 'items' array.", "package")
    out = []
    for i, p in enumerate(sublist["items"]):
        if not isinstance(p, dict):
            raise InvalidContent("Each package line must be an object.", f"package.items[{i}]")
        weight = p.get("packageWeight")
        if weight is not None and (not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0):
            raise InvalidContent(f"Invalid value for packageWeight: {weight!r}.", f"package.items[{i}].packageWeight")
        tracking = p.get("packageTrackingNumber")
        out.append({"trackingnumber": None if tracking is None else str(tracking), "weight": weight,
                    "descr": p.get("packageDescr")})
    return out
