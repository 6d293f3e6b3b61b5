"""A software passkey authenticator for tests through the Flask test client: it makes
credentials (attestation "none", ES256) and signs assertions the way a device does, so
the server's WebAuthn checks run for real. The browser tests use Chromium's virtual
authenticator instead."""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass, field
from html import unescape

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from tests.helpers import csrf_token

#: Where the test client's requests go for passkeys: WAN_RP_ID is this host.
PASSKEY_SITE = "http://localhost:5000"
RP_ID = "localhost"
USER_PRESENT, USER_VERIFIED, ATTESTED = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    """Holds credentials like a phone does; ``verifies_user`` is whether it checks a PIN
    or fingerprint (the UV flag)."""

    verifies_user: bool = True
    credentials: list[Credential] = field(default_factory=list)

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": PASSKEY_SITE, "crossOrigin": False}
        ).encode()

    def _flags(self, extra: int = 0) -> int:
        return USER_PRESENT | (USER_VERIFIED if self.verifies_user else 0) | extra

    def create(self, options: dict) -> dict:
        """The browser's answer to navigator.credentials.create(options)."""
        key = ec.generate_private_key(ec.SECP256R1())
        numbers = key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32), -3: numbers.y.to_bytes(32)}
        )
        credential = Credential(os.urandom(32), key, from_b64url(options["user"]["id"]))
        self.credentials.append(credential)
        auth_data = (
            hashlib.sha256(options["rp"]["id"].encode()).digest()
            + bytes([self._flags(ATTESTED)])
            + struct.pack(">I", 0)
            + bytes(16)
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + cose_key
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64url(attestation),
                "clientDataJSON": b64url(client_data),
                "transports": ["internal"],
            },
            "extensions": json.dumps({"credProps": {"rk": True}}),
        }

    def get(self, options: dict, credential: Credential | None = None) -> dict:
        """The browser's answer to navigator.credentials.get(options), signed with
        ``credential`` (default: the first this authenticator holds)."""
        credential = credential or self.credentials[0]
        credential.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = (
            hashlib.sha256(options["rpId"].encode()).digest()
            + bytes([self._flags()])
            + struct.pack(">I", credential.sign_count)
        )
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64url(auth_data),
                "clientDataJSON": b64url(client_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
        }


def ceremony(html: str) -> tuple[str, dict]:
    """The form action and the credential options of a page that starts a ceremony."""
    match = re.search(r'<form action="([^"]+)"[^>]*data-credential-options="([^"]+)"', html)
    assert match, "the page starts no passkey ceremony"
    return unescape(match.group(1)), json.loads(unescape(match.group(2)))


def register_passkey(client, authenticator: SoftAuthenticator, name: str, usage: str = "first"):
    """Add a passkey named ``name`` for the user logged in on ``client``; the page after."""
    token = csrf_token(client.get("/wan-register").text)
    page = client.post("/wan-register", data={"name": name, "usage": usage, "csrf_token": token})
    assert page.status_code == 200, page.text
    action, options = ceremony(page.text)
    answer = authenticator.create(options)
    return client.post(
        action,
        data={"credential": json.dumps(answer), "csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )


def sign_in_with_passkey(
    client,
    authenticator: SoftAuthenticator,
    credential: Credential | None = None,
    *,
    identity: str = "",
):
    """Go through /wan-signin (alone, or as the second factor after a password) with
    ``credential``; the page it ends on."""
    token = csrf_token(client.get("/wan-signin").text)
    page = client.post("/wan-signin", data={"identity": identity, "csrf_token": token})
    assert page.status_code == 200, page.text
    action, options = ceremony(page.text)
    answer = authenticator.get(options, credential)
    return client.post(
        action,
        data={"credential": json.dumps(answer), "csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )
