"""Accounts: household registration, sign-in, staff and admin creation."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..db.base import utcnow
from ..db.models import ApprovalState, LoginFailure, Organization, OrganizationKind, Role, User
from ..db.models.accounts import ROLE_ORGANIZATION_KIND
from ..domain.fields import MAX_ID, optional_integer
from ..domain.identity import (
    canonical_id_number,
    canonical_phone,
    id_number_problem,
    phone_problem,
)
from ..domain.passwords import password_problems
from ..domain.timezones import SHANGHAI
from ..extensions import db
from .audit import record_event
from .errors import Conflict, NotFound, ValidationFailed
from .notifications import notify
from .pagination import Page, paginate
from .rate_limits import count_attempt
from .unit_of_work import refusal_keeping_writes, use_case

# The one answer to every refused sign-in, so it reveals nothing about the account.
LOGIN_REFUSED_MESSAGE = "用户名或密码错误，或账户已停用、暂时锁定"

# Verifying against this when the account does not exist keeps both answers equally slow.
_DUMMY_HASHES: dict[str, str] = {}


def hash_password(password: str) -> str:
    """scrypt in production; the test suite configures a cheap method (real scrypt is tested once)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_password_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = hash_password("not-a-real-password-for-timing")
    return _DUMMY_HASHES[method]


@dataclass(frozen=True)
class HouseholdRegistration:
    phone: str
    password: str
    real_name: str
    id_number: str | None = None


def lookup_hash(value: str, kind: str) -> str:
    return current_app.extensions["field_cipher"].lookup_hash(value, kind)


@use_case
def register_household(data: HouseholdRegistration) -> User:
    phone = canonical_phone(data.phone)
    id_number = canonical_id_number(data.id_number) if data.id_number else None
    _check_registration(data, phone, id_number)
    user = User(
        role=Role.HOUSEHOLD,
        real_name=data.real_name.strip(),
        phone=phone,
        phone_hash=lookup_hash(phone, "phone"),
        id_number=id_number,
        id_number_hash=lookup_hash(id_number, "id_number") if id_number else None,
        password_hash=hash_password(data.password),
    )
    db.session.add(user)
    db.session.flush()
    record_event("user.register", "user", user.id, actor=user, after={"role": user.role.value})
    return user


def _check_registration(data: HouseholdRegistration, phone: str, id_number: str | None) -> None:
    errors: dict[str, list[str]] = {}
    if problem := phone_problem(phone):
        errors["phone"] = [problem]
    elif _exists(User.phone_hash == lookup_hash(phone, "phone")):
        errors["phone"] = ["该手机号已注册，请直接登录"]
    if id_number:
        if problem := id_number_problem(id_number):
            errors["id_number"] = [problem]
        elif _exists(User.id_number_hash == lookup_hash(id_number, "id_number")):
            errors["id_number"] = ["该身份证号已被其他账户使用"]
    if not data.real_name.strip():
        errors["real_name"] = ["请填写真实姓名"]
    if problems := password_problems(data.password):
        errors["password"] = problems
    if errors:
        raise ValidationFailed("注册信息有误，请按提示修改", errors)


def _exists(condition) -> bool:
    return db.session.scalar(select(User.id).where(condition).limit(1)) is not None


def authenticate(login: str, password: str, client_address: str | None = None) -> User | None:
    """The user for these credentials, or None; the caller shows one generic message.

    Per client address, attempts are rate-limited (TooManyAttempts). Failures lock the account
    for that address only, with a delay that doubles at each lockout (ASVS 2.2.1), so a stranger
    cannot lock the owner out; failures from all addresses together lock the account as a whole
    at a much higher bar. The owner is told of each lockout. A locked sign-in answers exactly
    like a wrong password.
    """
    address = (client_address or "unknown")[:64]
    count_attempt(f"login:{address}", current_app.config["LOGIN_ATTEMPTS_PER_MINUTE"])
    return _sign_in(login, password, address)


@use_case
def _sign_in(login: str, password: str, address: str) -> User | None:
    config = current_app.config
    user = find_user_by_login(login)
    if user is None:
        check_password_hash(_dummy_password_hash(), password)
        return _refuse(None, "credentials")
    failure = db.session.scalar(select(LoginFailure).where(
        LoginFailure.user_id == user.id, LoginFailure.client_address == address).with_for_update())
    if _locked(user.locked_until) or (failure is not None and _locked(failure.locked_until)):
        check_password_hash(_dummy_password_hash(), password)
        return _refuse(user, "locked")
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        _count_failure(user, failure or _new_failure(user, address), config)
        return _refuse(user, "credentials" if user.is_active else "inactive")
    user.failed_login_count, user.locked_until = 0, None
    if failure is not None:
        db.session.delete(failure)
    user.last_login_at = utcnow()
    record_event("user.login", "user", user.id, actor=user)
    return user


MAX_LOCKOUT = timedelta(hours=24)


def _locked(until: datetime | None) -> bool:
    return until is not None and until > utcnow()


