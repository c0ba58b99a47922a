"""The CDK's standard source suite (spec, check, discover, read), run against a ShipStation emulator, v1 and v2."""
from pathlib import Path

import pytest
import requests
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from emulators.suites import shipstation_scenarios

CONNECTOR_ROOT = Path(__file__).resolve().parents[1]


def ship_two_orders(emulator) -> None:
    # Every stream must have records for the basic read: shipments, labels and fulfillments need a shipped order.
    state = requests.get(f"{emulator.base_url}/__emulator/state", timeout=10).json()
    numbers = [order["order_number"] for order in state["orders"]][:2]
    requests.post(f"{emulator.base_url}/__emulator/labels", json={"order_number": numbers[0]},
                  timeout=10).raise_for_status()
    requests.post(f"{emulator.base_url}/__emulator/mark-shipped",
                  json={"order_number": numbers[1], "carrier_code": "ups", "tracking_number": "1Z999"},
                  timeout=10).raise_for_status()


@pytest.fixture(scope="module", autouse=True)
def shipstation_emulator():
    with shipstation_scenarios(CONNECTOR_ROOT, prepare=ship_two_orders, items=6, locations=2, customers=3,
                               orders=4) as emulator:
        yield emulator


class TestSourceShipstation(SourceTestSuiteBase):
    pass
