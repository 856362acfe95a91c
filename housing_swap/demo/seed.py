"""Build the demo data set: deterministic for a given seed, consistent with the program rules.

Rows are generated in Python with explicit ids and written with Core bulk inserts in one
transaction, so a city-scale set loads in minutes and a failure leaves nothing behind.
Generated households have an unusable password (nobody knows it); only the demo logins
below can sign in.
"""
from __future__ import annotations

import bisect
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from ..db.base import utcnow
from ..db.models import (
    Acquisition,
    AcquisitionDocument,
    AcquisitionEvent,
    AcquisitionStatus,
    ApplicationEvent,
    ApplicationStatus,
    ApprovalState,
    Building,
    Channel,
    ChannelPreference,
    Community,
    GoalLedgerEntry,
    LedgerClaim,
    LedgerEntryType,
    Listing,
    ListingStatus,
    MarketSwap,
    MarketSwapStatus,
    Organization,
    OrganizationKind,
    ProgramRuleVersion,
    Project,
    RecordedSale,
    Role,
    RuleVersionStatus,
    SwapApplication,
    TitleRecord,
    Unit,
    UnitStatus,
    User,
)
from ..domain.districts import ZHENGZHOU_DISTRICTS, DistrictInfo
from ..domain.eligibility import (
    EligibilityFacts,
    NewHomeFacts,
    OldHomeFacts,
    check_eligibility,
    check_new_home_for_city_group,
    counts_toward_pilot,
)
from ..domain.identity import id_check_char
from ..domain.listing_fields import unit_price
from ..domain.rules import PROGRAM_YEARS, ProgramRules, initial_rules
from ..domain.timezones import beijing_midnight, beijing_today
from ..extensions import db
from ..search import search_rows
from ..search.text_terms import pinyin_keys
from ..services.audit import record_event
from ..services.exclusive_runs import exclusive
from ..services.reference_data import load_reference_data
from ..services.rules import current_rules, rules_of_year
from ..services.unit_of_work import unit_of_work
from . import names

DEMO_PASSWORD = "demo-pass-2024"
# A one-page stand-in for a real appraisal report (PDF text, ASCII only).
DEMO_REPORT = b"%%PDF-1.4\n%% Demo appraisal report for acquisition %d (generated demo data)\n%%%%EOF\n"
DEMO_LOGINS = {
    "demo-owner": Role.HOUSEHOLD,
    "demo-agency": Role.AGENCY_STAFF,
    "demo-developer": Role.DEVELOPER_STAFF,
    "demo-group": Role.CITY_GROUP_OFFICER,
    "demo-appraiser": Role.APPRAISER,
    "demo-bureau": Role.BUREAU_ADMIN,
}
# A second appraiser organization and its login, for appraisal appeals (a second appraisal must
# come from another organization). Seeded last and without the random generator, so every other
# demo row stays as it was.
SECOND_APPRAISER_LOGIN = "demo-appraiser-2"
CHUNK = 5_000
BASE_TIME = datetime(2024, 3, 1, tzinfo=UTC)
# Demo stories end this many days before the day the seed runs, so every date is in the past.
RECENT_DAYS = 10

# Second-hand guide prices (¥/m²), after program-facts.md: central districts well above the
# 10,000 city average, outer counties well below. New homes run about 15% above.
SECOND_HAND_PRICE = {
    "410102": 12500, "410103": 12000, "410104": 11500, "410105": 19000, "410106": 6000,
    "410108": 10500, "410122": 7500, "410171": 12500, "410172": 11000, "410173": 8000,
    "410190": 24000, "410181": 5000, "410182": 6500, "410183": 5000, "410184": 7000,
    "410185": 4500,
}
NEW_HOME_PREMIUM = Decimal("1.15")


@dataclass(frozen=True)
class Scale:
    name: str
    communities_per_district: int
    listings: int
    projects: int
    units: int
    households: int
    completed_swaps: int
    agencies: int
    developers: int
    recorded_sales: int
    # A set this large is seeded a batch of listings at a time (units in proportion), each batch
    # its own transaction: the first is the whole demo story, the later ones add market stock. A
    # seed stopped part way resumes after its last committed batch and ends with the same rows.
    batch_listings: int | None = None

    def first_batch(self) -> Scale:
        """What the first transaction seeds: the whole scale, or its first batch of homes."""
        if self.batch_listings is None or self.batch_listings >= self.listings:
            return self
        return replace(self, listings=self.batch_listings, units=self.units_for(self.batch_listings),
                       projects=round(self.projects * self.batch_listings / self.listings), batch_listings=None)

    def units_for(self, listings: int) -> int:
        """The units that keep the scale's proportion of units to listings."""
        return round(self.units * listings / self.listings)


_CITY = Scale("city", 120, 200_000, 300, 100_000, 20_000, 10_000, 60, 40, 60_000)
SCALES = {
    "small": Scale("small", 4, 600, 12, 480, 150, 40, 4, 4, 500),
    "district": Scale("district", 30, 50_000, 75, 25_000, 5_000, 2_500, 15, 10, 15_000),
    "city": _CITY,
    # The city's demo story with five times its market: 1,000,000 listings, 500,000 new units.
    "province": replace(_CITY, name="province", listings=1_000_000, units=500_000, projects=1_500,
                        batch_listings=_CITY.listings),
}
# Certificate serials of the later batches' homes start here, clear of the first batch's.
BATCH_SERIALS_FROM = 5_000_000


class AlreadySeeded(Exception):
    pass


def planned_rows(scale: Scale) -> int:
    """Rows the seed writes, for a progress bar."""
    first = scale.first_batch()
    return (len(ZHENGZHOU_DISTRICTS) * first.communities_per_district + 2 * scale.listings + first.recorded_sales
            + 2 * first.households
            + scale.units + 2 * first.households + 2 * first.completed_swaps)


@exclusive("demo seed")
def seed_demo_data(scale: Scale, seed: int, advance: Callable[[int], None] = lambda n: None) -> dict:
    """Load the demo set (its first batch in one transaction, then any later batches one
    transaction each); refuse if it is all there already. One seed at a time across machines:
    two would start the same batch."""
    first = scale.first_batch()
    counts: dict = {}
    with unit_of_work():
        seeded = db.session.scalar(select(User.id).where(User.username == "demo-owner")) is not None
        if seeded and not _batches_to_come(scale):
            raise AlreadySeeded("demo data already loaded")
        if seeded:  # resuming: the bar starts where the committed batches left off
            advance(planned_rows(first) + 2 * (_count(Listing) - first.listings) + _count(Unit) - first.units)
        else:
            load_reference_data()
            publish_demo_rules()
            counts = _DemoBuilder(first, seed, advance).build()
            search_rows.rebuild(db.session.connection())  # the bulk inserts bypassed the ORM events
            record_event("demo.seed", "demo", None, after={"scale": scale.name, "seed": seed, **counts})
    while _batches_to_come(scale):
        with unit_of_work():
            _seed_batch(scale, seed, _count(Listing), advance)
    with unit_of_work():
        _realign_postgres_sequences()
    _refresh_planner_statistics()
    return counts | {"listings": _count(Listing), "units": _count(Unit)}


