"""Token issue, introspection and revocation."""
from __future__ import annotations

from flask import g, request

from ..domain.identity import mask_phone
from ..security.access import public, signed_in
from ..services import accounts, api_tokens
from ..services.errors import Forbidden, ServiceError
from . import api_blueprint, responses
from .responses import respond
from .schemas import json_object, required_strings


class InvalidCredentials(ServiceError):
    http_status = 401
    code = "invalid_credentials"


@api_blueprint.post("/auth/token")
@public
def issue_token():
    fields = required_strings(json_object(), "username", "password")
    user = accounts.authenticate(fields["username"], fields["password"], request.remote_addr)
    if user is None:
        raise InvalidCredentials(accounts.LOGIN_REFUSED_MESSAGE)
    if accounts.password_change_due(user):
        raise Forbidden("密码已被重置或已过期，请先登录网页修改密码后再申请令牌")
    raw, expires_at = api_tokens.issue_token(user)
    return respond(responses.Token, {"token": raw, "expires_at": expires_at.isoformat()}, 201)


@api_blueprint.delete("/auth/token")
@signed_in
def revoke_token():
    api_tokens.revoke_token(request.headers.get("Authorization"), actor=g.api_user)
    return "", 204


@api_blueprint.get("/auth/me")
@signed_in
def who_am_i():
    user = g.api_user
    return respond(responses.Me, {
        "id": user.id,
        "username": user.username,
        "role": user.role.value,
        "organization_id": user.organization_id,
        "phone": mask_phone(user.phone) if user.phone else None,
    })
