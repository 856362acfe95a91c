"""Joined homes (一户多套旧房合并换新): a household with two old homes files one application per
home and joins the second to the first (Wuxi's many-for-one). Each home keeps its own case: its
own eligibility decision, appraisal, offer, contract and title transfer, and its own count on the
ledger. What is shared: the money (every home's proceeds less its mortgage, the savings and the
loan once) and the new home, bought once on the lead application.

Pure checks: whether a join or a leave may happen, in the words a household reads.
"""
from __future__ import annotations

from dataclasses import dataclass

from .applications import ApplicationStatus

# A home may join, or be joined to, while its case is open and its new home not yet bought.
JOINABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE,
            ApplicationStatus.MATCHED, ApplicationStatus.IN_PROGRESS)


@dataclass(frozen=True)
class CaseFacts:
    """What a join or leave looks at, for one application."""

    application_id: int
    household_user_id: int
    status: ApplicationStatus
    joined_to_id: int | None
    joined_homes: int              # applications joined to this one
    purchase_recorded: bool        # its new home is bought (a purchase on a live acquisition)


def join_problem(home: CaseFacts, lead: CaseFacts, max_homes: int) -> str | None:
    """Why ``home`` may not join ``lead``'s purchase, or None when it may."""
    if max_homes < 2:
        return "现行规则不受理多套旧房合并换新"
    if home.application_id == lead.application_id:
        return "不能与本申请自身合并"
    if home.household_user_id != lead.household_user_id:
        return "只能与本家庭名下的另一份申请合并"
    if home.joined_to_id is not None:
        return f"本申请已与申请{home.joined_to_id}合并，请先解除"
    if home.joined_homes:
        return "已有其他旧房并入本申请，本申请只能作为合并购房的主申请"
    if lead.joined_to_id is not None:
        return f"申请{lead.application_id}已并入申请{lead.joined_to_id}，请选择主申请{lead.joined_to_id}"
    if lead.joined_homes + 2 > max_homes:
        return f"现行规则一户最多{max_homes}套旧房合并换新"
    for case in (home, lead):
        if case.status not in JOINABLE:
            return f"申请{case.application_id}当前为“{case.status.label}”，不能合并"
        if case.purchase_recorded:
            return f"申请{case.application_id}已登记购买新房，不能再合并"
    return None


def leave_problem(home: CaseFacts) -> str | None:
    """Why ``home`` may not leave its lead's purchase, or None when it may: once its own case
    recorded the shared new home, the two are one purchase."""
    if home.joined_to_id is None:
        return "本申请没有与其他申请合并"
    if home.purchase_recorded:
        return "本申请的收购已登记合并购买的新房，不能解除合并"
    if home.status not in JOINABLE:
        return f"本申请当前为“{home.status.label}”，不能解除合并"
    return None
