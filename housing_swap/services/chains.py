"""Swap chains as use cases: the periodic finder, and each household's accept or decline."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from ..db.base import utcnow
from ..db.models import (
    ApplicationMatch,
    ChainLink,
    ChainProposal,
    ChainStatus,
    LinkDecision,
    Listing,
    ListingStatus,
    SwapApplication,
    User,
)
from ..domain.applications import MATCHABLE
from ..domain.chains import Proposal, find_proposals
from ..domain.matching import HomeOnOffer, buyers_for
from ..extensions import db
from .audit import record_event
from .errors import Conflict, NotFound
from .exclusive_runs import exclusive
from .matching import buyer_table
from .rules import latest_rules
from .unit_of_work import use_case

CHOICES_PER_HOUSEHOLD = 5   # each household ranks at most this many old homes it could buy


@dataclass(frozen=True)
class ChainRunSummary:
    households: int
    proposals: int
    cycles: int
    chains: int


@exclusive("match chains")
@use_case
def run_chain_finder() -> ChainRunSummary:
    _, rules = latest_rules()
    busy = _households_in_live_proposals()
    applications = [a for a in db.session.scalars(select(SwapApplication).where(SwapApplication.status.in_(MATCHABLE)))
                    if a.id not in busy]
    found = find_proposals(_preferences(applications, rules), _outside_buyers(applications), _buying_new(),
                           rules.chain_max_length)
    for proposal in found:
        _save(proposal)
    record_event("chains.run", "chain_proposal", None, after={"proposals": len(found)})
    cycles = sum(p.kind == "cycle" for p in found)
    return ChainRunSummary(len(applications), len(found), cycles, len(found) - cycles)


def _households_in_live_proposals() -> set[int]:
    return set(db.session.scalars(select(ChainLink.application_id).join(ChainProposal).where(
        ChainProposal.status.in_((ChainStatus.PROPOSED, ChainStatus.AGREED)))))


def _declined_pairs() -> set[tuple[int, int]]:
    """(buyer, seller) pairs a household has turned down; they are not proposed again."""
    rows = db.session.execute(select(ChainLink.application_id, ChainLink.buys_from_application_id).where(
        ChainLink.decision == LinkDecision.DECLINED, ChainLink.buys_from_application_id.is_not(None)))
    return {(buyer, seller) for buyer, seller in rows}


def _preferences(applications: list[SwapApplication], rules) -> dict[int, list[int]]:
    table = buyer_table(rules)
    candidates = {a.id for a in applications}
    declined = _declined_pairs()
    scored: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for seller in applications:
        price = seller.valuation_estimate or seller.old_asking_price
        if not price:
            continue
        home = HomeOnOffer(seller.id, seller.old_district_code, seller.old_area_m2, seller.old_bedrooms,
                           seller.old_has_elevator, price)
        for match in buyers_for(table, home, limit=len(table)):
            if match.application_id in candidates and (match.application_id, seller.id) not in declined:
                scored[match.application_id].append((match.score, seller.id))
    return {buyer: [seller for _, seller in sorted(options, key=lambda o: (-o[0], o[1]))[:CHOICES_PER_HOUSEHOLD]]
            for buyer, options in scored.items()}


def _outside_buyers(applications: list[SwapApplication]) -> dict[int, str]:
    """The city group buys qualifying homes; a plain buyer has reserved a listed one."""
    reserved = set(db.session.scalars(select(Listing.id).where(
        Listing.id.in_([a.old_listing_id for a in applications if a.old_listing_id]),
        Listing.status == ListingStatus.RESERVED)))
    starters = {}
    for application in applications:
        if "city_group" in (application.eligible_channels or []):
            starters[application.id] = "city_group"
        elif application.old_listing_id in reserved:
            starters[application.id] = "buyer"
    return starters


def _buying_new() -> set[int]:
    return set(db.session.scalars(select(ApplicationMatch.application_id).where(ApplicationMatch.rank == 1)))


def _save(proposal: Proposal) -> None:
    record = ChainProposal(kind=proposal.kind, starter=proposal.starter, status=ChainStatus.PROPOSED)
    db.session.add(record)
    households = proposal.households
    for position, application_id in enumerate(households):
        if position > 0:
            buys_from, unit = households[position - 1], None
        elif proposal.kind == "cycle":
            buys_from, unit = households[-1], None
        else:
            buys_from, unit = None, _top_unit(application_id)
        record.links.append(ChainLink(position=position, application_id=application_id,
                                      buys_from_application_id=buys_from, new_unit_id=unit))


def _top_unit(application_id: int) -> int | None:
    return db.session.scalar(select(ApplicationMatch.unit_id).where(
        ApplicationMatch.application_id == application_id, ApplicationMatch.rank == 1))


# ----- households decide -------------------------------------------------------------------------

def proposals_for(user: User) -> list[ChainProposal]:
    return list(db.session.scalars(
        select(ChainProposal).join(ChainLink).join(SwapApplication, SwapApplication.id == ChainLink.application_id)
        .where(SwapApplication.household_user_id == user.id).order_by(ChainProposal.id.desc())).unique())


def _own_link(proposal: ChainProposal, user: User) -> ChainLink | None:
    for link in proposal.links:
        application = db.session.get(SwapApplication, link.application_id)
        if application.household_user_id == user.id:
            return link
    return None


@use_case
def decide_link(proposal_id: int, user: User, accept: bool) -> ChainProposal:
    """Each household answers for its own link."""
    # Locked, so two last acceptances at once cannot both leave the proposal undecided.
    proposal = db.session.get(ChainProposal, proposal_id, with_for_update=True)
    link = _own_link(proposal, user) if proposal else None
    if link is None:
        raise NotFound("连环单不存在，或与您无关")
    if proposal.status != ChainStatus.PROPOSED or link.decision != LinkDecision.PENDING:
        raise Conflict("该连环单已有结果，不能再更改")
    link.decision = LinkDecision.ACCEPTED if accept else LinkDecision.DECLINED
    link.decided_by_user_id, link.decided_at = user.id, utcnow()
    if not accept:
        proposal.status, proposal.decided_at = ChainStatus.DECLINED, utcnow()
    elif all(other.decision == LinkDecision.ACCEPTED for other in proposal.links):
        proposal.status, proposal.decided_at = ChainStatus.AGREED, utcnow()
    record_event("chain.accept" if accept else "chain.decline", "chain_proposal", proposal.id, actor=user,
                 after={"link": link.position, "status": proposal.status})
    return proposal