def _seed_batch(scale: Scale, seed: int, present: int, advance: Callable[[int], None]) -> None:
    """The next batch of market stock: listings from index ``present`` on, and the new units
    that keep the scale's proportion. Its generator is seeded by the batch's first index, so a
    resumed seed writes the rows an uninterrupted one would have."""
    size = min(scale.batch_listings or scale.listings, scale.listings - present)
    units = scale.units_for(present + size) - _count(Unit)
    builder = _DemoBuilder(scale, seed, advance, stream=f"batch-{present}")
    counts = builder.grow(range(present, present + size), units)
    record_event("demo.seed", "demo", None, after={"scale": scale.name, "seed": seed, "batch_from": present,
                                                   **counts})


def _batches_to_come(scale: Scale) -> bool:
    return scale.batch_listings is not None and _count(Listing) < scale.listings


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# Assumed district shares of the goal for the demo's later years (none are published): main urban
# districts 8% each, the rest 3% each, as the demo's listings are spread.
DEMO_DISTRICT_SHARES = tuple((d.code, 8 if d.main_urban else 3) for d in ZHENGZHOU_DISTRICTS)


def publish_demo_rules(today: date | None = None) -> int:
    """Rule versions for the programme years after 2024 up to this one. Their targets are not
    public: the demo assumes 2024's, and says so in the version's name. A real deployment's
    bureau publishes each year's rules in the rule editor instead."""
    today = today or beijing_today()
    published = 0
    for year in PROGRAM_YEARS[1:]:
        if year > today.year or rules_of_year(year) is not None:
            continue
        number = (db.session.scalar(select(func.max(ProgramRuleVersion.version))) or 0) + 1
        db.session.add(ProgramRuleVersion(
            version=number, name=f"{year}年卖旧买新规则（演示数据：目标沿用2024年，区县份额为假设值）",
            effective_from=date(year, 1, 1),
            document=replace(initial_rules(), program_year=year, district_shares=DEMO_DISTRICT_SHARES).to_document(),
            status=RuleVersionStatus.PUBLISHED, published_at=utcnow()))
        db.session.flush()
        published += 1
    return published


def _refresh_planner_statistics() -> None:
    """After a bulk load the query planner needs fresh statistics to pick the search indexes."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def _realign_postgres_sequences() -> None:
    """Explicit ids bypass PostgreSQL sequences; move each past the largest id."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            ))


class _IdAllocator:
    """Hands out ids after the largest one already in each table."""

    def __init__(self):
        self._next: dict[type, int] = {}

    def next(self, model) -> int:
        if model not in self._next:
            self._next[model] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value


