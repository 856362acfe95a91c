"""City-group acquisition pages: the officers' work queue, one acquisition with the form for its
next step, the household's view of its offer, and the appraiser's tasks."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectField
from wtforms.validators import Optional

from ..db.models import Acquisition, Role, UnitStatus
from ..domain import acquisitions as steps
from ..domain.districts import ZHENGZHOU_DISTRICTS
from ..domain.fields import MAX_ID, Field, optional_integer, page_number
from ..domain.rules import AppealRule
from ..domain.timezones import beijing_today
from ..security.access import roles
from ..security.reauth import confirmation_redirect
from ..services import acquisitions, ledger, projects
from ..services.documents import KIND_LABELS, DocumentUpload
from ..services.errors import ServiceError, ValidationFailed
from ..services.rules import latest_rules
from .downloads import paper_download
from .field_forms import form_class, submitted_values
from .forms import attach_field_errors, select_choices
from .page_actions import flash_outcome

blueprint = Blueprint("acquisitions", __name__)
VIEWERS = roles(Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN, Role.HOUSEHOLD, Role.APPRAISER)
officers = roles(Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)


@dataclass(frozen=True)
class StepPage:
    """A step as a page offers it: its form fields, paper, who acts, and the service call."""
    label: str
    fields: tuple[Field, ...]
    actor: Role
    run: Callable
    paper: str | None = None  # the file field's name, when the step takes one
    paper_required: bool = False


STEP_PAGES: dict[str, StepPage] = {
    "inspection_scheduled": StepPage("安排查勘", steps.INSPECTION_FIELDS, Role.CITY_GROUP_OFFICER,
                                     lambda a, v, f, u: acquisitions.schedule_inspection(a, v, u)),
    "appraised": StepPage("录入评估结果", steps.APPRAISAL_FIELDS, Role.APPRAISER,
                          lambda a, v, f, u: acquisitions.appraise(a, v, f, u), "report", True),
    "offer_made": StepPage("报价", steps.OFFER_FIELDS, Role.CITY_GROUP_OFFICER,
                           lambda a, v, f, u: acquisitions.make_offer(a, v, u)),
    "contract_signed": StepPage("登记收购合同", steps.CONTRACT_FIELDS, Role.CITY_GROUP_OFFICER,
                                lambda a, v, f, u: acquisitions.sign_contract(a, v, f, u), "document"),
    "new_home_purchased": StepPage("登记新房购买", steps.PURCHASE_FIELDS, Role.CITY_GROUP_OFFICER,
                                   lambda a, v, f, u: acquisitions.record_purchase(a, v, f, u), "document"),
    "title_transferred": StepPage("登记过户", steps.TITLE_FIELDS, Role.CITY_GROUP_OFFICER,
                                  lambda a, v, f, u: acquisitions.transfer_title(a, v, f, u), "document"),
    "completed": StepPage("确认完成并计入目标", steps.COMPLETION_FIELDS, Role.CITY_GROUP_OFFICER,
                          lambda a, v, f, u: acquisitions.complete(a, v, u)),
}


# A joined home's case takes the lead application's recorded new home: nothing to type but a paper.
JOINED_PURCHASE = StepPage("确认合并购买的新房", (), Role.CITY_GROUP_OFFICER,
                           lambda a, v, f, u: acquisitions.record_joined_purchase(a, f, u), "document")
JoinedPurchaseForm = form_class("JoinedPurchaseForm", ())


ADDITIONAL_UNIT = StepPage("登记另一套新房", steps.PURCHASE_FIELDS, Role.CITY_GROUP_OFFICER,
                           lambda a, v, f, u: acquisitions.record_additional_purchase(a, v, f, u), "document")


def _step_pages(acquisition: Acquisition) -> dict[str, StepPage]:
    if acquisition.application.joined_to_id is None:
        return STEP_PAGES
    return {**STEP_PAGES, "new_home_purchased": JOINED_PURCHASE}


InspectionForm = form_class("InspectionForm", steps.INSPECTION_FIELDS, overrides={
    "appraiser_org_id": SelectField("评估机构", validators=[Optional()])})
# A picker (project, then building and room), never a typed internal id; the service checks the unit.
PurchaseForm = form_class("PurchaseForm", steps.PURCHASE_FIELDS, overrides={
    "unit_id": SelectField("新房（楼栋 · 房号）", validators=[Optional()], validate_choice=False)})
SPECIAL_FORMS = {"inspection_scheduled": InspectionForm, "new_home_purchased": PurchaseForm}
STEP_FORMS: dict[str, Any] = {step: SPECIAL_FORMS.get(step) or form_class(f"StepForm_{step}", page.fields)
              for step, page in STEP_PAGES.items()}
ReasonForm = form_class("ReasonForm", steps.REASON_FIELDS)
# Steps that record a price or a contract: the password must have been entered recently.
PRICE_AND_CONTRACT_STEPS = {"appraised", "offer_made", "contract_signed", "new_home_purchased", "completed"}
QUEUE_STATUSES = [("", "全部待办"), (acquisitions.WAITING, "待受理")] + list(steps.STATUS_LABELS.items())


# ----- the queue ---------------------------------------------------------------------------------

@blueprint.route("/city-group/queue")
@officers
def queue():
    args = request.args  # malformed values are ignored: the page shows the unfiltered queue for them
    filters = acquisitions.QueueFilters(
        district=args.get("district") or None,
        pilot={"是": True, "否": False}.get(args.get("pilot", "")),
        status=args.get("status") if args.get("status") in dict(QUEUE_STATUSES) else None,
        min_days=optional_integer(args.get("min_days"), 0, 36_500), q=args.get("q", "")[:60],
        officer_id=current_user.id if args.get("mine") == "1" and current_user.role == Role.CITY_GROUP_OFFICER
        else None, page=page_number(args.get("page")))
    page = acquisitions.work_queue(filters)
    overdue = sum(1 for row in page.items if row.deadline and row.deadline.state == steps.DeadlineState.OVERDUE)
    return render_template("acquisitions/queue.html", page=page, filters=filters, overdue_on_page=overdue,
                           workload=acquisitions.officer_workload(),
                           statuses=QUEUE_STATUSES, districts=ZHENGZHOU_DISTRICTS, labels=steps.STATUS_LABELS,
                           waiting_for=steps.WAITING_FOR)


@blueprint.route("/city-group/queue/<int:application_id>/take-in", methods=["POST"])
@roles(Role.CITY_GROUP_OFFICER)
def take_in(application_id: int):
    try:
        acquisition = acquisitions.take_in(application_id, current_user)
    except ServiceError as refused:
        flash(refused.message, "error")  # a refusal is a message on the queue, not an error page
        return redirect(url_for("acquisitions.queue"))
    flash("已受理，请安排查勘", "success")
    return redirect(url_for("acquisitions.detail", acquisition_id=acquisition.id))


# ----- one acquisition ---------------------------------------------------------------------------

@blueprint.route("/acquisitions")
@VIEWERS
def mine():
    if current_user.role in (Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN):
        return redirect(url_for("acquisitions.queue"))
    return render_template("acquisitions/mine.html", acquisitions=acquisitions.acquisitions_for(current_user),
                           labels=steps.STATUS_LABELS)


@blueprint.route("/acquisitions/<int:acquisition_id>")
@VIEWERS
def detail(acquisition_id: int):
    acquisition = acquisitions.acquisition_for_viewing(acquisition_id, current_user)
    return _render_detail(acquisition)


def _render_detail(acquisition: Acquisition, step_form=None, status: int = 200,
                   contact: acquisitions.CaseContact | None = None):
    allowed = steps.allowed_steps(acquisition.status.value, acquisition.appeal_pending)
    pages = _step_pages(acquisition)
    next_steps = [s for s in allowed if s in pages and pages[s].actor == current_user.role]
    forms = {step: step_form if step_form is not None and step_form.step == step else _step_form(step, acquisition)
             for step in next_steps}
    joined = acquisition.application.joined_to_id is not None and "new_home_purchased" in forms
    additional = None
    if current_user.role == Role.CITY_GROUP_OFFICER and acquisitions.may_add_unit(acquisition):
        additional = step_form if step_form is not None and step_form.step == "additional_unit" \
            else _additional_form()
    return render_template(
        "acquisitions/detail.html", acquisition=acquisition, labels=steps.STATUS_LABELS, main_path=steps.MAIN_PATH,
        progress=steps.progress_index(acquisition.status.value), step_pages=pages, forms=forms,
        joined_purchase=acquisitions.joined_purchase_note(acquisition) if joined else None,
        reason_form=ReasonForm(), kind_labels=KIND_LABELS, today=beijing_today(),
        new_home=acquisitions.new_home_label(acquisition), **_offer_terms(acquisition),
        deadline=acquisitions.step_deadlines([acquisition]).get(acquisition.id), contact=contact,
        programme_projects=projects.programme_projects()
        if ("new_home_purchased" in forms and not joined) or additional else [],
        additional_form=additional, additional_page=ADDITIONAL_UNIT,
        additional_units=acquisitions.additional_unit_labels(acquisition),
        chosen_project=optional_integer(request.args.get("project"), 1, MAX_ID),
        may_reveal=current_user.role in (Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN),
        officers=acquisitions.city_group_officers() if "cancelled" in allowed
        and current_user.role in (Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN) else [],
        reversal=ledger.reversal_for(acquisition_id=acquisition.id),
        may_answer=current_user.role == Role.HOUSEHOLD and "offer_accepted" in allowed,
        may_appeal=current_user.role == Role.HOUSEHOLD and "offer_accepted" in allowed and acquisition.appeal is None,
        appeal_labels=AppealRule.labels(),
        may_cancel=current_user.role in (Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)
        and "cancelled" in steps.TRANSITIONS[acquisition.status.value]), status


def _offer_terms(acquisition: Acquisition) -> dict:
    """The ceiling and answer window an officer sees before making an offer."""
    if acquisition.appraised_value is None:
        return {"offer_ceiling": None, "offer_valid_days": None}
    _, rules = latest_rules()
    return {"offer_ceiling": steps.highest_offer(acquisition.appraised_value, rules),
            "offer_valid_days": rules.offer_valid_days}


def _step_form(step: str, acquisition: Acquisition, submitted: bool = False):
    """The step's form, empty or filled from the request; it remembers which step it is for."""
    form_type = JoinedPurchaseForm if _step_pages(acquisition)[step] is JOINED_PURCHASE else STEP_FORMS[step]
    form = form_type() if submitted else form_type(formdata=None)
    form.step = step
    if form_type is JoinedPurchaseForm:
        return form
    if step == "inspection_scheduled":
        form.appraiser_org_id.choices = select_choices(
            [("", "请选择")] + [(str(o.id), o.name) for o in acquisitions.appraiser_organizations()])
    if step == "new_home_purchased":
        form.unit_id.choices = _unit_choices(optional_integer(request.args.get("project"), 1, MAX_ID))
    return form


