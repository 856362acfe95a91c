"""Joined homes (一户多套旧房合并换新) as use cases: join a household's second old home to the
application of its first, leave again, and read a bundle (the lead first, then the homes joined
to it) and the new home bought for it. The checks are in ``domain/joined_homes.py``."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..db.models import Acquisition, AcquisitionStatus, SwapApplication, User
from ..domain.fields import MAX_ID, optional_integer
from ..domain.joined_homes import JOINABLE, CaseFacts, join_problem, leave_problem
from ..extensions import db
from . import applications
from .audit import record_event
from .errors import Conflict, NotFound, ValidationFailed
from .rules import latest_rules
from .unit_of_work import use_case

# Acquisition steps at and after which the new home is bought.
PURCHASED = (AcquisitionStatus.NEW_HOME_PURCHASED, AcquisitionStatus.TITLE_TRANSFERRED, AcquisitionStatus.COMPLETED)


@use_case
def join(application_id: int, raw: dict, household: User) -> SwapApplication:
    """Join this application's old home to the household's lead application."""
    home = applications.application_for_changing(application_id, household)
    lead_id = optional_integer(str(raw.get("lead_application_id", "")).strip().removeprefix("申请"), 1, MAX_ID)
    if lead_id is None:
        raise ValidationFailed("合并信息有误", {"lead_application_id": ["请选择要合并到的申请"]})
    home, lead = _locked_pair(home.id, lead_id, household)
    if problem := join_problem(_facts(home), _facts(lead), latest_rules()[1].joined_homes_max):
        raise Conflict(problem)
    home.joined_to_id = lead.id
    applications.add_event(home, home.status, f"本套旧房并入申请{lead.id}，合并购买新房", household)
    applications.add_event(lead, lead.status, f"申请{home.id}的旧房并入本申请，合并购买新房", household)
    record_event("application.join", "swap_application", home.id, actor=household,
                 before={"joined_to_id": None}, after={"joined_to_id": lead.id})
    return home


@use_case
def leave(application_id: int, household: User) -> SwapApplication:
    """Take this home out of the lead's purchase again; each application stands alone."""
    home = applications.application_for_changing(application_id, household)
    db.session.refresh(home, with_for_update=True)
    if problem := leave_problem(_facts(home)):
        raise Conflict(problem)
    lead = db.session.get_one(SwapApplication, home.joined_to_id)
    home.joined_to_id = None
    applications.add_event(home, home.status, f"解除与申请{lead.id}的合并", household)
    applications.add_event(lead, lead.status, f"申请{home.id}的旧房已解除合并", household)
    record_event("application.leave", "swap_application", home.id, actor=household,
                 before={"joined_to_id": lead.id}, after={"joined_to_id": None})
    return home


def release_on_withdrawal(application: SwapApplication, actor: User) -> None:
    """A withdrawn application leaves its bundle: a joined home stands alone again, and the homes
    joined to a withdrawn lead do too (each says so on its timeline)."""
    if application.joined_to_id is not None:
        lead = db.session.get_one(SwapApplication, application.joined_to_id)
        application.joined_to_id = None
        applications.add_event(lead, lead.status, f"申请{application.id}已撤回，其旧房不再并入本申请", actor)
    for home in db.session.scalars(select(SwapApplication).where(SwapApplication.joined_to_id == application.id)
                                   .with_for_update()):
        home.joined_to_id = None
        applications.add_event(home, home.status, f"主申请{application.id}已撤回，本申请不再合并，单独办理", actor)


def _locked_pair(home_id: int, lead_id: int, household: User) -> tuple[SwapApplication, SwapApplication]:
    """Both rows locked, in id order so two joins of the same pair cannot deadlock."""
    found = {application.id: application for application in db.session.scalars(
        select(SwapApplication).where(SwapApplication.id.in_(sorted({home_id, lead_id})))
        .order_by(SwapApplication.id).with_for_update().execution_options(populate_existing=True))}
    lead = found.get(lead_id)
    if lead is None or lead.household_user_id != household.id:
        raise NotFound("要合并到的申请不存在，或不属于您")
    return found[home_id], lead


def _facts(application: SwapApplication) -> CaseFacts:
    joined = db.session.scalar(select(func.count()).where(SwapApplication.joined_to_id == application.id))
    return CaseFacts(application.id, application.household_user_id, application.status, application.joined_to_id,
                     joined or 0, purchase_of(application) is not None)


# ----- reading a bundle ---------------------------------------------------------------------------

def lead_of(application: SwapApplication) -> SwapApplication:
    return application if application.joined_to_id is None else db.session.get_one(SwapApplication,
                                                                                    application.joined_to_id)


def bundle_of(application: SwapApplication) -> list[SwapApplication]:
    """The lead application first, then the homes joined to it, oldest first."""
    lead = lead_of(application)
    return [lead, *db.session.scalars(select(SwapApplication).where(SwapApplication.joined_to_id == lead.id)
                                      .order_by(SwapApplication.id))]


def joined_to(lead_ids: list[int]) -> dict[int, list[SwapApplication]]:
    """For a batch: the homes joined to each of these applications."""
    found: dict[int, list[SwapApplication]] = {}
    if lead_ids:
        for application in db.session.scalars(select(SwapApplication).where(
                SwapApplication.joined_to_id.in_(lead_ids)).order_by(SwapApplication.id)):
            if application.joined_to_id is not None:      # always, by the filter (narrows the type)
                found.setdefault(application.joined_to_id, []).append(application)
    return found


def join_choices(application: SwapApplication) -> list[SwapApplication]:
    """The household's other open applications this one could join (the form's choices); none
    when this one is not open or the rules take no joins."""
    if application.status not in JOINABLE or latest_rules()[1].joined_homes_max < 2:
        return []
    return list(db.session.scalars(select(SwapApplication).where(
        SwapApplication.household_user_id == application.household_user_id, SwapApplication.id != application.id,
        SwapApplication.joined_to_id.is_(None), SwapApplication.status.in_(JOINABLE)).order_by(SwapApplication.id)))


@dataclass(frozen=True)
class Purchase:
    """The new homes a case bought: its own or its lead's; the first unit, and the total price of
    every new home bought with it."""

    acquisition: Acquisition
    unit_id: int
    price: int


def purchase_of(application: SwapApplication) -> Purchase | None:
    """The new-home purchase recorded on this application's live acquisition, if any."""
    acquisition = db.session.scalar(select(Acquisition).where(
        Acquisition.application_id == application.id, Acquisition.status.in_(PURCHASED)))
    if acquisition is None:
        return None
    if acquisition.joined_purchase:
        lead_purchase = purchase_of(lead_of(application))
        return None if lead_purchase is None else Purchase(acquisition, lead_purchase.unit_id, lead_purchase.price)
    if acquisition.new_unit_id is None or acquisition.new_home_price is None:
        return None     # a case past its purchase step has both (this narrows the types)
    extras = sum(extra.price for extra in acquisition.additional_units)
    return Purchase(acquisition, acquisition.new_unit_id, acquisition.new_home_price + extras)


def bundle_city_group_price(application: SwapApplication) -> int:
    """What the city group pays for the bundle's homes under signed contracts: the new home of a
    joined purchase must cost at least the rule's multiple of all of them together."""
    ids = [member.id for member in bundle_of(application)]
    return db.session.scalar(select(func.coalesce(func.sum(Acquisition.contract_price), 0)).where(
        Acquisition.application_id.in_(ids), Acquisition.status != AcquisitionStatus.CANCELLED)) or 0


def shared_purchase_for(application: SwapApplication) -> Purchase:
    """The lead's recorded purchase a joined home's case takes as its own new home."""
    if application.joined_to_id is None:
        raise Conflict("本申请没有与其他申请合并，请直接登记新房购买")
    purchase = purchase_of(lead_of(application))
    if purchase is None:
        raise Conflict(f"主申请{application.joined_to_id}尚未登记购买新房：请先在主申请的收购中登记新房购买")
    return purchase
