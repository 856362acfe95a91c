"""Password change (other sessions end), forced change after a reset and for old staff passwords
(MLPS), and re-authentication before recording prices, contracts and rule changes."""
from datetime import timedelta

from housing_swap.db.base import utcnow
from housing_swap.db.models import ProgramRuleVersion, Role, RuleVersionStatus, User
from housing_swap.domain.rules import rule_form_values
from housing_swap.domain.timezones import beijing_today
from housing_swap.extensions import db
from housing_swap.services import acquisitions, rules
from tests.acquisitions.helpers import PDF, TODAY, Cast, drive_to
from tests.factories import Factories
from tests.test_api import issue

NEW_PASSWORD = "Nn-new-pass-2025"


def stale(client) -> None:
    """Pretend the password was entered long ago in this session."""
    with client.session_transaction() as session:
        session["authenticated_at"] = 0


def test_changing_the_password_ends_other_sessions(app, client, make, login):
    household = make.household()
    other_device = app.test_client()
    other_device.post("/auth/login", data={"login": household.phone, "password": Factories.PASSWORD})
    login(household.phone)
    wrong = client.post("/auth/password", data={"current": "nope", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    weak = client.post("/auth/password", data={"current": Factories.PASSWORD, "new": "short", "confirm": "short"})
    assert "密码" in weak.get_data(as_text=True)
    assert weak.status_code == 200
    changed = client.post("/auth/password", data={"current": Factories.PASSWORD, "new": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get("/applications").status_code == 200          # this session continues
    assert other_device.get("/applications").status_code == 302     # the other one ended
    assert app.test_client().post("/auth/login", data={"login": household.phone,
                                                       "password": NEW_PASSWORD}).status_code == 302


def test_a_reset_password_must_be_changed_before_anything_else(client, make, login):
    officer = make.staff(Role.CITY_GROUP_OFFICER)
    db.session.get(User, officer.id).password_changed_at = None  # what an administrator's reset does
    db.session.commit()
    login(officer.username)
    response = client.get("/city-group/queue")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/password")
    assert "请设置新密码" in client.get("/auth/password").get_data(as_text=True)
    token = issue(client, officer.username)
    assert token.status_code == 403
    assert "修改密码" in token.get_json()["error"]["message"]
    client.post("/auth/password", data={"current": Factories.PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get("/city-group/queue").status_code == 200


def test_staff_passwords_expire_but_households_are_not_forced_to_rotate(client, make, login, app):
    officer = make.staff(Role.CITY_GROUP_OFFICER)
    household = make.household()
    long_ago = utcnow() - timedelta(days=app.config["PASSWORD_MAX_AGE_DAYS"] + 1)
    for user in (officer, household):
        db.session.get(User, user.id).password_changed_at = long_ago
    db.session.commit()
    login(officer.username)
    assert client.get("/city-group/queue").headers["Location"].endswith("/auth/password")
    client.post("/auth/logout")
    login(household.phone)
    assert client.get("/applications").status_code == 200


def test_rule_changes_need_a_recent_password(client, make, login):
    admin = make.staff(Role.BUREAU_ADMIN)
    login(admin.username)
    values = {**rule_form_values(rules.current_rules()[1]), "name": "年中修订",
              "effective_from": beijing_today().isoformat()}
    stale(client)
    refused = client.post("/bureau/rules/new", data=values, headers={"Referer": "http://localhost/bureau/rules/new"})
    assert refused.status_code == 302
    assert "/auth/confirm?next=/bureau/rules/new" in refused.headers["Location"]
    assert db.session.query(ProgramRuleVersion).filter_by(status=RuleVersionStatus.DRAFT).count() == 0
    wrong = client.post("/auth/confirm?next=/bureau/rules/new", data={"password": "nope"})
    assert "密码不正确" in wrong.get_data(as_text=True)
    confirmed = client.post("/auth/confirm?next=/bureau/rules/new", data={"password": Factories.PASSWORD})
    assert confirmed.headers["Location"].endswith("/bureau/rules/new")
    assert client.post("/bureau/rules/new", data=values).status_code == 302
    assert db.session.query(ProgramRuleVersion).filter_by(status=RuleVersionStatus.DRAFT).count() == 1


def test_recording_an_offer_needs_a_recent_password_but_scheduling_does_not(client, make, login):
    cast = Cast(make)
    acquisition = drive_to(cast, "intake")
    login(cast.officer.username)
    stale(client)
    scheduled = client.post(f"/acquisitions/{acquisition.id}/steps/inspection_scheduled", data={
        "inspection_on": TODAY.isoformat(), "appraiser_org_id": str(cast.appraiser.organization_id)})
    assert scheduled.status_code == 302
    assert "/auth/confirm" not in scheduled.headers["Location"]
    acquisition = drive_to_appraised(cast, acquisition)
    stale(client)
    offer = client.post(f"/acquisitions/{acquisition.id}/steps/offer_made", data={"offer_price": "950000"})
    assert "/auth/confirm" in offer.headers["Location"]
    db.session.refresh(acquisition)
    assert acquisition.status.value == "appraised"
    assert acquisition.offer_price is None


def drive_to_appraised(cast, acquisition):
    db.session.refresh(acquisition)
    return acquisitions.appraise(acquisition.id, {"appraised_value": "1000000", "appraised_on": TODAY.isoformat()},
                                 PDF, cast.appraiser)


def test_production_hashes_passwords_with_scrypt(app, make, client):
    """The suite hashes cheaply (conftest); the platform's own setting is scrypt, and it works."""
    from housing_swap.config import load_settings
    assert load_settings(instance_path=app.instance_path).flask_config()["PASSWORD_HASH_METHOD"] == "scrypt"
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    user = make.household(phone="13611112222")
    assert user.password_hash.startswith("scrypt:")
    signed_in = client.post("/auth/login", data={"login": "13611112222", "password": Factories.PASSWORD})
    assert signed_in.status_code == 302