class _DemoBuilder:
    def __init__(self, scale: Scale, seed: int, advance: Callable[[int], None], stream: str = ""):
        self.scale = scale
        self.rng = random.Random(f"{seed}:{stream}" if stream else seed)
        self.advance = advance
        self.ids = _IdAllocator()
        self.cipher = current_app.extensions["field_cipher"]
        self.rule_version, self.rules = current_rules(date(2024, 6, 1))  # for what does not depend on the year
        self._rules_by_day: dict[date, tuple[ProgramRuleVersion, ProgramRules]] = {}
        self.today = beijing_today()
        self.last_day = self.today - timedelta(days=RECENT_DAYS)
        self.used_phones: set[str] = set()
        self.used_id_numbers: set[str] = set()
        self.certificate_serial = 0
        self.unit_district: dict[int, str] = {}
        self.demo_owner_id_hash = ""
        self.community_factor: dict[int, float] = {}

    def rules_on(self, day: date) -> tuple[ProgramRuleVersion, ProgramRules]:
        """The rules covering ``day`` (each story is decided and counted under its own year's)."""
        if day not in self._rules_by_day:
            self._rules_by_day[day] = current_rules(day)
        return self._rules_by_day[day]

    # ----- orchestration -------------------------------------------------------------

    def build(self) -> dict:
        orgs = self._organizations()
        demo_users = self._demo_users(orgs)
        communities = self._communities()
        listings = self._listings(communities, orgs["agencies"], range(self.scale.listings), demo_users["demo-owner"])
        sales = self._recorded_sales(communities)
        units = self._projects_and_units(orgs["developers"], self.scale.units, self.scale.projects)
        households = self._households(demo_users["demo-owner"])
        completed = self._applications_and_swaps(households, communities, units, orgs, demo_users)
        self._second_appraiser()
        return {"communities": len(communities), "listings": len(listings), "recorded_sales": sales,
                "units": len(units),
                "households": len(households), "completed_swaps": completed}

    def grow(self, indexes: range, units: int) -> dict:
        """A later batch: listings in the stored communities, and new projects of ``units`` units
        (their search rows written here, as the bulk inserts bypass the ORM events)."""
        communities = self._stored_communities()
        agencies, developers = (list(db.session.scalars(select(Organization.id).where(Organization.kind == kind)
                                                        .order_by(Organization.id)))
                                for kind in (OrganizationKind.AGENCY, OrganizationKind.DEVELOPER))
        self.certificate_serial = BATCH_SERIALS_FROM + indexes.start
        listing_ids = self._listings(communities, agencies, indexes, demo_owner=None)
        projects = max(1, round(units * self.scale.projects / self.scale.units))
        unit_rows = self._projects_and_units(developers, units, projects, first=_count(Project))
        connection = db.session.connection()
        search_rows.refresh(connection, search_rows.Kind.LISTING, listing_ids)
        search_rows.refresh(connection, search_rows.Kind.UNIT, [row["id"] for row in unit_rows])
        return {"listings": len(listing_ids), "units": len(unit_rows)}

    def _stored_communities(self) -> list[dict]:
        """The communities of the first batch, each with the price standing its listings show
        (what ``_communities`` drew: their mean unit price over the district's, age allowed for)."""
        mean_unit_price: dict[int, float] = dict(db.session.execute(select(Listing.community_id, func.avg(Listing.unit_price))
                                                  .group_by(Listing.community_id)).all())
        rows: list[dict[str, Any]] = [{"id": c.id, "name": c.name, "district_code": c.district_code,
                                       "build_year": c.build_year}
                for c in db.session.scalars(select(Community).order_by(Community.id))]
        for row in rows:
            guide = SECOND_HAND_PRICE[row["district_code"]] * (1 - 0.006 * max(0, 2024 - row["build_year"]))
            self.community_factor[row["id"]] = float(mean_unit_price.get(row["id"]) or guide) / guide
        return rows

    def _insert(self, model, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            db.session.execute(insert(model), chunk)
            self.advance(len(chunk))

    # ----- people and organizations ---------------------------------------------------

    def _organizations(self) -> dict:
        def org(kind, name, licence):
            row = {"id": self.ids.next(Organization), "kind": kind, "name": name,
                   "licence_number": licence, "contact_name": self._person_name(),
                   "contact_phone": self._phone(), "approval_state": ApprovalState.APPROVED,
                   "created_at": BASE_TIME}
            rows.append(row)
            return row["id"]

        rows: list[dict] = []
        result = {
            "city_group": org(OrganizationKind.CITY_GROUP, "郑州城发安居有限公司", "91410100DEMO0001"),
            "appraiser": org(OrganizationKind.APPRAISER, "河南中原房地产估价有限公司", "豫估DEMO001"),
            "bureau": self._bureau_id(rows),
            "agencies": [org(OrganizationKind.AGENCY, f"{names.AGENCY_NAMES[i % len(names.AGENCY_NAMES)]}"
                             f"郑州第{i + 1}分公司", f"豫经纪DEMO{i + 1:04d}")
                         for i in range(self.scale.agencies)],
            "developers": [org(OrganizationKind.DEVELOPER, f"{names.DEVELOPER_NAMES[i % len(names.DEVELOPER_NAMES)]}"
                               f"（郑州）第{i + 1}项目公司", f"豫开发DEMO{i + 1:04d}")
                           for i in range(self.scale.developers)],
        }
        db.session.execute(insert(Organization), rows)
        return result

    def _second_appraiser(self) -> None:
        phone = next(candidate for number in range(10**8) if (candidate := f"1390{number:07d}") not in self.used_phones)
        self.used_phones.add(phone)
        org_id = self.ids.next(Organization)
        db.session.execute(insert(Organization), [{
            "id": org_id, "kind": OrganizationKind.APPRAISER, "name": "郑州诚信房地产估价有限公司",
            "licence_number": "豫估DEMO002", "contact_name": "周复评", "contact_phone": phone,
            "approval_state": ApprovalState.APPROVED, "created_at": BASE_TIME}])
        db.session.execute(insert(User), [{
            "id": self.ids.next(User), "role": Role.APPRAISER, "organization_id": org_id, "real_name": "周复评",
            "phone": phone, "phone_hash": self.cipher.lookup_hash(phone, "phone"), "id_number": None,
            "id_number_hash": None, "password_hash": generate_password_hash(DEMO_PASSWORD),
            "created_at": BASE_TIME, "username": SECOND_APPRAISER_LOGIN}])

    def _bureau_id(self, rows: list[dict]) -> int:
        existing = db.session.scalar(
            select(Organization.id).where(Organization.kind == OrganizationKind.BUREAU))
        if existing:
            return existing
        row = {"id": self.ids.next(Organization), "kind": OrganizationKind.BUREAU,
               "name": "郑州市住房保障局", "licence_number": "ZZ-HSB",
               "approval_state": ApprovalState.APPROVED, "created_at": BASE_TIME}
        rows.append(row)
        return row["id"]

    def _demo_users(self, orgs: dict) -> dict[str, int]:
        organization_for = {
            Role.HOUSEHOLD: None, Role.AGENCY_STAFF: orgs["agencies"][0],
            Role.DEVELOPER_STAFF: orgs["developers"][0], Role.CITY_GROUP_OFFICER: orgs["city_group"],
            Role.APPRAISER: orgs["appraiser"], Role.BUREAU_ADMIN: orgs["bureau"],
        }
        password_hash = generate_password_hash(DEMO_PASSWORD)
        rows, ids = [], {}
        for username, role in DEMO_LOGINS.items():
            row = self._user_row(role, password_hash, organization_for[role])
            row["username"] = username
            rows.append(row)
            ids[username] = row["id"]
        db.session.execute(insert(User), rows)
        self.demo_owner_id_hash = next(r["id_number_hash"] for r in rows if r["username"] == "demo-owner")
        return ids

    def _user_row(self, role: Role, password_hash: str, organization_id: int | None) -> dict:
        phone = self._phone()
        id_number = self._id_number() if role == Role.HOUSEHOLD else None
        return {
            "id": self.ids.next(User), "role": role, "organization_id": organization_id,
            "real_name": self._person_name(), "phone": phone,
            "phone_hash": self.cipher.lookup_hash(phone, "phone"),
            "id_number": id_number,
            "id_number_hash": self.cipher.lookup_hash(id_number, "id_number") if id_number else None,
            "password_hash": password_hash, "created_at": BASE_TIME,
        }

    def _households(self, demo_owner_id: int) -> list[int]:
        # One hash of a secret nobody keeps: generated households cannot sign in.
        unusable = generate_password_hash(f"unusable-{self.rng.random()}")
        rows = [self._user_row(Role.HOUSEHOLD, unusable, None)
                for _ in range(self.scale.households - 1)]
        self._insert(User, rows)
        self.household_id_hashes = {demo_owner_id: self.demo_owner_id_hash} | {
            row["id"]: row["id_number_hash"] for row in rows}
        return [demo_owner_id] + [row["id"] for row in rows]

    def _person_name(self) -> str:
        given = "".join(self.rng.choice(names.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2))))
        return self.rng.choice(names.SURNAMES) + given

    def _phone(self) -> str:
        while True:
            phone = "1" + self.rng.choice("35789") + f"{self.rng.randrange(10 ** 9):09d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def _id_number(self) -> str:
        while True:
            region = self.rng.choice(("410102", "410103", "410104", "410105", "410122", "410181"))
            born = date(1960, 1, 1) + timedelta(days=self.rng.randrange(365 * 36))
            first17 = f"{region}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            value = first17 + id_check_char(first17)
            if value not in self.used_id_numbers:
                self.used_id_numbers.add(value)
                return value

    def _certificate(self) -> tuple[str, str]:
        self.certificate_serial += 1
        year = 2005 + self.certificate_serial % 19
        number = f"豫({year})郑州市不动产权第{self.certificate_serial:07d}号"
        return number, self.cipher.lookup_hash(number, "certificate")

    # ----- places and homes -----------------------------------------------------------

    def _weighted_district(self) -> DistrictInfo:
        weights = [3 if d.main_urban else 1 for d in ZHENGZHOU_DISTRICTS]
        return self.rng.choices(ZHENGZHOU_DISTRICTS, weights=weights)[0]

    def _near(self, centre: Decimal, spread: float) -> Decimal:
        return (centre + Decimal(str(round(self.rng.gauss(0, spread), 6)))).quantize(Decimal("0.000001"))

    def _communities(self) -> list[dict]:
        rows = []
        for district in ZHENGZHOU_DISTRICTS:
            taken: set[str] = set()
            while len(taken) < self.scale.communities_per_district:
                name = (self.rng.choice(names.COMMUNITY_PREFIXES) + self.rng.choice(names.COMMUNITY_SUFFIXES)
                        + ("" if len(taken) < 200 else f"{len(taken) // 200}期"))
                if name in taken:
                    continue
                taken.add(name)
                rows.append({
                    "id": self.ids.next(Community), "name": name, "district_code": district.code,
                    "search_pinyin": pinyin_keys(name, district.code),
                    "address": f"{district.name}{self.rng.choice(names.ROADS)}{self.rng.randint(1, 300)}号",
                    "lat": self._near(district.lat, 0.025), "lon": self._near(district.lon, 0.03),
                    "build_year": self.rng.randint(1995, 2022),
                })
                self.community_factor[rows[-1]["id"]] = self.rng.lognormvariate(0, 0.10)
        self._insert(Community, rows)
        return rows

    def _area(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randint(low * 100, high * 100)) / 100

    def _second_hand_price(self, community: dict, area: Decimal, build_year: int) -> int:
        """District guide price × the community's standing × this home's own variation."""
        base = (SECOND_HAND_PRICE[community["district_code"]] * self.community_factor[community["id"]]
                * self.rng.lognormvariate(0, 0.06))
        age_factor = 1 - 0.006 * max(0, 2024 - build_year)
        return int(round(float(area) * base * age_factor, -3))

    def _listings(self, communities: list[dict], agencies: list[int], indexes: range,
                  demo_owner: int | None) -> list[int]:
        by_district: dict[str, list[dict]] = {}
        for community in communities:
            by_district.setdefault(community["district_code"], []).append(community)
        statuses = [ListingStatus.ACTIVE] * 80 + [ListingStatus.RESERVED] * 4 + [ListingStatus.SOLD] * 6 + \
            [ListingStatus.WITHDRAWN] * 4 + [ListingStatus.EXPIRED] * 3 + [ListingStatus.SUBMITTED] * 2 + \
            [ListingStatus.DRAFT]
        rows = []
        for index in indexes:
            community = self.rng.choice(by_district[self._weighted_district().code])
            status = self.rng.choice(statuses)
            owner = demo_owner if index == 0 else None
            agency = None if owner or self.rng.random() < 0.15 else self.rng.choice(agencies)
            rows.append(self._listing_row(index, community, status, owner, agency))
        self._insert(Listing, rows)
        self._insert(TitleRecord, [self._title_row(row) for row in rows])
        return [row["id"] for row in rows]

    def _recorded_sales(self, communities: list[dict]) -> int:
        """Registered resale contracts of the last eighteen months: the valuation's evidence."""
        rows = []
        for _ in range(self.scale.recorded_sales):
            community = self.rng.choice(communities)
            area = self._area(55, 140)
            total_floors = self.rng.choice((6, 7)) if community["build_year"] < 2000 else self.rng.choice((11, 18, 33))
            rows.append({
                "id": self.ids.next(RecordedSale), "community_id": community["id"], "area_m2": area,
                "floor": self.rng.randint(1, total_floors), "total_floors": total_floors,
                "build_year": community["build_year"],
                "price": self._second_hand_price(community, area, community["build_year"]),
                "sold_on": self.today - timedelta(days=self.rng.randrange(RECENT_DAYS, 540)), "source": "registry",
            })
        self._insert(RecordedSale, rows)
        return len(rows)

    def _title_row(self, listing: dict) -> dict:
        """The registry entry behind each demo listing; submitted ones disagree on area."""
        mismatch = listing["status"] == ListingStatus.SUBMITTED
        return {
            "id": self.ids.next(TitleRecord), "certificate_number": listing["certificate_number"],
            "property_key": listing["property_key"],
            "address": f"{listing['building_no']}{listing['unit_no']}{listing['room_no']}",
            "owner_id_hash": listing["owner_id_hash"],
            "area_m2": listing["area_m2"] + (5 if mismatch else 0),
            "seized": False, "mortgaged": self.rng.random() < 0.3, "imported_at": BASE_TIME,
        }
    def _listing_row(self, index: int, community: dict, status: ListingStatus,
                     owner: int | None, agency: int | None) -> dict:
        build_year = community["build_year"]
        area = self._area(55, 140)
        bedrooms = 1 if area < 60 else 2 if area < 90 else 3 if area < 125 else 4
        total_floors = self.rng.choice((6, 7)) if build_year < 2000 else self.rng.choice((11, 18, 26, 33))
        price = self._second_hand_price(community, area, build_year)
        certificate, property_key = self._certificate()
        contact_phone = self._phone()
        # Listed within the expiry window, so `flask listings expire` leaves the demo market alive.
        listed = beijing_midnight(self.today) - timedelta(days=self.rng.randrange(1, 80),
                                                      minutes=self.rng.randrange(1440))
        sold = None
        if status == ListingStatus.SOLD:
            # Sold within the last half year after three weeks to five months on the market. Spread
            # by the row's index, not the seeded generator, so every other demo row stays as it was.
            sold = beijing_midnight(self.today) - timedelta(days=1 + index * 37 % 180, minutes=index * 97 % 1440)
            listed = sold - timedelta(days=20 + index * 53 % 130, hours=index % 24)
        verified = status in (ListingStatus.ACTIVE, ListingStatus.RESERVED, ListingStatus.SOLD)
        return {
            "id": self.ids.next(Listing), "community_id": community["id"],
            "owner_user_id": owner, "organization_id": agency,
            "agency_reference": f"DEMO-{index + 1:07d}" if agency else None,
            "building_no": f"{self.rng.randint(1, 30)}号楼", "unit_no": f"{self.rng.randint(1, 4)}单元",
            "room_no": f"{self.rng.randint(1, total_floors)}0{self.rng.randint(1, 4)}",
            "floor": self.rng.randint(1, total_floors), "total_floors": total_floors,
            "area_m2": area, "inner_area_m2": (area * Decimal("0.8")).quantize(Decimal("0.01")),
            "bedrooms": bedrooms, "living_rooms": 1 if bedrooms < 3 else 2, "bathrooms": 1 if bedrooms < 3 else 2,
            "orientation": self.rng.choice(names.ORIENTATIONS), "decoration": self.rng.choice(names.DECORATIONS),
            "build_year": build_year, "has_elevator": total_floors > 7,
            "property_type": self.rng.choice(names.PROPERTY_TYPES),
            "certificate_number": certificate, "property_key": property_key,
            "asking_price": price, "unit_price": unit_price(price, area),
            "description": f"{community['name']}{bedrooms}室，{self.rng.choice(names.ORIENTATIONS)}向，"
                           f"近{self.rng.choice(names.ROADS)}，生活配套齐全。",
            "contact_name": self._person_name(), "contact_phone": contact_phone,
            "owner_id_hash": self.demo_owner_id_hash if owner else self.cipher.lookup_hash(
                f"demo-owner-{index}", "id_number"),
            "status": status, "seized": False,
            "verification_code": f"ZZ{index + 1:08d}" if verified else None,
            "verified_at": listed if verified else None,
            "verification_note": ("已通过登记簿自动核验" if verified else
                                  "建筑面积与登记簿不符，等待住房保障局人工核验"
                                  if status == ListingStatus.SUBMITTED else None),
            "renewed_at": listed if verified else None,
            "listed_at": listed if status != ListingStatus.DRAFT else None, "sold_at": sold,
            "created_at": listed, "updated_at": sold or listed, "version": 1,
        }

    def _projects_and_units(self, developers: list[int], units: int, projects: int, first: int = 0) -> list[dict]:
        """``projects`` new projects holding ``units`` units, numbered on from the ``first``."""
        project_rows: list[dict] = []
        building_rows: list[dict] = []
        unit_rows: list[dict] = []
        per_project, remainder = divmod(units, projects)
        for index in range(first, first + projects):
            district = self._weighted_district()
            project_id = self.ids.next(Project)
            project_name = (f"{self.rng.choice(names.COMMUNITY_PREFIXES)}{self.rng.choice(names.PROJECT_SUFFIXES)}"
                            f"·{district.name[:2]}{index + 1}期")
            project_rows.append({
                "id": project_id, "developer_org_id": developers[index % len(developers)],
                "name": project_name,
                "district_code": district.code, "search_pinyin": pinyin_keys(project_name, district.code),
                "address": f"{district.name}{self.rng.choice(names.ROADS)}与{self.rng.choice(names.ROADS)}交叉口",
                "lat": self._near(district.lat, 0.03), "lon": self._near(district.lon, 0.035),
                "presale_permit_no": f"郑房预售字[2024]第{index + 1:04d}号",
                "delivery_date": date(2025, 6, 30) + timedelta(days=90 * self.rng.randrange(8)),
                "in_swap_program": self.rng.random() < 0.7,
                "swap_offer": "以旧换新客户总房款优惠2%" if self.rng.random() < 0.5 else "",
                "created_at": BASE_TIME,
            })
            target = per_project + (1 if index - first < remainder else 0)
            self._buildings(project_id, district.code, target, building_rows, unit_rows)
        db.session.execute(insert(Project), project_rows)
        self._insert(Building, building_rows)
        self._insert(Unit, unit_rows)
        return unit_rows

    def _buildings(self, project_id: int, district_code: str, target: int,
                   building_rows: list, unit_rows: list) -> None:
        new_price = SECOND_HAND_PRICE[district_code] * NEW_HOME_PREMIUM
        made, number = 0, 0
        while made < target:
            number += 1
            floors = self.rng.choice((11, 18, 26, 33))
            rooms = self.rng.choice((2, 3, 4))
            building_id = self.ids.next(Building)
            building_rows.append({"id": building_id, "project_id": project_id,
                                  "name": f"{number}号楼", "total_floors": floors})
            layouts = [self._area(95, 143) for _ in range(rooms)]
            for floor in range(1, floors + 1):
                for room in range(rooms):
                    if made >= target:
                        return
                    area = layouts[room]
                    floor_factor = Decimal("0.97") + Decimal(floor) / Decimal(floors) * Decimal("0.08")
                    bedrooms = 3 if area < 125 else 4
                    unit_rows.append({
                        "id": self.ids.next(Unit), "building_id": building_id, "floor": floor,
                        "room": f"{floor}{room + 1:02d}", "area_m2": area,
                        "bedrooms": bedrooms, "living_rooms": 2, "bathrooms": 2,
                        "list_price": (price := int(round(area * new_price * floor_factor, -3))),
                        "unit_price": unit_price(price, area),
                        "status": UnitStatus.AVAILABLE, "updated_at": BASE_TIME, "version": 1,
                    })
                    self.unit_district[unit_rows[-1]["id"]] = district_code
                    made += 1

    # ----- applications, acquisitions, market swaps and the ledger ----------------------

    def _applications_and_swaps(self, households, communities, units, orgs, demo_users) -> int:
        planner = _SwapPlanner(self, units, orgs, demo_users)
        applications = []
        for index, household in enumerate(households):
            outcome = planner.outcome_for(index)
            applications.append(planner.application(household, communities, outcome))
        self._insert(SwapApplication, applications)
        planner.write()
        return planner.completed


