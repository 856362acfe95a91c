"""The bureau's exports and audit log over the API (bearer tokens of the roles allowed)."""
from __future__ import annotations

from flask import Response, g, jsonify, request

from ..db.models import Role
from ..domain.fields import optional_integer
from ..security.access import roles
from ..services import audit_log, exports
from ..services.errors import ValidationFailed
from ..services.progress import parse_progress_filters
from ..services.spreadsheets import MIMETYPES
from . import api_blueprint, responses
from .responses import respond, shaped
from .serializers import iso


@api_blueprint.get("/exports/progress")
@roles(*exports.EXPORT_ROLES)
def export_progress():
    """The reporting workbook (format=xlsx) or one of its tables (format=csv&table=…)."""
    args = request.args
    filters = parse_progress_filters(args.to_dict())
    file_format, table = args.get("format", "xlsx"), args.get("table") or None
    errors = {}
    if file_format not in MIMETYPES:
        errors["format"] = ["应为 xlsx 或 csv"]
    elif file_format == "csv" and table not in exports.SHEETS:
        errors["table"] = ["CSV 须指定表格：" + "、".join(exports.SHEETS)]
    stall_days = optional_integer(args.get("stall_days", "14"), 1, 365)
    if stall_days is None:
        errors["stall_days"] = ["应为1到365之间的整数"]
    if errors:
        raise ValidationFailed("导出参数有误", errors)
    content = exports.export(filters, g.api_user, file_format, table if file_format == "csv" else None,
                             stall_days)
    name = table if file_format == "csv" else "progress"
    return Response(content, mimetype=MIMETYPES[file_format],
                    headers={"Content-Disposition": f"attachment; filename={name}.{file_format}"})


def audit_event_json(event, username: str | None) -> dict:
    return shaped(responses.AuditEvent, {"id": event.id, "occurred_at": iso(event.occurred_at), "actor_user_id": event.actor_user_id,
            "actor_username": username, "organization_id": event.organization_id,
            "entity_type": event.entity_type, "entity_id": event.entity_id, "action": event.action,
            "outcome": event.outcome, "before": event.before, "after": event.after,
            "client_address": event.client_address, "event_hash": event.event_hash})


@api_blueprint.get("/audit-events")
@roles(Role.BUREAU_ADMIN)
def list_audit_events():
    page = audit_log.search_events(audit_log.parse_filters(request.args.to_dict()))
    return respond(responses.AuditEventPage, {"total": page.total, "page": page.page, "pages": page.pages,
                    "items": [audit_event_json(event, username) for event, username in page.items]})


@api_blueprint.get("/audit-events/<int:event_id>")
@roles(Role.BUREAU_ADMIN)
def get_audit_event(event_id: int):
    event, username, _ = audit_log.event_with_actor(event_id)
    return jsonify(audit_event_json(event, username))
