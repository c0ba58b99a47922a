"""What an item fulfillment takes from where, under the account's features (README "Account features"):
locations (Multi-Location Inventory), lots and serials, bins, subsidiaries, kits and units; writing the fulfillment
lines with their inventory detail, and putting everything back when the fulfillment is deleted.

`plan` checks a whole fulfillment before anything is written, in NetSuite's words (errors.py); `write_lines` then
moves the stock. All quantities stored are base units; the body's quantities are in the order line's unit.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .account_features import BINS, LOTS, MULTILOCINVT, ONEWORLD, SERIALS, AccountFeatures
from .database import INSERT_LINE, Database
from .errors import (ConfigureInventoryDetail, InsufficientInventoryNumber, InvalidContent, InvalidFieldValue,
                     InvalidReferenceKey, InventoryDetailNotApplicable, InventoryDetailTotal, KitNotEmulated,
                     LocationRequired, NotEnoughOnHand, SerialQuantity, SerialTwice)
from .line_kinds import STOCKED, remaining_units, transaction_lines


@dataclass
class Assignment:
    number: int | None
    bin: int | None
    quantity: int  # base units


@dataclass
class PlannedLine:
    line: dict  # the order line (line_kinds.transaction_lines)
    location: int | None
    quantity: int  # base units
    assignments: list[Assignment] = field(default_factory=list)
    members: list[tuple[int, int]] = field(default_factory=list)  # kit members: (item, base quantity)


def move_stock(c, item: int, location, delta: int, now: str) -> None:
    c.execute("UPDATE inventoryitemlocations SET quantityonhand = quantityonhand + ?, "
              "quantityavailable = MAX(quantityonhand + ? - quantitycommitted, 0), lastmodifieddate = ? "
              "WHERE item = ? AND location = ?", (delta, delta, now, item, location))


def subsidiary_of_transaction(db: Database, tran_id: int) -> int:
    rows = db.select("SELECT subsidiary FROM ns_transaction_feature WHERE id = ?", (tran_id,))
    return int(rows[0]["subsidiary"]) if rows and rows[0]["subsidiary"] is not None else 1


def _ref(value, name: str, path: str) -> int | None:
    """A reference as REST takes it: {"id": "17"}, "17" or 17."""
    if value is None:
        return None
    raw = value.get("id") if isinstance(value, dict) else value
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).strip().isdigit():
        raise InvalidContent(f"Invalid value for {name}: {value!r}.", path)
    return int(raw)


def _whole(value, path: str) -> int:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0 or value != int(value):
        raise InvalidContent(f"Invalid value for quantity: {value!r}.", path)
    return int(value)


class FulfillmentPlanner:
    def __init__(self, db: Database, so: dict) -> None:
        self.db = db
        self.features: AccountFeatures = db.features
        self.so = so
        self.subsidiary = subsidiary_of_transaction(db, so["id"])
        self.stock_taken: dict[tuple, int] = defaultdict(int)
        self.bucket_taken: dict[tuple, int] = defaultdict(int)
        self.serials: set[tuple[int, int]] = set()
        self.form_lines = self._form_lines()

    def _form_lines(self) -> dict[int, int]:
        """Order line id -> its line number on the fulfillment form, which is what NetSuite's "line N of the item
        list" counts: every open line the transform puts on the form, received or not, kit members after their kit
        (UNCONFIRMED that unreceived lines count)."""
        out, n = {}, 0
        for ln in transaction_lines(self.db, self.so["id"]):
            if ln["isclosed"] == "T" or not ln["fulfillable"] or remaining_units(ln) <= 0:
                continue
            n += 1
            out[ln["id"]] = n
            if ln["itemtype"] == "Kit":
                n += len(self.db.select("SELECT id FROM itemmember WHERE parentitem = ?", (ln["item"],)))
        return out

    def plan(self, chosen: list[tuple]) -> list[PlannedLine]:
        """chosen: (order line, location, quantity in the line's unit, body entry or None, body index or None)."""
        return [self._line(self.form_lines.get(entry[0]["id"], position), *entry)
                for position, entry in enumerate(chosen, start=1)]

    # --- one line -------------------------------------------------------------------------------------------
    def _line(self, position: int, ln: dict, location, qty_units: int, entry, index) -> PlannedLine:
        path = f"item.items[{index}]" if index is not None else None
        on = self.features.on
        if location is None and ln["itemtype"] in STOCKED and on(MULTILOCINVT):
            raise LocationRequired(path)
        if location is not None and on(ONEWORLD):
            self._check_subsidiary(location, path)
        planned = PlannedLine(ln, location, int(round(qty_units * ln["unitrate"])))
        detail = entry.get("inventoryDetail") if isinstance(entry, dict) else None
        if ln["itemtype"] == "Kit":
            if detail is not None:
                raise InventoryDetailNotApplicable(ln["sku"], path)
            planned.members = self._kit_members(ln, location, planned.quantity, path)
            return planned
        if ln["itemtype"] != "InvtPart":
            if detail is not None:
                raise InventoryDetailNotApplicable(ln["sku"], path)
            return planned
        numbered = (on(LOTS) and ln["islotitem"] == "T") or (on(SERIALS) and ln["isserialitem"] == "T")
        binned = self._binned(ln["item"], ln["usebins"], location)
        if not (numbered or binned):
            if detail is not None:
                raise InventoryDetailNotApplicable(ln["sku"], path)
            self._take_stock(ln["item"], ln["sku"], location, planned.quantity, path)
            return planned
        if detail is None:
            raise ConfigureInventoryDetail(position, path)
        planned.assignments = self._assignments(position, ln, location, qty_units, detail, numbered, binned, path)
        return planned

    def _binned(self, item: int, usebins: str, location) -> bool:
        if not self.features.on(BINS) or usebins != "T" or location is None:
            return False
        rows = self.db.select("SELECT usesbins FROM ns_location_feature WHERE id = ?", (location,))
        return bool(rows) and rows[0]["usesbins"] == "T"

    def _check_subsidiary(self, location: int, path) -> None:
        rows = self.db.select("SELECT subsidiary FROM location_extra WHERE id = ?", (location,))
        sub = int(rows[0]["subsidiary"]) if rows and rows[0]["subsidiary"] is not None else 1
        if sub != self.subsidiary:
            raise InvalidFieldValue(location, "location", path)

    def _take_stock(self, item: int, sku: str, location, quantity: int, path) -> None:
        """Multi-Location Inventory: no more than is on hand at the location (UNCONFIRMED wording)."""
        if not self.features.on(MULTILOCINVT):
            return
        rows = self.db.select("SELECT quantityonhand FROM inventoryitemlocations WHERE item = ? AND location = ?",
                              (item, location))
        onhand = (rows[0]["quantityonhand"] or 0) if rows else 0
        key = (item, location)
        if self.stock_taken[key] + quantity > onhand:
            name = self.db.select("SELECT name FROM location WHERE id = ?", (location,))
            raise NotEnoughOnHand(max(onhand - self.stock_taken[key], 0), sku,
                                  name[0]["name"] if name else str(location), path)
        self.stock_taken[key] += quantity

    def _kit_members(self, ln: dict, location, kits: int, path) -> list[tuple[int, int]]:
        members = self.db.select(
            "SELECT m.item, m.quantity, i.itemid AS sku, COALESCE(f.islotitem, 'F') AS islotitem, "
            "COALESCE(f.isserialitem, 'F') AS isserialitem, COALESCE(f.usebins, 'F') AS usebins FROM itemmember m "
            "JOIN item i ON i.id = m.item LEFT JOIN ns_item_feature f ON f.id = m.item WHERE m.parentitem = ? "
            "ORDER BY m.id", (ln["item"],))
        out = []
        for m in members:
            if m["islotitem"] == "T" or m["isserialitem"] == "T" or self._binned(m["item"], m["usebins"], location):
                raise KitNotEmulated(path)
            quantity = kits * m["quantity"]
            self._take_stock(m["item"], m["sku"], location, quantity, path)
            out.append((m["item"], quantity))
        return out

    # --- inventory detail -----------------------------------------------------------------------------------
    def _assignments(self, position: int, ln: dict, location, qty_units: int, detail, numbered: bool,
                     binned: bool, path) -> list[Assignment]:
        dpath = f"{path}.inventoryDetail" if path else None
        sublist = detail.get("inventoryAssignment") if isinstance(detail, dict) else None
        items = sublist.get("items") if isinstance(sublist, dict) else None
        if not isinstance(items, list):
            raise InvalidContent("The subrecord 'inventoryDetail' must hold the sublist 'inventoryAssignment' as an "
                                 "object with an 'items' array.", dpath)
        serial = self.features.on(SERIALS) and ln["isserialitem"] == "T"
        parsed = []
        for j, a in enumerate(items):
            apath = f"{dpath}.inventoryAssignment.items[{j}]" if dpath else None
            if not isinstance(a, dict):
                raise InvalidContent("Each inventoryAssignment line must be an object.", apath)
            number = _ref(a.get("issueInventoryNumber"), "issueInventoryNumber", f"{apath}.issueInventoryNumber")
            bin_id = _ref(a.get("binNumber"), "binNumber", f"{apath}.binNumber")
            quantity = _whole(a.get("quantity"), f"{apath}.quantity")
            if (numbered and number is None) or (binned and bin_id is None):
                raise ConfigureInventoryDetail(position, path)
            text = self._check_number(number, numbered, ln["item"], apath)
            self._check_bin(bin_id, binned, location, apath)
            if serial:
                if quantity != 1:
                    raise SerialQuantity(text, apath)
                if (ln["item"], number) in self.serials:
                    raise SerialTwice(text, apath)
                self.serials.add((ln["item"], number))
            parsed.append((number, text, bin_id, quantity, apath))
        if sum(p[3] for p in parsed) != qty_units:
            raise InventoryDetailTotal(qty_units, path)
        out = []
        for number, text, bin_id, quantity, apath in parsed:
            base = int(round(quantity * ln["unitrate"]))
            self._take_bucket(ln["item"], location, bin_id, number, text, base, serial, apath)
            out.append(Assignment(number, bin_id, base))
        return out

    def _check_number(self, number, numbered: bool, item: int, apath) -> str:
        if number is None:
            return ""
        rows = self.db.select("SELECT item, inventorynumber FROM inventorynumber WHERE id = ?", (number,))
        if not numbered or not rows or rows[0]["item"] != item:
            raise InvalidFieldValue(number, "issueinventorynumber", apath)
        return rows[0]["inventorynumber"]

    def _check_bin(self, bin_id, binned: bool, location, apath) -> None:
        if bin_id is None:
            return
        rows = self.db.select("SELECT location FROM bin WHERE id = ?", (bin_id,))
        if not binned or not rows or rows[0]["location"] != location:
            raise InvalidReferenceKey("binnumber", bin_id, apath)

    def _take_bucket(self, item: int, location, bin_id, number, text: str, base: int, serial: bool, apath) -> None:
        rows = self.db.select("SELECT COALESCE(SUM(quantityonhand), 0) AS q FROM ns_detail_balance WHERE item = ? "
                              "AND location = ? AND binnumber IS ? AND inventorynumber IS ?",
                              (item, location, bin_id, number))
        onhand = rows[0]["q"]
        key = (item, location, bin_id, number)
        if onhand <= 0:
            # Nothing of it there at all: NetSuite does not offer it, so the reference is invalid.
            if number is not None:
                raise InvalidFieldValue(number, "issueinventorynumber", apath)
            raise InvalidReferenceKey("binnumber", bin_id, apath)
        if self.bucket_taken[key] + base > onhand:
            kind = "serial number" if serial else "lot number"
            what = f"{kind} {text}" if number is not None else ""
            if bin_id is not None:
                bin_name = self.db.select("SELECT binnumber FROM bin WHERE id = ?", (bin_id,))[0]["binnumber"]
                what = f"{what} in bin {bin_name}" if what else f"bin {bin_name}"
            raise InsufficientInventoryNumber(what, onhand - self.bucket_taken[key], base, apath)
        self.bucket_taken[key] += base


# --- writing and undoing ------------------------------------------------------------------------------------
def write_lines(db: Database, new_id: int, so_id: int, planned: list[PlannedLine], now: str) -> None:
    """The fulfillment's lines (kit members after their kit), stock moves, inventory detail; inside the caller's
    transaction."""
    c = db.conn
    sub = subsidiary_of_transaction(db, so_id)
    if sub != 1:
        c.execute("INSERT INTO ns_transaction_feature VALUES (?, ?)", (new_id, sub))
    n = 0
    for p in planned:
        ln = p.line
        n += 1
        kit_line = n
        # Fulfillment lines take stock out: negative quantity (base units), as on the order.
        c.execute(INSERT_LINE, (new_id, n, n, "F", ln["item"], -p.quantity, None, "F", p.location, None, so_id,
                                ln["id"], now))
        if ln["units"] is not None:
            c.execute("INSERT INTO ns_line_feature VALUES (?, ?, NULL, ?, NULL, NULL)", (new_id, n, ln["units"]))
        c.execute('UPDATE transactionline SET quantityshiprecv = quantityshiprecv + ?, linelastmodifieddate = ? '
                  'WHERE "transaction" = ? AND id = ?', (p.quantity, now, so_id, ln["id"]))
        move_stock(c, ln["item"], p.location, -p.quantity, now)
        for a in p.assignments:
            c.execute("UPDATE ns_detail_balance SET quantityonhand = quantityonhand - ? WHERE rowid = (SELECT rowid "
                      "FROM ns_detail_balance WHERE item = ? AND location = ? AND binnumber IS ? AND "
                      "inventorynumber IS ? AND quantityonhand >= ? LIMIT 1)",
                      (a.quantity, ln["item"], p.location, a.bin, a.number, a.quantity))
            c.execute("INSERT INTO inventoryassignment VALUES (?, ?, ?, ?, ?)", (new_id, n, a.number, a.bin, a.quantity))
        for item, quantity in p.members:
            n += 1
            c.execute(INSERT_LINE, (new_id, n, n, "F", item, -quantity, None, "F", p.location, None, so_id, None, now))
            c.execute("INSERT INTO ns_line_feature VALUES (?, ?, NULL, NULL, NULL, ?)", (new_id, n, kit_line))
            move_stock(c, item, p.location, -quantity, now)


def undo_detail(db: Database, fulfillment_id: int) -> None:
    """Puts lots, serials and bins back where the fulfillment took them (stock per location is the caller's)."""
    c = db.conn
    rows = db.select('SELECT a.*, l.item, l.location FROM inventoryassignment a JOIN transactionline l '
                     'ON l."transaction" = a."transaction" AND l.id = a.transactionline WHERE a."transaction" = ?',
                     (fulfillment_id,))
    for a in rows:
        updated = c.execute("UPDATE ns_detail_balance SET quantityonhand = quantityonhand + ? WHERE rowid = (SELECT "
                            "rowid FROM ns_detail_balance WHERE item = ? AND location = ? AND binnumber IS ? AND "
                            "inventorynumber IS ? LIMIT 1)",
                            (a["quantity"], a["item"], a["location"], a["binnumber"], a["inventorynumber"])).rowcount
        if not updated:
            c.execute("INSERT INTO ns_detail_balance VALUES (?, ?, ?, ?, ?)",
                      (a["item"], a["location"], a["binnumber"], a["inventorynumber"], a["quantity"]))
    c.execute('DELETE FROM inventoryassignment WHERE "transaction" = ?', (fulfillment_id,))
    c.execute('DELETE FROM ns_line_feature WHERE "transaction" = ?', (fulfillment_id,))
    c.execute("DELETE FROM ns_transaction_feature WHERE id = ?", (fulfillment_id,))
