"""Encryption of personal identifiers at rest, plus keyed hashes for exact lookup.

AES-256-GCM (an AEAD cipher) with a random 96-bit nonce per value; the column name is
bound as associated data so a ciphertext copied into another column does not decrypt.
The lookup hash is HMAC-SHA256 under a separate key derived from the same data key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12
_FORMAT_VERSION = b"v1"


class FieldCipher:
    def __init__(self, data_key: bytes):
        self._aead = AESGCM(_derive(data_key, b"housing_swap field encryption"))
        self._hash_key = _derive(data_key, b"housing_swap lookup hash")

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return (_FORMAT_VERSION + b":" + base64.urlsafe_b64encode(nonce + sealed)).decode("ascii")

    def decrypt(self, token: str, context: str) -> str:
        version, _, body = token.encode("ascii").partition(b":")
        if version != _FORMAT_VERSION:
            raise ValueError(f"unknown ciphertext format {version!r}")
        raw = base64.urlsafe_b64decode(body)
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, sealed, context.encode("utf-8")).decode("utf-8")

    def lookup_hash(self, value: str, kind: str) -> str:
        """Deterministic keyed hash: equal values of one kind give equal hashes."""
        message = kind.encode("utf-8") + b"\x00" + value.encode("utf-8")
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)
