"""The CDK's standard destination suite (spec and check), run against a ShipStation emulator."""
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import DestinationTestSuiteBase
from emulators.suites import shipstation_scenarios

CONNECTOR_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def shipstation_emulator():
    with shipstation_scenarios(CONNECTOR_ROOT, items=4, locations=1, customers=2, orders=2) as emulator:
        yield emulator


class TestDestinationShipstationInventory(DestinationTestSuiteBase):
    pass
