"""Market swaps: recorded by an agency or the household, verified by hand or against a file of
registered contracts, counted once, cancelled with a reversal and counted again."""

import pytest
from sqlalchemy import func, select

from housing_swap.db.models import (
    ApplicationStatus,
    GoalLedgerEntry,
    LedgerEntryType,
    MarketSwap,
    MarketSwapStatus,
    OrganizationKind,
    Role,
    UnitStatus,
)
from housing_swap.extensions import db
from housing_swap.services import ledger, market_swaps
from housing_swap.services.errors import Conflict, Forbidden, ValidationFailed
from housing_swap.services.imports import ImportRejected
from housing_swap.services.spreadsheets import Upload
from tests.acquisitions.helpers import contract_file, days_from_today, reverse_by_two, swap_fields
from tests.factories import valid_id_number
from tests.matching.helpers import application_fields, submitted_application, units_on_sale


def net_count() -> int:
    signs = {LedgerEntryType.COUNT: 1, LedgerEntryType.REVERSAL: -1}
    return sum(signs[t] for t in db.session.scalars(select(GoalLedgerEntry.entry_type)))


@pytest.fixture
def agency_staff(make):
    return make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY))


@pytest.fixture
def bureau(make):
    return make.staff(Role.BUREAU_ADMIN)


def test_an_agency_records_a_swap_and_the_bureau_verifies_and_counts_it(make, agency_staff, bureau):
    application, household = submitted_application(make, channel_preference="市场交易")
    unit = units_on_sale(make, prices=(1_500_000,))[0]
    raw = {**swap_fields(application.old_certificate_number, 1, unit.id), "household_phone": household.phone}
    swap = market_swaps.record_swap(raw, agency_staff)
    assert (swap.status, swap.application_id, swap.new_project_name) == (
        MarketSwapStatus.RECORDED, application.id, unit.building.project.name)
    db.session.refresh(application)
    assert application.status == ApplicationStatus.IN_PROGRESS
    assert net_count() == 0
    with pytest.raises(Forbidden):
        market_swaps.verify_swap(swap.id, agency_staff)
    market_swaps.verify_swap(swap.id, bureau)
    db.session.refresh(unit)
    db.session.refresh(application)
    assert unit.status == UnitStatus.SOLD
    assert application.status == ApplicationStatus.COMPLETED
    entry = ledger.live_entry_for(market_swap_id=swap.id)
    assert (entry.channel.value, entry.completed_on, entry.pilot) == ("market", days_from_today(-10), False)
    with pytest.raises(Conflict, match="不能再核验"):
        market_swaps.verify_swap(swap.id, bureau)
    assert net_count() == 1
    assert ledger.verify() == []


def test_a_record_is_checked_against_the_rules_before_anything_is_written(make):
    household = make.household(id_number=valid_id_number(901))
    certificate = application_fields()["certificate_number"]
    cases = {
        "new_purchase_on": {"old_sale_on": days_from_today(-200).isoformat(),
                            "new_purchase_on": days_from_today(-1).isoformat()},
        "old_sale_on": {"old_sale_on": days_from_today(1).isoformat()},
        "new_unit_id": {"new_project_name": ""},
    }
    expected = {"new_purchase_on": "新房与旧房签约相隔199天，超过规则允许的180天", "old_sale_on": "日期不能晚于今天",
                "new_unit_id": "请填写平台内的新房房屋编号，或平台外楼盘的名称和区县"}
    for field, changes in cases.items():
        with pytest.raises(ValidationFailed) as refused:
            market_swaps.record_swap(swap_fields(certificate, 2, **changes), household)
        assert expected[field] in refused.value.details[field]
    with pytest.raises(ValidationFailed) as same_numbers:
        market_swaps.record_swap(swap_fields(certificate, 2, new_purchase_contract_number="ESF-2"), household)
    assert same_numbers.value.details["new_purchase_contract_number"] == ["不能与旧房买卖合同编号相同"]
    assert db.session.scalar(select(func.count()).select_from(MarketSwap)) == 0


def test_one_live_record_per_property_and_a_rejected_one_frees_it(make, bureau):
    household = make.household(id_number=valid_id_number(902))
    certificate = application_fields()["certificate_number"]
    first = market_swaps.record_swap(swap_fields(certificate, 3), household)
    with pytest.raises(Conflict, match="这套旧房已有一条待核验或已计入的市场交易记录"):
        market_swaps.record_swap(swap_fields(certificate, 4), household)
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="请填写原因"):
        market_swaps.reject_swap(first.id, "", bureau)
    market_swaps.reject_swap(first.id, "合同编号与备案不符", bureau)
    again = market_swaps.record_swap(swap_fields(certificate, 3), household)
    assert again.status == MarketSwapStatus.RECORDED


