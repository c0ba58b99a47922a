"""SQLite tables for the account features (README "Account features"), inserted into database.SCHEMA before its
views. Tables named as SuiteQL names them are what SuiteQL reads; `ns_*` tables are the emulator's own.

- `ns_item_feature`, `ns_location_feature`, `ns_line_feature`, `ns_transaction_feature`: feature columns beside
  the item, location, transactionline and transaction tables (whose column lists tests insert into by position);
  the suiteql_* views in database.py read them.
- `ns_detail_balance`: on-hand per item, location, bin and lot/serial number (base units) - the one source the
  `inventorybalance`, `inventorynumberlocation` and `itembinquantity` views sum.
- `ns_item_bin`: an item's preferred bin per location.
Feature-gated columns read `ns_feature('<ID>')` (database.py registers it), so `SELECT *` leaves them out (NULL)
while the feature is off.
"""

FEATURE_TABLES = """
CREATE TABLE ns_item_feature (id INTEGER PRIMARY KEY, islotitem TEXT, isserialitem TEXT, usebins TEXT,
  isfulfillable TEXT, unitstype INTEGER, saleunit INTEGER, stockunit INTEGER, purchaseunit INTEGER);
CREATE TABLE ns_location_feature (id INTEGER PRIMARY KEY, usesbins TEXT);
CREATE TABLE ns_transaction_feature (id INTEGER PRIMARY KEY, subsidiary INTEGER);
CREATE TABLE ns_line_feature ("transaction" INTEGER NOT NULL, id INTEGER NOT NULL, itemtype TEXT, units INTEGER,
  createpo TEXT, kitmemberof INTEGER, PRIMARY KEY ("transaction", id));
CREATE TABLE itemmember (id INTEGER PRIMARY KEY, parentitem INTEGER NOT NULL, item INTEGER NOT NULL,
  quantity INTEGER NOT NULL);
CREATE TABLE inventorynumber (id INTEGER PRIMARY KEY, inventorynumber TEXT NOT NULL, item INTEGER NOT NULL,
  expirationdate NSDATETIME);
CREATE TABLE bin (id INTEGER PRIMARY KEY, binnumber TEXT NOT NULL, location INTEGER NOT NULL, isinactive TEXT);
CREATE TABLE ns_item_bin (item INTEGER NOT NULL, location INTEGER NOT NULL, bin INTEGER NOT NULL,
  PRIMARY KEY (item, location));
CREATE TABLE ns_detail_balance (item INTEGER NOT NULL, location INTEGER NOT NULL, binnumber INTEGER,
  inventorynumber INTEGER, quantityonhand INTEGER NOT NULL);
CREATE INDEX detail_balance_item ON ns_detail_balance (item, location);
CREATE TABLE inventoryassignment ("transaction" INTEGER NOT NULL, transactionline INTEGER NOT NULL,
  inventorynumber INTEGER, binnumber INTEGER, quantity INTEGER NOT NULL);
CREATE TABLE unitstype (id INTEGER PRIMARY KEY, name TEXT, isinactive TEXT);
CREATE TABLE unitstypeuom (internalid INTEGER PRIMARY KEY, unitstype INTEGER NOT NULL, unitname TEXT,
  pluralname TEXT, abbreviation TEXT, pluralabbreviation TEXT, conversionrate REAL NOT NULL, baseunit TEXT);
CREATE VIEW inventorynumberlocation AS SELECT inventorynumber, location, SUM(quantityonhand) AS quantityonhand,
  SUM(quantityonhand) AS quantityavailable FROM ns_detail_balance WHERE inventorynumber IS NOT NULL
  GROUP BY inventorynumber, location;
-- Plain items (no bin, no number) appear once per location from the stock table. A balance that is nothing is
-- no row (UNCONFIRMED; inventorynumberlocation keeps its zero rows).
CREATE VIEW inventorybalance AS
  SELECT item, location, binnumber, inventorynumber, quantityonhand, quantityonhand AS quantityavailable
  FROM ns_detail_balance WHERE quantityonhand != 0
  UNION ALL
  SELECT s.item, s.location, NULL, NULL, s.quantityonhand, s.quantityavailable FROM inventoryitemlocations s
  WHERE s.quantityonhand != 0
    AND NOT EXISTS (SELECT 1 FROM ns_detail_balance d WHERE d.item = s.item AND d.location = s.location);
CREATE VIEW itembinquantity AS
  SELECT k.item AS item, k.bin AS bin, b.location AS location,
    CASE WHEN EXISTS (SELECT 1 FROM ns_item_bin p WHERE p.item = k.item AND p.bin = k.bin) THEN 'T' ELSE 'F' END
      AS preferredbin,
    COALESCE((SELECT SUM(d.quantityonhand) FROM ns_detail_balance d WHERE d.item = k.item AND d.binnumber = k.bin), 0)
      AS onhand,
    COALESCE((SELECT SUM(d.quantityonhand) FROM ns_detail_balance d WHERE d.item = k.item AND d.binnumber = k.bin), 0)
      AS onhandavail
  FROM (SELECT item, binnumber AS bin FROM ns_detail_balance WHERE binnumber IS NOT NULL
        UNION SELECT item, bin FROM ns_item_bin) k JOIN bin b ON b.id = k.bin;
"""
