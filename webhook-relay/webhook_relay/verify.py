"""Is this call really from ShipStation, and may the merchant's key be sent where it points?

v1 webhooks are unsigned: the proof is a long secret in the target URL, compared in constant time.
v2 webhooks are signed (RSASSA-PKCS1-v1_5, SHA-256) over `<x-shipengine-timestamp>.<raw body>`, with the key
whose `kid` is `x-shipengine-rsa-sha256-key-id` in ShipStation's JWKS; timestamps more than 5 minutes off are
refused so a captured delivery cannot be replayed later.
`resource_url` is fetched with the merchant's key, so only https on ShipStation's own API hosts (or the one
configured emulator origin) passes.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("webhook_relay.verify")

KEY_ID_HEADER = "x-shipengine-rsa-sha256-key-id"
SIGNATURE_HEADER = "x-shipengine-rsa-sha256-signature"
TIMESTAMP_HEADER = "x-shipengine-timestamp"

V1_HOST = re.compile(r"ssapi\d*\.shipstation\.com")  # ssapi, ssapi6, ssapi12...: all seen live
V2_HOST = "api.shipstation.com"
# Only the resources ShipStation's notifications point at: a leaked secret must not turn the relay into a reader
# of anything else the key can see.
RESOURCE_PATHS = {"v1": {"/shipments", "/fulfillments", "/orders"},
                  "v2": {"/v2/labels", "/v2/shipments", "/v2/fulfillments"}}
MAX_RESOURCE_URL_LENGTH = 2048
# RFC 3986 characters only: a backslash, space or control character is parsed differently by different libraries.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


class Refused(Exception):
    """A call that is not accepted; `status` is the answer, `reason` is safe to log (it never holds a secret)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def v1_secret_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class Jwks:
    """ShipStation's published keys, cached. An unknown kid refreshes the set (keys rotate), but at most once per
    `min_refresh_seconds`, so forged key ids cannot make the relay hammer the JWKS endpoint."""

    def __init__(self, url: str, ttl_seconds: float = 3600, min_refresh_seconds: float = 30,
                 timeout: float = 5) -> None:
        self.url, self.ttl, self.min_refresh, self.timeout = url, ttl_seconds, min_refresh_seconds, timeout
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def key(self, kid: str) -> rsa.RSAPublicKey | None:
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if age > self.ttl or (kid not in self._keys and age > self.min_refresh):
                self._refresh()
            return self._keys.get(kid)

    def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            answer = requests.get(self.url, timeout=self.timeout)
            answer.raise_for_status()
            keys = answer.json().get("keys", [])
        except (requests.RequestException, ValueError, AttributeError) as exc:
            log.warning("could not read the JWKS at %s: %s", self.url, type(exc).__name__)
            return
        fresh = {}
        for jwk in keys:
            # The set also holds an EC key; only RSA keys can verify these signatures.
            if isinstance(jwk, dict) and jwk.get("kty") == "RSA" and jwk.get("kid"):
                try:
                    fresh[jwk["kid"]] = RSAAlgorithm.from_jwk(jwk)
                except Exception:  # one malformed key must not hide the good ones
                    log.warning("skipped a malformed key %s in the JWKS", jwk.get("kid"))
        self._keys = fresh


def verify_v2(headers, body: bytes, jwks: Jwks, max_skew_seconds: float = 300, now: float | None = None) -> None:
    """Raise Refused unless the signature headers prove ShipStation sent exactly this body recently.
    Answers follow ShipStation's guide: no signature headers 404, stale timestamp 400, bad signature 401."""
    kid, signature, stamp = (headers.get(KEY_ID_HEADER), headers.get(SIGNATURE_HEADER), headers.get(TIMESTAMP_HEADER))
    if not (kid and signature and stamp):
        raise Refused(404, "v2 call without signature headers")
    sent = parse_timestamp(stamp)
    if sent is None:
        raise Refused(400, "v2 call with an unreadable timestamp")
    if abs((time.time() if now is None else now) - sent) > max_skew_seconds:
        raise Refused(400, "v2 call with a timestamp more than the allowed skew away from now")
    key = jwks.key(kid)
    if key is None:
        raise Refused(401, "v2 call signed with a key id that is not in the JWKS")
    try:
        raw_signature = base64.b64decode(signature, validate=True)
        key.verify(raw_signature, stamp.encode("utf-8") + b"." + body, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        raise Refused(401, "v2 call whose signature does not verify") from None


def parse_timestamp(stamp: str) -> float | None:
    """ISO 8601 (what captures show) or epoch seconds, as epoch seconds."""
    try:
        if re.fullmatch(r"\d{9,11}(\.\d+)?", stamp):
            return float(stamp)
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if parsed.tzinfo is None:  # ShipStation's v2 stamps are UTC
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class AllowedResource:
    api: str
    origin: str  # scheme://host[:port], rebuilt from the parsed parts, never the raw string
    path_and_query: str


class ResourcePolicy:
    """Where the merchant's key may go: https on ShipStation's API hosts, or exactly the configured emulator."""

    def __init__(self, emulator_origin: str | None = None) -> None:
        self.emulator = urlsplit(emulator_origin) if emulator_origin else None

    def check(self, api: str, url: object) -> AllowedResource:
        if not isinstance(url, str) or not url or len(url) > MAX_RESOURCE_URL_LENGTH:
            raise Refused(400, "resource_url missing or too long")
        if not _URL_CHARACTERS.fullmatch(url):
            raise Refused(400, "resource_url holds characters outside RFC 3986")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise Refused(400, "resource_url cannot be parsed") from None
        host = parts.hostname or ""
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            raise Refused(400, "resource_url carries user info")
        if self._is_emulator(parts, host, port):
            origin = f"{parts.scheme}://{host}:{port}" if port else f"{parts.scheme}://{host}"
        else:
            if parts.scheme != "https":
                raise Refused(400, "resource_url is not https")
            if port not in (None, 443):
                raise Refused(400, "resource_url names a port other than 443")
            genuine = V1_HOST.fullmatch(host) if api == "v1" else host == V2_HOST
            if not genuine:
                raise Refused(400, f"resource_url host is not a ShipStation {api} API host")
            origin = f"https://{host}"
        if parts.path not in RESOURCE_PATHS[api]:
            raise Refused(400, f"resource_url path is not a {api} shipment, fulfillment or order list")
        if parts.fragment:
            raise Refused(400, "resource_url carries a fragment")
        query = f"?{parts.query}" if parts.query else ""
        return AllowedResource(api, origin, parts.path + query)

    def _is_emulator(self, parts, host: str, port: int | None) -> bool:
        e = self.emulator
        return bool(e) and parts.scheme == e.scheme and host == (e.hostname or "") and port == e.port
