"""Builders for acquisition and market-swap tests: an acquisition driven to any step, a market
swap's fields, a file of registered contracts."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd

from housing_swap.db.models import Acquisition, AcquisitionStatus, OrganizationKind, Role
from housing_swap.domain.acquisitions import MAIN_PATH
from housing_swap.domain.timezones import beijing_today
from housing_swap.services import acquisitions, ledger_reversals
from housing_swap.services.documents import DocumentUpload
from housing_swap.services.spreadsheets import Upload
from tests.matching.helpers import submitted_application, units_on_sale

PDF = DocumentUpload("评估报告.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
TODAY = beijing_today()
APPRAISED_VALUE = 1_000_000


class Cast:
    """The people an acquisition needs: a household, an officer, an appraiser and a unit to buy."""

    def __init__(self, make, unit_price: int = 1_500_000, district: str = "410105"):
        self.application, self.household = submitted_application(make, channel_preference="城发集团收购")
        self.officer = make.staff(Role.CITY_GROUP_OFFICER)
        appraiser_org = make.organization(OrganizationKind.APPRAISER)
        self.appraiser = make.staff(Role.APPRAISER, organization=appraiser_org)
        self.unit = units_on_sale(make, district=district, prices=(unit_price,))[0]


STEP_INPUT = {
    "inspection_scheduled": lambda cast, a: acquisitions.schedule_inspection(
        a.id, {"inspection_on": TODAY.isoformat(), "appraiser_org_id": str(cast.appraiser.organization_id)},
        cast.officer),
    "appraised": lambda cast, a: acquisitions.appraise(
        a.id, {"appraised_value": str(APPRAISED_VALUE), "appraised_on": TODAY.isoformat()}, PDF, cast.appraiser),
    "offer_made": lambda cast, a: acquisitions.make_offer(a.id, {"offer_price": "950000"}, cast.officer),
    "offer_accepted": lambda cast, a: acquisitions.answer_offer(a.id, True, cast.household),
    "contract_signed": lambda cast, a: acquisitions.sign_contract(
        a.id, {"contract_number": f"SG-{a.id}", "contract_price": "950000",
               "contract_signed_on": TODAY.isoformat()}, None, cast.officer),
    "new_home_purchased": lambda cast, a: acquisitions.record_purchase(
        a.id, {"unit_id": str(cast.unit.id), "purchase_contract_number": f"WQ-{a.id}",
               "new_home_price": str(cast.unit.list_price), "purchased_on": TODAY.isoformat()}, None, cast.officer),
    "title_transferred": lambda cast, a: acquisitions.transfer_title(
        a.id, {"title_transferred_on": TODAY.isoformat()}, None, cast.officer),
    "completed": lambda cast, a: acquisitions.complete(a.id, {"completed_on": TODAY.isoformat()}, cast.officer),
}


def drive_to(cast: Cast, status: str) -> Acquisition:
    """Take the cast's application in and run every step up to and including ``status``."""
    acquisition = acquisitions.take_in(cast.application.id, cast.officer)
    for step in MAIN_PATH[1:MAIN_PATH.index(status) + 1]:
        acquisition = STEP_INPUT[step](cast, acquisition)
    assert acquisition.status == AcquisitionStatus(status)
    return acquisition


def reverse_by_two(make, entry_id: int, reason: str = "购房合同已解除，网签备案已注销"):
    """Take a count back as the rule requires: one bureau user asks, another approves."""
    requester, reviewer = make.staff(Role.BUREAU_ADMIN), make.staff(Role.BUREAU_ADMIN)
    request = ledger_reversals.request_reversal(entry_id, reason, PDF, requester)
    return ledger_reversals.approve(request.id, "材料核实无误", reviewer)


def days_from_today(days: int) -> date:
    return TODAY + timedelta(days=days)


def swap_fields(certificate: str, serial: int, unit_id: int | None = None, **changes) -> dict:
    fields = {"old_district_code": "410105", "old_certificate_number": certificate, "buyer_name": "王五",
              "old_sale_price": "900000", "old_sale_contract_number": f"ESF-{serial}",
              "old_sale_on": days_from_today(-30).isoformat(),
              "new_unit_id": str(unit_id) if unit_id else "", "new_project_name": "" if unit_id else "平台外新城",
              "new_district_code": "" if unit_id else "410105",
              "new_purchase_contract_number": f"WQ-{serial}", "new_home_price": "1500000",
              "new_purchase_on": days_from_today(-10).isoformat()}
    fields.update(changes)
    return fields


def contract_file(rows: list[tuple[str, str, str]], extension: str = "xlsx") -> Upload:
    frame = pd.DataFrame(rows, columns=["合同编号", "成交价格", "签约日期"])
    buffer = io.BytesIO()
    if extension == "xlsx":
        frame.to_excel(buffer, index=False)
        return Upload("备案合同.xlsx", buffer.getvalue())
    return Upload("备案合同.csv", frame.to_csv(index=False).encode("utf-8-sig"))
