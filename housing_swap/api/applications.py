"""Swap applications, their valuation and matches, and chain proposals over the API."""
from __future__ import annotations

from dataclasses import asdict

from flask import g, jsonify, request

from ..db.models import Role, SwapApplication
from ..domain.fields import MAX_ID, optional_integer
from ..domain.identity import mask_certificate
from ..security.access import roles
from ..services import applications, chain_milestones, chains, joined_homes, matching, net_proceeds, valuation
from ..services.errors import ValidationFailed
from . import api_blueprint, responses
from .responses import respond, shaped
from .schemas import json_object, query_id

household = roles(Role.HOUSEHOLD)
readers = roles(Role.HOUSEHOLD, Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)


def application_json(application: SwapApplication) -> dict:
    return shaped(responses.Application, {
        "id": application.id, "status": application.status.value,
        "channel_preference": application.channel_preference.value,
        "joined_to_id": application.joined_to_id,
        "joined_application_ids": [home.id for home in joined_homes.joined_to([application.id]).get(application.id, [])],
        "old_home": {"community": application.old_community_name, "district_code": application.old_district_code,
                     "area_m2": str(application.old_area_m2), "build_year": application.old_build_year,
                     "bedrooms": application.old_bedrooms, "floor": application.old_floor,
                     "total_floors": application.old_total_floors, "has_elevator": application.old_has_elevator,
                     "seized": application.old_seized,
                     "certificate_number": mask_certificate(application.old_certificate_number),
                     "listing_id": application.old_listing_id},
        "finances": {"remaining_mortgage": application.remaining_mortgage, "savings": application.savings,
                     "max_loan": application.max_loan},
        "needs": {"wanted_districts": list(application.wanted_districts or []),
                  "min_area_m2": None if application.min_area_m2 is None else str(application.min_area_m2),
                  "min_bedrooms": application.min_bedrooms, "budget_max": application.budget_max,
                  "move_in_by": application.move_in_by.isoformat() if application.move_in_by else None,
                  "needs_elevator": application.needs_elevator},
        "decision": None if application.decided_at is None else {
            "eligible_channels": list(application.eligible_channels or []),
            "reasons": list(application.decision_reasons or []),
            "rule_version": application.decision_rule_version.version,
            "counts_toward_pilot": application.counts_toward_pilot,
            "decided_at": application.decided_at.isoformat()},
        "timeline": [{"status": e.status.value, "at": e.at.isoformat(), "note": e.note} for e in application.events],
    })


@api_blueprint.post("/applications")
@household
def create_application():
    return jsonify(application_json(applications.create_application(json_object(), g.api_user))), 201


@api_blueprint.get("/applications")
@household
def list_applications():
    return respond(responses.ApplicationList,
                   {"items": [application_json(a) for a in applications.applications_of(g.api_user)]})


@api_blueprint.get("/applications/<int:application_id>")
@readers
def get_application(application_id: int):
    return jsonify(application_json(applications.application_for_viewing(application_id, g.api_user)))


@api_blueprint.patch("/applications/<int:application_id>")
@household
def update_application(application_id: int):
    return jsonify(application_json(applications.update_application(application_id, json_object(), g.api_user)))


@api_blueprint.post("/applications/<int:application_id>/submit")
@household
def submit_application(application_id: int):
    return jsonify(application_json(applications.submit_application(application_id, g.api_user)))


@api_blueprint.post("/applications/<int:application_id>/withdraw")
@household
def withdraw_application(application_id: int):
    return jsonify(application_json(applications.withdraw_application(application_id, g.api_user)))


@api_blueprint.post("/applications/<int:application_id>/join")
@household
def join_application(application_id: int):
    return jsonify(application_json(joined_homes.join(application_id, json_object(), g.api_user)))


@api_blueprint.post("/applications/<int:application_id>/leave")
@household
def leave_joined_purchase(application_id: int):
    return jsonify(application_json(joined_homes.leave(application_id, g.api_user)))


@api_blueprint.get("/applications/<int:application_id>/valuation")
@readers
def application_valuation(application_id: int):
    application = applications.application_for_viewing(application_id, g.api_user)
    body = asdict(valuation.value_application(application))
    body["comparables"] = [{**c, "area_m2": str(c["area_m2"]), "on": c["on"].isoformat()}
                           for c in body["comparables"]]
    return respond(responses.Valuation, body)


