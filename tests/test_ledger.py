"""The goal ledger: counted once, reversed with a reason, re-countable, verified, safe under concurrency."""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select, update

from housing_swap.db.models import (
    Channel,
    GoalLedgerEntry,
    LedgerEntryType,
    MarketSwap,
    MarketSwapStatus,
    Role,
)
from housing_swap.extensions import db
from housing_swap.services import ledger
from housing_swap.services.errors import Conflict
from housing_swap.services.rules import current_rules
from tests.acquisitions.helpers import reverse_by_two
from tests.matching.helpers import units_on_sale


def market_swap(make, property_key: str, unit_id: int | None, sale_on=date(2024, 5, 1),
                purchase_on=date(2024, 6, 1), serial: int = 1,
                status: MarketSwapStatus = MarketSwapStatus.VERIFIED) -> MarketSwap:
    """A swap row written past the service. A second *live* row for the same property is refused
    by market_swap's own unique index, so tests of the ledger's guard give the others another status."""
    household = make.household()
    version, _ = current_rules(date(2024, 6, 1))
    swap = MarketSwap(household_user_id=household.id, recorded_by_user_id=household.id,
                      old_district_code="410105", old_certificate_number=f"证{serial}",
                      old_property_key=property_key, buyer_name="买家", old_sale_price=1_000_000,
                      old_sale_contract_number=f"ES-{serial}", old_sale_on=sale_on, new_unit_id=unit_id,
                      new_project_name="", new_district_code="410105",
                      new_purchase_contract_number=f"WQ-{serial}", new_home_price=1_500_000,
                      new_purchase_on=purchase_on, status=status, rule_version_id=version.id)
    db.session.add(swap)
    db.session.commit()
    return swap


def count(swap: MarketSwap) -> ledger.CountedSwap:
    version, _ = current_rules(date(2024, 6, 1))
    return ledger.CountedSwap(Channel.MARKET, swap.old_property_key, swap.old_district_code,
                              swap.new_purchase_on, swap.new_unit_id, version, market_swap_id=swap.id)


def net_count() -> int:
    counts = db.session.scalar(select(func.count()).where(GoalLedgerEntry.entry_type == LedgerEntryType.COUNT))
    reversals = db.session.scalar(select(func.count()).where(GoalLedgerEntry.entry_type == LedgerEntryType.REVERSAL))
    return counts - reversals


def test_a_property_counts_once_until_reversed_then_again(make):
    unit = units_on_sale(make, prices=(1_500_000,))[0]
    bureau = make.staff(Role.BUREAU_ADMIN)
    first = market_swap(make, "h" * 64, unit.id, serial=1)
    entry = ledger.record_count(count(first), bureau)
    db.session.commit()
    again = market_swap(make, "h" * 64, None, serial=2, status=MarketSwapStatus.CANCELLED)
    with pytest.raises(Conflict, match="已计入目标"):
        ledger.record_count(count(again), bureau)
    db.session.rollback()
    assert net_count() == 1
    with pytest.raises(Conflict, match="原因"):
        ledger.reverse(entry.id, " ", bureau)
    reverse_by_two(make, entry.id, "买卖合同已解除，网签已注销")
    assert net_count() == 0
    with pytest.raises(Conflict, match="已被撤销"):
        ledger.reverse(entry.id, "再次撤销", bureau)
    db.session.rollback()
    ledger.record_count(count(again), bureau)
    db.session.commit()
    assert net_count() == 1
    assert ledger.verify() == []


def test_one_unit_cannot_serve_two_households(make):
    unit = units_on_sale(make, prices=(1_500_000,))[0]
    ledger.record_count(count(market_swap(make, "a" * 64, unit.id, serial=3)), None)
    db.session.commit()
    other_household = market_swap(make, "b" * 64, None, serial=4)
    claims_same_unit = replace(count(other_household), new_unit_id=unit.id)
    with pytest.raises(Conflict, match="该新房已用于其他家庭"):
        ledger.record_count(claims_same_unit, None)
    db.session.rollback()
    assert net_count() == 1


