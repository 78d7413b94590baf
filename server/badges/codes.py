"""Participant codes for badges: conference and participant id with an HMAC tag, in QR-friendly base32."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from server.errors import Invalid

PREFIX = "DC1-"
TAG_BYTES = 10  # 80 bits: guessing one valid code takes about 2**79 tries.
# Separates these tags from every other HMAC the server makes with the same secret.
_PURPOSE = b"diemcau:participant-code:v1\x00"
# Two 9-byte ids and the tag are 28 bytes, 45 base32 characters: a cheap bound before decoding.
_MAX_LENGTH = len(PREFIX) + 45
_MAX_ID = 2**63 - 1


def _varint(value: int) -> bytes:
    """LEB128: small ids take one or two bytes, so codes of ordinary workshops stay short."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(raw: bytes, start: int) -> tuple[int, int]:
    """The value at `start` and where the next field begins; only the shortest encoding is accepted."""
    value = shift = 0
    for index in range(start, min(len(raw), start + 9)):
        byte = raw[index]
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            if byte == 0 and index > start:
                break
            return value, index + 1
    raise ValueError("bad varint")


def _tag(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _PURPOSE + payload, hashlib.sha256).digest()[:TAG_BYTES]


def participant_code(secret: bytes, conference_id: int, participant_id: int) -> str:
    """The code printed on a badge, e.g. "DC1-AEFQ…": only the holder of the secret can make one."""
    if not (0 <= conference_id <= _MAX_ID and 0 <= participant_id <= _MAX_ID):
        raise ValueError("ids must be non-negative 63-bit integers")
    payload = _varint(conference_id) + _varint(participant_id)
    # Uppercase base32 and "-" are all in the QR alphanumeric set, which keeps the symbol small.
    return PREFIX + base64.b32encode(payload + _tag(secret, payload)).decode().rstrip("=")


def read_code(secret: bytes, code: str) -> tuple[int, int]:
    """The (conference_id, participant_id) a code was made for; Invalid `bad_code` if malformed or forged."""
    # A wedge scanner under Caps Lock types lower case; surrounding whitespace is the scanner's Enter or Tab.
    text = code.strip().upper()
    refused = Invalid("This is not a valid participant code", {"code": "unreadable"}, code="bad_code")
    if not text.startswith(PREFIX) or len(text) > _MAX_LENGTH:
        raise refused
    body = text[len(PREFIX):]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
        conference_id, at = _read_varint(raw, 0)
        participant_id, at = _read_varint(raw, at)
    except (binascii.Error, ValueError):
        raise refused from None
    # Unused low bits of the last character would let two texts decode alike; only the canonical one counts.
    if base64.b32encode(raw).decode().rstrip("=") != body or len(raw) - at != TAG_BYTES:
        raise refused
    if not hmac.compare_digest(raw[at:], _tag(secret, raw[:at])):
        raise refused
    return conference_id, participant_id
