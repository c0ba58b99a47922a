"""For tests that drive the ShipStation emulator through its control plane (/__emulator/): set up what ShipStation
would hold, and read back what the emulator counted. The control-plane call itself is the emulator testkit's."""
from __future__ import annotations

from emulators.shipstation.testkit import control, order_numbers

__all__ = ["control", "order_numbers", "stats"]


def stats(emulator) -> dict:
    return control(emulator, "stats", method="GET")
