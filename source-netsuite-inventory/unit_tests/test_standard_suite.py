"""The CDK's standard source suite (spec, check, discover, read), run against a NetSuite emulator."""
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from emulators.suites import netsuite_scenarios

CONNECTOR_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def netsuite_emulator():
    with netsuite_scenarios(CONNECTOR_ROOT, items=12, locations=2, customers=3, orders=2) as emulator:
        yield emulator


class TestSourceNetsuiteInventory(SourceTestSuiteBase):
    pass
