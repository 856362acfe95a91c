"""Bureau administration: organizations apply and are approved, suspended (their staff cut off at
once) and reinstated; accounts are disabled and passwords reset; the audit log is searchable."""
import html
import re

from sqlalchemy import func, select

from housing_swap.db.models import ApprovalState, AuditEvent, Organization, OrganizationKind, Role, User
from housing_swap.extensions import db
from tests.factories import Factories
from tests.test_api import bearer, issue

APPLICATION = {"kind": "appraiser", "name": "河南诚信房地产估价有限公司", "licence_number": "豫估2024-018",
               "contact_name": "孙八", "contact_phone": "13698765432"}


def test_an_organization_applies_and_the_bureau_approves_it(client, make, login):
    response = client.post("/organizations/apply", data=APPLICATION)
    assert "申请已提交" in response.get_data(as_text=True)
    organization = db.session.scalar(select(Organization).where(Organization.name == APPLICATION["name"]))
    assert organization.approval_state == ApprovalState.PENDING
    client.post("/organizations/apply", data={**APPLICATION, "kind": "city_group"})  # not a kind that may apply
    assert db.session.scalar(select(func.count()).select_from(Organization)
                             .where(Organization.name == APPLICATION["name"])) == 1
    admin = make.staff(Role.BUREAU_ADMIN)
    login(admin.username)
    refused = client.post(f"/admin/organizations/{organization.id}/reject", data={"reason": ""},
                          follow_redirects=True)
    assert "请填写原因" in refused.get_data(as_text=True)
    assert db.session.get(Organization, organization.id).approval_state == ApprovalState.PENDING
    client.post(f"/admin/organizations/{organization.id}/approve")
    assert db.session.get(Organization, organization.id).approval_state == ApprovalState.APPROVED
    twice = client.post(f"/admin/organizations/{organization.id}/approve", follow_redirects=True)
    assert "当前状态下不能批准该机构" in twice.get_data(as_text=True)


def test_suspending_an_organization_cuts_its_staff_off_at_once(app, client, make, login):
    agency = make.organization(OrganizationKind.AGENCY)
    agent = make.staff(Role.AGENCY_STAFF, organization=agency)
    admin = make.staff(Role.BUREAU_ADMIN)
    token = bearer(issue(client, agent.username).get_json()["token"])
    agent_browser = app.test_client()
    agent_browser.post("/auth/login", data={"login": agent.username, "password": Factories.PASSWORD})
    assert agent_browser.get("/my/listings").status_code == 200
    login(admin.username)
    client.post(f"/admin/organizations/{agency.id}/suspend", data={"reason": "资质过期"})
    assert db.session.get(Organization, agency.id).approval_state == ApprovalState.SUSPENDED
    assert agent_browser.get("/my/listings").status_code == 302          # back to the sign-in page
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    relogin = app.test_client().post("/auth/login", data={"login": agent.username, "password": Factories.PASSWORD})
    assert relogin.status_code == 200  # the sign-in form again: staff of a suspended organization cannot sign in
    client.post(f"/admin/organizations/{agency.id}/reinstate")
    again = app.test_client()
    again.post("/auth/login", data={"login": agent.username, "password": Factories.PASSWORD})
    assert again.get("/my/listings").status_code == 200
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "organization", AuditEvent.entity_id == str(agency.id)))]
    assert actions == ["organization.suspend", "organization.reinstate"]


def test_disabling_a_user_ends_the_session_and_a_reset_password_replaces_the_old(app, client, make, login):
    household = make.household()
    admin = make.staff(Role.BUREAU_ADMIN)
    browser = app.test_client()
    browser.post("/auth/login", data={"login": household.phone, "password": Factories.PASSWORD})
    assert browser.get("/applications").status_code == 200
    login(admin.username)
    client.post(f"/admin/users/{household.id}/disable")
    assert browser.get("/applications").status_code == 302
    client.post(f"/admin/users/{household.id}/enable")
    page = client.post(f"/admin/users/{household.id}/reset-password").get_data(as_text=True)
    temporary = re.search(r"<code>(Zz-[^<]+)</code>", page).group(1)
    old = app.test_client().post("/auth/login", data={"login": household.phone, "password": Factories.PASSWORD})
    assert old.status_code == 200  # the sign-in form again, with the generic message
    new = app.test_client().post("/auth/login", data={"login": household.phone, "password": temporary})
    assert new.status_code == 302
    own = client.post(f"/admin/users/{admin.id}/disable", follow_redirects=True)
    assert "不能对自己的账户执行此操作" in own.get_data(as_text=True)
    assert db.session.get(User, admin.id).enabled is True


def test_the_audit_log_filters_shows_before_and_after_and_exports(client, make, login):
    agency = make.organization(OrganizationKind.AGENCY)
    admin = make.staff(Role.BUREAU_ADMIN)
    login(admin.username)
    client.post(f"/admin/organizations/{agency.id}/suspend", data={"reason": "资质过期"})
    listing = client.get("/admin/audit", query_string={"action": "organization.", "actor": admin.username})
    text = listing.get_data(as_text=True)
    rows = text.split("<tbody>")[1]
    assert "暂停机构" in rows  # the action as the bureau reads it, never its code
    assert "organization.suspend" not in rows
    assert "登录" not in rows
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.suspend"))
    detail = html.unescape(client.get(f"/admin/audit/{event.id}").get_data(as_text=True))
    assert '"approval_state": "approved"' in detail
    assert '"reason": "资质过期"' in detail
    assert '<th scope="row">原因</th><td>—</td><td>资质过期</td>' in detail  # named in Chinese, side by side
    assert '<th scope="row">审核状态</th><td>已批准</td>' in detail  # the state in words, not "approved"
    bad = client.get("/admin/audit", query_string={"from": "yesterday"}).get_data(as_text=True)
    assert "开始日期应为日期" in bad
    exported = client.get("/admin/audit/export.csv", query_string={"action": "organization."})
    exported_text = exported.data.decode("utf-8-sig")
    assert "暂停机构" in exported_text
    assert "organization.suspend" in exported_text  # the 操作代码 column, for programs
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.audit_log")) is not None
