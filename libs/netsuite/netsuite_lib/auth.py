"""The two ways a NetSuite integration logs in: token-based auth (OAuth 1.0a) and OAuth 2.0 client credentials.

Both are requests auth objects that sign in `__call__`, so every retry of a request is signed afresh (a
re-sent TBA signature is refused as a reused nonce).
"""
from __future__ import annotations

import threading
import time
import uuid

import jwt
import requests
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets
from requests_oauthlib import OAuth1

from .account import NetSuiteAccount
from .errors import LoginRejected, Unreachable, classify

TOKEN_BASED = "token_based"
CLIENT_CREDENTIALS = "oauth2_client_credentials"
ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
ASSERTION_LIFETIME_S = 300
# Renew a bearer token this long before NetSuite says it expires, so no request carries a dying token.
TOKEN_RENEW_MARGIN_S = 120


def token_based_auth(credentials: dict, account: NetSuiteAccount) -> OAuth1:
    return OAuth1(
        client_key=credentials["consumer_key"],
        client_secret=credentials["consumer_secret"],
        resource_owner_key=credentials["token_id"],
        resource_owner_secret=credentials["token_secret"],
        realm=account.realm,
        signature_method="HMAC-SHA256",
    )


def normalize_private_key(pem: str) -> str:
    # Keys pasted into a single-line form field arrive with literal "\n".
    return pem.strip().replace("\\n", "\n")


class ClientCredentialsAuth(requests.auth.AuthBase):
    """OAuth 2.0 M2M: a JWT assertion signed with the certificate's private key buys a 60-minute bearer token.

    The token is cached for its lifetime and shared by all threads; `refresh_and_set_access_token` is what the
    CDK's HTTP client calls when NetSuite answers 401, so an expired or revoked token is renewed once.
    """

    def __init__(self, credentials: dict, account: NetSuiteAccount, clock=time.time, timeout: float = 30) -> None:
        algorithm = credentials.get("algorithm", "PS256")
        if algorithm not in ALGORITHMS:
            raise ValueError(f"Algorithm {algorithm} is not accepted by NetSuite; use one of {', '.join(ALGORITHMS)}.")
        self._client_id = credentials["client_id"]
        self._certificate_id = credentials["certificate_id"]
        self._private_key = normalize_private_key(credentials["private_key"])
        self._algorithm = algorithm
        self._account = account
        self._clock = clock
        self._timeout = timeout
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.tokens_issued = 0

    def _assertion(self) -> str:
        now = int(self._clock())
        claims = {"iss": self._client_id, "scope": "rest_webservices", "aud": self._account.token_url,
                  "iat": now, "exp": now + ASSERTION_LIFETIME_S, "jti": uuid.uuid4().hex}
        try:
            return jwt.encode(claims, self._private_key, algorithm=self._algorithm,
                              headers={"kid": self._certificate_id, "typ": "JWT"})
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise LoginRejected(
                f"The private key could not sign a {self._algorithm} assertion ({type(exc).__name__}). Paste the "
                "whole PEM private key of the certificate uploaded to NetSuite; PS algorithms need an RSA key, "
                "ES algorithms an EC key.") from None

    def refresh_and_set_access_token(self) -> None:
        form = {"grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": self._assertion()}
        try:
            response = requests.post(self._account.token_url, data=form, timeout=self._timeout)
        except requests.RequestException as exc:
            raise Unreachable(f"NetSuite's token endpoint could not be reached ({type(exc).__name__}).") from None
        if response.status_code != 200:
            error = classify(response, "OAuth 2.0 client credentials")
            if response.status_code in (400, 401):
                error = LoginRejected(
                    "NetSuite refused the OAuth 2.0 client credentials: check the client id (Consumer Key of the "
                    "integration record), the certificate id, that the private key belongs to the certificate "
                    "mapped under Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) "
                    "Setup, and that the mapping's role has 'REST Web Services' and 'Log in using OAuth 2.0 Access "
                    "Tokens'.", response.status_code, error.code)
            raise error
        body = response.json()
        # The CDK masks registered secrets in every log line it writes, debug request logs included.
        add_to_secrets(body["access_token"])
        lifetime = float(body.get("expires_in", 3600))  # NetSuite sends a string: "3600"
        with self._lock:
            self._token = body["access_token"]
            self._expires_at = self._clock() + lifetime - TOKEN_RENEW_MARGIN_S
            self.tokens_issued += 1

    def _current_token(self) -> str:
        with self._lock:
            if self._token and self._clock() < self._expires_at:
                return self._token
        self.refresh_and_set_access_token()
        with self._lock:
            return self._token  # type: ignore[return-value]

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._current_token()}"
        return request


def build_auth(credentials: dict, account: NetSuiteAccount):
    kind = credentials.get("auth_type")
    if kind == TOKEN_BASED:
        return token_based_auth(credentials, account)
    if kind == CLIENT_CREDENTIALS:
        return ClientCredentialsAuth(credentials, account)
    raise ValueError(f"Unknown NetSuite auth type {kind!r}; expected '{TOKEN_BASED}' or '{CLIENT_CREDENTIALS}'.")