def _unit_choices(project_id: int | None) -> dict[str, list[tuple[str, str]]]:
    """Option groups by building for the chosen project; nothing until a project is chosen."""
    if project_id is None:
        return {"": [("", "请先在上方选择楼盘")]}
    groups = {building: [(str(unit.id), f"{unit.room}室 · {unit.area_m2}㎡ · {unit.list_price // 10_000}万元"
                          + ("（已预定）" if unit.status == UnitStatus.RESERVED else ""))
                         for unit in units]
              for building, units in projects.units_on_offer(project_id)}
    return {"": [("", "请选择房号")], **groups} if groups else {"": [("", "该楼盘没有可售房屋")]}


@blueprint.route("/acquisitions/<int:acquisition_id>/steps/<step>", methods=["POST"])
@roles(Role.CITY_GROUP_OFFICER, Role.APPRAISER)
def advance(acquisition_id: int, step: str):
    acquisition = acquisitions.acquisition_for_viewing(acquisition_id, current_user)
    page = _step_pages(acquisition).get(step)
    if page is None:
        return redirect(url_for("acquisitions.detail", acquisition_id=acquisition_id))
    if step in PRICE_AND_CONTRACT_STEPS and (confirm := confirmation_redirect()):
        return confirm
    return _submit(acquisition, page, _step_form(step, acquisition, submitted=True))


