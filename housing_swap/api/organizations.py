"""Organizations, for the bureau."""
from __future__ import annotations

from ..db.models import Role
from ..security.access import roles
from ..services.organizations import list_organizations
from . import api_blueprint, responses
from .responses import respond


@api_blueprint.get("/organizations")
@roles(Role.BUREAU_ADMIN)
def organizations():
    return respond(responses.OrganizationList, {"items": [
        {"id": org.id, "kind": org.kind.value, "name": org.name,
         "licence_number": org.licence_number, "approval_state": org.approval_state.value}
        for org in list_organizations()
    ]})