def _new_failure(user: User, address: str) -> LoginFailure:
    failure = LoginFailure(user_id=user.id, client_address=address, failures=0, lockouts=0)
    db.session.add(failure)
    return failure


def _count_failure(user: User, failure: LoginFailure, config) -> None:
    failure.failures += 1
    user.failed_login_count += 1
    if failure.failures >= config["LOGIN_MAX_FAILURES"]:
        delay = min(timedelta(minutes=config["LOCKOUT_MINUTES"]) * 2 ** failure.lockouts, MAX_LOCKOUT)
        failure.failures, failure.lockouts, failure.locked_until = 0, failure.lockouts + 1, utcnow() + delay
        _tell_the_owner(user, f"来自 {failure.client_address} 的连续登录失败已达上限，该地址暂停登录至"
                              f"{_beijing(failure.locked_until)}。")
        record_event("user.lock", "user", user.id, outcome="locked",
                     after={"scope": "address", "locked_until": failure.locked_until.isoformat()})
    if user.failed_login_count >= config["ACCOUNT_MAX_FAILURES"]:
        user.failed_login_count, user.locked_until = 0, utcnow() + MAX_LOCKOUT
        _tell_the_owner(user, f"账户在多个地址连续登录失败，已暂停登录至{_beijing(user.locked_until)}，"
                              "如非本人操作请联系住房保障局。")
        record_event("user.lock", "user", user.id, outcome="locked",
                     after={"scope": "account", "locked_until": user.locked_until.isoformat()})


def _tell_the_owner(user: User, body: str) -> None:
    notify(user.id, "account_security", "账户登录保护提醒",
           body + "如果是您本人忘记密码，请稍后再试或联系管理员重置。", "/auth/password")