@blueprint.route("/acquisitions/<int:acquisition_id>/additional-units", methods=["POST"])
@roles(Role.CITY_GROUP_OFFICER)
def additional_unit(acquisition_id: int):
    """One old home, two new ones: a further new home after the first is recorded."""
    acquisition = acquisitions.acquisition_for_viewing(acquisition_id, current_user)
    if confirm := confirmation_redirect():
        return confirm
    return _submit(acquisition, ADDITIONAL_UNIT, _additional_form(submitted=True))


def _submit(acquisition: Acquisition, page: StepPage, form):
    """Run the page's use case with the form; field problems are drawn beside the fields (422)."""
    if not form.validate_on_submit():
        return _render_detail(acquisition, form, 422)
    try:
        page.run(acquisition.id, submitted_values(form, page.fields), _paper(page), current_user)
    except ValidationFailed as error:
        attach_field_errors(form, error.details)
        form.form_errors.append(error.message)
        return _render_detail(acquisitions.acquisition_for_viewing(acquisition.id, current_user), form, 422)
    except ServiceError as refused:
        _refused(refused.message)
    else:
        flash(f"已{page.label}", "success")
    return redirect(url_for("acquisitions.detail", acquisition_id=acquisition.id))


def _additional_form(submitted: bool = False):
    form = PurchaseForm() if submitted else PurchaseForm(formdata=None)
    form.step = "additional_unit"
    form.unit_id.choices = _unit_choices(optional_integer(request.args.get("project"), 1, MAX_ID))
    return form


