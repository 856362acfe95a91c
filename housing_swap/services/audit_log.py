"""Reading the audit log: the bureau's filters, one event's before/after, and an audited export."""
from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
from sqlalchemy import select

from ..db.models import AuditEvent, Organization, User
from ..domain.audit_labels import action_label, entity_label, outcome_label
from ..domain.fields import PAGE_FIELD, Field, parse_date, parse_fields, parse_integer, parse_text
from ..domain.timezones import SHANGHAI, beijing_midnight
from ..extensions import db
from .audit import record_event
from .errors import NotFound, ValidationFailed
from .pagination import Page, paginate
from .spreadsheets import write_table
from .unit_of_work import use_case

PER_PAGE = 100
EXPORT_LIMIT = 100_000

FILTER_FIELDS = (
    Field("actor", "操作人用户名", False, parse_text(64)),
    Field("organization_id", "机构编号", False, parse_integer(1, 2**62)),
    Field("entity_type", "对象类型", False, parse_text(40)),
    Field("entity_id", "对象编号", False, parse_text(40)),
    Field("action", "操作", False, parse_text(60)),
    Field("from", "开始日期", False, parse_date),
    Field("to", "结束日期", False, parse_date),
    PAGE_FIELD,
)


def parse_filters(raw: dict) -> dict:
    values, errors = parse_fields(FILTER_FIELDS, {k: v for k, v in raw.items() if v not in ("", None)}, partial=True)
    if errors:
        raise ValidationFailed("筛选条件有误", errors)
    return values


def _query(filters: dict):
    query = select(AuditEvent, User.username).outerjoin(User, User.id == AuditEvent.actor_user_id)
    if filters.get("actor"):
        query = query.where(User.username == filters["actor"])
    if filters.get("organization_id"):
        query = query.where(AuditEvent.organization_id == filters["organization_id"])
    if filters.get("entity_type"):
        query = query.where(AuditEvent.entity_type == filters["entity_type"])
    if filters.get("entity_id"):
        query = query.where(AuditEvent.entity_id == filters["entity_id"])
    if filters.get("action"):  # "acquisition" finds every acquisition.* action
        query = query.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if filters.get("from"):
        query = query.where(AuditEvent.occurred_at >= beijing_midnight(filters["from"]))
    if filters.get("to"):
        query = query.where(AuditEvent.occurred_at < beijing_midnight(filters["to"] + timedelta(days=1)))
    return query


def search_events(filters: dict) -> Page[tuple[AuditEvent, str | None]]:
    """Events newest first, each with its actor's username."""
    return paginate(_query(filters), filters.get("page") or 1, PER_PAGE, AuditEvent.id.desc(), rows=True)


def event_with_actor(event_id: int) -> tuple[AuditEvent, str | None, str | None]:
    event = db.session.get(AuditEvent, event_id)
    if event is None:
        raise NotFound("审计事件不存在")
    actor = db.session.get(User, event.actor_user_id) if event.actor_user_id else None
    organization = db.session.get(Organization, event.organization_id) if event.organization_id else None
    return event, actor.username if actor else None, organization.name if organization else None


@use_case
def export_events(filters: dict, actor: User) -> bytes:
    """The filtered log as CSV (newest first); the export itself is audited."""
    rows = db.session.execute(_query(filters).order_by(AuditEvent.id.desc()).limit(EXPORT_LIMIT))
    frame = pd.DataFrame([(e.id, e.occurred_at.astimezone(SHANGHAI).isoformat(timespec="seconds"), username or "",
                           e.organization_id, entity_label(e.entity_type), e.entity_id or "",
                           action_label(e.action), e.action, outcome_label(e.outcome), e.client_address or "",
                           _json(e.before), _json(e.after)) for e, username in rows],
                         columns=["编号", "时间（北京时间）", "操作人", "机构编号", "对象", "对象编号", "操作",
                                  "操作代码", "结果", "来源地址", "变更前", "变更后"])
    record_event("export.audit_log", "audit_event", None, actor=actor,
                 after={"filters": {k: str(v) for k, v in filters.items()}, "rows": len(frame)})
    return write_table(frame, "csv")


def _json(value, indent: int | None = None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, indent=indent)


def readable(value) -> str:
    """A before/after value as indented JSON with Chinese kept readable."""
    return _json(value, indent=2) or "—"
