"""Organizations taking part in the platform, registered by the bureau."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..db.models import ApprovalState, Organization, OrganizationKind, User
from ..domain.identity import normalize_phone, phone_problem
from ..extensions import db
from .audit import record_event
from .errors import ValidationFailed

ORGANIZATION_KIND_LABELS = {
    OrganizationKind.AGENCY: "经纪机构",
    OrganizationKind.DEVELOPER: "开发企业",
    OrganizationKind.CITY_GROUP: "城发集团",
    OrganizationKind.APPRAISER: "评估机构",
    OrganizationKind.BUREAU: "住房保障局",
}


@dataclass(frozen=True)
class OrganizationRegistration:
    kind: OrganizationKind
    name: str
    licence_number: str
    contact_name: str
    contact_phone: str


def list_organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.id)))


def register_organization(data: OrganizationRegistration, actor: User) -> Organization:
    """The bureau registers an organization; it starts approved, as the bureau vetted it."""
    _check_registration(data)
    organization = Organization(
        kind=data.kind, name=data.name.strip(), licence_number=data.licence_number.strip(),
        contact_name=data.contact_name.strip(), contact_phone=normalize_phone(data.contact_phone),
        approval_state=ApprovalState.APPROVED,
    )
    db.session.add(organization)
    db.session.flush()
    record_event("organization.register", "organization", organization.id, actor=actor,
                 after={"kind": data.kind.value, "name": organization.name,
                        "licence_number": organization.licence_number})
    db.session.commit()
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
