"""Webhook delivery: pointer payloads posted from a background thread; v2 deliveries signed like ShipStation's.

v2 signing (D2 webhooks-validation): `x-shipengine-rsa-sha256-signature` = base64(RSASSA-PKCS1-v1_5 SHA-256 over
`<x-shipengine-timestamp>.<raw body>`), key chosen by `x-shipengine-rsa-sha256-key-id` from the JWK set, which
also holds an EC key (clients must select by kid). v1 deliveries are unsigned.
Only loopback targets are ever called: an emulator must not post to the internet.
"""
from __future__ import annotations

import base64
import ipaddress
import json
import queue
import secrets
import threading
import time
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .backend import ShipStationBackend
from .dates import utc_from_epoch

MAX_ATTEMPTS = 3
TIMEOUT_SECONDS = 5.0


class Signer:
    def __init__(self) -> None:
        self.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec_key = ec.generate_private_key(ec.SECP256R1())
        self.rsa_kid = f"emulator-rsa-{secrets.token_hex(6)}"
        self.ec_kid = f"emulator-ec-{secrets.token_hex(6)}"

    def jwks(self) -> dict:
        rsa_jwk = RSAAlgorithm.to_jwk(self.rsa_key.public_key(), as_dict=True)
        ec_jwk = ECAlgorithm.to_jwk(self.ec_key.public_key(), as_dict=True)
        # EC first, so a client that takes keys[0] instead of matching the kid fails as it would live.
        return {"keys": [{**ec_jwk, "kid": self.ec_kid, "use": "sig", "alg": "ES256"},
                         {**rsa_jwk, "kid": self.rsa_kid, "use": "sig", "alg": "RS256"}]}

    def sign(self, timestamp: str, body: bytes) -> dict[str, str]:
        signature = self.rsa_key.sign(timestamp.encode() + b"." + body, padding.PKCS1v15(), hashes.SHA256())
        return {"x-shipengine-rsa-sha256-key-id": self.rsa_kid,
                "x-shipengine-rsa-sha256-signature": base64.b64encode(signature).decode(),
                "x-shipengine-timestamp": timestamp}


def is_loopback(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https"):
            return False
        if host == "localhost":
            return True
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Dispatcher:
    """Queues deliveries and posts them from one daemon thread, so API answers never wait on a receiver."""

    def __init__(self, backend: ShipStationBackend, signer: Signer) -> None:
        self.backend, self.signer = backend, signer
        self._queue: queue.Queue = queue.Queue()
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._run, daemon=True, name="shipstation-webhooks")
        self._thread.start()
        backend.notify = self.notify

    def notify(self, api: str, event: str, resource_url: str, store_id: int | None) -> None:
        for hook in self.backend.subscribers(api, event, store_id):
            payload = {"resource_url": resource_url, "resource_type": event.upper()}
            record = {"webhook_id": hook.id, "api": api, "event": event, "url": hook.url, "payload": payload,
                      "status": "queued", "http_status": None, "attempts": 0, "error": None}
            with self.backend.lock:
                self.backend.deliveries.append(record)
            self._queue.put((hook, record))

    def _run(self) -> None:
        while True:
            hook, record = self._queue.get()
            try:
                self._deliver(hook, record)
            except Exception as exc:  # never let one bad delivery kill the thread
                record.update(status="failed", error=repr(exc))

    def _deliver(self, hook, record) -> None:
        if not is_loopback(hook.url):
            record.update(status="refused", error="the emulator only delivers to loopback URLs")
            return
        body = json.dumps(record["payload"]).encode()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            headers = {"Content-Type": "application/json", "User-Agent": "ShipStation-Emulator-Webhooks"}
            for custom in hook.headers or []:
                headers[custom["key"]] = custom["value"]
            if hook.api == "v2":
                stamp = utc_from_epoch(self.backend.clock.now()).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                headers.update(self.signer.sign(stamp, body))
            record["attempts"] = attempt
            try:
                answer = self._session.post(hook.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
                record["http_status"] = answer.status_code
                if answer.status_code < 300:
                    record.update(status="delivered", error=None)
                    return
                record["error"] = f"HTTP {answer.status_code}"
            except requests.RequestException as exc:
                record["error"] = repr(exc)
            time.sleep(0.2 * attempt)  # ShipStation waits hours between retries; the emulator a moment
        record["status"] = "failed"
