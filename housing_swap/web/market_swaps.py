"""Market-swap pages: recording a swap (agency or household), the bureau's verification by hand
or against a registered-contracts file, and the goal ledger with its two-person reversals."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.models import MarketSwapStatus, Role
from ..domain.districts import ZHENGZHOU_DISTRICTS
from ..domain.market_swaps import HOUSEHOLD_FIELD, MARKET_SWAP_FIELDS, OUTCOME_LABELS, STATUS_LABELS
from ..security.access import roles
from ..security.reauth import confirmation_redirect, requires_recent_password
from ..services import ledger, ledger_reversals, market_swaps
from ..services.documents import DocumentUpload
from ..services.errors import ServiceError, ValidationFailed
from .downloads import paper_download, uploaded_file
from .field_forms import form_class, submitted_values
from .forms import attach_field_errors
from .page_actions import flash_outcome, imported

blueprint = Blueprint("market_swaps", __name__)
recorders = roles(Role.HOUSEHOLD, Role.AGENCY_STAFF)
viewers = roles(Role.HOUSEHOLD, Role.AGENCY_STAFF, Role.BUREAU_ADMIN)
bureau_only = roles(Role.BUREAU_ADMIN)
HouseholdSwapForm = form_class("HouseholdSwapForm", MARKET_SWAP_FIELDS)
AgencySwapForm = form_class("AgencySwapForm", (HOUSEHOLD_FIELD,) + MARKET_SWAP_FIELDS)


@blueprint.route("/market-swaps")
@viewers
def index():
    raw = request.args.get("status", "recorded" if current_user.role == Role.BUREAU_ADMIN else "")
    status = MarketSwapStatus(raw) if raw in STATUS_LABELS else None
    return render_template("market_swaps/index.html", swaps=market_swaps.swaps_for(current_user, status),
                           status=status, labels=STATUS_LABELS)


@blueprint.route("/market-swaps/new", methods=["GET", "POST"])
@recorders
@requires_recent_password
def new_swap():
    fields = (HOUSEHOLD_FIELD,) + MARKET_SWAP_FIELDS if current_user.role == Role.AGENCY_STAFF else MARKET_SWAP_FIELDS
    form = (AgencySwapForm if current_user.role == Role.AGENCY_STAFF else HouseholdSwapForm)()
    if form.validate_on_submit():
        try:
            swap = market_swaps.record_swap(submitted_values(form, fields), current_user)
        except ValidationFailed as error:
            attach_field_errors(form, error.details)
        except ServiceError as refused:
            form.form_errors.append(refused.message)
        else:
            flash("市场交易已登记，等待住房保障局核验后计入目标", "success")
            return redirect(url_for("market_swaps.detail", swap_id=swap.id))
    return render_template("market_swaps/form.html", form=form), 422 if form.errors else 200


@blueprint.route("/market-swaps/<int:swap_id>")
@viewers
def detail(swap_id: int):
    swap = market_swaps.swap_for_viewing(swap_id, current_user)
    return render_template("market_swaps/detail.html", swap=swap, labels=STATUS_LABELS,
                           counted=ledger.live_entry_for(market_swap_id=swap.id),
                           reversal=ledger.reversal_for(market_swap_id=swap.id))


@blueprint.route("/market-swaps/<int:swap_id>/<any(verify, reject, cancel):decision>", methods=["POST"])
@viewers
def decide(swap_id: int, decision: str):
    if decision == "verify" and (confirm := confirmation_redirect()):
        return confirm  # verifying counts the swap: the bureau confirms its password first
    reason = request.form.get("reason", "")
    calls = {"verify": lambda: market_swaps.verify_swap(swap_id, current_user),
             "reject": lambda: market_swaps.reject_swap(swap_id, reason, current_user),
             "cancel": lambda: market_swaps.cancel_swap(swap_id, reason, current_user)}
    done = {"verify": "已核验并计入目标", "reject": "已退回", "cancel": "已撤销"}
    flash_outcome(calls[decision], done[decision])
    return redirect(url_for("market_swaps.detail", swap_id=swap_id))


@blueprint.route("/bureau/contract-check", methods=["GET", "POST"])
@bureau_only
@requires_recent_password
def contract_check():
    context = {"columns": market_swaps.CONTRACT_COLUMNS, "outcome_labels": OUTCOME_LABELS}
    if request.method == "GET":
        return render_template("market_swaps/contract_check.html", **context)
    report = imported("market_swaps/contract_check.html", "请选择备案合同文件",
                      lambda upload: market_swaps.check_against_contract_file(upload, current_user), **context)
    return render_template("market_swaps/contract_check.html", report=report, **context)


# ----- the ledger --------------------------------------------------------------------------------

@blueprint.route("/bureau/ledger")
@bureau_only
def ledger_entries():
    filters, errors = ledger.parse_entry_filters({k: v for k, v in request.args.items() if v})
    page = ledger.entry_page(filters)
    entry_ids = [entry.id for entry in page.items]
    return render_template("market_swaps/ledger.html", page=page, filters=filters, errors=errors,
                           districts=ZHENGZHOU_DISTRICTS, reversed_ids=ledger.reversed_among(entry_ids),
                           pending=ledger_reversals.pending_by_entry(entry_ids))


@blueprint.route("/bureau/ledger/<int:entry_id>/reversal-requests", methods=["POST"])
@bureau_only
@requires_recent_password
def request_reversal(entry_id: int):
    upload = uploaded_file("document")
    document = DocumentUpload(upload.filename, upload.content) if upload else None
    flash_outcome(lambda: ledger_reversals.request_reversal(entry_id, request.form.get("reason", ""), document,
                                                              current_user),
                   "撤销申请已提交，须由另一位住房保障局工作人员复核后生效")
    return redirect(url_for("market_swaps.reversal_requests"))


@blueprint.route("/bureau/ledger/reversal-requests")
@bureau_only
def reversal_requests():
    return render_template("market_swaps/reversal_requests.html",
                           requests=ledger_reversals.requests_for_review())


@blueprint.route("/bureau/ledger/reversal-requests/<int:request_id>/<any(approve, reject):decision>",
                 methods=["POST"])
@bureau_only
@requires_recent_password
def decide_reversal(request_id: int, decision: str):
    note = request.form.get("note", "")
    if decision == "approve":
        flash_outcome(lambda: ledger_reversals.approve(request_id, note, current_user),
                       "已复核同意：撤销记录已写入台账，原计数记录保留")
    else:
        flash_outcome(lambda: ledger_reversals.reject(request_id, note, current_user), "已驳回该撤销申请，计数保持有效")
    return redirect(url_for("market_swaps.reversal_requests"))


@blueprint.route("/bureau/ledger/reversal-requests/<int:request_id>/document")
@bureau_only
def reversal_document(request_id: int):
    paper = ledger_reversals.request_for_viewing(request_id, current_user)
    return paper_download(paper.document_content, paper.document_content_type, f"reversal-{paper.id}")


@blueprint.route("/developer/reversed-sales")
@roles(Role.DEVELOPER_STAFF)
def reversed_sales():
    return render_template("market_swaps/reversed_sales.html",
                           requests=ledger_reversals.settlements_for(current_user))


@blueprint.route("/developer/reversed-sales/<int:request_id>", methods=["POST"])
@roles(Role.DEVELOPER_STAFF)
def settle_reversed_sale(request_id: int):
    sale_undone = request.form.get("sale_undone") == "yes"
    flash_outcome(lambda: ledger_reversals.settle_unit(request_id, sale_undone, current_user),
                   "已确认：该房屋重新可售" if sale_undone else "已确认：该房屋的销售仍然有效")
    return redirect(url_for("market_swaps.reversed_sales"))
