"""Organizations taking part in the platform: registered by the bureau, or applying to join and
approved, rejected, suspended or reinstated by it."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from ..db.models import ApprovalState, Organization, OrganizationKind, User
from ..domain.identity import canonical_phone, phone_problem
from ..extensions import db
from .audit import record_event
from .errors import Conflict, NotFound, ValidationFailed
from .unit_of_work import use_case

ORGANIZATION_KIND_LABELS = OrganizationKind.labels()


@dataclass(frozen=True)
class OrganizationRegistration:
    kind: OrganizationKind
    name: str
    licence_number: str
    contact_name: str
    contact_phone: str


def list_organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.id)))


@use_case
def register_organization(data: OrganizationRegistration, actor: User) -> Organization:
    """The bureau registers an organization; it starts approved, as the bureau vetted it."""
    _check_registration(data)
    organization = Organization(
        kind=data.kind, name=data.name.strip(), licence_number=data.licence_number.strip(),
        contact_name=data.contact_name.strip(), contact_phone=canonical_phone(data.contact_phone),
        approval_state=ApprovalState.APPROVED,
    )
    db.session.add(organization)
    db.session.flush()
    record_event("organization.register", "organization", organization.id, actor=actor,
                 after={"kind": data.kind.value, "name": organization.name,
                        "licence_number": organization.licence_number})
    return organization


def _check_registration(data: OrganizationRegistration) -> None:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["请填写机构名称"]
    if not data.licence_number.strip():
        errors["licence_number"] = ["请填写营业执照或资质证书编号"]
    elif db.session.scalar(select(Organization.id).where(
            Organization.kind == data.kind, Organization.licence_number == data.licence_number.strip())):
        errors["licence_number"] = ["该类型机构中已有相同编号，请勿重复登记"]
    if problem := phone_problem(data.contact_phone):
        errors["contact_phone"] = [problem]
    if errors:
        raise ValidationFailed("机构信息有误，请按提示修改", errors)


JOINING_KINDS = (OrganizationKind.AGENCY, OrganizationKind.DEVELOPER, OrganizationKind.APPRAISER)


@use_case
def apply_to_join(data: OrganizationRegistration) -> Organization:
    """An agency, developer or appraiser asks to take part; it waits for the bureau's approval."""
    if data.kind not in JOINING_KINDS:
        raise ValidationFailed("机构信息有误，请按提示修改", {"kind": ["只有经纪机构、开发企业和评估机构可以申请入驻"]})
    _check_registration(data)
    organization = Organization(
        kind=data.kind, name=data.name.strip(), licence_number=data.licence_number.strip(),
        contact_name=data.contact_name.strip(), contact_phone=canonical_phone(data.contact_phone),
        approval_state=ApprovalState.PENDING)
    db.session.add(organization)
    db.session.flush()
    record_event("organization.apply", "organization", organization.id,
                 after={"kind": data.kind.value, "name": organization.name,
                        "licence_number": organization.licence_number})
    return organization


# (current state, decision) → new state
DECISIONS = {
    (ApprovalState.PENDING, "approve"): ApprovalState.APPROVED,
    (ApprovalState.PENDING, "reject"): ApprovalState.REJECTED,
    (ApprovalState.APPROVED, "suspend"): ApprovalState.SUSPENDED,
    (ApprovalState.SUSPENDED, "reinstate"): ApprovalState.APPROVED,
}
DECISION_LABELS = {"approve": "批准", "reject": "驳回", "suspend": "暂停", "reinstate": "恢复"}


@use_case
def decide(organization_id: int, decision: str, reason: str, actor: User) -> Organization:
    """Approve, reject, suspend or reinstate. Suspending ends the staff's sessions at once (and
    ``User.is_active`` refuses them on every request and token from then on)."""
    organization = db.session.get(Organization, organization_id, with_for_update=True)
    if organization is None or organization.kind == OrganizationKind.BUREAU:
        raise NotFound("机构不存在")
    target = DECISIONS.get((organization.approval_state, decision))
    if target is None:
        raise Conflict(f"当前状态下不能{DECISION_LABELS.get(decision, decision)}该机构")
    if decision in ("reject", "suspend") and not reason.strip():
        raise ValidationFailed("请填写原因", {"reason": ["驳回或暂停须填写原因"]})
    before = organization.approval_state
    organization.approval_state = target
    if target == ApprovalState.SUSPENDED:
        db.session.execute(update(User).where(User.organization_id == organization.id)
                           .values(session_epoch=User.session_epoch + 1,
                                   credentials_epoch=User.credentials_epoch + 1))
    record_event(f"organization.{decision}", "organization", organization.id, actor=actor,
                 before={"approval_state": before.value},
                 after={"approval_state": target.value, "reason": reason.strip() or None})
    return organization
