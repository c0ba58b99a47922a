"""Account features, switched per emulated account as NetSuite's Setup > Company > Enable Features switches them.

Feature ids are NetSuite's (the ids `runtime.isFeatureInEffect` and SDF account configuration take; MULTILOCINVT
is seen in oracle/netsuite-suitecloud-sdk#757). Each feature exposes SuiteQL tables and columns; while it is off,
SuiteQL refuses them as it refuses what an account does not have (README "Account features"). All start off, and
with all of them off the emulator answers as it did before features existed.
"""
from __future__ import annotations

MULTILOCINVT = "MULTILOCINVT"
LOTS = "LOTNUMBEREDINVENTORY"
SERIALS = "SERIALIZEDINVENTORY"
BINS = "BINMANAGEMENT"
ADVBINS = "ADVBINSERIALLOTMGMT"
ONEWORLD = "SUBSIDIARIES"
UNITS = "UNITSOFMEASURE"
FEATURES = (MULTILOCINVT, LOTS, SERIALS, BINS, ADVBINS, ONEWORLD, UNITS)
ALIASES = {"multilocation": MULTILOCINVT, "lots": LOTS, "serials": SERIALS, "bins": BINS, "advancedbins": ADVBINS,
           "oneworld": ONEWORLD, "units": UNITS}
# Lots, serials and bins are emulated only with Advanced Bin / Numbered Inventory Management (the inventory detail
# subrecord, O: section_N3744760.html); the legacy text fields on the line are not.
NEEDS_ADVBINS = (LOTS, SERIALS, BINS)

# SuiteQL tables a feature exposes: the table is served while any of its features is on.
TABLE_FEATURES: dict[str, tuple[str, ...]] = {
    "inventorynumber": (LOTS, SERIALS), "inventorynumberlocation": (LOTS, SERIALS),
    "inventorybalance": (ADVBINS,), "inventoryassignment": (ADVBINS,),
    "bin": (BINS,), "itembinquantity": (BINS,),
    "unitstype": (UNITS,), "unitstypeuom": (UNITS,),
}
# Tables every account has once seeded (kits and groups need no feature).
ALWAYS_TABLES = frozenset({"itemmember"})
# Columns a feature exposes on tables every account has.
COLUMN_FEATURES: dict[tuple[str, str], tuple[str, ...]] = {
    ("item", "islotitem"): (LOTS,), ("item", "isserialitem"): (SERIALS,), ("item", "usebins"): (BINS,),
    ("item", "unitstype"): (UNITS,), ("item", "saleunit"): (UNITS,), ("item", "stockunit"): (UNITS,),
    ("item", "purchaseunit"): (UNITS,), ("location", "usesbins"): (BINS,), ("transactionline", "units"): (UNITS,),
}


def feature_id(name: str) -> str:
    fid = ALIASES.get(name, name.upper() if name.upper() in FEATURES else None)
    if fid is None:
        raise ValueError(f"unknown feature {name!r}: use one of {', '.join(FEATURES)} or {', '.join(ALIASES)}")
    return fid


class AccountFeatures:
    """Which features are on. Lives on the Database, so a reset switches everything off with the data."""

    def __init__(self) -> None:
        self.enabled: set[str] = set()

    def on(self, fid: str) -> bool:
        return fid in self.enabled

    def any_on(self, fids) -> bool:
        return any(f in self.enabled for f in fids)

    def frozen(self) -> frozenset[str]:
        return frozenset(self.enabled)

    def describe(self) -> dict:
        return {"features": {f: f in self.enabled for f in FEATURES}}

    def apply(self, changes: dict, in_use) -> None:
        """Switch features as asked; `in_use(fid)` names what seeded data uses a feature (refuse turning it off)."""
        wanted = {}
        for name, value in changes.items():
            if not isinstance(value, bool):
                raise ValueError(f"feature {name!r} must be true or false")
            wanted[feature_id(name)] = value
        result = set(self.enabled)
        for fid, value in wanted.items():
            (result.add if value else result.discard)(fid)
        for fid in NEEDS_ADVBINS:
            if fid in result and ADVBINS not in result:
                if wanted.get(ADVBINS) is False:
                    raise ValueError(f"{fid} is emulated only with {ADVBINS} (Advanced Bin / Numbered Inventory "
                                     "Management) on; the legacy mode is not emulated")
                result.add(ADVBINS)
        for fid in self.enabled - result:
            use = in_use(fid)
            if use:
                raise ValueError(f"cannot switch {fid} off: {use} uses it")
        self.enabled = result


def hidden_for(enabled: frozenset[str]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """(tables, (table, column) pairs) SuiteQL must refuse for this set of enabled features."""
    tables = frozenset(t for t, fids in TABLE_FEATURES.items() if not any(f in enabled for f in fids))
    columns = frozenset(c for c, fids in COLUMN_FEATURES.items() if not any(f in enabled for f in fids))
    return tables, columns
