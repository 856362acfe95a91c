"""Bureau administration: organizations and staff accounts."""
from datetime import UTC, datetime

from sqlalchemy import func, select

from housing_swap.db.models import AuditEvent, Organization, OrganizationKind, Role, User
from housing_swap.extensions import db

ORG = {"kind": "agency", "name": "郑州安居房产经纪有限公司", "licence_number": "91410100MA123",
       "contact_name": "赵六", "contact_phone": "13612345678"}


def sign_in_admin(make, login):
    admin = make.staff(Role.BUREAU_ADMIN)
    login(admin.username)
    return admin


def test_bureau_registers_an_organization_and_creates_its_staff(client, make, login):
    sign_in_admin(make, login)
    assert client.post("/admin/organizations/new", data=ORG).status_code == 302
    agency = db.session.scalar(select(Organization).where(Organization.name == ORG["name"]))
    page = client.get("/admin/").get_data(as_text=True)
    assert ORG["name"] in page
    assert "136****5678" in page
    assert "13612345678" not in page

    response = client.post("/admin/users/new", data={
        "username": "agent-zhao", "real_name": "赵六", "phone": "", "role": "agency_staff",
        "organization_id": str(agency.id), "password": "Agent-pass-2024"})
    assert response.status_code == 302
    staff = db.session.scalar(select(User).where(User.username == "agent-zhao"))
    assert staff.organization_id == agency.id
    assert staff.role == Role.AGENCY_STAFF
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"organization.register", "user.create"} <= actions


def test_role_must_match_the_organization_kind(client, make, login):
    sign_in_admin(make, login)
    client.post("/admin/organizations/new", data=ORG)
    agency = db.session.scalar(select(Organization).where(Organization.name == ORG["name"]))
    users_before = db.session.scalar(select(func.count(User.id)))
    response = client.post("/admin/users/new", data={
        "username": "wrong-role", "real_name": "钱七", "role": "developer_staff",
        "organization_id": str(agency.id), "password": "Agent-pass-2024"})
    assert "该角色必须属于对应类型的机构" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == users_before


def test_duplicate_licence_and_bad_phone_are_refused(client, make, login):
    sign_in_admin(make, login)
    client.post("/admin/organizations/new", data=ORG)
    page = client.post("/admin/organizations/new", data={**ORG, "contact_phone": "123"}).get_data(as_text=True)
    assert "已有相同编号" in page
    assert "请输入11位中国大陆手机号码" in page
    assert db.session.scalar(select(func.count(Organization.id)).where(
        Organization.licence_number == ORG["licence_number"])) == 1


def test_only_the_bureau_may_administer(client, make, login):
    make.household(phone="13600001111")
    login("13600001111")
    assert client.get("/admin/").status_code == 403
    assert client.post("/admin/organizations/new", data=ORG).status_code == 403
    assert db.session.scalar(select(func.count(Organization.id)).where(Organization.name == ORG["name"])) == 0


def test_create_admin_command_bootstraps_once(runner):
    first = runner.invoke(args=["users", "create-admin", "--username", "chief", "--real-name", "管理员",
                                "--password", "Chief-pass-2024"])
    assert first.exit_code == 0, first.output
    admin = db.session.scalar(select(User).where(User.username == "chief"))
    assert admin.role == Role.BUREAU_ADMIN
    assert admin.organization.kind == "bureau"
    second = runner.invoke(args=["users", "create-admin", "--username", "chief2", "--real-name", "管理员",
                                 "--password", "Chief-pass-2024"])
    assert second.exit_code != 0
    assert "已存在" in second.output


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(args=["users", "create-admin", "--username", "chief", "--real-name", "管理员",
                                 "--password", "weak"])
    assert result.exit_code != 0
    assert "密码至少需要10个字符" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_form_library_messages_are_chinese_too(client, make, login):
    sign_in_admin(make, login)
    agency = make.organization(OrganizationKind.AGENCY)
    page = client.post("/admin/users/new", data={"username": "x", "real_name": "x", "role": "emperor",
                                                 "organization_id": str(agency.id), "password": "Agent-pass-2024"})
    text = page.get_data(as_text=True)
    assert "不是有效的选择" in text
    assert "Not a valid choice" not in text


def test_times_on_pages_are_beijing_time_and_say_so(client, make, login):
    bureau = make.staff(Role.BUREAU_ADMIN)
    login(bureau.username)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    event.occurred_at = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)  # 01:30 on 1 April in Zhengzhou
    db.session.commit()
    page = client.get(f"/admin/audit/{event.id}").get_data(as_text=True)
    assert '<time datetime="2026-04-01T01:30+08:00" title="北京时间">2026-04-01 01:30</time>' in page
    assert "页面所示时间均为北京时间（UTC+8）" in page
