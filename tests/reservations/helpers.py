"""Builders for reservation tests: a household with an approved application, a unit on sale, and
staff of the unit's developer and of an agency."""
from __future__ import annotations

from dataclasses import dataclass

from housing_swap.db.models import Organization, OrganizationKind, Role, SwapApplication, Unit, User
from housing_swap.domain.reservations import Move
from housing_swap.extensions import db
from housing_swap.services import reservations
from housing_swap.services.rules import current_rules
from tests.matching.helpers import community, recorded_sales, submitted_application, units_on_sale


@dataclass
class Parties:
    application: SwapApplication
    household: User
    unit: Unit
    developer: User
    agency: Organization
    agent: User

    def proposal(self, **changes) -> dict:
        return {"application_id": str(self.application.id), "unit_id": str(self.unit.id),
                "agency_org_id": str(self.agency.id), "deposit": "20000", "accept_terms": "是", **changes}


def parties(make, channel_preference: str = "均可", district: str = "410105") -> Parties:
    """With recorded sales the old home can be valued, so a household that may sell to the city
    group is shown its backstop floor. Outside 金水区 the old home is in a reference community
    of ``recorded_sales``."""
    recorded_sales(community(), unit_price=15_000)
    home = {} if district == "410105" else {"community": f"参照小区{district}", "district_code": district}
    application, household = submitted_application(make, channel_preference=channel_preference, **home)
    unit = units_on_sale(make, prices=(1_500_000,))[0]
    developer_org = db.session.get(Organization, unit.building.project.developer_org_id)
    agency = make.organization(OrganizationKind.AGENCY)
    return Parties(application, household, unit, make.staff(Role.DEVELOPER_STAFF, organization=developer_org),
                   agency, make.staff(Role.AGENCY_STAFF, organization=agency))


def active_reservation(cast: Parties):
    reservation = reservations.propose(cast.proposal(), cast.household)
    reservations.act(reservation.id, Move.ACCEPT, cast.developer)
    return reservations.act(reservation.id, Move.ACCEPT, cast.agent)


def set_rule(**values) -> None:
    """Edit the rule version in force today in place (tests only)."""
    version, _ = current_rules()
    version.document = {**version.document, **values}
    db.session.commit()