def _beijing(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M（北京时间）")


@use_case
def unlock(user_id: int, actor: User) -> User:
    """The bureau lifts every sign-in lock on an account (after checking with its owner)."""
    user = _managed_user(user_id, actor)
    _clear_lockouts(user)
    record_event("user.unlock", "user", user.id, actor=actor)
    return user


def _clear_lockouts(user: User) -> None:
    user.failed_login_count, user.locked_until = 0, None
    db.session.execute(delete(LoginFailure).where(LoginFailure.user_id == user.id))


def _refuse(user: User | None, reason: str) -> None:
    record_event("user.login", "user", user.id if user else None, outcome="failure", after={"reason": reason})
    return None


def find_user_by_login(login: str) -> User | None:
    """Staff sign in with a username; households may also use their phone number."""
    login = login.strip()
    user = db.session.scalar(select(User).where(User.username == login))
    if user is None and phone_problem(login) is None:
        phone_hash = lookup_hash(canonical_phone(login), "phone")
        user = db.session.scalar(select(User).where(User.phone_hash == phone_hash))
    return user


def load_user_for_session(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session epoch, so bumping it signs out."""
    user_id, _, epoch = session_id.partition(":")
    user_number, epoch_number = optional_integer(user_id, 1, MAX_ID), optional_integer(epoch, 0, MAX_ID)
    if user_number is None or epoch_number is None:
        return None
    user = db.session.get(User, user_number)
    if user is None or user.session_epoch != epoch_number or not user.is_active:
        return None  # a disabled user, or staff of a suspended organization, is signed out at once
    return user


def end_every_session(user: User) -> None:
    """Page sessions and API tokens of the user stop working for good (a new sign-in is needed)."""
    user.session_epoch += 1
    user.credentials_epoch += 1


@use_case
def record_logout(user: User) -> None:
    user.session_epoch += 1
    record_event("user.logout", "user", user.id, actor=user)


@dataclass(frozen=True)
class StaffAccount:
    username: str
    password: str
    real_name: str
    role: Role
    organization_id: int | None
    phone: str | None = None


@use_case
def create_staff_user(data: StaffAccount, created_by: User | None) -> User:
    _check_staff_account(data)
    user = _new_staff_user(data)
    db.session.add(user)
    db.session.flush()
    record_event("user.create", "user", user.id, actor=created_by,
                 after={"username": user.username, "role": user.role.value,
                        "organization_id": user.organization_id})
    return user


def _new_staff_user(data: StaffAccount) -> User:
    phone = canonical_phone(data.phone) if data.phone else None
    return User(
        username=data.username.strip(),
        role=data.role,
        organization_id=data.organization_id,
        real_name=data.real_name.strip(),
        phone=phone,
        phone_hash=lookup_hash(phone, "phone") if phone else None,
        password_hash=hash_password(data.password),
    )


def _check_staff_account(data: StaffAccount) -> None:
    errors: dict[str, list[str]] = {}
    if not data.username.strip():
        errors["username"] = ["请填写用户名"]
    elif _exists(User.username == data.username.strip()):
        errors["username"] = ["该用户名已存在"]
    if problems := password_problems(data.password):
        errors["password"] = problems
    if data.phone and (problem := phone_problem(data.phone)):
        errors["phone"] = [problem]
    expected_kind = ROLE_ORGANIZATION_KIND.get(data.role)
    organization = db.session.get(Organization, data.organization_id) if data.organization_id else None
    if expected_kind and (organization is None or organization.kind != expected_kind):
        errors["organization_id"] = ["该角色必须属于对应类型的机构"]
    if errors:
        raise ValidationFailed("账户信息有误", errors)


@use_case
def create_first_admin(username: str, password: str, real_name: str) -> User:
    """Bootstrap: the bureau organization and its first administrator."""
    if _exists(User.role == Role.BUREAU_ADMIN):
        raise Conflict("已存在住房保障局管理员，请由其在管理界面创建新账户")
    bureau = ensure_bureau_organization()
    return create_staff_user(
        StaffAccount(username, password, real_name, Role.BUREAU_ADMIN, bureau.id), created_by=None
    )


def ensure_bureau_organization() -> Organization:
    bureau = db.session.scalar(select(Organization).where(Organization.kind == OrganizationKind.BUREAU))
    if bureau is None:
        bureau = Organization(kind=OrganizationKind.BUREAU, name="郑州市住房保障局",
                              licence_number="ZZ-HSB", approval_state=ApprovalState.APPROVED)
        db.session.add(bureau)
        db.session.flush()
    return bureau


# ----- the bureau's user administration -----------------------------------------------------------

def list_users(text: str = "", role: Role | None = None, page: int = 1) -> Page[User]:
    """Accounts by username, name or exact phone, newest first."""
    query = select(User)
    if role is not None:
        query = query.where(User.role == role)
    if text.strip():
        needle = text.strip()
        matches = [User.username.contains(needle, autoescape=True), User.real_name.contains(needle, autoescape=True)]
        if phone_problem(needle) is None:
            matches.append(User.phone_hash == lookup_hash(canonical_phone(needle), "phone"))
        query = query.where(or_(*matches))
    return paginate(query, page, 50, User.id.desc())


def _managed_user(user_id: int, actor: User) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("账户不存在")
    if user.id == actor.id:
        raise Conflict("不能对自己的账户执行此操作")
    return user


@use_case
def set_enabled(user_id: int, enabled: bool, actor: User) -> User:
    """Disable (live sessions end at once) or enable an account."""
    user = _managed_user(user_id, actor)
    before = user.enabled
    user.enabled = enabled
    if not enabled:
        end_every_session(user)
    record_event("user.enable" if enabled else "user.disable", "user", user.id, actor=actor,
                 before={"enabled": before}, after={"enabled": enabled})
    return user


@use_case
def reset_password(user_id: int, actor: User) -> tuple[User, str]:
    """A new random password, shown once to the administrator; every session of the user ends."""
    user = _managed_user(user_id, actor)
    temporary = "Zz-" + secrets.token_urlsafe(12)
    user.password_hash = hash_password(temporary)
    user.password_changed_at = None  # the user must replace it at the next sign-in
    end_every_session(user)
    _clear_lockouts(user)
    record_event("user.reset_password", "user", user.id, actor=actor)
    return user, temporary


# ----- passwords: change, periodic change, re-authentication ---------------------------------------

def password_change_due(user: User) -> bool:
    """After an administrator's reset always; for staff also when the password is older than the
    configured age (MLPS periodic change). Households choose their own and are not forced to rotate."""
    if user.password_changed_at is None:
        return True
    if user.role == Role.HOUSEHOLD:
        return False
    age = utcnow() - user.password_changed_at
    return age > timedelta(days=current_app.config["PASSWORD_MAX_AGE_DAYS"])


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


@use_case
def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; every other session ends."""
    errors: dict[str, list[str]] = {}
    if not password_matches(user, current):
        errors["current"] = ["当前密码不正确"]
    if problems := password_problems(new):
        errors["new"] = problems
    elif password_matches(user, new):
        errors["new"] = ["新密码不能与当前密码相同"]
    if errors:
        record_event("user.change_password", "user", user.id, actor=user, outcome="failure")
        raise refusal_keeping_writes(ValidationFailed("密码修改失败，请按提示修改", errors))
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    end_every_session(user)
    record_event("user.change_password", "user", user.id, actor=user)


@use_case
def set_email(user: User, raw: str) -> str | None:
    """The address notification mail goes to (empty clears it). Checked for form only: the
    platform never looks the domain up (no outside calls); audited with the address masked."""
    text = (raw or "").strip()
    if not text:
        address = None
    else:
        try:
            address = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            message = "邮箱地址格式不正确，例如 name@example.com"
            raise ValidationFailed(message, {"email": [message]}) from None
        if len(address) > 200:
            raise ValidationFailed("邮箱地址过长", {"email": ["邮箱地址不能超过200个字符"]})
    account = db.session.get(User, user.id)
    if account is None:
        raise NotFound("账户不存在")
    before = account.email
    account.email = address
    record_event("user.email", "user", account.id, actor=user, before={"email": _masked_email(before)},
                 after={"email": _masked_email(address)})
    return address


def _masked_email(address: str | None) -> str | None:
    if not address:
        return None
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"
