"""Users, organizations and API tokens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.labels import LabelledEnum
from ..base import Base, EncryptedString, UTCDateTime, enum_type, utcnow


class Role(LabelledEnum):
    HOUSEHOLD = "household", "购房家庭"
    AGENCY_STAFF = "agency_staff", "经纪机构"
    DEVELOPER_STAFF = "developer_staff", "开发企业"
    CITY_GROUP_OFFICER = "city_group_officer", "城发集团"
    APPRAISER = "appraiser", "评估机构"
    BUREAU_ADMIN = "bureau_admin", "住房保障局"


ROLE_LABELS = Role.labels()


class OrganizationKind(LabelledEnum):
    AGENCY = "agency", "经纪机构"
    DEVELOPER = "developer", "开发企业"
    CITY_GROUP = "city_group", "城发集团"
    APPRAISER = "appraiser", "评估机构"
    BUREAU = "bureau", "住房保障局"


# Which organization kind a staff role belongs to; households belong to none.
ROLE_ORGANIZATION_KIND = {
    Role.AGENCY_STAFF: OrganizationKind.AGENCY,
    Role.DEVELOPER_STAFF: OrganizationKind.DEVELOPER,
    Role.CITY_GROUP_OFFICER: OrganizationKind.CITY_GROUP,
    Role.APPRAISER: OrganizationKind.APPRAISER,
    Role.BUREAU_ADMIN: OrganizationKind.BUREAU,
}


class ApprovalState(LabelledEnum):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    SUSPENDED = "suspended", "已暂停"


class Organization(Base):
    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("kind", "licence_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganizationKind] = mapped_column(enum_type(OrganizationKind, "organization_kind"))
    name: Mapped[str] = mapped_column(String(120))
    licence_number: Mapped[str] = mapped_column(String(64))
    contact_name: Mapped[str | None] = mapped_column(String(60))
    contact_phone: Mapped[str | None] = mapped_column(EncryptedString("organization.contact_phone"))
    approval_state: Mapped[ApprovalState] = mapped_column(
        enum_type(ApprovalState, "approval_state"), default=ApprovalState.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    staff: Mapped[list[User]] = relationship(back_populates="organization")

    @property
    def is_operational(self) -> bool:
        return self.approval_state == ApprovalState.APPROVED


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    real_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(EncryptedString("user.phone"))
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number: Mapped[str | None] = mapped_column(EncryptedString("user.id_number"))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Optional; saved-search alerts are also mailed when mail is configured and this is set.
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # None after an administrator's reset: the user must choose a new password at next sign-in.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout-everywhere, password change or disabling: older sessions stop loading.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped when the credentials change hands or stop being trusted (password change or reset,
    # disabling, the organization's suspension): API tokens issued before stop working for good.
    credentials_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Failures from all addresses together: a high bar against guessing spread over many addresses.
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization | None] = relationship(back_populates="staff")

    @property
    def display_name(self) -> str:
        return self.username or self.real_name

    # Flask-Login's user protocol.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Disabled users and staff of a suspended or unapproved organization cannot act."""
        if not self.enabled:
            return False
        return self.organization is None or self.organization.is_operational

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The user's credentials_epoch when issued: the token is live only while they are equal.
    credentials_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """Failed sign-ins for one account from one client address. A stranger who knows a username
    locks only their own address out, with a delay that doubles each time, not the owner."""

    __tablename__ = "login_failure"
    __table_args__ = (UniqueConstraint("user_id", "client_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    client_address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class IdempotencyRecord(Base):
    """The first answer to an API call made with an ``Idempotency-Key``; retries get it again."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(100))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RateLimitBucket(Base):
    """Attempts per key (e.g. a client address) per minute, in the shared database so the
    limit holds across every app worker without another server."""

    __tablename__ = "rate_limit_bucket"
    __table_args__ = (UniqueConstraint("key", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