@api_blueprint.get("/applications/<int:application_id>/matches")
@readers
def application_matches(application_id: int):
    application = applications.application_for_viewing(application_id, g.api_user)
    result = matching.new_home_matches(application, project_id=query_id("project_id"))
    return respond(responses.Matches, {
        "channel": matching.matching_channel(application), "widened": [w.value for w in result.widened],
        "notes": list(result.notes), "items": [
            {"unit_id": m.unit_id, "label": m.label, "score": m.score, "total_price": m.price,
             "area_m2": str(m.area_m2), "reasons": list(m.reasons), "project_id": m.project_id,
             "project_name": m.project_name, "in_wanted_district": m.in_wanted_district,
             "more_in_project": m.more_in_project}
            for m in result.matches]})


@api_blueprint.get("/applications/<int:application_id>/buyers")
@readers
def application_buyers(application_id: int):
    application = applications.application_for_viewing(application_id, g.api_user)
    buyers = matching.old_home_buyers(application, valuation.valuation_or_none(application))
    return respond(responses.Buyers, {"city_group": asdict(buyers.city_group) if buyers.city_group else None,
                    "households": [{"application_id": b.application_id, "score": b.score, "reasons": list(b.reasons)}
                                   for b in buyers.households]})


@api_blueprint.get("/applications/<int:application_id>/net-proceeds")
@readers
def application_net_proceeds(application_id: int):
    application = applications.application_for_viewing(application_id, g.api_user)
    result = net_proceeds.net_proceeds(application)
    reference = result.reference
    return respond(responses.NetProceeds, {
        "estimate": True, "routes": [asdict(route) for route in result.routes],
        "reference_home": ({"label": reference.label, "price": reference.price, "area_m2": str(reference.area_m2)}
                           if reference else None),
        "city_group_note": result.city_group_note, "valuation_method": result.valuation_method,
        "caveat": result.caveat})


@api_blueprint.get("/applications/<int:application_id>/cash-gap")
@readers
def application_cash_gap(application_id: int):
    application = applications.application_for_viewing(application_id, g.api_user)
    unit = optional_integer(request.args.get("unit_id"), 1, MAX_ID)
    if unit is None:
        raise ValidationFailed("请指定新房 unit_id", {"unit_id": ["必填，应为正整数"]})
    gap = matching.cash_gap_for_unit(application, unit)
    return respond(responses.CashGap, {**asdict(gap), "affordable": gap.affordable})


def chain_json(proposal) -> dict:
    return shaped(responses.ChainProposal, {
        "id": proposal.id, "kind": proposal.kind, "starter": proposal.starter, "status": proposal.status.value,
            "links": [{"position": link.position, "application_id": link.application_id,
                       "buys_from_application_id": link.buys_from_application_id,
                       "new_unit_id": link.new_unit_id, "decision": link.decision.value}
                      for link in proposal.links]})


@api_blueprint.get("/chains")
@household
def list_chains():
    return respond(responses.ChainProposalList, {"items": [chain_json(p) for p in chains.proposals_for(g.api_user)]})


@api_blueprint.get("/chains/<int:proposal_id>/milestones")
@roles(Role.HOUSEHOLD, Role.BUREAU_ADMIN)
def chain_milestones_view(proposal_id: int):
    return respond(responses.ChainMilestones, milestones_json(chain_milestones.milestones_of(proposal_id, g.api_user)))


@api_blueprint.post("/chains/<int:proposal_id>/milestones")
@household
def record_chain_milestone(proposal_id: int):
    return respond(responses.ChainMilestones,
                   milestones_json(chain_milestones.record_milestone(proposal_id, json_object(), g.api_user)))


def milestones_json(found: chain_milestones.ChainMilestones) -> dict:
    return {"chain_id": found.proposal.id, "agreed_on": found.agreed_on.isoformat(),
            "late_position": found.late_position,
            "links": [{"position": link.position, "application_id": link.application_id, "yours": link.yours,
                       "milestones": [{"milestone": s.milestone.value, "label": s.milestone.label,
                                       "expected_on": s.expected_on.isoformat(),
                                       "done_on": s.done_on.isoformat() if s.done_on else None,
                                       "state": s.rag.value, "state_label": s.rag.label} for s in link.states]}
                      for link in found.links]}


@api_blueprint.post("/chains/<int:proposal_id>/accept")
@household
def accept_chain(proposal_id: int):
    return jsonify(chain_json(chains.decide_link(proposal_id, g.api_user, accept=True)))


@api_blueprint.post("/chains/<int:proposal_id>/decline")
@household
def decline_chain(proposal_id: int):
    return jsonify(chain_json(chains.decide_link(proposal_id, g.api_user, accept=False)))
