"""New-build projects: the public project page with its unit table, and developers' tools."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.models import Role, UnitStatus
from ..domain.districts import DISTRICTS_BY_CODE, ZHENGZHOU_DISTRICTS
from ..domain.fields import MAX_ID, display_text, optional_integer, page_number
from ..domain.project_fields import PROJECT_FIELDS, UNIT_STATUS_LABELS
from ..security.access import public, roles
from ..services import projects
from ..services.errors import ServiceError
from .downloads import spreadsheet_response
from .field_forms import form_class, submitted_values
from .page_actions import flash_outcome, form_submission, imported

blueprint = Blueprint("projects", __name__)
developer_only = roles(Role.DEVELOPER_STAFF)
ProjectForm = form_class("ProjectForm", PROJECT_FIELDS)


@blueprint.route("/projects")
@public
def directory():
    district = request.args.get("district", "")
    district = district if district in DISTRICTS_BY_CODE else None
    page = page_number(request.args.get("page"))
    summaries, total = projects.project_directory(request.args.get("q", "")[:50], district,
                                                  request.args.get("program") == "true", page)
    return render_template("projects/directory.html", summaries=summaries, total=total, page=page,
                           pages=max(1, -(-total // 20)), districts=ZHENGZHOU_DISTRICTS, args=request.args)


@blueprint.route("/projects/<int:project_id>")
@public
def detail(project_id: int):
    project = projects.project_for_viewing(project_id)
    return render_template("projects/detail.html", project=project, grids=projects.unit_grids(project),
                           status_labels=UNIT_STATUS_LABELS)


@blueprint.route("/developer/projects")
@developer_only
def my_projects():
    return render_template("projects/mine.html", projects=projects.projects_of(current_user))


@blueprint.route("/developer/projects/new", methods=["GET", "POST"])
@developer_only
def new_project():
    form = ProjectForm()
    if submission := form_submission(form, lambda: projects.create_project(submitted_values(form, PROJECT_FIELDS), current_user)):
        flash("项目已创建，请导入楼栋价目表", "success")
        return redirect(url_for("projects.manage", project_id=submission.result.id))
    return render_template("projects/form.html", form=form, project=None)


@blueprint.route("/developer/projects/<int:project_id>/edit", methods=["GET", "POST"])
@developer_only
def edit_project(project_id: int):
    project = projects.project_for_changing(project_id, current_user)
    form = ProjectForm(data={field.name: display_text(getattr(project, field.name)) for field in PROJECT_FIELDS})
    if form_submission(form, lambda: projects.update_project(project.id, submitted_values(form, PROJECT_FIELDS), current_user)):
        flash("项目信息已更新", "success")
        return redirect(url_for("projects.manage", project_id=project.id))
    return render_template("projects/form.html", form=form, project=project)


@blueprint.route("/developer/projects/<int:project_id>")
@developer_only
def manage(project_id: int):
    project = projects.project_for_changing(project_id, current_user)
    grids = projects.unit_grids(project)
    return render_template("projects/manage.html", project=project, grids=grids, status_labels=UNIT_STATUS_LABELS,
                           undo_until=projects.sale_undo_deadlines(grids))


@blueprint.route("/developer/projects/<int:project_id>/price-list", methods=["POST"])
@developer_only
def import_price_list(project_id: int):
    project = projects.project_for_changing(project_id, current_user)
    result = imported("projects/manage.html", "请选择价目表文件", lambda upload: projects.import_price_list(
        project.id, request.form.get("building", ""), upload, current_user),
        project=project, grids=projects.unit_grids(project), status_labels=UNIT_STATUS_LABELS)
    flash(f"价目表已导入：新增{result.created}套，更新{result.updated}套", "success")
    return redirect(url_for("projects.manage", project_id=project.id))


@blueprint.route("/developer/price-list-template.<any(xlsx, csv):file_format>")
@developer_only
def price_list_template(file_format: str):
    return spreadsheet_response(projects.price_list_template(file_format), "一房一价表模板", file_format)


@blueprint.route("/developer/buildings/<int:building_id>/name", methods=["POST"])
@developer_only
def rename_building(building_id: int):
    building = projects.building_for_changing(building_id, current_user)
    back = redirect(url_for("projects.manage", project_id=building.project_id))
    try:
        projects.rename_building(building_id, request.form.get("name", ""), current_user)
    except ServiceError as refused:
        flash(refused.message, "error")
        return back
    flash(f"楼栋已改名为“{building.name}”", "success")
    return back


@blueprint.route("/developer/buildings/<int:building_id>/delete", methods=["POST"])
@developer_only
def delete_building(building_id: int):
    building = projects.building_for_changing(building_id, current_user)
    name, project_id = building.name, building.project_id
    flash_outcome(lambda: projects.delete_building(building_id, current_user), f"已删除楼栋“{name}”及其房屋")
    return redirect(url_for("projects.manage", project_id=project_id))


@blueprint.route("/developer/buildings/<int:building_id>/statuses", methods=["POST"])
@developer_only
def change_unit_statuses(building_id: int):
    """Bulk status: the ticked units of one building; "sold" asks for its confirmation on the form."""
    building = projects.building_for_changing(building_id, current_user)
    back = redirect(url_for("projects.manage", project_id=building.project_id))
    try:
        target = UnitStatus(request.form.get("status", ""))
    except ValueError:
        flash("请选择有效的房屋状态", "error")
        return back
    ids = [number for raw in request.form.getlist("unit_id") if (number := optional_integer(raw, 1, MAX_ID))]
    if target == UnitStatus.SOLD and request.form.get("confirmed") != "yes":
        flash("批量标记为已售前，请勾选“确认这些房屋已签约售出”", "error")
        return back
    flash_outcome(lambda: projects.change_unit_statuses(ids, target, current_user),
                  lambda changed: f"已将{len(changed)}套房屋改为“{target.label}”")
    return back


@blueprint.route("/developer/units/<int:unit_id>/status", methods=["POST"])
@developer_only
def change_unit_status(unit_id: int):
    """A refused change (sold meanwhile, not allowed from this state) is a message on the
    project's page, never an error page."""
    unit = projects.unit_for_changing(unit_id, current_user)
    back = redirect(url_for("projects.manage", project_id=unit.building.project_id))
    try:
        target = UnitStatus(request.form.get("status", ""))
    except ValueError:
        flash("请选择有效的房屋状态", "error")
        return back
    if target == UnitStatus.SOLD and unit.status != UnitStatus.SOLD and request.form.get("confirmed") != "yes":
        return render_template("projects/confirm_sold.html", unit=unit,
                               undo_hours=projects.sale_undo_hours())
    try:
        unit = projects.change_unit_status(unit_id, target, current_user)
    except ServiceError as refused:
        flash(f"{unit.building.name} {unit.room}：{refused.message}", "error")
        return back
    flash(f"{unit.building.name} {unit.room}：{UNIT_STATUS_LABELS[unit.status.value]}", "success")
    return back


@blueprint.route("/developer/units/<int:unit_id>/undo-sale", methods=["POST"])
@developer_only
def undo_unit_sale(unit_id: int):
    unit = projects.unit_for_changing(unit_id, current_user)
    back = redirect(url_for("projects.manage", project_id=unit.building.project_id))
    try:
        unit = projects.undo_unit_sale(unit_id, current_user)
    except ServiceError as refused:
        flash(f"{unit.building.name} {unit.room}：{refused.message}", "error")
        return back
    flash(f"{unit.building.name} {unit.room}：已撤销已售，恢复为“{UNIT_STATUS_LABELS[unit.status.value]}”", "success")
    return back
