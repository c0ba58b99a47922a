"""For tests that drive the ShipStation emulator through its control plane (/__emulator/): set up what ShipStation
would hold, and read back what the emulator counted."""
from __future__ import annotations

import requests


def control(emulator, path: str, body: dict | None = None, method: str = "POST") -> dict:
    response = requests.request(method, f"{emulator.base_url}/__emulator/{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def stats(emulator) -> dict:
    return control(emulator, "stats", method="GET")
