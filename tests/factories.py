"""Factories for model objects, written through the same services the app uses."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from housing_swap.db.models import (
    ApprovalState,
    Organization,
    OrganizationKind,
    Role,
    User,
)
from housing_swap.domain.identity import id_check_char
from housing_swap.extensions import db
from housing_swap.services import accounts

_counter = itertools.count(1)


def valid_id_number(serial: int, region: str = "410105", birth: str | None = None) -> str:
    """A well-formed ID number, different for every serial: the sequence digits hold the serial's
    last three digits and, unless a birth date is given, the birth day moves on by the thousands
    (1985-06-12 for serials under 1,000), so counters started at different thousands never meet."""
    born = birth or (date(1985, 6, 12) + timedelta(days=serial // 1000)).strftime("%Y%m%d")
    first17 = f"{region}{born}{serial % 1000:03d}"
    return first17 + id_check_char(first17)


def unique_phone() -> str:
    return f"139{next(_counter):08d}"


class Factories:
    PASSWORD = "Zz-test-pass-2024"

    def organization(self, kind: OrganizationKind, name: str | None = None,
                     state: ApprovalState = ApprovalState.APPROVED) -> Organization:
        number = next(_counter)
        org = Organization(kind=kind, name=name or f"测试机构{number}",
                           licence_number=f"LIC-{number:05d}", approval_state=state)
        db.session.add(org)
        db.session.commit()
        return org

    def household(self, phone: str | None = None, real_name: str = "张三",
                  id_number: str | None = None) -> User:
        return accounts.register_household(accounts.HouseholdRegistration(
            phone=phone or unique_phone(), password=self.PASSWORD, real_name=real_name,
            id_number=id_number))

    def staff(self, role: Role, organization: Organization | None = None,
              username: str | None = None) -> User:
        if organization is None:
            kind = accounts.ROLE_ORGANIZATION_KIND[role]
            organization = (accounts.ensure_bureau_organization() if kind == OrganizationKind.BUREAU
                            else self.organization(kind))
        return accounts.create_staff_user(accounts.StaffAccount(
            username=username or f"{role.value}-{next(_counter)}", password=self.PASSWORD,
            real_name="李四", role=role, organization_id=organization.id), created_by=None)
