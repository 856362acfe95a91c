"""New-build projects and units over the API."""
from __future__ import annotations

from flask import g, jsonify, request

from ..db.models import Role, UnitStatus
from ..security.access import public, roles
from ..services import projects
from ..services.errors import NotFound, ValidationFailed
from ..services.spreadsheets import Upload
from . import api_blueprint, responses
from .responses import respond
from .schemas import json_id, json_object
from .serializers import project_json, unit_json

developer_only = roles(Role.DEVELOPER_STAFF)


@api_blueprint.post("/projects")
@developer_only
def create_project():
    return jsonify(project_json(projects.create_project(json_object(), g.api_user))), 201


@api_blueprint.get("/projects/<int:project_id>")
@public
def get_project(project_id: int):
    return jsonify(project_json(projects.project_for_viewing(project_id)))


@api_blueprint.patch("/projects/<int:project_id>")
@developer_only
def update_project(project_id: int):
    return jsonify(project_json(projects.update_project(project_id, json_object(), g.api_user)))


@api_blueprint.post("/projects/<int:project_id>/price-list")
@developer_only
def import_price_list(project_id: int):
    uploaded = request.files.get("file")
    if uploaded is None or not uploaded.filename:
        raise ValidationFailed("请以 multipart 字段 file 上传价目表", {"file": ["必填"]})
    result = projects.import_price_list(project_id, request.form.get("building", ""),
                                        Upload(uploaded.filename, uploaded.read()), g.api_user)
    return respond(responses.PriceListResult, {"created": result.created, "updated": result.updated})


@api_blueprint.post("/units")
@developer_only
def create_unit():
    body = json_object()
    project_id = json_id(body, "project_id")
    unit = projects.create_unit(project_id, str(body.get("building") or ""), body, g.api_user)
    return jsonify(unit_json(unit)), 201


@api_blueprint.get("/units/<int:unit_id>")
@public
def get_unit(unit_id: int):
    user = g.api_user
    if user is not None and user.role == Role.DEVELOPER_STAFF:
        try:
            return jsonify(unit_json(projects.unit_for_changing(unit_id, user)))
        except NotFound:
            pass
    return jsonify(unit_json(projects.public_unit(unit_id)))


@api_blueprint.patch("/units/<int:unit_id>")
@developer_only
def update_unit(unit_id: int):
    return jsonify(unit_json(projects.update_unit(unit_id, json_object(), g.api_user)))


@api_blueprint.post("/units/<int:unit_id>/status")
@developer_only
def change_unit_status(unit_id: int):
    projects.unit_for_changing(unit_id, g.api_user)  # another company's unit: 404 before any validation
    try:
        target = UnitStatus(json_object().get("status"))
    except ValueError:
        raise ValidationFailed("status 取值无效", {"status": ["应为 available、reserved 或 sold"]}) from None
    return jsonify(unit_json(projects.change_unit_status(unit_id, target, g.api_user)))


@api_blueprint.post("/buildings/<int:building_id>/unit-statuses")
@developer_only
def change_unit_statuses(building_id: int):
    """Several units to one status, all or none (each unit must be the caller's)."""
    projects.building_for_changing(building_id, g.api_user)
    body = json_object()
    ids = body.get("unit_ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63
                                            for i in ids):
        raise ValidationFailed("unit_ids 应为房屋编号数组", {"unit_ids": ["应为正整数数组"]})
    try:
        target = UnitStatus(str(body.get("status")))
    except ValueError:
        raise ValidationFailed("status 取值无效", {"status": ["应为 available、reserved 或 sold"]}) from None
    return jsonify({"items": [unit_json(unit) for unit in projects.change_unit_statuses(ids, target, g.api_user)]})


@api_blueprint.delete("/buildings/<int:building_id>")
@developer_only
def delete_building(building_id: int):
    return jsonify(project_json(projects.delete_building(building_id, g.api_user)))


@api_blueprint.post("/units/<int:unit_id>/undo-sale")
@developer_only
def undo_unit_sale(unit_id: int):
    return jsonify(unit_json(projects.undo_unit_sale(unit_id, g.api_user)))
