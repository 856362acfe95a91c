"""Appending audit events to the hash chain, inside the caller's transaction."""
from __future__ import annotations

import hashlib
import json

from flask import g, has_request_context, request
from sqlalchemy import select, text

from ..db.base import utcnow
from ..db.models import AuditEvent, User
from ..extensions import db

GENESIS_HASH = "0" * 64
AUDIT_CHAIN_LOCK = 0x4155_4449_5400  # the advisory-lock key of the audit chain ("AUDIT")


def record_event(
    action: str,
    entity_type: str,
    entity_id: object = None,
    actor: User | None = None,
    outcome: str = "success",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Add an event to the session; the calling use case commits it with its own change."""
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_user_id=actor.id if actor else None,
        organization_id=actor.organization_id if actor else None,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        action=action,
        outcome=outcome,
        before=before,
        after=after,
        client_address=request.remote_addr if has_request_context() else None,
        request_id=g.get("request_id") if has_request_context() else None,
        previous_hash=_latest_hash(),
    )
    event.event_hash = event_digest(event)
    db.session.add(event)
    db.session.flush()
    return event


def event_digest(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and the event's content, canonically serialised."""
    content = {
        "occurred_at": event.occurred_at.isoformat(),
        "actor_user_id": event.actor_user_id,
        "organization_id": event.organization_id,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "action": event.action,
        "outcome": event.outcome,
        "before": event.before,
        "after": event.after,
        "client_address": event.client_address,
    }
    if event.request_id is not None:  # hashed when present; events from before it keep their hashes
        content["request_id"] = event.request_id
    payload = event.previous_hash + json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _latest_hash() -> str:
    """The chain's head, read under a lock that serialises every audited writer.

    On PostgreSQL a transaction-scoped advisory lock: the next writer waits until this
    transaction ends and then reads the head this one wrote (locking the newest row instead
    let a waiting writer re-read the old head and fork the chain). Use cases record their event
    after their work, so the lock is held only for the last moments of a transaction. SQLite
    serialises writers by itself.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})
    latest = db.session.scalars(select(AuditEvent.event_hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return latest or GENESIS_HASH


def verify_chain() -> list[str]:
    """Every break in the audit chain: altered events and deleted (or reordered) ones."""
    problems = []
    expected_previous = GENESIS_HASH
    previous_id = None
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)):
        if event.previous_hash != expected_previous:
            after = f"after event {previous_id}" if previous_id else "at the start of the log"
            problems.append(f"event {event.id}: chain broken {after} (an event was deleted or reordered)")
        if event_digest(event) != event.event_hash:
            problems.append(f"event {event.id}: content does not match its hash (the event was altered)")
        expected_previous = event.event_hash
        previous_id = event.id
    return problems