def test_a_verified_swap_is_not_cancelled_and_two_people_take_its_count_back(make, bureau):
    household = make.household(id_number=valid_id_number(903))
    certificate = application_fields()["certificate_number"]
    swap = market_swaps.record_swap(swap_fields(certificate, 5), household)
    market_swaps.verify_swap(swap.id, bureau)
    for actor in (household, bureau):
        with pytest.raises(Conflict, match="已核验并计入目标，不能撤销"):
            market_swaps.cancel_swap(swap.id, "买方违约，合同解除", actor)
        db.session.rollback()
    assert net_count() == 1
    reverse_by_two(make, ledger.live_entry_for(market_swap_id=swap.id).id, "买方违约，合同解除，网签已注销")
    assert net_count() == 0
    db.session.refresh(swap)
    assert swap.status == MarketSwapStatus.REVERSED
    assert swap.verified_by_user_id == bureau.id
    reversal = db.session.scalars(select(GoalLedgerEntry).where(
        GoalLedgerEntry.entry_type == LedgerEntryType.REVERSAL)).one()
    assert reversal.reason == "买方违约，合同解除，网签已注销"
    second = market_swaps.record_swap(swap_fields(certificate, 6), household)
    market_swaps.verify_swap(second.id, bureau)
    assert net_count() == 1
    assert ledger.verify() == []


def test_the_contract_file_verifies_matches_and_lists_mismatches_and_missing(make, bureau):
    recorded = []
    for serial in (10, 11, 12):
        household = make.household(id_number=valid_id_number(900 + serial))
        certificate = application_fields()["certificate_number"]
        recorded.append(market_swaps.record_swap(swap_fields(certificate, serial), household))
    sale_on, bought_on = days_from_today(-30).isoformat(), days_from_today(-10).isoformat()
    upload = contract_file([
        ("ESF-10", "900000", sale_on), ("WQ-10", "1500000", bought_on),   # both match
        ("ESF-11", "900000", sale_on), ("WQ-11", "1490000", bought_on),   # new home's price differs
        ("ESF-12", "900000", sale_on),                                    # purchase contract missing
    ])
    report = market_swaps.check_against_contract_file(upload, bureau)
    outcomes = {row.swap.id: (row.outcome, row.reasons) for row in report.rows}
    assert outcomes == {
        recorded[0].id: ("matched", []),
        recorded[1].id: ("mismatched", ["新房购房合同WQ-11价格不一致：备案1490000元，申报1500000元"]),
        recorded[2].id: ("missing", ["新房购房合同WQ-12在备案文件中不存在"]),
    }
    statuses = {swap.id: swap.status for swap in db.session.scalars(select(MarketSwap))}
    assert statuses == {recorded[0].id: MarketSwapStatus.VERIFIED, recorded[1].id: MarketSwapStatus.RECORDED,
                        recorded[2].id: MarketSwapStatus.RECORDED}
    db.session.refresh(recorded[1])
    assert recorded[1].contract_check_note == "新房购房合同WQ-11价格不一致：备案1490000元，申报1500000元"
    assert net_count() == 1


def test_a_contract_file_with_a_bad_row_is_refused_whole(make, bureau):
    household = make.household(id_number=valid_id_number(904))
    swap = market_swaps.record_swap(swap_fields(application_fields()["certificate_number"], 20), household)
    upload = contract_file([("ESF-20", "900000", days_from_today(-30).isoformat()),
                            ("WQ-20", "一百五十万", days_from_today(-10).isoformat())], extension="csv")
    with pytest.raises(ImportRejected) as refused:
        market_swaps.check_against_contract_file(upload, bureau)
    assert [(e.row, e.column) for e in refused.value.row_errors] == [(3, "成交价格")]
    db.session.rollback()
    db.session.refresh(swap)
    assert swap.status == MarketSwapStatus.RECORDED
    assert net_count() == 0
    with pytest.raises(ValidationFailed, match="缺少必需的列：签约日期"):
        market_swaps.check_against_contract_file(
            Upload("x.csv", "合同编号,成交价格\nESF-20,900000\n".encode()), bureau)


def test_the_swap_page_names_the_new_home_by_project_building_and_room(make, agency_staff, bureau, client, login):
    application, household = submitted_application(make, channel_preference="市场交易")
    unit = units_on_sale(make, prices=(1_500_000,))[0]
    swap = market_swaps.record_swap({**swap_fields(application.old_certificate_number, 7, unit.id),
                                     "household_phone": household.phone}, agency_staff)
    db.session.commit()
    login(bureau.username)
    page = client.get(f"/market-swaps/{swap.id}").get_data(as_text=True)
    assert f"{unit.building.name} {unit.room}室" in page
    assert unit.building.project.name in page
    assert "平台房屋" not in page
    assert f"/projects/{unit.building.project_id}" in page
