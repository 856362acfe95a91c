"""Personal data walk: known ID, phone and certificate numbers are seeded, then every page,
API answer, export, search document and log line is read as nine personas. A raw value may
appear only in the cells the platform declares (its owner, or the role whose work needs it),
and never inside a URL.
"""
import io
import logging
import re
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from housing_swap.db.models import (
    AuditEvent,
    GoalLedgerEntry,
    ListingStatus,
    OrganizationKind,
    Role,
)
from housing_swap.extensions import db
from housing_swap.jobs import dispatch
from housing_swap.search.query import Kind
from housing_swap.search.search_rows import TEXT_TABLES
from housing_swap.search.sources import document, listing_select, unit_select
from housing_swap.services import acquisitions, export_jobs, market_swaps
from housing_swap.services.listings import create_listing
from tests.acquisitions.helpers import swap_fields
from tests.conftest import SEARCH_BACKEND, SUITE_INDEX_PREFIX, rebuild_search_index
from tests.factories import valid_id_number
from tests.listings.helpers import listing_fields
from tests.matching.helpers import submitted_application
from tests.test_authorization_matrix import sign_in

PERSONAS = ("anonymous", "household_a", "household_b", "agency_a", "agency_b", "developer",
            "city_group", "appraiser", "bureau")
SKIPPED_ENDPOINTS = {"static", "auth.logout", "listings.photo", "listings.photo_thumbnail",
                     "acquisitions.document", "api.download_document"}  # binary files of our own making

NEEDLES = {
    "phone_a": "13911112222",
    "phone_b": "13933334444",
    "listing_phone": "13955556666",
    "id_a": valid_id_number(931),
    "id_b": valid_id_number(932),
    "listing_certificate": "豫(2019)郑州市不动产权第0777001号",
    "application_certificate": "豫(2018)郑州市不动产权第0777002号",
    "swap_certificate": "豫(2017)郑州市不动产权第0777003号",
}

# Where a raw value may be seen, and why. Everything else must show it masked or not at all.
ALLOWED = {
    # The agency that manages a listing answers buyers' calls on its contact phone, edits the
    # listing's own fields, and exports its listings in the import format (a round trip).
    ("agency_a", "listings.detail", "listing_phone"),
    ("agency_a", "api.get_listing", "listing_phone"),
    ("agency_a", "listings.edit_listing", "listing_phone"),
    ("agency_a", "listings.edit_listing", "listing_certificate"),
    ("agency_a", "agency.export", "listing_phone"),
    ("agency_a", "agency.export", "listing_certificate"),
    # The bureau moderates listings (complaints, false listings) and may call the lister.
    ("bureau", "listings.detail", "listing_phone"),
    ("bureau", "api.get_listing", "listing_phone"),
    # A household correcting its own draft application sees what it typed.
    ("household_a", "applications.edit_application", "application_certificate"),
    # The city group calls households whose cases stall (the stalled-cases export).
    ("city_group", "dashboard.export_download", "phone_a"),
    ("city_group", "api.export_progress", "phone_a"),
}


@pytest.fixture
def seeded(app, make):
    agency_org = make.organization(OrganizationKind.AGENCY)
    people = {
        "household_a": make.household(phone=NEEDLES["phone_a"], id_number=NEEDLES["id_a"]),
        "household_b": make.household(phone=NEEDLES["phone_b"], id_number=NEEDLES["id_b"]),
        "agency_a": make.staff(Role.AGENCY_STAFF, organization=agency_org),
        "agency_b": make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY)),
        "developer": make.staff(Role.DEVELOPER_STAFF),
        "city_group": make.staff(Role.CITY_GROUP_OFFICER),
        "appraiser": make.staff(Role.APPRAISER, organization=make.organization(OrganizationKind.APPRAISER)),
        "bureau": make.staff(Role.BUREAU_ADMIN),
    }
    listing = create_listing(listing_fields(contact_phone=NEEDLES["listing_phone"],
                                            certificate_number=NEEDLES["listing_certificate"]), people["agency_a"])
    listing.status = ListingStatus.ACTIVE
    application, _ = submitted_application(make, household=people["household_a"], channel_preference="城发集团收购",
                                           certificate_number=NEEDLES["application_certificate"])
    acquisition = acquisitions.take_in(application.id, people["city_group"])
    for event in acquisition.events:  # untouched for a month: on the stalled-cases list
        event.at -= timedelta(days=30)
    swap = market_swaps.record_swap({**swap_fields(NEEDLES["swap_certificate"], 931),
                                     "household_phone": NEEDLES["phone_b"]}, people["agency_a"])
    market_swaps.verify_swap(swap.id, people["bureau"])
    db.session.commit()
    rebuild_search_index()
    exports = [export_jobs.queue_export({}, people["city_group"], table, 14) for table in (None, "stalled")]
    for job in exports:
        dispatch(job)  # the suite's broker runs it at once
    ids = {"listing_id": [listing.id], "application_id": [application.id], "acquisition_id": [acquisition.id],
           "swap_id": [swap.id], "file_format": ["csv", "xlsx"],
           "event_id": db.session.scalars(select(AuditEvent.id)).all(),
           "entry_id": db.session.scalars(select(GoalLedgerEntry.id)).all(), "job_id": [job.id for job in exports]}
    return people, ids


