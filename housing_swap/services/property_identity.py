"""One home, one identity: the property key every table stores for a home.

``property_key`` is the only way a service turns a certificate number or a real-estate unit code
into the key it stores and compares; both arrive already canonicalised by their field parsers
(domain/identity.py). A home first seen under one identifier keeps that identifier's keyed hash
as its key for good; an identifier seen together with a known one is linked to the same key, so
a new certificate after a sale, or a unit code added later, still names the same home.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db.models import IdentifierKind, IdentityCollision, PropertyIdentifier
from ..domain.identity import canonical_certificate, canonical_unit_code
from ..extensions import db
from .errors import Conflict


def identifier_hash(kind: IdentifierKind, value: str) -> str:
    """The keyed hash of one identifier's canonical spelling."""
    canonical = canonical_unit_code(value) if kind == IdentifierKind.UNIT_CODE else canonical_certificate(value)
    return current_app.extensions["field_cipher"].lookup_hash(canonical, kind.value)


def property_key(certificate_number: str, unit_code: str | None = None) -> str:
    """The key of the home these identifiers name, linking them if only one was known.

    Two identifiers already known as two different homes are refused: the bureau has to settle
    which home is meant before anything is recorded against either.
    """
    hashes = {IdentifierKind.CERTIFICATE: identifier_hash(IdentifierKind.CERTIFICATE, certificate_number)}
    if unit_code:
        hashes[IdentifierKind.UNIT_CODE] = identifier_hash(IdentifierKind.UNIT_CODE, unit_code)
    for _attempt in range(3):
        known = {row.value_hash: row.property_key for row in db.session.scalars(
            select(PropertyIdentifier).where(PropertyIdentifier.value_hash.in_(hashes.values())))}
        keys = set(known.values())
        if len(keys) > 1:
            raise Conflict("不动产单元号与不动产权证号登记为两套不同的房屋，请核对后再提交，或联系住房保障局处理")
        # A new home's key is its certificate's hash, so rows written in bulk without identifier
        # rows (the demo seed, migration 0013) already carry the key this function would give.
        key = keys.pop() if keys else hashes[IdentifierKind.CERTIFICATE]
        missing = [(kind, value) for kind, value in hashes.items() if value not in known]
        if not missing or _link(missing, key):
            return key
    raise Conflict("房屋身份登记繁忙，请稍后重试")


def _link(missing: list[tuple[IdentifierKind, str]], key: str) -> bool:
    """Record the new identifiers; False when a concurrent writer recorded one first (re-read)."""
    try:
        with db.session.begin_nested():
            db.session.add_all(PropertyIdentifier(kind=kind, value_hash=value, property_key=key)
                               for kind, value in missing)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def collisions() -> list[IdentityCollision]:
    """Rows found to name one home when migration 0013 canonicalised identifiers, oldest first."""
    return list(db.session.scalars(select(IdentityCollision).order_by(IdentityCollision.id)))
