"""City-group acquisitions over the API: the work queue, each step, and the papers."""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, g, jsonify, request

from ..db.models import Acquisition, AppraisalAppeal, Role
from ..domain.fields import MAX_ID, MAX_PAGE, optional_integer
from ..domain.identity import mask_certificate
from ..domain.rules import AppealRule
from ..security.access import roles
from ..services import acquisitions, ledger
from ..services.errors import ValidationFailed
from . import api_blueprint, responses
from .idempotent import idempotent
from .responses import respond, shaped
from .schemas import json_id, json_object, request_values
from .serializers import iso

ACQUISITION_ROLES = (Role.CITY_GROUP_OFFICER, Role.APPRAISER, Role.HOUSEHOLD, Role.BUREAU_ADMIN)


def acquisition_json(acquisition: Acquisition) -> dict:
    application = acquisition.application
    counted = ledger.live_entry_for(acquisition_id=acquisition.id)
    fields = ("inspection_on", "appraiser_org_id", "appraised_value", "appraised_on", "offer_price", "offered_on",
              "offer_expires_on", "contract_number", "contract_price", "contract_signed_on", "new_unit_id",
              "purchase_contract_number", "new_home_price", "purchased_on", "title_transferred_on", "completed_on",
              "joined_purchase", "over_quota", "cancelled_reason")
    return shaped(responses.Acquisition, {
        "id": acquisition.id, "status": acquisition.status.value, "application_id": application.id,
        "old_home": {"district_code": application.old_district_code, "community": application.old_community_name,
                     "area_m2": str(application.old_area_m2),
                     "certificate_number": mask_certificate(application.old_certificate_number)},
        **{name: iso(getattr(acquisition, name)) for name in fields},
        "ledger_entry_id": counted.id if counted else None,
        "appeal": _appeal_json(acquisition.appeal),
        "additional_units": [{"unit_id": extra.unit_id, "purchase_contract_number": extra.purchase_contract_number,
                              "price": extra.price, "purchased_on": iso(extra.purchased_on)}
                             for extra in acquisition.additional_units],
        "timeline": [{"status": e.status.value, "note": e.note, "at": iso(e.at)} for e in acquisition.events],
        "documents": [{"id": d.id, "kind": d.kind, "filename": d.filename, "content_type": d.content_type,
                       "size_bytes": d.size_bytes, "sha256": d.sha256, "uploaded_at": iso(d.uploaded_at)}
                      for d in acquisition.documents],
    })


def _appeal_json(appeal: AppraisalAppeal | None) -> dict | None:
    if appeal is None:
        return None
    return {"requested_at": iso(appeal.requested_at), "reason": appeal.reason, "value_rule": appeal.value_rule,
            "value_rule_label": AppealRule(appeal.value_rule).label, "first_value": appeal.first_value,
            "second_value": appeal.second_value, "standing_value": appeal.standing_value,
            "decided_at": iso(appeal.decided_at)}


@api_blueprint.get("/acquisition-queue")
@roles(Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)
def acquisition_queue():
    page = acquisitions.work_queue(queue_filters(request.args))
    return respond(responses.AcquisitionQueue, {"total": page.total, "page": page.page, "pages": page.pages, "items": [
        {"application_id": row.application.id, "district_code": row.application.old_district_code,
         "pilot": row.application.counts_toward_pilot, "submitted_at": iso(row.application.submitted_at),
         "days_in_queue": row.days_in_queue, "acquisition_id": row.acquisition.id if row.acquisition else None,
         "status": row.acquisition.status.value if row.acquisition else acquisitions.WAITING,
         "step_due_on": row.deadline.due_on.isoformat() if row.deadline else None,
         "deadline_state": row.deadline.state.value if row.deadline else None}
        for row in page.items]})


def _search(args) -> str:
    q = args.get("q", "")
    if len(q) > 60:
        raise ValidationFailed("查询参数有误", {"q": ["不能超过60个字符"]})
    return q


def queue_filters(args) -> acquisitions.QueueFilters:
    """The queue's query parameters, each refused with a reason when malformed."""
    errors: dict[str, list[str]] = {}

    def number(name: str, low: int, high: int) -> int | None:
        raw = args.get(name, "")
        if raw == "":
            return None
        value = optional_integer(raw, low, high)
        if value is None:
            errors[name] = [f"应为{low}到{high}之间的整数"]
        return value
    status = args.get("status") or None
    if status and status != acquisitions.WAITING and status not in acquisitions.STATUS_VALUES:
        errors["status"] = ["取值无效"]
    pilot = {"": None, "true": True, "false": False}.get(args.get("pilot", ""), "bad")
    if pilot == "bad":
        errors["pilot"] = ["应为 true 或 false"]
    filters = acquisitions.QueueFilters(district=args.get("district") or None, pilot=pilot, status=status,
                                        min_days=number("min_days", 0, 36_500), q=_search(args),
                                        officer_id=number("officer_id", 1, MAX_ID),
                                        page=number("page", 1, MAX_PAGE) or 1)
    if errors:
        raise ValidationFailed("查询参数有误", errors)
    return filters


