"""Rotating the data key: a new key seals, old keys open, ``flask keys rotate`` re-seals all."""
from __future__ import annotations

import base64
import os

from sqlalchemy import select, text

from housing_swap.db.models import AuditEvent, JobState, Listing, User
from housing_swap.extensions import db
from housing_swap.security.field_crypto import FieldCipher
from housing_swap.services import jobs
from housing_swap.services import listings as listing_service
from housing_swap.services.key_rotation import encrypted_columns
from tests.factories import valid_id_number
from tests.listings.helpers import listing_fields


def raw_values() -> list[str]:
    return [value for item in encrypted_columns()
            for value in db.session.execute(
                text(f'SELECT "{item.column.name}" FROM "{item.table.name}" '
                     f'WHERE "{item.column.name}" IS NOT NULL')).scalars()]


def rotate_to_a_new_key(app) -> tuple[FieldCipher, bytes]:
    """What an operator does: the new key becomes HOUSING_SWAP_DATA_KEY, the old one moves to
    HOUSING_SWAP_OLD_DATA_KEYS and names the lookup key."""
    old_key = app.config["DATA_KEY"]
    new_key = os.urandom(32)
    app.extensions["field_cipher"] = FieldCipher(new_key, (old_key,), lookup_key=old_key)
    return app.extensions["field_cipher"], new_key


def test_rotate_reseals_every_value_and_changes_no_fact(app, make, runner, login):
    id_number = valid_id_number(901)
    owner = make.household(phone="13811112222", id_number=id_number)
    listing = listing_service.create_listing(listing_fields(), owner)
    stamped = listing.updated_at
    ring, new_key = rotate_to_a_new_key(app)
    assert not any(ring.is_current(value) for value in raw_values())

    result = runner.invoke(args=["keys", "rotate", "--batch", "1"])

    assert result.exit_code == 0, result.output
    assert "re-sealing encrypted values" in result.output
    assert f"with data key {ring.current_key_id}" in result.output
    values = raw_values()
    assert len(values) >= 4
    assert all(ring.is_current(value) for value in values)
    # The new key alone now opens everything; the lookup hashes are unchanged, so sign-in by
    # phone and the listing's identity still work.
    app.extensions["field_cipher"] = FieldCipher(new_key, lookup_key=app.config["DATA_KEY"])
    db.session.expire_all()
    assert db.session.get(User, owner.id).id_number == id_number
    reread = db.session.get(Listing, listing.id)
    assert reread.contact_phone == "13800001234"
    assert reread.updated_at == stamped
    assert login("13811112222").status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "keys.rotate")).one()
    assert event.after["resealed"] == len(values)


def test_a_second_rotation_finds_nothing_to_do(app, make, runner):
    make.household(phone="13811113333")
    rotate_to_a_new_key(app)
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    again = runner.invoke(args=["keys", "rotate"])
    assert again.exit_code == 0
    assert "0 value(s) re-sealed" in again.output


def test_generate_prints_a_usable_key(runner):
    result = runner.invoke(args=["keys", "generate"])
    assert result.exit_code == 0
    assert len(base64.urlsafe_b64decode(result.output.strip())) == 32


def test_a_bad_batch_size_is_refused(runner):
    result = runner.invoke(args=["keys", "rotate", "--batch", "0"])
    assert result.exit_code != 0
    assert "--batch" in result.output


def test_rotation_runs_as_a_job_with_its_progress_recorded(app, make, runner):
    make.household(phone="13811114444", id_number=valid_id_number(902))
    ring, _ = rotate_to_a_new_key(app)

    result = runner.invoke(args=["jobs", "run", "keys_rotate"])

    assert result.exit_code == 0, result.output
    job = jobs.recent_jobs(limit=1)[0]
    assert job.state == JobState.SUCCEEDED
    assert job.result["resealed"] == len(raw_values()) >= 2
    assert all(ring.is_current(value) for value in raw_values())