def concrete_paths(rule, ids: dict) -> list[str]:
    """Every path the rule takes with the seeded objects' ids; other ids and strings get a dummy."""
    paths = [rule.rule]
    for match in re.finditer(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", rule.rule):
        converter, choices, name = match.groups()
        values = ([c.strip() for c in choices.split(",")] if choices
                  else [str(v) for v in ids.get(name, [1 if converter == "int" else "x"])])
        paths = [p.replace(match.group(0), v) for p in paths for v in values]
    return paths


def readable_text(response) -> str:
    """What a person (or a program) gets to read: headers, and the body, spreadsheets unpacked."""
    body = response.get_data()
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    if response.mimetype.endswith("spreadsheetml.sheet") and zipfile.is_zipfile(io.BytesIO(body)):
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        cells = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c]
        return headers + "\n" + "\n".join(cells)
    return headers + "\n" + body.decode("utf-8", errors="replace")


URL_PARTS = re.compile(r"""(?:href|src|action|Location:)\s*=?\s*["']?([^"'\s>]+)""")


@pytest.mark.slow
def test_raw_personal_data_appears_only_where_declared_and_never_in_urls(app, seeded, caplog):
    people, ids = seeded
    app.config["WTF_CSRF_ENABLED"] = False
    caplog.set_level(logging.DEBUG)
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in SKIPPED_ENDPOINTS]
    seen, in_urls, walked = set(), [], 0
    for persona in PERSONAS:
        client, headers = sign_in(app, persona, people)
        for rule in rules:
            for path in concrete_paths(rule, ids):
                response = client.get(path, headers=headers if rule.rule.startswith("/api/") else {})
                walked += response.status_code == 200
                readable = readable_text(response)
                for name, value in NEEDLES.items():
                    if value in readable:
                        seen.add((persona, rule.endpoint, name))
                    in_urls += [f"{persona} {path}: {name}" for url in URL_PARTS.findall(readable) if value in url]
    assert walked > 200  # the walk really read pages as every persona
    assert seen - ALLOWED == set()
    assert in_urls == []
    # The detector works: the cells where raw values belong do show them.
    assert seen >= ALLOWED
    logged = caplog.text
    assert [name for name, value in NEEDLES.items() if value in logged] == []


def test_search_documents_carry_no_personal_data(app, seeded):
    documents = [document(Kind.LISTING, row) for row in db.session.execute(listing_select())]
    documents += [document(Kind.UNIT, row) for row in db.session.execute(unit_select())]
    assert documents
    stored = [str(d) for d in documents]
    if SEARCH_BACKEND == "elasticsearch":
        from housing_swap.services.search import elasticsearch_backend
        client = elasticsearch_backend().client
        client.indices.refresh(index=f"{SUITE_INDEX_PREFIX}_*")
        hits = client.search(index=f"{SUITE_INDEX_PREFIX}_*", size=1000)["hits"]["hits"]
        assert hits
        stored += [str(hit["_source"]) for hit in hits]
    # The embedded backend's own copies: the search rows, and on SQLite their text index.
    copies = ["listing_search", "unit_search"]
    if db.session.get_bind().dialect.name == "sqlite":
        copies += list(TEXT_TABLES)
    copied = [str(row) for table in copies for row in db.session.execute(text(f"SELECT * FROM {table}"))]
    assert copied
    stored += copied
    leaks = [name for name, value in NEEDLES.items() for doc in stored if value in doc]
    assert leaks == []


def test_personal_data_is_encrypted_at_rest(app, seeded):
    tables = {"user_account": ("phone", "id_number"), "listing": ("certificate_number", "contact_phone"),
              "swap_application": ("old_certificate_number",), "market_swap": ("old_certificate_number",)}
    raw = []
    for table, columns in tables.items():
        for row in db.session.execute(text(f"SELECT {', '.join(columns)} FROM {table}")):  # noqa: S608 (fixed names)
            raw += [str(value) for value in row if value]
    assert len(raw) >= 8
    assert [name for name, value in NEEDLES.items() for stored in raw if value in stored] == []
