"""Encryption at rest for personal identifiers."""
import os

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from housing_swap.extensions import db
from housing_swap.security.field_crypto import FieldCipher, UnknownDataKey

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
    stranger = FieldCipher(os.urandom(32))
    with pytest.raises(UnknownDataKey):
        stranger.decrypt(token, "user.id_number")
    relabelled = token.replace(FieldCipher(KEY).current_key_id, stranger.current_key_id)
    with pytest.raises(InvalidTag):
        stranger.decrypt(relabelled, "user.id_number")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises((InvalidTag, ValueError)):
        FieldCipher(KEY).decrypt(tampered, "user.id_number")


def test_lookup_hash_is_keyed_and_separates_kinds():
    cipher = FieldCipher(KEY)
    assert cipher.lookup_hash("13812345678", "phone") == cipher.lookup_hash("13812345678", "phone")
    assert cipher.lookup_hash("13812345678", "phone") != cipher.lookup_hash("13812345678", "id_number")
    assert cipher.lookup_hash("13812345678", "phone") != FieldCipher(os.urandom(32)).lookup_hash(
        "13812345678", "phone")


def test_a_new_key_seals_and_the_old_keys_still_open():
    old_key, new_key = os.urandom(32), os.urandom(32)
    before = FieldCipher(old_key).encrypt("410105198506120011", "user.id_number")
    ring = FieldCipher(new_key, (old_key,), lookup_key=old_key)
    assert ring.decrypt(before, "user.id_number") == "410105198506120011"
    assert not ring.is_current(before)
    after = ring.reencrypt(before, "user.id_number")
    assert ring.is_current(after)
    assert ring.decrypt(after, "user.id_number") == "410105198506120011"
    with pytest.raises(UnknownDataKey, match="HOUSING_SWAP_OLD_DATA_KEYS"):
        FieldCipher(old_key).decrypt(after, "user.id_number")


def test_values_sealed_before_key_ids_open_with_any_key_of_the_ring():
    """Values written by releases before the keyring carry no key id (``v1:``)."""
    old_key = os.urandom(32)
    unnamed = "v1:" + FieldCipher(old_key).encrypt("13812345678", "user.phone").split(":", 2)[2]
    ring = FieldCipher(os.urandom(32), (old_key,), lookup_key=old_key)
    assert ring.decrypt(unnamed, "user.phone") == "13812345678"
    assert not ring.is_current(unnamed)


def test_the_lookup_hash_survives_a_rotation():
    old_key = os.urandom(32)
    assert FieldCipher(os.urandom(32), (old_key,), lookup_key=old_key).lookup_hash("1", "phone") == \
        FieldCipher(old_key).lookup_hash("1", "phone")


def test_the_database_holds_only_ciphertext(app, make):
    make.household(phone="13811112222")
    raw = db.session.execute(text("SELECT phone, phone_hash FROM user_account")).one()
    assert "13811112222" not in raw.phone
    assert "13811112222" not in raw.phone_hash
