"""The CDK's standard destination suite (spec and check), run against a NetSuite emulator."""
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import DestinationTestSuiteBase
from emulators.suites import netsuite_scenarios

CONNECTOR_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def netsuite_emulator():
    with netsuite_scenarios(CONNECTOR_ROOT, items=5, locations=1, customers=2, orders=2) as emulator:
        yield emulator


class TestDestinationNetsuiteFulfillment(DestinationTestSuiteBase):
    pass
