"""Warehouse names by id, as ShipStation's warehouse list gives them: read once, at the first warehouse asked for,
and again only after `max_age` (the relay's)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from shipstation_lib.client import ShipStationClient
from shipstation_lib.errors import BadAnswer
from shipstation_lib.warehouse_names import WarehouseNames

V1_LIST = [{"warehouseId": 200001, "warehouseName": "Main Warehouse"}, {"warehouseId": 200002, "warehouseName": " "}]
V2_LIST = {"warehouses": [{"warehouse_id": "se-200001", "name": "Main Warehouse"},
                          {"warehouse_id": "se-200003", "name": "NJ Warehouse"}]}


class Scripted(ShipStationClient):
    def __init__(self, version: str, answer) -> None:
        creds = {"api_version": version, "api_key": "k", "api_secret": "s"}
        super().__init__({"credentials": creds, "base_url": "https://api.shipstation.test"})
        self.answer, self.asked = answer, []

    def _json(self, url, params):
        self.asked.append(urlsplit(url).path)
        return self.answer


def test_v1_names_by_id_read_once_at_the_first_warehouse_asked_for():
    client = Scripted("v1", V1_LIST)
    names = WarehouseNames(client)
    assert names.name({"shipment_id": "1", "warehouse_id": None})["warehouse_name"] is None
    assert client.asked == []  # a shipment without a warehouse costs no call
    assert names.name_of("200001") == "Main Warehouse"
    assert names.name_of(200002) is None  # a blank name is no name
    assert names.name_of("999") is None
    assert client.asked == ["/warehouses"]


def test_v2_names_and_a_long_lived_reader_reads_the_list_again_after_max_age(monkeypatch):
    client = Scripted("v2", V2_LIST)
    clock = [1000.0]
    monkeypatch.setattr("shipstation_lib.warehouse_names.time.monotonic", lambda: clock[0])
    names = WarehouseNames(client, max_age=600)
    assert names.name({"warehouse_id": "se-200003"})["warehouse_name"] == "NJ Warehouse"
    clock[0] += 599
    assert names.name_of("se-200001") == "Main Warehouse"
    assert client.asked == ["/v2/warehouses"]
    clock[0] += 2
    assert names.name_of("se-200001") == "Main Warehouse"
    assert client.asked == ["/v2/warehouses", "/v2/warehouses"]


def test_an_answer_without_the_list_is_an_error_naming_the_request():
    with pytest.raises(BadAnswer, match="GET /v2/warehouses"):
        WarehouseNames(Scripted("v2", {"items": []})).name_of("se-1")
