"""The connection fields both NetSuite connectors ask for, in the form the Airbyte UI renders."""
from __future__ import annotations

from .auth import ALGORITHMS, CLIENT_CREDENTIALS, TOKEN_BASED

ACCOUNT_GROUP = {"id": "account", "title": "NetSuite account"}
ADVANCED_GROUP = {"id": "advanced", "title": "Advanced"}

_TOKEN_BASED = {
    "title": "Token-based authentication (TBA)",
    "type": "object",
    "required": ["auth_type", "consumer_key", "consumer_secret", "token_id", "token_secret"],
    "properties": {
        "auth_type": {"type": "string", "const": TOKEN_BASED, "order": 0},
        "consumer_key": {"title": "Consumer key", "type": "string", "airbyte_secret": True, "order": 1,
                         "description": "Shown once when you save the integration record (Setup > Integration > "
                                        "Manage Integrations)."},
        "consumer_secret": {"title": "Consumer secret", "type": "string", "airbyte_secret": True, "order": 2,
                            "description": "Shown with the consumer key when the integration record is saved."},
        "token_id": {"title": "Token ID", "type": "string", "airbyte_secret": True, "order": 3,
                     "description": "Shown once when you create the access token (Setup > Users/Roles > "
                                    "Access Tokens > New)."},
        "token_secret": {"title": "Token secret", "type": "string", "airbyte_secret": True, "order": 4,
                         "description": "Shown with the token ID when the access token is created."},
    },
}

_CLIENT_CREDENTIALS = {
    "title": "OAuth 2.0 client credentials (certificate)",
    "type": "object",
    "required": ["auth_type", "client_id", "certificate_id", "private_key"],
    "properties": {
        "auth_type": {"type": "string", "const": CLIENT_CREDENTIALS, "order": 0},
        "client_id": {"title": "Client ID", "type": "string", "airbyte_secret": True, "order": 1,
                      "description": "The Client ID (Consumer Key) of the integration record with 'Client "
                                     "Credentials (Machine to Machine) Grant' checked."},
        "certificate_id": {"title": "Certificate ID", "type": "string", "order": 2,
                           "description": "The Certificate ID NetSuite shows on the OAuth 2.0 Client Credentials "
                                          "(M2M) Setup page after you upload the certificate."},
        "private_key": {"title": "Private key (PEM)", "type": "string", "airbyte_secret": True, "multiline": True,
                        "order": 3,
                        "description": "The private key of the uploaded certificate, in PEM form, starting with "
                                       "-----BEGIN PRIVATE KEY-----. It never leaves this connector."},
        "algorithm": {"title": "Signing algorithm", "type": "string", "enum": list(ALGORITHMS), "default": "PS256",
                      "order": 4,
                      "description": "PS256/384/512 for an RSA key, ES256/384/512 for an EC key. NetSuite no "
                                     "longer accepts RS256."},
    },
}


def connection_properties(first_order: int = 0) -> dict:
    return {
        "account_id": {
            "title": "Account ID", "type": "string", "group": "account", "order": first_order,
            "pattern": r"^[A-Za-z0-9]+([_-][A-Za-z0-9]+)?$",
            "examples": ["1234567", "1234567_SB1"],
            "description": "Your NetSuite account id, from Setup > Company > Company Information. Type it as "
                           "NetSuite shows it or in any case; a sandbox id ends in _SB1 (or -sb1).",
        },
        "credentials": {
            "title": "Authentication", "type": "object", "group": "account", "order": first_order + 1,
            "description": "How the connector logs in to NetSuite.",
            "oneOf": [_TOKEN_BASED, _CLIENT_CREDENTIALS],
        },
        "concurrency": {
            "title": "Parallel requests", "type": "integer", "minimum": 1, "maximum": 50, "default": 4,
            "group": "advanced", "order": first_order + 20,
            "description": "At most this many requests to NetSuite at once. NetSuite shares its concurrency limit "
                           "(5 to 20, plus 10 per SuiteCloud Plus licence) among all integrations of the account: "
                           "leave room for the others.",
        },
        "base_url": {
            "title": "Base URL override", "type": "string", "group": "advanced", "order": first_order + 21,
            "pattern": r"^https?://",
            "description": "Leave empty. For tests against a local NetSuite emulator only.",
        },
    }


CONNECTION_REQUIRED = ["account_id", "credentials"]
