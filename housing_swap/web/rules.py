"""The bureau's rule editor: draft a new version, see its what-if, publish it."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..db.models import Role, RuleVersionStatus
from ..domain.rules import RULE_FIELDS, ProgramRules, rule_form_values
from ..domain.timezones import beijing_today
from ..security.access import roles
from ..security.reauth import requires_recent_password
from ..services import rules
from .field_forms import form_class, submitted_values
from .page_actions import form_submission

blueprint = Blueprint("rules", __name__, url_prefix="/bureau/rules")
bureau_only = roles(Role.BUREAU_ADMIN)
RuleForm = form_class("RuleForm", RULE_FIELDS)


def _values_of(version, name: str | None = None) -> dict[str, str]:
    values = rule_form_values(ProgramRules.from_document(version.document))
    values["name"] = name or version.name
    values["effective_from"] = (beijing_today() if name else version.effective_from).isoformat()
    return values


@blueprint.route("/")
@bureau_only
def index():
    return render_template("rules/index.html", versions=rules.rule_versions())


@blueprint.route("/new", methods=["GET", "POST"])
@bureau_only
@requires_recent_password
def new_draft():
    current, _ = rules.latest_rules()
    form = RuleForm(data=_values_of(current, name=f"{current.name}（修订）"))
    if submission := form_submission(form, lambda: rules.create_draft(submitted_values(form, RULE_FIELDS), current_user)):
        flash("规则草稿已保存。发布前请先查看影响评估。", "success")
        return redirect(url_for("rules.detail", version_id=submission.result.id))
    return render_template("rules/form.html", form=form, version=None)


@blueprint.route("/<int:version_id>/edit", methods=["GET", "POST"])
@bureau_only
@requires_recent_password
def edit_draft(version_id: int):
    version = rules.rule_version(version_id)
    form = RuleForm(data=_values_of(version))
    if form_submission(form, lambda: rules.update_draft(version_id, submitted_values(form, RULE_FIELDS), current_user)):
        flash("规则草稿已更新", "success")
        return redirect(url_for("rules.detail", version_id=version_id))
    return render_template("rules/form.html", form=form, version=version)


@blueprint.route("/<int:version_id>")
@bureau_only
def detail(version_id: int):
    version = rules.rule_version(version_id)
    impact = rules.what_if(version_id) if version.status == RuleVersionStatus.DRAFT else None
    return render_template("rules/detail.html", version=version, fields=RULE_FIELDS,
                           values=_values_of(version), impact=impact)


@blueprint.route("/<int:version_id>/publish", methods=["POST"])
@bureau_only
@requires_recent_password
def publish(version_id: int):
    version = rules.publish(version_id, current_user)
    flash(f"第{version.version}版规则已发布，自{version.effective_from.isoformat()}起生效", "success")
    return redirect(url_for("rules.detail", version_id=version_id))
