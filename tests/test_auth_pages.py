"""Registration, sign-in and sign-out through the real pages."""
import pytest
from sqlalchemy import func, select, text

from housing_swap.db.models import AuditEvent, Role, User
from housing_swap.extensions import db
from tests.factories import Factories, valid_id_number

GOOD = {"real_name": "王小明", "phone": "13812345678", "id_number": "", "password": "Zz-test-pass-2024",
        "confirm": "Zz-test-pass-2024"}


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_household_registers_and_is_signed_in(client):
    response = client.post("/auth/register", data=GOOD, follow_redirects=True)
    assert "注册成功" in response.get_data(as_text=True)
    user = db.session.scalar(select(User))
    assert user.role == "household"
    assert user.phone == "13812345678"
    stored = db.session.execute(text("SELECT phone FROM user_account")).scalar_one()
    assert "13812345678" not in stored  # encrypted at rest
    assert "王小明" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("change", "field_message"), [
    ({"phone": "1234"}, "请输入11位中国大陆手机号码"),
    ({"id_number": "410105198506120011"}, "校验位"),
    ({"password": "short", "confirm": "short"}, "密码至少需要10个字符"),
    ({"password": "alllowercaseletters", "confirm": "alllowercaseletters"}, "至少三类"),
    ({"confirm": "Different-pass-2024"}, "两次输入的密码不一致"),
    ({"real_name": ""}, "此项为必填项"),
])
def test_bad_registration_answers_in_chinese_and_writes_nothing(client, change, field_message):
    response = client.post("/auth/register", data={**GOOD, **change})
    assert response.status_code == 200
    assert field_message in response.get_data(as_text=True)
    assert user_count() == 0


def test_duplicate_phone_is_refused(client, make):
    make.household(phone="13812345678")
    response = client.post("/auth/register", data=GOOD)
    assert "该手机号已注册" in response.get_data(as_text=True)
    assert user_count() == 1


def test_registration_with_a_valid_id_number_stores_it_encrypted(client):
    number = valid_id_number(7)
    client.post("/auth/register", data={**GOOD, "id_number": number})
    user = db.session.scalar(select(User))
    assert user.id_number == number
    assert user.id_number_hash
    stored = db.session.execute(text("SELECT id_number FROM user_account")).scalar_one()
    assert number not in stored


def test_sign_in_with_phone_or_username(client, make, login):
    make.household(phone="13900001111")
    assert login("13900001111").status_code == 302
    client.post("/auth/logout")
    staff = make.staff(Role.BUREAU_ADMIN, username="bureau-1")
    assert login(staff.username).headers["Location"] == "/"


def test_unknown_user_and_wrong_password_get_the_same_answer(make, login):
    make.household(phone="13900002222")
    wrong_password = login("13900002222", "Wrong-pass-2024").get_data(as_text=True)
    unknown_user = login("nobody-here", "Wrong-pass-2024").get_data(as_text=True)
    assert "用户名或密码错误" in wrong_password
    assert wrong_password.replace("13900002222", "X") == unknown_user.replace("nobody-here", "X")
    failures = db.session.scalars(select(AuditEvent).where(AuditEvent.outcome == "failure")).all()
    assert len(failures) == 2


def test_logout_ends_the_session_even_for_a_copied_cookie(app, make, login, client):
    make.household(phone="13900003333")
    login("13900003333")
    stolen = client.get_cookie("session").value
    client.post("/auth/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/auth/logout", follow_redirects=False)
    assert response.status_code == 405  # logout is POST-only
    response = replay.post("/auth/logout")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_disabled_user_cannot_sign_in(make, login):
    user = make.household(phone="13900004444")
    user.enabled = False
    db.session.commit()
    assert "用户名或密码错误" in login("13900004444").get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
    "http:/evil.example", " //evil.example", "\t//evil.example", "evil.example",
])
def test_next_never_leaves_the_site(client, make, target):
    make.household(phone="13900005555")
    response = client.post("/auth/login", query_string={"next": target},
                           data={"login": "13900005555", "password": Factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_local_next_is_followed(client, make):
    make.household(phone="13900006666")
    response = client.post("/auth/login", query_string={"next": "/auth/register?x=1"},
                           data={"login": "13900006666", "password": Factories.PASSWORD})
    assert response.headers["Location"] == "/auth/register?x=1"


def test_forms_without_csrf_token_are_refused(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/auth/register", data=GOOD)
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert user_count() == 0
    assert client.post("/auth/login", data={"login": "x", "password": "y"}).status_code == 400


def test_home_page_is_chinese_and_counts_from_the_ledger(client):
    page = client.get("/").get_data(as_text=True)
    assert "卖旧买新" in page
    assert "0</strong> / 10000" in page
