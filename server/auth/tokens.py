"""Token making and hashing: random or derived from the server secret, stored only as hashes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# An invitation token is HMAC-SHA256(secret, nonce): 256 bits out, and 128 bits of fresh randomness per
# invitation from the nonce. The nonce is stored (so a link can be shown again) but is useless without the
# server secret; the token itself is stored only as its SHA-256.
NONCE_BYTES = 16


def new_nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def derive(secret: bytes, purpose: str) -> str:
    """A 256-bit token that only the holder of the secret can compute, so links can be shown again."""
    digest = hmac.new(secret, purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def invitation_token(secret: bytes, nonce: str) -> str:
    return derive(secret, f"invitation:{nonce}")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)
