"""Encryption at rest for personal identifiers."""
import os

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from housing_swap.extensions import db
from housing_swap.security.field_crypto import FieldCipher

KEY = os.urandom(32)


def test_round_trip_and_fresh_nonce_each_time():
    cipher = FieldCipher(KEY)
    first = cipher.encrypt("13812345678", "user.phone")
    second = cipher.encrypt("13812345678", "user.phone")
    assert first != second
    assert cipher.decrypt(first, "user.phone") == "13812345678"


def test_ciphertext_is_bound_to_its_column():
    cipher = FieldCipher(KEY)
    token = cipher.encrypt("13812345678", "user.phone")
    with pytest.raises(InvalidTag):
        cipher.decrypt(token, "listing.contact_phone")


def test_another_key_cannot_decrypt_and_tampering_is_detected():
    token = FieldCipher(KEY).encrypt("410105198506120011", "user.id_number")
    with pytest.raises(InvalidTag):
        FieldCipher(os.urandom(32)).decrypt(token, "user.id_number")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises((InvalidTag, ValueError)):
        FieldCipher(KEY).decrypt(tampered, "user.id_number")


def test_lookup_hash_is_keyed_and_separates_kinds():
    cipher = FieldCipher(KEY)
    assert cipher.lookup_hash("13812345678", "phone") == cipher.lookup_hash("13812345678", "phone")
    assert cipher.lookup_hash("13812345678", "phone") != cipher.lookup_hash("13812345678", "id_number")
    assert cipher.lookup_hash("13812345678", "phone") != FieldCipher(os.urandom(32)).lookup_hash(
        "13812345678", "phone")


def test_the_database_holds_only_ciphertext(app, make):
    make.household(phone="13811112222")
    raw = db.session.execute(text("SELECT phone, phone_hash FROM user_account")).one()
    assert "13811112222" not in raw.phone
    assert "13811112222" not in raw.phone_hash
