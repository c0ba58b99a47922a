"""Helpers the emulator's own tests share (integration_tests/tests/test_shipstation_emulator*.py): calls to the
control plane and to each API with the emulator's keys, and the per-test reset to the seeded account."""
from __future__ import annotations

import requests


def control(emulator, path: str, body: dict | None = None, method: str = "POST") -> dict:
    answer = requests.request(method, f"{emulator.base_url}/__emulator/{path}", json=body or {}, timeout=10)
    assert answer.status_code == 200, f"{method} /__emulator/{path}: {answer.status_code} {answer.text}"
    return answer.json()


def order_numbers(emulator) -> list[str]:
    """The order numbers the account holds, in the emulator's order."""
    return [order["order_number"] for order in control(emulator, "state", method="GET")["orders"]]


def reset(emulator) -> None:
    """The seeded account, live keys, generous limits, no faults, the Inventory add-on on."""
    control(emulator, "reset")
    creds = requests.get(f"{emulator.base_url}/__emulator/credentials").json()
    control(emulator, "credentials", {k: creds[k] for k in ("v1_api_key", "v1_api_secret", "v2_api_key")})
    control(emulator, "rate-limits", {"v1": 100000, "v2": 100000, "v2_headers": False, "window_seconds": 60,
                                      "reset_windows": True})
    control(emulator, "faults", {"rate": 0})
    control(emulator, "inventory-addon", {"enabled": True})


def v1(emulator, path: str, method: str = "GET", **kw) -> requests.Response:
    c = emulator.credentials
    url = path if path.startswith("http") else emulator.base_url + path
    return requests.request(method, url, auth=(c["v1_api_key"], c["v1_api_secret"]), **kw)


def v2(emulator, path: str, method: str = "GET", **kw) -> requests.Response:
    headers = {"API-Key": emulator.credentials["v2_api_key"], **kw.pop("headers", {})}
    url = path if path.startswith("http") else emulator.base_url + path
    return requests.request(method, url, headers=headers, **kw)


def label(emulator, order_number: str, **extra) -> dict:
    return control(emulator, "labels", {"order_number": order_number, **extra})