def _refused(message: str) -> None:
    """A refused step has left nothing half-written; the reason is shown on the acquisition page."""
    flash(message, "error")


def _paper(page: StepPage) -> DocumentUpload | None:
    if page.paper is None:
        return None
    uploaded = request.files.get(page.paper)
    if uploaded is None or not uploaded.filename:
        return None
    return DocumentUpload(uploaded.filename, uploaded.read())


@blueprint.route("/acquisitions/<int:acquisition_id>/<any(accept, decline):answer>", methods=["POST"])
@roles(Role.HOUSEHOLD)
def answer_offer(acquisition_id: int, answer: str):
    try:
        acquisitions.answer_offer(acquisition_id, answer == "accept", current_user)
    except ServiceError as refused:
        _refused(refused.message)
    else:
        flash("您已接受报价，城发集团将与您签订收购合同" if answer == "accept" else "您已拒绝该报价", "success")
    return redirect(url_for("acquisitions.detail", acquisition_id=acquisition_id))


@blueprint.route("/acquisitions/<int:acquisition_id>/assignment", methods=["POST"])
@officers
def assign(acquisition_id: int):
    officer_id = optional_integer(request.form.get("officer_user_id"), 1, MAX_ID) or 0
    flash_outcome(lambda: acquisitions.assign_officer(acquisition_id, officer_id, current_user), "案件已分配")
    return redirect(url_for("acquisitions.detail", acquisition_id=acquisition_id))


@blueprint.route("/acquisitions/<int:acquisition_id>/contact", methods=["POST"])
@officers
def contact(acquisition_id: int):
    """The full address and contact are drawn on this answer only (never kept in a redirect)."""
    try:
        revealed = acquisitions.reveal_case_contact(acquisition_id, current_user)
    except ServiceError as refused:
        _refused(refused.message)
        return redirect(url_for("acquisitions.detail", acquisition_id=acquisition_id))
    return _render_detail(acquisitions.acquisition_for_viewing(acquisition_id, current_user), contact=revealed)


@blueprint.route("/acquisitions/<int:acquisition_id>/appeal", methods=["POST"])
@roles(Role.HOUSEHOLD)
def appeal(acquisition_id: int):
    flash_outcome(lambda: acquisitions.request_appeal(acquisition_id, request.form.get("reason", ""), current_user),
                  "已申请复评：城发集团将委托另一家评估机构复评，复评后重新报价；在此之前本次报价暂停答复")
    return redirect(url_for("acquisitions.detail", acquisition_id=acquisition_id))


@blueprint.route("/acquisitions/<int:acquisition_id>/cancel", methods=["POST"])
@officers
def cancel(acquisition_id: int):
    form = ReasonForm()
    try:
        if not form.validate_on_submit():
            raise ValidationFailed("请填写取消原因")
        acquisitions.cancel(acquisition_id, form.reason.data or "", current_user)
    except ServiceError as refused:
        _refused("请填写取消原因" if refused.details.get("reason") else refused.message)
    else:
        flash("收购已取消", "success")
    return redirect(url_for("acquisitions.detail", acquisition_id=acquisition_id))


@blueprint.route("/acquisition-documents/<int:document_id>")
@VIEWERS
def document(document_id: int):
    paper = acquisitions.document_for_viewing(document_id, current_user)
    return paper_download(paper.content, paper.content_type, f"document-{paper.id}")
