"""One NetSuite account's state: credentials, role permissions, nonces, bearer tokens, the login audit trail,
the concurrency counter, and the records (database.py). Rules that need no HTTP live here or in records.py.
"""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from emulators.common.clock import Clock
from emulators.common.faults import FaultInjector
from emulators.common.merchant import generate_merchant

from .database import Database
from .suiteql import SuiteQLTranslator

PERMISSION_REST = "REST Web Services"
PERMISSION_TOKENS = "Log in using Access Tokens"
TABLE_PERMISSIONS = ("transaction", "transactionline", "item", "inventoryitemlocations", "location", "customer",
                     "subsidiary", "account",
                     # Account features' tables (account_features.py), each its own grant so a test can take one away.
                     "itemmember", "inventorynumber", "inventorynumberlocation", "inventorybalance",
                     "inventoryassignment", "bin", "itembinquantity", "unitstype", "unitstypeuom")
DEFAULT_PERMISSIONS = frozenset({PERMISSION_REST, PERMISSION_TOKENS, *TABLE_PERMISSIONS})

TIMESTAMP_TOLERANCE_S = 300  # TBA timestamps more than 5 minutes off are refused
BEARER_LIFETIME_S = 3600
MAX_NONCES = 200_000


def realm_of(account_id: str) -> str:
    return account_id.replace("-", "_").upper()


@dataclass
class Credentials:
    consumer_key: str = field(default_factory=lambda: secrets.token_hex(32))
    consumer_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    token_id: str = field(default_factory=lambda: secrets.token_hex(32))
    token_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    client_id: str = field(default_factory=lambda: secrets.token_hex(32))
    certificate_id: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    private_key_pem: str = ""
    algorithm: str = "ES256"

    def __post_init__(self) -> None:
        if not self.private_key_pem:
            # The emulator keeps the private half only to hand it out to tests and the demo.
            key = ec.generate_private_key(ec.SECP256R1())
            self.private_key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()).decode()

    def public_key_pem(self) -> str:
        key = serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)
        return key.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class NonceRegistry:
    """(nonce, timestamp) pairs seen recently; older pairs expire since their timestamps are refused anyway."""

    def __init__(self) -> None:
        self._seen: OrderedDict[tuple[str, int], float] = OrderedDict()
        self._lock = threading.Lock()

    def use(self, nonce: str, timestamp: int, now: float) -> bool:
        """Records the pair; False if it was already used."""
        with self._lock:
            while self._seen:
                (oldest_key, seen_at) = next(iter(self._seen.items()))
                if seen_at < now - 2 * TIMESTAMP_TOLERANCE_S or len(self._seen) > MAX_NONCES:
                    self._seen.popitem(last=False)
                else:
                    break
            key = (nonce, timestamp)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


@dataclass
class LoginAttempt:
    at: float
    scheme: str  # TBA, OAuth2, Bearer
    status: str  # Success / Failure
    reason: str
    note: str = ""


class ConcurrencyGate:
    """In-flight API requests of the account; asyncio handlers awaiting latency stay counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self.max_in_flight = 0
        self.rejected = 0
        self._lock = threading.Lock()

    def try_enter(self) -> bool:
        with self._lock:
            if self.in_flight >= self.limit:
                self.rejected += 1
                return False
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


class NetSuiteBackend:
    def __init__(self, account_id: str = "1234567", seed: int = 1, items: int = 20, locations: int = 3,
                 customers: int = 10, orders: int = 10, concurrency_limit: int = 5, latency_ms: float = 0,
                 credentials: Credentials | None = None, clock: Clock | None = None) -> None:
        self.account_id = realm_of(account_id)  # "1234567-sb1" and "1234567_SB1" name the same account
        self.realm = realm_of(account_id)
        self.clock = clock or Clock()
        self.credentials = credentials or Credentials()
        # kid -> public key PEM; the generated certificate first, tests may register an RSA key for PS256.
        self.certificates: dict[str, str] = {self.credentials.certificate_id: self.credentials.public_key_pem()}
        self.permissions: set[str] = set(DEFAULT_PERMISSIONS)
        self.token_revoked = False
        self.integration_revoked = False
        self.nonces = NonceRegistry()
        self.bearer_tokens: dict[str, float] = {}  # token -> expiry on the emulator clock
        self.login_audit: deque[LoginAttempt] = deque(maxlen=10_000)
        self.gate = ConcurrencyGate(concurrency_limit)
        self.injector = FaultInjector()
        self.injector.set_latency(latency_ms)
        self.translator = SuiteQLTranslator()
        # Set Preferences: the date format SuiteQL answers in and record-collection `q` dates are read in; the
        # time zone those dates are read in (UTC here, so SuiteQL literals and q literals agree).
        self.date_format = "D/M/YYYY"
        self.time_zone = "UTC"
        self.query_errors: deque[dict] = deque(maxlen=1000)
        self.requests_served = 0
        self.responses_429 = 0
        self._lock = threading.Lock()
        self.reset(seed=seed, items=items, locations=locations, customers=customers, orders=orders)

    def reset(self, seed: int = 1, items: int = 20, locations: int = 3, customers: int = 10, orders: int = 10) -> None:
        """New records from the merchant generator; credentials stay, so a running client keeps working."""
        merchant = generate_merchant(seed=seed, items=items, locations=locations, customers=customers,
                                     orders=orders, account_id=self.account_id)
        self.merchant = merchant
        self.db = Database(merchant)

    # --- audit -------------------------------------------------------------------------------------------
    def audit(self, scheme: str, reason: str, note: str = "", success: bool = False) -> None:
        self.login_audit.append(LoginAttempt(self.clock.now(), scheme, "Success" if success else "Failure",
                                             reason, note))

    def audit_entries(self) -> list[dict]:
        return [vars(a).copy() for a in list(self.login_audit)]

    def note_query_error(self, query: str, err) -> None:
        """What the emulator found wrong with a refused SuiteQL or q, for the control plane only: NetSuite's own
        answer often says no more than "Invalid or unsupported search."."""
        self.query_errors.append({"at": self.clock.now(), "q": query, "detail": err.detail, "reason": err.reason})

    # --- bearer tokens -------------------------------------------------------------------------------------
    def issue_bearer(self) -> str:
        token = secrets.token_urlsafe(48)
        with self._lock:
            now = self.clock.now()
            # Forget long-expired tokens so the map stays small.
            for old in [t for t, exp in self.bearer_tokens.items() if exp < now - BEARER_LIFETIME_S]:
                del self.bearer_tokens[old]
            self.bearer_tokens[token] = now + BEARER_LIFETIME_S
        return token

    def expire_bearer_tokens(self) -> None:
        with self._lock:
            now = self.clock.now()
            for token in self.bearer_tokens:
                self.bearer_tokens[token] = now - 1

    def has_permission(self, name: str) -> bool:
        return name in self.permissions

    def count_request(self) -> None:
        with self._lock:
            self.requests_served += 1

    def count_429(self) -> None:
        with self._lock:
            self.responses_429 += 1

    def stats(self) -> dict:
        return {"requests_served": self.requests_served, "responses_429": self.responses_429,
                "rejected_for_concurrency": self.gate.rejected, "in_flight": self.gate.in_flight,
                "max_in_flight": self.gate.max_in_flight, "concurrency_limit": self.gate.limit,
                "faults": self.injector.describe()}
