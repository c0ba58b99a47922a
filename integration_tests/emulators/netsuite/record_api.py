"""The REST record API for every record type the emulator holds: type names as NetSuite takes them (any case),
collections with `q`, `limit` and `offset`, one record with `expandSubResources`, and the metadata catalog.

Sources (README "Record API"): Record Collection Filtering (O: section_1545222128.html) for the `q` grammar and the
operators per field type; Collection Paging for limit/offset; Airbyte source-netsuite 0.1.29 for the calls a
client of this API makes (metadata-catalog/, metadata-catalog/<type> as application/schema+json, the nsLink
schema, `<type>?limit=1`, `<type>?q=lastModifiedDate AFTER "d" AND lastModifiedDate BEFORE "d"&offset=n`, each
item's `links[0].href` with `expandSubResources=True`).

Date literals in `q` are read in the account's date format preference (and optionally its time format,
`h:mm am`), in the account's time zone (UTC here), never ISO 8601: N/query does the filtering and "uses a
different date format than the formats outlined in Using Datetime Fields" (O: section_1545222128.html); Airbyte's
constraints.py and a third-party client quote the refusal "Parse of date/time ... failed with date format
"M/d/yy" in time zone ...". A bare date is that day at 00:00 (the third-party client's measurement): AFTER is
later than that instant, ON_OR_BEFORE not later than it; ON means the same day (UNCONFIRMED).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import quote

from .database import DATE_FORMATS, STATUS_NAMES, Database
from .errors import DateParseFailed, InvalidRecordQuery, NonexistentId

# --- field types and the operators Oracle lists for each (O: section_1545222128.html) ---------------------------
NUMBER_OPS = {"ANY_OF", "ANY_OF_NOT", "BETWEEN", "BETWEEN_NOT", "EQUAL", "EQUAL_NOT", "GREATER", "GREATER_NOT",
              "GREATER_OR_EQUAL", "GREATER_OR_EQUAL_NOT", "LESS", "LESS_NOT", "LESS_OR_EQUAL", "LESS_OR_EQUAL_NOT",
              "WITHIN", "WITHIN_NOT"}
STRING_OPS = {"CONTAIN", "CONTAIN_NOT", "IS", "IS_NOT", "START_WITH", "START_WITH_NOT", "END_WITH", "END_WITH_NOT"}
BOOLEAN_OPS = {"IS", "IS_NOT"}
DATE_OPS = {"AFTER", "AFTER_NOT", "BEFORE", "BEFORE_NOT", "ON", "ON_NOT", "ON_OR_AFTER", "ON_OR_AFTER_NOT",
            "ON_OR_BEFORE", "ON_OR_BEFORE_NOT"}
UNARY_OPS = {"EMPTY", "EMPTY_NOT"}
OPS_BY_KIND = {"number": NUMBER_OPS, "ref": NUMBER_OPS, "string": STRING_OPS, "boolean": BOOLEAN_OPS,
               "date": DATE_OPS}
ALL_OPS = NUMBER_OPS | STRING_OPS | BOOLEAN_OPS | DATE_OPS | UNARY_OPS
JSON_TYPES = {"number": ("integer", None), "ref": ("object", None), "string": ("string", None),
              "boolean": ("boolean", None), "date": ("string", "date-time")}


@dataclass(frozen=True)
class Field:
    name: str  # REST field name
    sql: str  # SQL expression on alias r
    kind: str  # number, ref, string, boolean, date
    title: str = ""


@dataclass(frozen=True)
class RecordType:
    name: str  # REST spelling (salesOrder)
    title: str
    table: str | None  # None: a type the account has no records of
    where: str
    fields: tuple[Field, ...]
    sublists: tuple[str, ...] = ()
    render: Callable | None = field(default=None, compare=False)

    def field(self, name: str) -> Field | None:
        # UNCONFIRMED: whether q field names are case-insensitive (N/query's own ids are lowercase).
        for f in self.fields:
            if f.name.lower() == name.lower():
                return f
        return None


def _f(name: str, sql: str, kind: str, title: str = "") -> Field:
    return Field(name, sql, kind, title or re.sub(r"(?<!^)([A-Z])", r" \1", name).title())


TRANSACTION_FIELDS = (
    _f("id", "r.id", "number", "Internal ID"), _f("tranId", "r.tranid", "string", "Document Number"),
    _f("externalId", "r.externalid", "string", "External ID"), _f("entity", "r.entity", "ref", "Customer"),
    _f("tranDate", "r.trandate", "date", "Date"), _f("createdDate", "r.createddate", "date", "Date Created"),
    _f("lastModifiedDate", "r.lastmodifieddate", "date", "Date Last Modified"), _f("memo", "r.memo", "string"))

RECORD_TYPES: dict[str, RecordType] = {t.name.lower(): t for t in (
    RecordType("salesOrder", "Sales Order", "transaction", "r.type = 'SalesOrd'",
               TRANSACTION_FIELDS + (_f("otherRefNum", "r.otherrefnum", "string", "PO #"),), ("item",)),
    RecordType("itemFulfillment", "Item Fulfillment", "transaction", "r.type = 'ItemShip'",
               TRANSACTION_FIELDS + (_f("createdFrom", "r.createdfrom", "ref", "Created From"),),
               ("item", "package")),
    # Lot-numbered and serialized items are records of their own types in NetSuite (lotNumberedInventoryItem,
    # serializedInventoryItem; O: article_0219023029.html), not served here.
    RecordType("inventoryItem", "Inventory Item", "suiteql_item",
               "r.itemtype = 'InvtPart' AND r.id NOT IN (SELECT f.id FROM ns_item_feature f "
               "WHERE f.islotitem = 'T' OR f.isserialitem = 'T')", (
        _f("id", "r.id", "number", "Internal ID"), _f("itemId", "r.itemid", "string", "Item Name/Number"),
        _f("displayName", "r.displayname", "string"), _f("upcCode", "r.upccode", "string", "UPC Code"),
        _f("externalId", "r.externalid", "string", "External ID"), _f("isInactive", "r.isinactive", "boolean"),
        _f("createdDate", "r.createddate", "date", "Date Created"),
        _f("lastModifiedDate", "r.lastmodifieddate", "date", "Date Last Modified"),
        _f("totalQuantityOnHand", "r.totalquantityonhand", "number")), ("locations",)),
    RecordType("customer", "Customer", "customer", "1 = 1", (
        _f("id", "r.id", "number", "Internal ID"), _f("entityId", "r.entityid", "string", "Customer ID"),
        _f("companyName", "r.companyname", "string"), _f("email", "r.email", "string"),
        _f("phone", "r.phone", "string"), _f("externalId", "r.externalid", "string", "External ID"),
        _f("isInactive", "r.isinactive", "boolean"), _f("isPerson", "r.isperson", "boolean"),
        _f("subsidiary", "r.subsidiary", "ref"), _f("dateCreated", "r.datecreated", "date"),
        _f("lastModifiedDate", "r.lastmodifieddate", "date", "Date Last Modified"))),
    RecordType("location", "Location", "suiteql_location", "1 = 1", (
        _f("id", "r.id", "number", "Internal ID"), _f("name", "r.name", "string"),
        _f("externalId", "r.externalid", "string", "External ID"), _f("isInactive", "r.isinactive", "boolean"),
        _f("makeInventoryAvailable", "r.makeinventoryavailable", "boolean"))),
    # Every account has contacts as a record type; this merchant has none (Airbyte's check lists it).
    RecordType("contact", "Contact", None, "", (
        _f("id", "r.id", "number", "Internal ID"), _f("entityId", "r.entityid", "string", "Contact"),
        _f("email", "r.email", "string"), _f("isInactive", "r.isinactive", "boolean"),
        _f("dateCreated", "r.datecreated", "date"),
        _f("lastModifiedDate", "r.lastmodifieddate", "date", "Date Last Modified"))),
)}


def record_type(name: str) -> RecordType | None:
    return RECORD_TYPES.get(name.lower())


# --- q parsing -------------------------------------------------------------------------------------------------
TOKEN = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<comma>,)|(?P<str>"[^"]*")|(?P<sq>\'[^\']*\')|'
                   r'(?P<num>-?\d+(?:\.\d+)?(?![\w.]))|(?P<word>[A-Za-z_][\w.]*))')


def _tokens(q: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(q):
        if q[pos:].strip() == "":
            break
        m = TOKEN.match(q, pos)
        if not m:
            raise InvalidRecordQuery(f"cannot read q at {q[pos:pos + 20]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class DateReader:
    """Reads date literals as the account does: its date format, optionally a 12-hour time, its time zone."""

    def __init__(self, date_format: str, time_zone: str = "UTC") -> None:
        self.java, template = DATE_FORMATS[date_format]
        self.time_zone = time_zone
        order = re.findall(r"\{(\w)", template)
        sep = re.escape(re.sub(r"\{[^}]*\}", "", template)[0])
        parts = {"d": r"(?P<d>\d{1,2})", "m": r"(?P<m>\d{1,2})", "y": r"(?P<y>\d{2}|\d{4})"}
        self.pattern = re.compile(sep.join(parts[p] for p in order)
                                  + r"(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{2})\s*(?P<ap>[aApP][mM]))?$")

    def read(self, literal: str) -> tuple[datetime, bool]:
        """(UTC instant, whether a time was given)."""
        m = self.pattern.match(literal.strip())
        if not m:
            raise DateParseFailed(literal, self.java, self.time_zone)
        year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        hour, minute = 0, 0
        if m["h"]:
            hour, minute = int(m["h"]), int(m["mi"])
            if not 1 <= hour <= 12 or minute > 59:
                raise DateParseFailed(literal, self.java, self.time_zone)
            hour = hour % 12 + (12 if m["ap"].lower() == "pm" else 0)
        try:
            moment = datetime(year, int(m["m"]), int(m["d"]), hour, minute, tzinfo=timezone.utc)
        except ValueError:
            raise DateParseFailed(literal, self.java, self.time_zone) from None
        return moment, bool(m["h"])


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class QueryCompiler:
    """q -> (SQL condition, params), or InvalidRecordQuery / DateParseFailed."""

    def __init__(self, rtype: RecordType, dates: DateReader) -> None:
        self.rtype, self.dates = rtype, dates

    def compile(self, q: str) -> tuple[str, list]:
        self.toks, self.i, self.params = _tokens(q), 0, []
        if not self.toks:
            raise InvalidRecordQuery("empty q")
        sql = self._or()
        if self.i != len(self.toks):
            raise InvalidRecordQuery(f"unexpected {self.toks[self.i][1]!r}")
        return sql, self.params

    def _peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _take(self) -> tuple[str, str]:
        tok = self._peek()
        if tok is None:
            raise InvalidRecordQuery("q ends too early")
        self.i += 1
        return tok

    def _or(self) -> str:
        parts = [self._and()]
        while (tok := self._peek()) and tok == ("word", tok[1]) and tok[1].upper() == "OR":
            self.i += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._term()]
        while (tok := self._peek()) and tok[0] == "word" and tok[1].upper() == "AND":
            self.i += 1
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _term(self) -> str:
        kind, text = self._take()
        if kind == "lp":
            inner = self._or()
            if self._take()[0] != "rp":
                raise InvalidRecordQuery("unbalanced parenthesis")
            return inner
        if kind != "word":
            raise InvalidRecordQuery(f"a field name was expected, not {text!r}")
        fld = self.rtype.field(text)
        if fld is None:
            # UNCONFIRMED wording for an unknown (or non-filterable) field.
            raise InvalidRecordQuery(f"{self.rtype.name} has no filterable field {text!r}")
        op_kind, op = self._take()
        op = op.upper()
        if op_kind != "word" or op not in ALL_OPS:
            raise InvalidRecordQuery(f"unknown operator {op!r}")
        if op in UNARY_OPS:
            return f"({fld.sql} IS NULL OR {fld.sql} = '')" if op == "EMPTY" else \
                f"({fld.sql} IS NOT NULL AND {fld.sql} != '')"
        if op not in OPS_BY_KIND[fld.kind]:
            raise InvalidRecordQuery(f"operator {op} does not apply to {fld.kind} field {fld.name}")
        return self._condition(fld, op)

    def _values(self) -> list[tuple[str, str]]:
        first = self._take()
        values = [first]
        while (tok := self._peek()) and tok[0] == "comma":
            self.i += 1
            values.append(self._take())
        for kind, text in values:
            if kind == "sq":
                raise InvalidRecordQuery("single-quoted literal: q takes double quotes")
            if kind not in ("str", "num", "word"):
                raise InvalidRecordQuery(f"a value was expected, not {text!r}")
        return values

    def _condition(self, fld: Field, op: str) -> str:
        negate = op.endswith("_NOT")
        base = op[:-4] if negate else op
        values = self._values()
        texts = [t[1:-1] if k == "str" else t for k, t in values]
        if fld.kind == "date":
            sql = self._date_condition(fld, base, texts)
        elif fld.kind == "boolean":
            if len(texts) != 1 or texts[0].lower() not in ("true", "false"):
                raise InvalidRecordQuery(f"{fld.name} takes true or false")
            self.params.append("T" if texts[0].lower() == "true" else "F")
            sql = f"{fld.sql} = ?"
        elif fld.kind == "string":
            if len(texts) != 1 or values[0][0] != "str":
                raise InvalidRecordQuery(f"{fld.name} takes one double-quoted string")
            value = texts[0]
            pattern = {"IS": "{}", "CONTAIN": "%{}%", "START_WITH": "{}%", "END_WITH": "%{}"}[base]
            escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            self.params.append(pattern.format(escaped))
            # N/query string filters ignore case (UNCONFIRMED for IS).
            sql = f"{fld.sql} LIKE ? ESCAPE '\\'"
        else:
            sql = self._number_condition(fld, base, texts)
        return f"NOT COALESCE({sql}, 0)" if negate else sql

    def _number_condition(self, fld: Field, base: str, texts: list[str]) -> str:
        try:
            numbers = [float(t) if "." in t else int(t) for t in texts]
        except ValueError:
            raise InvalidRecordQuery(f"{fld.name} takes numbers") from None
        arity = {"BETWEEN": 2, "WITHIN": 2, "ANY_OF": None}.get(base, 1)
        if (arity is not None and len(numbers) != arity) or not numbers:
            raise InvalidRecordQuery(f"{base} takes {arity or 'one or more'} values")
        self.params.extend(numbers)
        if base in ("BETWEEN", "WITHIN"):
            return f"{fld.sql} BETWEEN ? AND ?"
        if base == "ANY_OF":
            return f"{fld.sql} IN ({', '.join('?' for _ in numbers)})"
        return f"{fld.sql} {dict(EQUAL='=', GREATER='>', GREATER_OR_EQUAL='>=', LESS='<', LESS_OR_EQUAL='<=')[base]} ?"

    def _date_condition(self, fld: Field, base: str, texts: list[str]) -> str:
        if len(texts) != 1:
            raise InvalidRecordQuery(f"{base} takes one date")
        moment, has_time = self.dates.read(texts[0])
        if base == "ON":
            span = timedelta(minutes=1) if has_time else timedelta(days=1)
            self.params.extend([_iso(moment), _iso(moment + span)])
            return f"({fld.sql} >= ? AND {fld.sql} < ?)"
        self.params.append(_iso(moment))
        return f"{fld.sql} {dict(AFTER='>', BEFORE='<', ON_OR_AFTER='>=', ON_OR_BEFORE='<=')[base]} ?"


# --- rendering ---------------------------------------------------------------------------------------------------
def iso_z(value) -> str | None:
    return None if value is None else f"{str(value)[:10]}T{str(value)[11:19]}Z"


def ref(id_, name) -> dict | None:
    return None if id_ is None else {"id": str(id_), "refName": name}


def _bool(value) -> bool | None:
    return None if value is None else value == "T"


def collection_href(base: str, path: str, limit: int, offset: int, q: str | None) -> str:
    qs = f"?limit={limit}&offset={offset}"
    if q:
        qs += "&q=" + quote(q, safe="")
    return base + path + qs


class RecordLister:
    def __init__(self, db: Database) -> None:
        self.db = db

    def ids(self, rtype: RecordType, condition: str, params: list, limit: int, offset: int) -> tuple[int, list[int]]:
        if rtype.table is None:
            return 0, []
        table = f'"{rtype.table}"'
        where = f"({rtype.where}) AND ({condition})" if condition else rtype.where
        total = self.db.select(f"SELECT COUNT(*) AS n FROM {table} r WHERE {where}", params)[0]["n"]
        rows = self.db.select(f"SELECT r.id AS id FROM {table} r WHERE {where} ORDER BY r.id LIMIT ? OFFSET ?",
                              [*params, limit, offset])
        return total, [r["id"] for r in rows]

    def row(self, rtype: RecordType, ref_: str) -> dict:
        if rtype.table is None:
            raise NonexistentId()
        if ref_.startswith("eid:"):
            rows = self.db.select(f'SELECT * FROM "{rtype.table}" r WHERE ({rtype.where}) AND r.externalid = ?',
                                  (ref_[4:],))
        elif ref_.isdigit():
            rows = self.db.select(f'SELECT * FROM "{rtype.table}" r WHERE ({rtype.where}) AND r.id = ?', (int(ref_),))
        else:
            rows = []
        if not rows:
            raise NonexistentId()
        return rows[0]

    # Records the emulator renders here; sales orders and fulfillments come from records.py.
    def inventory_item(self, row: dict, href: str, expand: bool) -> dict:
        db = self.db
        locations = None
        if expand:
            locations = [{k: v for k, v in {
                "links": [], "location": ref(s["location"], db.name_of("location", s["location"])),
                "locationId": ref(s["location"], db.name_of("location", s["location"])),
                "quantityOnHand": float(s["quantityonhand"]), "quantityAvailable": float(s["quantityavailable"]),
                "quantityCommitted": float(s["quantitycommitted"]), "quantityOnOrder": float(s["quantityonorder"]),
                "quantityBackOrdered": float(s["quantitybackordered"])}.items() if v is not None}
                for s in db.select("SELECT * FROM inventoryitemlocations WHERE item = ? ORDER BY location",
                                   (row["id"],))]
        body = {"links": [{"rel": "self", "href": href}], "id": str(row["id"]), "itemId": row["itemid"],
                "displayName": row["displayname"], "upcCode": row["upccode"], "externalId": row["externalid"],
                "isInactive": _bool(row["isinactive"]), "itemType": {"id": "InvtPart", "refName": "InvtPart"},
                "basePrice": row["baseprice"], "weight": row["weight"], "weightUnit": row["weightunit"],
                "createdDate": iso_z(row["createddate"]), "lastModifiedDate": iso_z(row["lastmodifieddate"]),
                "totalQuantityOnHand": None if row["totalquantityonhand"] is None else float(row["totalquantityonhand"]),
                "assetAccount": ref(row["assetaccount"], db.name_of("account", row["assetaccount"]))
                if row["assetaccount"] else None,
                "cogsAccount": ref(row["cogsaccount"], db.name_of("account", row["cogsaccount"]))
                if row["cogsaccount"] else None,
                "incomeAccount": ref(row["incomeaccount"], db.name_of("account", row["incomeaccount"]))
                if row["incomeaccount"] else None,
                "subsidiary": _subsidiaries(db, href, row["subsidiary"]),
                "locations": _sublist(f"{href}/locations", locations)}
        return {k: v for k, v in body.items() if v is not None}

    def customer(self, row: dict, href: str, expand: bool) -> dict:
        db = self.db
        body = {"links": [{"rel": "self", "href": href}], "id": str(row["id"]), "entityId": row["entityid"],
                "companyName": row["companyname"], "email": row["email"], "phone": row["phone"],
                "externalId": row["externalid"], "isInactive": _bool(row["isinactive"]),
                "isPerson": _bool(row["isperson"]), "dateCreated": iso_z(row["datecreated"]),
                "lastModifiedDate": iso_z(row["lastmodifieddate"]),
                "subsidiary": ref(row["subsidiary"], db.name_of("subsidiary", row["subsidiary"]))
                if row["subsidiary"] else None}
        return {k: v for k, v in body.items() if v is not None}

    def location(self, row: dict, href: str, expand: bool) -> dict:
        body = {"links": [{"rel": "self", "href": href}], "id": str(row["id"]), "name": row["name"],
                "externalId": row["externalid"], "isInactive": _bool(row["isinactive"]),
                "makeInventoryAvailable": _bool(row["makeinventoryavailable"]),
                "subsidiary": _subsidiaries(self.db, href, row["subsidiary"])}
        return {k: v for k, v in body.items() if v is not None}


def _sublist(href: str, lines: list[dict] | None) -> dict:
    if lines is None:
        return {"links": [{"rel": "self", "href": href}]}
    return {"links": [{"rel": "self", "href": href}], "items": lines, "totalResults": len(lines),
            "count": len(lines), "hasMore": False, "offset": 0}


def _subsidiaries(db: Database, href: str, value) -> dict | None:
    """Item and location subsidiary is a multi-select: a collection of references in REST."""
    if not value:
        return None
    items = [ref(int(s), db.name_of("subsidiary", int(s))) for s in str(value).split(",") if s.strip()]
    return {"links": [{"rel": "self", "href": f"{href}/subsidiary"}], "items": items, "totalResults": len(items),
            "count": len(items), "hasMore": False, "offset": 0}


# --- metadata catalog ----------------------------------------------------------------------------------------------
META = "/services/rest/record/v1/metadata-catalog"
NS_LINK_SCHEMA = {"type": "object", "properties": {
    "rel": {"title": "Relationship", "type": "string"}, "href": {"title": "Hyperlink", "type": "string"}}}
NS_RESOURCE_SCHEMA = {"type": "object", "properties": {
    "id": {"title": "Internal identifier", "type": "string"},
    "refName": {"title": "Reference Name", "type": "string"},
    "externalId": {"title": "External identifier", "type": "string"},
    "links": {"title": "Links", "type": "array", "readOnly": True, "items": {"$ref": f"{META}/nsLink"}}}}
EXTRA_PROPERTIES = {
    "salesOrder": {"otherRefNum": "string", "status": "ref", "orderStatus": "ref"},
    "itemFulfillment": {"shipStatus": "ref"},
    "inventoryItem": {"itemType": "ref", "basePrice": "float", "weight": "float", "weightUnit": "string",
                      "assetAccount": "ref", "cogsAccount": "ref", "incomeAccount": "ref", "subsidiary": "collection"},
    "location": {"subsidiary": "collection"},
}


def json_schema(rtype: RecordType) -> dict:
    """The record's JSON Schema as `metadata-catalog/<type>` answers it under Accept: application/schema+json:
    `properties` with title/type/format, `x-ns-filterable` on fields `q` takes, references as `$ref` to another
    catalog entry, sublists as objects with `items` (shape from NetSuite's catalog as Airbyte's source reads it;
    exact per-field flags UNCONFIRMED)."""
    props: dict[str, dict] = {"links": {"title": "Links", "type": "array", "readOnly": True,
                                        "items": {"$ref": f"{META}/nsLink"}}}
    for f in rtype.fields:
        json_type, fmt = JSON_TYPES[f.kind]
        prop = {"title": f.title, "type": json_type, "x-ns-filterable": True, "nullable": True}
        if f.kind == "ref":
            prop = {"title": f.title, "type": "object", "$ref": f"{META}/nsResource", "x-ns-filterable": True}
        if fmt:
            prop["format"] = fmt
        if f.kind == "number" and f.name != "id":
            prop = {"title": f.title, "type": "number", "format": "double", "x-ns-filterable": True, "nullable": True}
        props[f.name] = prop
    props["id"] = {"title": "Internal ID", "type": "string", "x-ns-filterable": True}
    for name, kind in EXTRA_PROPERTIES.get(rtype.name, {}).items():
        if kind == "ref":
            props[name] = {"title": name, "type": "object", "$ref": f"{META}/nsResource"}
        elif kind == "collection":
            props[name] = {"title": name, "type": "object", "properties": {
                "items": {"type": "array", "items": {"$ref": f"{META}/nsResource"}},
                "links": {"type": "array", "readOnly": True, "items": {"$ref": f"{META}/nsLink"}}}}
        else:
            props[name] = {"title": name, "type": "number" if kind == "float" else kind, "nullable": True}
    for sub in rtype.sublists:
        props[sub] = {"title": sub, "type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object"}},
            "links": {"type": "array", "readOnly": True, "items": {"$ref": f"{META}/nsLink"}},
            "totalResults": {"type": "integer"}, "count": {"type": "integer"}, "hasMore": {"type": "boolean"},
            "offset": {"type": "integer"}}}
    return {"type": "object", "properties": props, "title": rtype.title}


def catalog_list(base: str) -> dict:
    items = []
    for key, rtype in sorted(RECORD_TYPES.items()):
        href = f"{base}{META}/{key}"
        items.append({"name": key, "links": [
            {"rel": "canonical", "href": href, "mediaType": "application/json"},
            {"rel": "alternate", "href": href, "mediaType": "application/swagger+json"},
            {"rel": "alternate", "href": href, "mediaType": "application/schema+json"},
            {"rel": "describes", "href": f"{base}/services/rest/record/v1/{key}"}]})
    return {"items": items, "links": [{"rel": "self", "href": f"{base}{META}"}]}


def openapi(rtype: RecordType, base: str) -> dict:
    """Without Accept: application/schema+json the catalog answers OpenAPI 3 (only the schema part here)."""
    return {"openapi": "3.0.1", "info": {"title": "NetSuite REST Record API", "version": "v1"},
            "servers": [{"url": f"{base}/services/rest/record/v1"}],
            "components": {"schemas": {rtype.name: json_schema(rtype)}}}


__all__ = ["RECORD_TYPES", "RecordLister", "QueryCompiler", "DateReader", "record_type", "json_schema",
           "catalog_list", "openapi", "collection_href", "NS_LINK_SCHEMA", "NS_RESOURCE_SCHEMA", "STATUS_NAMES"]
