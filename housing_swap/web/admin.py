"""Bureau administration: organizations and their staff accounts, background jobs, the audit log."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.models import ApprovalState, JobState, OrganizationKind, Role
from ..db.models.accounts import ROLE_LABELS, ROLE_ORGANIZATION_KIND
from ..domain import audit_labels
from ..domain.fields import page_number
from ..jobs import JOB_KINDS
from ..security.access import public, roles
from ..services import accounts, audit_log, jobs, organizations, photos
from ..services.errors import ServiceError, ValidationFailed
from .downloads import spreadsheet_response
from .forms import OrganizationForm, StaffUserForm, select_choices
from .page_actions import flash_outcome, form_submission

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
# Codes an audit event may record beside its status, in the words pages use for them.
CODED_VALUES = {"approval_state": ApprovalState.labels(), "role": Role.labels(),
                "side": {"household": "购房人", "owner_side": "房源方"},
                "kind": {**OrganizationKind.labels(), **{kind.value: label for kind, label in photos.KIND_LABELS.items()}}}
joining = Blueprint("joining", __name__)
bureau_only = roles(Role.BUREAU_ADMIN)


@blueprint.route("/")
@bureau_only
def index():
    return render_template("admin/index.html", organizations=organizations.list_organizations(),
                           kind_labels=organizations.ORGANIZATION_KIND_LABELS, decisions=organizations.DECISIONS,
                           decision_labels=organizations.DECISION_LABELS)


@blueprint.route("/organizations/<int:organization_id>/<any(approve, reject, suspend, reinstate):decision>",
                 methods=["POST"])
@bureau_only
def decide_organization(organization_id: int, decision: str):
    try:
        organization = organizations.decide(organization_id, decision, request.form.get("reason", ""), current_user)
    except ServiceError as refused:
        flash(refused.message, "error")
    else:
        flash(f"已{organizations.DECISION_LABELS[decision]}：{organization.name}", "success")
    return redirect(url_for("admin.index"))


@blueprint.route("/organizations/new", methods=["GET", "POST"])
@bureau_only
def new_organization():
    form = OrganizationForm()
    form.kind.choices = select_choices((kind.value, kind.label) for kind in OrganizationKind
                                       if kind != OrganizationKind.BUREAU)
    if submission := form_submission(form, lambda: organizations.register_organization(_registration(form), actor=current_user)):
        flash(f"已登记机构：{submission.result.name}", "success")
        return redirect(url_for("admin.index"))
    return render_template("admin/organization_form.html", form=form)


@blueprint.route("/users/new", methods=["GET", "POST"])
@bureau_only
def new_staff_user():
    form = StaffUserForm()
    form.role.choices = select_choices((role.value, ROLE_LABELS[role]) for role in ROLE_ORGANIZATION_KIND)
    form.organization_id.choices = select_choices(
        (org.id, f"{org.name}（{organizations.ORGANIZATION_KIND_LABELS[org.kind]}）")
        for org in organizations.list_organizations() if org.is_operational
    )
    if submission := form_submission(form, lambda: accounts.create_staff_user(_staff_account(form), created_by=current_user)):
        flash(f"已创建账户：{submission.result.username}", "success")
        return redirect(url_for("admin.index"))
    return render_template("admin/staff_form.html", form=form)



# ----- user accounts -----------------------------------------------------------------------------

@blueprint.route("/users")
@bureau_only
def users():
    role_value = request.args.get("role", "")
    role = Role(role_value) if role_value in {r.value for r in Role} else None
    page = page_number(request.args.get("page"))
    return render_template("admin/users.html", page=accounts.list_users(request.args.get("q", ""), role, page),
                           role_labels=ROLE_LABELS, role_filter=role, q=request.args.get("q", ""))


@blueprint.route("/users/<int:user_id>/<any(disable, enable):change>", methods=["POST"])
@bureau_only
def change_user(user_id: int, change: str):
    flash_outcome(lambda: accounts.set_enabled(user_id, change == "enable", current_user),
                  lambda user: f"已{'启用' if change == 'enable' else '停用'}账户 {user.username or user.real_name}")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))


@blueprint.route("/users/<int:user_id>/unlock", methods=["POST"])
@bureau_only
def unlock_user(user_id: int):
    flash_outcome(lambda: accounts.unlock(user_id, current_user),
                  lambda user: f"已解除账户 {user.username or user.real_name} 的全部登录锁定")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))


@blueprint.route("/users/<int:user_id>/reset-password", methods=["POST"])
@bureau_only
def reset_password(user_id: int):
    """The new password is shown on this page only, never stored in a cookie or a log."""
    try:
        user, temporary = accounts.reset_password(user_id, current_user)
    except ServiceError as refused:
        flash(refused.message, "error")
        return redirect(url_for("admin.users"))
    return render_template("admin/password_reset.html", user=user, temporary=temporary)


# ----- background jobs ---------------------------------------------------------------------------

@blueprint.route("/jobs")
@bureau_only
def job_list():
    """Recent background jobs, failures first in the eye: what ran, how it ended, and why not."""
    failed_only = request.args.get("state") == "failed"
    return render_template("admin/jobs.html", failed_only=failed_only, figures=jobs.queue_figures(),
                           jobs=jobs.recent_jobs(limit=200, state=JobState.FAILED if failed_only else None),
                           kind_labels={name: kind.label for name, kind in JOB_KINDS.items()})


# ----- the audit log -----------------------------------------------------------------------------

def _audit_filters() -> tuple[dict, dict]:
    try:
        return audit_log.parse_filters(request.args.to_dict()), {}
    except ValidationFailed as error:
        return {}, error.details


@blueprint.route("/audit")
@bureau_only
def audit():
    filters, errors = _audit_filters()
    return render_template("admin/audit.html", page=audit_log.search_events(filters), errors=errors,
                           query=request.args.to_dict(), action_groups=audit_labels.action_choices(),
                           entity_labels=audit_labels.ENTITIES)


@blueprint.route("/audit/<int:event_id>")
@bureau_only
def audit_event(event_id: int):
    """One event, its values named and its codes in words."""
    event, actor, organization = audit_log.event_with_actor(event_id)
    return render_template("admin/audit_event.html", event=event, actor=actor, organization=organization,
                           changes=audit_labels.changes(event.entity_type, event.before, event.after, CODED_VALUES),
                           before=audit_log.readable(event.before), after=audit_log.readable(event.after))


@blueprint.route("/audit/export.csv")
@bureau_only
def audit_export():
    filters, _ = _audit_filters()
    return spreadsheet_response(audit_log.export_events(filters, current_user), "审计日志", "csv")


# ----- organizations applying to join ------------------------------------------------------------

@joining.route("/organizations/apply", methods=["GET", "POST"])
@public
def apply():
    form = OrganizationForm()
    form.kind.choices = select_choices((kind.value, organizations.ORGANIZATION_KIND_LABELS[kind])
                                       for kind in organizations.JOINING_KINDS)
    if submission := form_submission(form, lambda: organizations.apply_to_join(_registration(form))):
        return render_template("admin/applied.html", name=submission.result.name)
    return render_template("admin/organization_form.html", form=form, applying=True)


def _registration(form: OrganizationForm) -> organizations.OrganizationRegistration:
    return organizations.OrganizationRegistration(
        kind=OrganizationKind(form.kind.data), name=form.name.data, licence_number=form.licence_number.data,
        contact_name=form.contact_name.data, contact_phone=form.contact_phone.data)


def _staff_account(form: StaffUserForm) -> accounts.StaffAccount:
    return accounts.StaffAccount(
        username=form.username.data, password=form.password.data, real_name=form.real_name.data,
        role=Role(form.role.data), organization_id=form.organization_id.data, phone=form.phone.data or None)
