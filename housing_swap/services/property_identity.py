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

from ..db.base import chunked, insert_all_unless_present
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
    hashes = _hashes(certificate_number, unit_code)
    for _attempt in range(3):
        known = _known_keys(set(hashes.values()))
        key = _key_of(hashes, known)
        missing = [(kind, value) for kind, value in hashes.items() if value not in known]
        if not missing or _link(missing, key):
            return key
    raise Conflict("房屋身份登记繁忙，请稍后重试")


def property_keys(identifiers: list[tuple[str, str | None]]) -> list[str | Conflict]:
    """``property_key`` for many homes at once (an import), in a few statements per thousand
    rows instead of several per row: each (certificate number, unit code) pair's key, or the
    Conflict that ``property_key`` would raise for it, as if they were linked one after another.
    A pair a concurrent writer linked first while this ran is settled by ``property_key`` itself."""
    hashed = [_hashes(certificate, unit_code) for certificate, unit_code in identifiers]
    known = _known_keys({value for hashes in hashed for value in hashes.values()})
    results: list[str | Conflict] = []
    new: dict[str, dict] = {}
    for hashes in hashed:
        try:
            key = _key_of(hashes, known)
        except Conflict as conflict:
            results.append(conflict)
            continue
        for kind, value in hashes.items():
            if value not in known:
                known[value] = key
                new[value] = {"kind": kind, "value_hash": value, "property_key": key}
        results.append(key)
    insert_all_unless_present(db.session, PropertyIdentifier, ("value_hash",), list(new.values()))
    recorded = _known_keys(set(new))
    for index, hashes in enumerate(hashed):
        assumed = results[index]
        if isinstance(assumed, str) and any(recorded.get(value, assumed) != assumed for value in hashes.values()):
            results[index] = _settled_one_by_one(*identifiers[index])
    return results


def _settled_one_by_one(certificate_number: str, unit_code: str | None) -> str | Conflict:
    try:
        return property_key(certificate_number, unit_code)
    except Conflict as conflict:
        return conflict


def _hashes(certificate_number: str, unit_code: str | None) -> dict[IdentifierKind, str]:
    hashes = {IdentifierKind.CERTIFICATE: identifier_hash(IdentifierKind.CERTIFICATE, certificate_number)}
    if unit_code:
        hashes[IdentifierKind.UNIT_CODE] = identifier_hash(IdentifierKind.UNIT_CODE, unit_code)
    return hashes


def _known_keys(value_hashes: set[str]) -> dict[str, str]:
    """The key each already recorded identifier hash names."""
    known: dict[str, str] = {}
    for chunk in chunked(sorted(value_hashes), 1000):
        known.update(db.session.execute(select(PropertyIdentifier.value_hash, PropertyIdentifier.property_key)
                                        .where(PropertyIdentifier.value_hash.in_(chunk))).all())
    return known


def _key_of(hashes: dict[IdentifierKind, str], known: dict[str, str]) -> str:
    keys = {known[value] for value in hashes.values() if value in known}
    if len(keys) > 1:
        raise Conflict("不动产单元号与不动产权证号登记为两套不同的房屋，请核对后再提交，或联系住房保障局处理")
    # A new home's key is its certificate's hash, so rows written in bulk without identifier
    # rows (the demo seed, migration 0013) already carry the key this function would give.
    return keys.pop() if keys else hashes[IdentifierKind.CERTIFICATE]


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
