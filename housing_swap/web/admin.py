"""Bureau administration: organizations and their staff accounts."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..db.models import OrganizationKind, Role
from ..db.models.accounts import ROLE_LABELS, ROLE_ORGANIZATION_KIND
from ..security.access import roles
from ..services import accounts, organizations
from ..services.errors import ValidationFailed
from .forms import OrganizationForm, StaffUserForm, attach_field_errors, select_choices

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
bureau_only = roles(Role.BUREAU_ADMIN)


@blueprint.route("/")
@bureau_only
def index():
    return render_template("admin/index.html", organizations=organizations.list_organizations(),
                           kind_labels=organizations.ORGANIZATION_KIND_LABELS)


@blueprint.route("/organizations/new", methods=["GET", "POST"])
@bureau_only
def new_organization():
    form = OrganizationForm()
    form.kind.choices = select_choices((kind.value, label) for kind, label in organizations.ORGANIZATION_KIND_LABELS.items()
                                       if kind != OrganizationKind.BUREAU)
    if form.validate_on_submit():
        data = organizations.OrganizationRegistration(
            kind=OrganizationKind(form.kind.data), name=form.name.data,
            licence_number=form.licence_number.data, contact_name=form.contact_name.data,
            contact_phone=form.contact_phone.data)
        try:
            organization = organizations.register_organization(data, actor=current_user)
        except ValidationFailed as error:
            attach_field_errors(form, error.details)
        else:
            flash(f"已登记机构：{organization.name}", "success")
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
    if form.validate_on_submit():
        data = accounts.StaffAccount(
            username=form.username.data, password=form.password.data, real_name=form.real_name.data,
            role=Role(form.role.data), organization_id=form.organization_id.data,
            phone=form.phone.data or None)
        try:
            user = accounts.create_staff_user(data, created_by=current_user)
        except ValidationFailed as error:
            attach_field_errors(form, error.details)
        else:
            flash(f"已创建账户：{user.username}", "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/staff_form.html", form=form)