class _SwapPlanner:
    """Decides each application's story and writes the matching acquisitions, swaps and ledger."""

    OPEN_STATES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.MATCHED,
                   ApplicationStatus.IN_PROGRESS, ApplicationStatus.WITHDRAWN)

    def __init__(self, builder: _DemoBuilder, units: list[dict], orgs: dict, demo_users: dict):
        self.b = builder
        self.orgs = orgs
        self.officer = demo_users["demo-group"]
        self.appraiser_user = demo_users["demo-appraiser"]
        self.agent = demo_users["demo-agency"]
        self.bureau_user = demo_users["demo-bureau"]
        self.sold_unit_ids: list[int] = []
        self.events: list[dict] = []
        self.titles: list[dict] = []
        self.acquisition_events: list[dict] = []
        self.documents: list[dict] = []
        self.acquisitions: list[dict] = []
        self.market_swaps: list[dict] = []
        self.ledger: list[dict] = []
        self.completed = 0
        main_urban = set(builder.rules.main_urban_districts)
        urban = sorted((u for u in units if builder.unit_district[u["id"]] in main_urban),
                       key=lambda u: u["list_price"])
        self.urban_units = urban
        self.urban_prices = [u["list_price"] for u in urban]

    def outcome_for(self, index: int) -> str:
        if index == 0:
            return "demo_offer"  # demo-owner: an offer waiting for an answer, to try the household's side
        if index <= self.b.scale.completed_swaps:
            return "city_group_done" if index % 2 == 1 else "market_done"
        return self.b.rng.choice(("open", "open", "open", "city_group_open", "ineligible"))

    def application(self, household: int, communities: list[dict], outcome: str) -> dict:
        b = self.b
        qualifying = outcome in ("city_group_done", "city_group_open", "demo_offer")
        community, build_year, area, old_price = self._old_home(communities, outcome, qualifying)
        certificate, property_key = b._certificate()
        submitted = self._submitted_at(outcome)
        version, rules = b.rules_on(submitted.date())
        wanted = self._wanted_districts(community["district_code"], rules)
        decision = check_eligibility(EligibilityFacts(
            "city_group", submitted.date(), OldHomeFacts(community["district_code"], build_year, area, seized=False),
            wanted_districts=wanted), rules).decision  # the one decision the platform makes
        total_floors = b.rng.choice((6, 7)) if build_year < 2000 else b.rng.choice((11, 18, 33))
        bedrooms = 1 if area < 60 else 2 if area < 90 else 3
        row = {
            "id": b.ids.next(SwapApplication), "household_user_id": household,
            "old_district_code": community["district_code"], "old_community_name": community["name"],
            "old_community_id": community["id"], "old_bedrooms": bedrooms,
            "old_floor": b.rng.randint(1, total_floors), "old_total_floors": total_floors,
            "old_has_elevator": total_floors > 7, "old_asking_price": None, "valuation_estimate": None,
            "old_area_m2": area, "old_build_year": build_year,
            "old_certificate_number": certificate, "old_property_key": property_key,
            "old_seized": False, "remaining_mortgage": b.rng.choice((0, 0, 150_000, 300_000)),
            "savings": b.rng.randrange(100_000, 800_000, 10_000),
            "max_loan": b.rng.randrange(300_000, 1_500_000, 50_000),
            "wanted_districts": list(wanted), "min_area_m2": area + 15,
            "min_bedrooms": min(bedrooms + 1, 4), "budget_max": int(old_price * 1.6),
            "needs_elevator": b.rng.random() < 0.7, "move_in_by": None,
            "channel_preference": ChannelPreference.CITY_GROUP if qualifying else b.rng.choice(list(ChannelPreference)),
            "decision_rule_version_id": version.id,
            "decision_reasons": [],
            "submitted_at": submitted, "decided_at": submitted + timedelta(days=2),
            "created_at": submitted - timedelta(days=1), "updated_at": submitted,
        }
        # Every applicant's home is in the registry, as the city group needs before it takes a case.
        self.titles.append({
            "id": b.ids.next(TitleRecord), "certificate_number": certificate, "property_key": property_key,
            "address": f"{community['name']}{b.rng.randint(1, 30)}号楼", "area_m2": area,
            "owner_id_hash": b.household_id_hashes[household], "seized": False, "mortgaged": False,
            "imported_at": BASE_TIME})
        row["status"] = self._status(outcome, decision, row)
        row["eligible_channels"] = self._eligible_channels(row, decision.ok)
        row["counts_toward_pilot"] = "city_group" in row["eligible_channels"] and counts_toward_pilot(
            row["old_district_code"], submitted.date(), rules)
        self._story(outcome, row, old_price)
        self._timeline(row)
        return row

    @staticmethod
    def _eligible_channels(row: dict, city_group_ok: bool) -> list[str]:
        if row["submitted_at"] is None or row["status"] == ApplicationStatus.INELIGIBLE:
            return []
        wanted = {ChannelPreference.CITY_GROUP: ["city_group"], ChannelPreference.MARKET: ["market"],
                  ChannelPreference.EITHER: ["city_group", "market"]}[row["channel_preference"]]
        return [channel for channel in wanted if channel == "market" or city_group_ok]

    def _timeline(self, row: dict) -> None:
        """Submitted, then the decision, then where the application stands now."""
        if row["submitted_at"] is None:
            return
        steps = [(ApplicationStatus.SUBMITTED, row["submitted_at"], "已提交申请")]
        decided = ApplicationStatus.INELIGIBLE if row["status"] == ApplicationStatus.INELIGIBLE \
            else ApplicationStatus.ELIGIBLE
        steps.append((decided, row["decided_at"], "按规则自动审核"))
        if row["status"] not in (ApplicationStatus.SUBMITTED, decided):
            steps.append((row["status"], row["decided_at"] + timedelta(days=5), ""))
        for status, at, note in steps:
            self.events.append({"id": self.b.ids.next(ApplicationEvent), "application_id": row["id"],
                                "status": status, "note": note, "actor_user_id": None, "at": at})

    def _old_home(self, communities: list[dict], outcome: str, qualifying: bool) -> tuple[dict, int, Decimal, int]:
        """Draw the old home; a completed city-group swap redraws until an unsold new unit in
        the main urban area costs at least as much (the rule the seed must never break)."""
        b = self.b
        for _ in range(50):
            community = self._community(communities, pilot=outcome == "city_group_done" and b.rng.random() < 0.3)
            build_year = b.rng.randint(2006, 2022) if qualifying else (
                b.rng.randint(1990, 2002) if outcome == "ineligible" else b.rng.randint(1995, 2022))
            area = b._area(60, 119) if qualifying else b._area(60, 135)
            old_price = b._second_hand_price(community, area, build_year)
            if outcome != "city_group_done" or (self.urban_prices and self.urban_prices[-1] >= old_price):
                return community, build_year, area, old_price
        raise RuntimeError("demo scale has too few new units for its completed city-group swaps")

    def _submitted_at(self, outcome: str) -> datetime:
        """Completed stories spread over the programme so far (leaving each time to finish);
        open ones are recent, as a live queue would be."""
        b = self.b
        if outcome.endswith("_done"):
            return BASE_TIME + timedelta(days=b.rng.randrange(max(1, (b.last_day - BASE_TIME.date()).days - 120)))
        return beijing_midnight(b.last_day) - timedelta(days=b.rng.randrange(0, 120), hours=b.rng.randrange(24))

    @staticmethod
    def _wanted_districts(home_district: str, rules) -> tuple[str, ...]:
        """Near home; households outside the main urban area also look in 金水区."""
        if home_district in rules.main_urban_districts:
            return (home_district,)
        return (home_district, "410105")

    def _community(self, communities: list[dict], pilot: bool) -> dict:
        if pilot:
            pilot_codes = set(self.b.rules.pilot_districts)
            return self.b.rng.choice([c for c in communities if c["district_code"] in pilot_codes])
        return self.b.rng.choice(communities)

    def _status(self, outcome: str, decision, row: dict) -> ApplicationStatus:
        if outcome.endswith("_done"):
            return ApplicationStatus.COMPLETED
        if outcome in ("city_group_open", "demo_offer"):
            return ApplicationStatus.IN_PROGRESS
        if outcome == "ineligible":
            row["channel_preference"] = ChannelPreference.CITY_GROUP
        if row["channel_preference"] == ChannelPreference.CITY_GROUP and not decision.ok:
            row["decision_reasons"] = [{"rule": r.rule, "message": r.message} for r in decision.reasons]
            return ApplicationStatus.INELIGIBLE
        status = self.b.rng.choice(self.OPEN_STATES + (ApplicationStatus.ELIGIBLE,))
        if status == ApplicationStatus.DRAFT:
            row.update(submitted_at=None, decided_at=None, decision_rule_version_id=None, decision_reasons=[])
        return status

    def _story(self, outcome: str, row: dict, old_price: int) -> None:
        if outcome == "city_group_done":
            self._completed_acquisition(row, old_price)
        elif outcome == "market_done":
            self._completed_market_swap(row, old_price)
        elif outcome == "city_group_open":
            self._open_acquisition(row, old_price)
        elif outcome == "demo_offer":
            self._open_acquisition(row, old_price, AcquisitionStatus.OFFER_MADE, offered_on=beijing_today())

    def _take_unit(self, minimum_price: int) -> dict:
        """An unused main-urban unit priced at least ``minimum_price`` (or the dearest left)."""
        start = bisect.bisect_left(self.urban_prices, minimum_price)
        start = min(start, len(self.urban_units) - 1)
        index = self.b.rng.randrange(start, min(start + 50, len(self.urban_units)))
        self.urban_prices.pop(index)
        unit = self.urban_units.pop(index)
        self.sold_unit_ids.append(unit["id"])
        return unit

    def _completion_date(self, district_code: str, after: date) -> date:
        """Inside the 2024 pilot window for half the pilot districts' cases that can make it,
        otherwise some weeks after ``after`` and never later than the seed's last day."""
        rules = self.b.rules
        if district_code in rules.pilot_districts and self.b.rng.random() < 0.5:
            start = max(after, rules.pilot_start)
            if start <= rules.pilot_end:
                return start + timedelta(days=self.b.rng.randrange((rules.pilot_end - start).days + 1))
        return min(after + timedelta(days=self.b.rng.randrange(20, 120)), self.b.last_day)

    def _completed_acquisition(self, row: dict, old_price: int) -> None:
        b = self.b
        appraised = int(round(old_price * b.rng.uniform(0.92, 1.0), -3))
        unit = self._take_unit(appraised)
        decision = check_new_home_for_city_group(
            NewHomeFacts(b.unit_district[unit["id"]], unit["list_price"]), appraised, b.rules)
        if not decision.ok:
            raise RuntimeError(f"demo data broke a rule: {decision.reasons}")
        start = row["submitted_at"].date()
        completed_on = self._completion_date(row["old_district_code"], start + timedelta(days=30))
        signed = completed_on - timedelta(days=20)
        acquisition_id = b.ids.next(Acquisition)
        self.acquisitions.append({
            **self._acquisition_base(acquisition_id, row, AcquisitionStatus.COMPLETED),
            "inspection_on": start + timedelta(days=5), "appraiser_org_id": self.orgs["appraiser"],
            "appraised_value": appraised, "offer_price": appraised,
            "offer_expires_on": signed + timedelta(days=5),
            "contract_number": f"CFAJ-{signed.year}-{acquisition_id:06d}",
            "contract_price": appraised, "contract_signed_on": signed, "new_unit_id": unit["id"],
            "purchase_contract_number": f"WQ-{signed.year}-{acquisition_id:07d}", "new_home_price": unit["list_price"],
            "purchased_on": signed + timedelta(days=7), "title_transferred_on": completed_on,
            "completed_on": completed_on, "intended_use": b.rng.choice(("翻新后再销售", "保障性租赁住房")),
            "appraised_on": start + timedelta(days=12), "offered_on": signed - timedelta(days=3),
        })
        self._acquisition_timeline(self.acquisitions[-1])
        self._ledger_row(Channel.CITY_GROUP, row, completed_on, unit["id"], acquisition_id=acquisition_id)

    def _acquisition_base(self, acquisition_id: int, row: dict, status: AcquisitionStatus) -> dict:
        empty = dict.fromkeys((
            "inspection_on", "appraiser_org_id", "appraised_value", "offer_price", "offer_expires_on",
            "contract_number", "contract_price", "contract_signed_on", "new_unit_id",
            "purchase_contract_number", "new_home_price", "purchased_on", "title_transferred_on",
            "completed_on", "intended_use", "appraised_on", "offered_on"))
        return {**empty, "id": acquisition_id, "application_id": row["id"], "status": status,
                "officer_user_id": self.officer, "rule_version_id": self.b.rule_version.id,
                "created_at": row["submitted_at"], "updated_at": row["submitted_at"], "version": 1}

    def _open_acquisition(self, row: dict, old_price: int, step: AcquisitionStatus | None = None,
                          offered_on: date | None = None) -> None:
        b = self.b
        step = step or b.rng.choice((AcquisitionStatus.INTAKE, AcquisitionStatus.INSPECTION_SCHEDULED,
                                     AcquisitionStatus.APPRAISED, AcquisitionStatus.OFFER_MADE))
        values = self._acquisition_base(b.ids.next(Acquisition), row, step)
        start = row["submitted_at"].date()
        if step != AcquisitionStatus.INTAKE:
            values.update(inspection_on=start + timedelta(days=7), appraiser_org_id=self.orgs["appraiser"])
        if step in (AcquisitionStatus.APPRAISED, AcquisitionStatus.OFFER_MADE):
            values.update(appraised_value=int(round(old_price * b.rng.uniform(0.92, 1.0), -3)),
                          appraised_on=start + timedelta(days=12))
        if step == AcquisitionStatus.OFFER_MADE:
            offered_on = offered_on or start + timedelta(days=15)
            values.update(offer_price=values["appraised_value"], offered_on=offered_on,
                          offer_expires_on=offered_on + timedelta(days=b.rules.offer_valid_days))
        self.acquisitions.append(values)
        self._acquisition_timeline(values)

    # The steps an acquisition has passed, read from the dates it carries, in order.
    _STEP_DATES = (("inspection_on", AcquisitionStatus.INSPECTION_SCHEDULED, "已安排查勘"),
                   ("appraised_on", AcquisitionStatus.APPRAISED, "评估机构出具评估报告"),
                   ("offered_on", AcquisitionStatus.OFFER_MADE, "城发集团报价"),
                   ("contract_signed_on", AcquisitionStatus.OFFER_ACCEPTED, "家庭接受报价"),
                   ("contract_signed_on", AcquisitionStatus.CONTRACT_SIGNED, "签订收购合同"),
                   ("purchased_on", AcquisitionStatus.NEW_HOME_PURCHASED, "购买新房"),
                   ("title_transferred_on", AcquisitionStatus.TITLE_TRANSFERRED, "旧房过户"),
                   ("completed_on", AcquisitionStatus.COMPLETED, "以旧换新完成，已计入目标"))

    def _acquisition_timeline(self, acquisition: dict) -> None:
        """Timeline rows (and a stand-in appraisal report) for a demo acquisition."""
        def event(status: AcquisitionStatus, note: str, at: datetime) -> dict:
            return {"id": self.b.ids.next(AcquisitionEvent), "acquisition_id": acquisition["id"], "status": status,
                    "note": note, "actor_user_id": self.officer, "at": at}
        self.acquisition_events.append(event(AcquisitionStatus.INTAKE, "城发集团受理", acquisition["created_at"]))
        for column, status, note in self._STEP_DATES:
            if acquisition[column] is not None:
                self.acquisition_events.append(
                    event(status, note, datetime.combine(acquisition[column], time(2), tzinfo=UTC)))
        if acquisition["appraised_on"] is not None:
            content = DEMO_REPORT % acquisition["id"]
            self.documents.append({
                "id": self.b.ids.next(AcquisitionDocument), "acquisition_id": acquisition["id"],
                "kind": "appraisal_report", "filename": f"评估报告-{acquisition['id']}.pdf",
                "content_type": "application/pdf", "size_bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(), "content": content,
                "uploaded_by_user_id": self.appraiser_user,
                "uploaded_at": datetime.combine(acquisition["appraised_on"], time(2), tzinfo=UTC)})

    def _completed_market_swap(self, row: dict, old_price: int) -> None:
        b = self.b
        sale_price = int(round(old_price * b.rng.uniform(0.95, 1.03), -3))
        sold_on = row["submitted_at"].date() + timedelta(days=b.rng.randrange(10, 60))
        unit = self._take_unit(sale_price)
        purchased_on = min(sold_on + timedelta(days=b.rng.randrange(5, 90)), b.last_day)
        sold_on = min(sold_on, purchased_on)
        swap_id = b.ids.next(MarketSwap)
        self.market_swaps.append({
            "id": swap_id, "application_id": row["id"], "household_user_id": row["household_user_id"],
            "recorded_by_user_id": self.agent, "organization_id": self.orgs["agencies"][0],
            "old_district_code": row["old_district_code"], "old_certificate_number": row["old_certificate_number"],
            "old_property_key": row["old_property_key"], "buyer_name": b._person_name(),
            "old_sale_price": sale_price, "old_sale_contract_number": f"ES-{sold_on.year}-{swap_id:07d}",
            "old_sale_on": sold_on, "new_unit_id": unit["id"], "new_project_name": "",
            "new_district_code": b.unit_district[unit["id"]],
            "new_purchase_contract_number": f"WQM-{purchased_on.year}-{swap_id:07d}",
            "new_home_price": unit["list_price"],
            "new_purchase_on": purchased_on, "status": MarketSwapStatus.VERIFIED,
            "verified_by_user_id": self.bureau_user,
            "verified_at": datetime.combine(purchased_on + timedelta(days=3), time(2), tzinfo=UTC),
            "rejection_reason": None, "rule_version_id": b.rules_on(purchased_on)[0].id,
            "created_at": datetime.combine(purchased_on, time(3), tzinfo=UTC), "version": 1,
        })
        self._ledger_row(Channel.MARKET, row, purchased_on, unit["id"], market_swap_id=swap_id)

    def _ledger_row(self, channel: Channel, row: dict, completed_on: date, unit_id: int,
                    acquisition_id: int | None = None, market_swap_id: int | None = None) -> None:
        self.completed += 1
        version, rules = self.b.rules_on(completed_on)  # the year the swap completed counts it
        self.ledger.append({
            "id": self.b.ids.next(GoalLedgerEntry), "entry_type": LedgerEntryType.COUNT,
            "channel": channel, "program_year": rules.program_year,
            "property_hash": row["old_property_key"], "district_code": row["old_district_code"],
            "completed_on": completed_on,
            "pilot": channel == Channel.CITY_GROUP and counts_toward_pilot(
                row["old_district_code"], completed_on, rules),
            "acquisition_id": acquisition_id, "market_swap_id": market_swap_id, "new_unit_id": unit_id,
            "reverses_entry_id": None, "reason": None, "rule_version_id": version.id,
            "recorded_by_user_id": self.bureau_user,
            "created_at": datetime.combine(completed_on, time(8), tzinfo=UTC),
        })

    def write(self) -> None:
        b = self.b
        b._insert(ApplicationEvent, self.events)
        b._insert(TitleRecord, self.titles)
        b._insert(Acquisition, self.acquisitions)
        b._insert(AcquisitionEvent, self.acquisition_events)
        b._insert(AcquisitionDocument, self.documents)
        b._insert(MarketSwap, self.market_swaps)
        b._insert(GoalLedgerEntry, self.ledger)
        b._insert(LedgerClaim, [{"id": entry["id"], "property_hash": entry["property_hash"],
                                 "program_year": entry["program_year"], "new_unit_id": entry["new_unit_id"],
                                 "entry_id": entry["id"]} for entry in self.ledger])
        for start in range(0, len(self.sold_unit_ids), CHUNK):
            chunk = self.sold_unit_ids[start:start + CHUNK]
            db.session.execute(
                Unit.__table__.update().where(Unit.id.in_(chunk)).values(status=UnitStatus.SOLD.value))