def test_verify_names_a_corrupted_row_and_the_cli_exits_non_zero(make, runner):
    bureau = make.staff(Role.BUREAU_ADMIN)
    first = ledger.record_count(count(market_swap(make, "c" * 64, None, serial=6)), bureau)
    second = ledger.record_count(count(market_swap(make, "d" * 64, None, serial=7,
                                                   purchase_on=date(2024, 5, 20))), bureau)
    db.session.commit()
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    # Tamper past the service: make the second row claim the first one's property.
    db.session.execute(update(GoalLedgerEntry).where(GoalLedgerEntry.id == second.id)
                       .values(property_hash=first.property_hash))
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert f"ledger entry {second.id}: property counted twice in one year (also entry {first.id})" in result.output


def test_verify_checks_the_rule_time_limit_and_both_contracts(make):
    late = market_swap(make, "e" * 64, None, serial=8, sale_on=date(2024, 1, 1), purchase_on=date(2024, 12, 1))
    entry = ledger.record_count(count(late), None)
    db.session.commit()
    assert [str(v) for v in ledger.verify()] == [
        f"ledger entry {entry.id}: new home bought later than the rule's time limit after the sale"]


def test_twenty_simultaneous_counts_of_one_property_count_once(app, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is exercised on PostgreSQL (the CI server run)")
    swaps = [market_swap(make, "f" * 64, None, serial=100 + i, status=MarketSwapStatus.CANCELLED)
             for i in range(20)]
    counted = [count(s) for s in swaps]
    version_id = counted[0].rule_version.id

    def attempt(index: int) -> str:
        with app.app_context():
            version = db.session.get(type(counted[0].rule_version), version_id)
            try:
                ledger.record_count(ledger.CountedSwap(Channel.MARKET, "f" * 64, "410105", date(2024, 6, 1),
                                                       None, version, market_swap_id=swaps[index].id), None)
                db.session.commit()
                return "counted"
            except Conflict:
                db.session.rollback()
                return "conflict"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert outcomes.count("counted") == 1
    assert outcomes.count("conflict") == 19
    assert net_count() == 1


def test_verify_names_two_live_counts_of_one_home_stored_under_two_keys(make, runner):
    """Rows written before canonicalisation (kept apart by migration 0013) carry two keys for one
    home; verify recomputes the identity from the certificate numbers and names the pair."""
    bureau = make.staff(Role.BUREAU_ADMIN)
    spellings = ("豫(2015)郑州市不动产权第6584811号", "豫（2015）郑州市不动产权第6584811号")
    swaps = [market_swap(make, f"{serial}" * 64, None, serial=serial, status=status)
             for serial, status in ((1, MarketSwapStatus.VERIFIED), (2, MarketSwapStatus.CANCELLED))]
    for swap, spelling in zip(swaps, spellings, strict=True):
        swap.old_certificate_number = spelling
        ledger.record_count(count(swap), bureau)
    db.session.commit()
    entries = sorted(e.id for e in db.session.scalars(select(GoalLedgerEntry)))
    assert [str(v) for v in ledger.verify()] == [
        f"ledger entry {entries[1]}: one home counted twice in one year under two identifiers "
        f"(also entry {entries[0]})"]
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code != 0
    assert "two identifiers" in result.output


def test_verify_names_a_reversal_without_a_two_person_approval(make):
    """A reversal row written past the two-person rule (one person, straight to the ledger)."""
    bureau = make.staff(Role.BUREAU_ADMIN)
    swap = market_swap(make, "k" * 64, None, serial=9)
    entry = ledger.record_count(count(swap), bureau)
    reversal = ledger.reverse(entry.id, "一个人直接撤销的计数", bureau)
    db.session.commit()
    assert [str(v) for v in ledger.verify()] == [
        f"ledger entry {reversal.id}: reversal without an approval by a second bureau user"]