@api_blueprint.get("/acquisitions")
@roles(*ACQUISITION_ROLES)
def list_acquisitions():
    return respond(responses.AcquisitionList,
                   {"items": [acquisition_json(a) for a in acquisitions.acquisitions_for(g.api_user)]})


@api_blueprint.post("/acquisitions")
@roles(Role.CITY_GROUP_OFFICER)
def take_in():
    body = json_object()
    application_id = json_id(body, "application_id")
    return idempotent("acquisitions.take_in", body, {},
                      lambda: (201, acquisition_json(acquisitions.take_in(application_id, g.api_user))))


@api_blueprint.get("/acquisitions/<int:acquisition_id>")
@roles(*ACQUISITION_ROLES)
def get_acquisition(acquisition_id: int):
    return jsonify(acquisition_json(acquisitions.acquisition_for_viewing(acquisition_id, g.api_user)))


@api_blueprint.get("/acquisition-documents/<int:document_id>")
@roles(*ACQUISITION_ROLES)
def download_document(document_id: int):
    document = acquisitions.document_for_viewing(document_id, g.api_user)
    return Response(document.content, mimetype=document.content_type, headers={
        "Content-Disposition": f"attachment; filename=document-{document.id}", "Cache-Control": "private, no-store"})


# Each step: the URL's last segment, who may call it, and how it reaches the service.
STEPS: dict[str, tuple[tuple[Role, ...], Callable]] = {
    "inspection": ((Role.CITY_GROUP_OFFICER,),
                   lambda id_, values, files, user: acquisitions.schedule_inspection(id_, values, user)),
    "appraisal": ((Role.APPRAISER,),
                  lambda id_, values, files, user: acquisitions.appraise(id_, values, files.get("report"), user)),
    "offer": ((Role.CITY_GROUP_OFFICER,),
              lambda id_, values, files, user: acquisitions.make_offer(id_, values, user)),
    "accept": ((Role.HOUSEHOLD,), lambda id_, values, files, user: acquisitions.answer_offer(id_, True, user)),
    "decline": ((Role.HOUSEHOLD,), lambda id_, values, files, user: acquisitions.answer_offer(id_, False, user)),
    "assignment": ((Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN), lambda id_, values, files, user:
                   acquisitions.assign_officer(id_, optional_integer(str(values.get("officer_user_id", "")), 1, MAX_ID)
                                               or 0, user)),
    "appeal": ((Role.HOUSEHOLD,), lambda id_, values, files, user: acquisitions.request_appeal(
        id_, values.get("reason", ""), user)),
    "contract": ((Role.CITY_GROUP_OFFICER,), lambda id_, values, files, user: acquisitions.sign_contract(
        id_, values, files.get("document"), user)),
    "purchase": ((Role.CITY_GROUP_OFFICER,), lambda id_, values, files, user: acquisitions.record_purchase(
        id_, values, files.get("document"), user)),
    "additional-unit": ((Role.CITY_GROUP_OFFICER,), lambda id_, values, files, user:
                        acquisitions.record_additional_purchase(id_, values, files.get("document"), user)),
    "joined-purchase": ((Role.CITY_GROUP_OFFICER,), lambda id_, values, files, user:
                        acquisitions.record_joined_purchase(id_, files.get("document"), user)),
    "title-transfer": ((Role.CITY_GROUP_OFFICER,), lambda id_, values, files, user: acquisitions.transfer_title(
        id_, values, files.get("document"), user)),
    "completion": ((Role.CITY_GROUP_OFFICER,),
                   lambda id_, values, files, user: acquisitions.complete(id_, values, user)),
    "cancellation": ((Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN),
                     lambda id_, values, files, user: acquisitions.cancel(id_, values.get("reason", ""), user)),
}


def _step_view(step: str, allowed: tuple[Role, ...], run: Callable) -> Callable:
    @roles(*allowed)
    def view(acquisition_id: int):
        values, files = request_values()
        return idempotent(f"acquisitions.{step}", values, {n: f.content for n, f in files.items()},
                          lambda: (200, acquisition_json(run(acquisition_id, values, files, g.api_user))))
    view.__name__ = f"acquisition_{step.replace('-', '_')}"
    return view


for _step, (_allowed, _run) in STEPS.items():
    api_blueprint.add_url_rule(f"/acquisitions/<int:acquisition_id>/{_step}", methods=["POST"],
                               view_func=_step_view(_step, _allowed, _run))
