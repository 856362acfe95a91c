"""All models, importable from one place (Alembic autogenerate needs them all loaded)."""
from ...domain.rules import Channel
from .accounts import (
    ApiToken,
    ApprovalState,
    IdempotencyRecord,
    LoginFailure,
    Organization,
    OrganizationKind,
    RateLimitBucket,
    Role,
    User,
)
from .acquisitions import (
    Acquisition,
    AcquisitionDocument,
    AcquisitionEvent,
    AcquisitionStatus,
    AdditionalUnit,
    AppraisalAppeal,
)
from .alerts import DeliveryState, Notification, NotificationDelivery, NotificationPreference, SavedSearch
from .applications import ApplicationEvent, ApplicationStatus, ChannelPreference, SwapApplication
from .audit import AuditEvent
from .change_counters import ChangeCounter
from .jobs import JobRun, JobState
from .ledger import (
    GoalLedgerEntry,
    LedgerClaim,
    LedgerEntryType,
    LedgerReversalRequest,
    ReversalRequestStatus,
    UnitSettlement,
)
from .listings import (
    Favourite,
    Listing,
    ListingPhoto,
    ListingPriceChange,
    ListingStatus,
    PhotoKind,
    TitleRecord,
)
from .market_swaps import MarketSwap, MarketSwapStatus
from .matching import (
    ApplicationMatch,
    ChainLink,
    ChainMilestone,
    ChainProposal,
    ChainStatus,
    LinkDecision,
    RecordedSale,
)
from .projects import Building, Project, Unit, UnitStatus
from .properties import IdentifierKind, IdentityCollision, PropertyIdentifier
from .quota_queue import QueueDraw
from .reference import Community, District
from .reservations import Reservation, ReservationStatus
from .rules import ProgramRuleVersion, RuleVersionStatus
from .search_outbox import SearchOutboxEntry
from .search_rows import ListingSearchRow, UnitSearchRow
from .viewings import ViewingBlock, ViewingEvent, ViewingRequest

__all__ = [
    "ApplicationEvent", "ApplicationMatch", "ChainLink", "ChainProposal", "ChainStatus", "LinkDecision",
    "RecordedSale", "LedgerClaim",
    "Acquisition", "AcquisitionDocument", "AcquisitionEvent", "AcquisitionStatus", "AdditionalUnit", "ApiToken", "ApplicationStatus", "ApprovalState",
    "AuditEvent",
    "ChangeCounter", "JobRun", "JobState", "Building", "DeliveryState", "Notification", "NotificationDelivery", "NotificationPreference", "SavedSearch", "Favourite", "IdempotencyRecord", "ListingPhoto", "PhotoKind", "TitleRecord", "Channel", "ChannelPreference", "Community", "District",
    "GoalLedgerEntry", "LedgerEntryType", "Listing", "ListingPriceChange", "ListingStatus",
    "MarketSwap", "MarketSwapStatus", "Organization", "OrganizationKind", "Project",
    "ProgramRuleVersion", "RateLimitBucket", "Role", "RuleVersionStatus", "SearchOutboxEntry", "ListingSearchRow", "UnitSearchRow", "SwapApplication",
    "Unit", "UnitStatus", "User", "IdentifierKind", "IdentityCollision", "PropertyIdentifier",
    "LedgerReversalRequest", "ReversalRequestStatus", "UnitSettlement", "LoginFailure",
    "ViewingBlock", "ViewingEvent", "ViewingRequest", "Reservation", "ReservationStatus", "QueueDraw", "AppraisalAppeal", "ChainMilestone",
]

