"""Authentication: TBA (OAuth 1.0a, HMAC-SHA256) on every API call, OAuth 2.0 client-credentials assertions,
and the bearer tokens they buy (reference netsuite-api.md sections 2 and 3).

Every refusal raises InvalidLogin(reason); the caller answers the one generic 401 body and writes the
reason to the login audit trail, as NetSuite does.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qsl, quote, unquote

import jwt

from .backend import (BEARER_LIFETIME_S, PERMISSION_TOKENS, TIMESTAMP_TOLERANCE_S, NetSuiteBackend)
from .errors import InvalidLogin, OAuth2Error

JWT_ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLOCK_SKEW_S = 60


def enc(value: str) -> str:
    """RFC 5849 section 3.6 percent-encoding."""
    return quote(value, safe="~-._")


def parse_oauth_header(header: str) -> dict[str, str]:
    if not header[:6].lower() == "oauth ":
        raise InvalidLogin("InvalidAuthorizationHeader", "not an OAuth header")
    params = {}
    for part in header[6:].split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise InvalidLogin("InvalidAuthorizationHeader", f"malformed parameter {part!r}")
        params[unquote(name.strip())] = unquote(value.strip().strip('"'))
    return params


def base_string_uri(scheme: str, host: str, path: str) -> str:
    host = host.lower()
    default_port = {"http": "80", "https": "443"}.get(scheme.lower())
    if default_port and host.endswith(":" + default_port):
        host = host[: -len(default_port) - 1]
    return f"{scheme.lower()}://{host}{path}"


def tba_signature(method: str, uri: str, params: list[tuple[str, str]], consumer_secret: str,
                  token_secret: str) -> str:
    normalized = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in params))
    base = "&".join((method.upper(), enc(uri), enc(normalized)))
    key = f"{enc(consumer_secret)}&{enc(token_secret)}"
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()


def verify_tba(backend: NetSuiteBackend, method: str, scheme: str, host: str, path: str, query: str,
               header: str) -> None:
    oauth = parse_oauth_header(header)
    creds = backend.credentials
    realm = oauth.get("realm", "")
    if realm != backend.realm:
        raise InvalidLogin("InvalidRealm", f"realm {realm!r}; the account's realm is {backend.realm!r}")
    if oauth.get("oauth_signature_method") != "HMAC-SHA256":
        raise InvalidLogin("UnsupportedSignatureMethod", f"{oauth.get('oauth_signature_method')!r}")
    if oauth.get("oauth_version", "1.0") != "1.0":
        raise InvalidLogin("InvalidVersion", oauth.get("oauth_version", ""))
    if not hmac.compare_digest(oauth.get("oauth_consumer_key", ""), creds.consumer_key):
        raise InvalidLogin("InvalidConsumerKey")
    if backend.integration_revoked:
        raise InvalidLogin("InvalidConsumerKey", "integration record revoked or disabled")
    if not hmac.compare_digest(oauth.get("oauth_token", ""), creds.token_id):
        raise InvalidLogin("TokenRejected", "unknown token")
    if backend.token_revoked:
        raise InvalidLogin("TokenRejected", "token revoked")
    try:
        timestamp = int(oauth.get("oauth_timestamp", ""))
    except ValueError:
        raise InvalidLogin("InvalidTimestamp", "not an integer") from None
    now = backend.clock.now()
    if abs(now - timestamp) > TIMESTAMP_TOLERANCE_S:
        raise InvalidLogin("InvalidTimestamp", f"{timestamp} is {now - timestamp:.0f} s from the server clock")
    nonce = oauth.get("oauth_nonce", "")
    if len(nonce) < 6:
        raise InvalidLogin("InvalidNonce", "nonce shorter than 6 characters")
    # Signed params: the oauth_* ones (not realm, not the signature) plus the query, decoded.
    params = [(k, v) for k, v in oauth.items() if k.startswith("oauth_") and k != "oauth_signature"]
    params += parse_qsl(query, keep_blank_values=True)
    expected = tba_signature(method, base_string_uri(scheme, host, path), params, creds.consumer_secret,
                             creds.token_secret)
    if not hmac.compare_digest(expected, oauth.get("oauth_signature", "")):
        raise InvalidLogin("InvalidSignature")
    # Only a correctly signed request spends its nonce, so forged requests cannot burn nonces.
    if not backend.nonces.use(nonce, timestamp, now):
        raise InvalidLogin("NonceUsed", f"nonce {nonce!r} with timestamp {timestamp}")
    if not backend.has_permission(PERMISSION_TOKENS):
        raise InvalidLogin("InsufficientPermission", f"role lacks '{PERMISSION_TOKENS}'")


def verify_bearer(backend: NetSuiteBackend, token: str) -> None:
    expiry = backend.bearer_tokens.get(token)
    if expiry is None:
        raise InvalidLogin("InvalidAccessToken", "unknown bearer token")
    if backend.integration_revoked:
        raise InvalidLogin("InvalidAccessToken", "integration revoked")
    if backend.clock.now() >= expiry:
        raise InvalidLogin("AccessTokenExpired")


def authenticate(backend: NetSuiteBackend, method: str, scheme: str, host: str, path: str, query: str,
                 header: str) -> str:
    """Checks the Authorization header; returns the scheme used. Raises InvalidLogin."""
    if header[:7].lower() == "bearer ":
        verify_bearer(backend, header[7:].strip())
        return "Bearer"
    if not header:
        raise InvalidLogin("MissingAuthorization", "no Authorization header")
    verify_tba(backend, method, scheme, host, path, query, header)
    return "TBA"


def _scopes(claim) -> list[str]:
    if isinstance(claim, list):
        return [str(s).strip() for s in claim]
    if isinstance(claim, str):
        text = claim.strip()
        if text.startswith("["):
            try:
                return [str(s).strip() for s in json.loads(text)]
            except ValueError:
                pass
        return [s.strip() for s in text.split(",")]
    return []


def issue_token(backend: NetSuiteBackend, form: dict[str, str], token_url: str) -> dict:
    """OAuth 2.0 client credentials with a JWT assertion. Raises OAuth2Error.

    UNCONFIRMED: NetSuite's exact error bodies; RFC 6749 section 5.2 codes are used (invalid_client for a bad
    assertion, invalid_grant for bad times).
    """
    if form.get("grant_type") != "client_credentials":
        raise OAuth2Error("unsupported_grant_type", "UnsupportedGrantType")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise OAuth2Error("invalid_request", "InvalidAssertionType")
    assertion = form.get("client_assertion", "")
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise OAuth2Error("invalid_client", "MalformedAssertion") from None
    alg = header.get("alg")
    if alg not in JWT_ALGORITHMS:
        raise OAuth2Error("invalid_client", "UnsupportedAlgorithm")
    if str(header.get("typ", "")).upper() != "JWT":
        raise OAuth2Error("invalid_client", "InvalidJWTType")
    public_key = backend.certificates.get(header.get("kid", ""))
    if public_key is None:
        raise OAuth2Error("invalid_client", "UnknownCertificateId")
    if backend.integration_revoked:
        raise OAuth2Error("invalid_client", "IntegrationRevoked")
    try:
        # Times are checked below against the emulator clock, not PyJWT's wall clock.
        claims = jwt.decode(assertion, public_key, algorithms=[alg], audience=token_url,
                            issuer=backend.credentials.client_id,
                            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                                     "require": ["iss", "aud", "iat", "exp", "scope"]})
    except jwt.InvalidAudienceError:
        raise OAuth2Error("invalid_client", "InvalidAudience") from None
    except jwt.InvalidIssuerError:
        raise OAuth2Error("invalid_client", "InvalidIssuer") from None
    except jwt.InvalidSignatureError:
        raise OAuth2Error("invalid_client", "InvalidSignature") from None
    except (jwt.PyJWTError, ValueError, TypeError) as err:
        raise OAuth2Error("invalid_client", f"InvalidAssertion: {err}") from None
    if "rest_webservices" not in _scopes(claims.get("scope")):
        raise OAuth2Error("invalid_scope", "MissingScope")
    now = backend.clock.now()
    try:
        iat, exp = float(claims["iat"]), float(claims["exp"])
    except (TypeError, ValueError):
        raise OAuth2Error("invalid_grant", "InvalidTimes") from None
    if iat > now + CLOCK_SKEW_S:
        raise OAuth2Error("invalid_grant", "IssuedInFuture")
    if exp <= now:
        raise OAuth2Error("invalid_grant", "AssertionExpired")
    if exp - iat > 3600:
        raise OAuth2Error("invalid_grant", "AssertionLifetimeTooLong")
    # NetSuite sends expires_in as a string (Oracle's example).
    return {"access_token": backend.issue_bearer(), "expires_in": str(BEARER_LIFETIME_S), "token_type": "Bearer"}
