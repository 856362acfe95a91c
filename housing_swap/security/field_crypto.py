"""Encryption of personal identifiers at rest, plus keyed hashes for exact lookup.

AES-256-GCM (an AEAD cipher) with a random 96-bit nonce per value; the column name is
bound as associated data so a ciphertext copied into another column does not decrypt.

The cipher holds a keyring: the current data key seals every new value, and retired keys
still open what they sealed until ``flask keys rotate`` has re-sealed it. A sealed value
names its key (``v2:<key id>:…``); values from before key ids (``v1:…``) are opened by
trying each key, which is safe because a wrong key fails GCM's authentication.

The lookup hash is HMAC-SHA256 under a key derived from the lookup key (by default the data
key). It does not rotate: lookup hashes identify people and properties, and the goal ledger
counts by them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12
_UNNAMED_KEY_FORMAT = "v1"
_NAMED_KEY_FORMAT = "v2"


class UnknownDataKey(ValueError):
    """A value was sealed with a key that is not in the keyring."""


@dataclass(frozen=True)
class _RingKey:
    key_id: str
    aead: AESGCM


class FieldCipher:
    def __init__(self, data_key: bytes, old_data_keys: tuple[bytes, ...] = (), lookup_key: bytes = b""):
        self._ring = [_ring_key(key) for key in (data_key, *old_data_keys)]
        self._by_id = {key.key_id: key for key in self._ring}
        self._hash_key = _derive(lookup_key or data_key, b"housing_swap lookup hash")

    @property
    def current_key_id(self) -> str:
        return self._ring[0].key_id

    def encrypt(self, plaintext: str, context: str) -> str:
        current = self._ring[0]
        nonce = os.urandom(_NONCE_BYTES)
        sealed = current.aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_NAMED_KEY_FORMAT}:{current.key_id}:{body}"

    def decrypt(self, token: str, context: str) -> str:
        key_id, body = _split(token)
        raw = base64.urlsafe_b64decode(body)
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        candidates = self._ring if key_id is None else [self._key(key_id)]
        for candidate in candidates:
            try:
                return candidate.aead.decrypt(nonce, sealed, context.encode("utf-8")).decode("utf-8")
            except InvalidTag:
                continue
        raise InvalidTag("no key in the keyring opens this value")

    def is_current(self, token: str) -> bool:
        """Whether ``token`` is sealed with the current data key (rotation skips it)."""
        return _split(token)[0] == self.current_key_id

    def reencrypt(self, token: str, context: str) -> str:
        return self.encrypt(self.decrypt(token, context), context)

    def lookup_hash(self, value: str, kind: str) -> str:
        """Deterministic keyed hash: equal values of one kind give equal hashes."""
        message = kind.encode("utf-8") + b"\x00" + value.encode("utf-8")
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

    def _key(self, key_id: str) -> _RingKey:
        try:
            return self._by_id[key_id]
        except KeyError:
            raise UnknownDataKey(
                f"value sealed with data key {key_id}, which is neither HOUSING_SWAP_DATA_KEY "
                "nor in HOUSING_SWAP_OLD_DATA_KEYS") from None


def key_id(key: bytes) -> str:
    """A short public name for a key (not secret: a hash prefix of it)."""
    return hashlib.sha256(b"housing_swap key id\x00" + key).hexdigest()[:8]


def _ring_key(key: bytes) -> _RingKey:
    return _RingKey(key_id(key), AESGCM(_derive(key, b"housing_swap field encryption")))


def _split(token: str) -> tuple[str | None, str]:
    version, _, rest = token.partition(":")
    if version == _UNNAMED_KEY_FORMAT:
        return None, rest
    if version == _NAMED_KEY_FORMAT:
        named, _, body = rest.partition(":")
        return named, body
    raise ValueError(f"unknown ciphertext format {version!r}")


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)
