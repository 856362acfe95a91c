"""Listing commands: expiry and file import from the command line."""
from datetime import timedelta

import pandas as pd
from sqlalchemy import func, select

from housing_swap.db.base import utcnow
from housing_swap.db.models import Listing, ListingStatus, Role
from housing_swap.domain.listing_fields import LISTING_FIELDS
from housing_swap.extensions import db
from housing_swap.services.listings import create_listing
from tests.listings.helpers import listing_fields


def test_import_command_reports_progress_and_counts(runner, make, tmp_path):
    make.staff(Role.AGENCY_STAFF, username="cli-agent")
    path = tmp_path / "listings.csv"
    rows = [listing_fields() for _ in range(3)]
    pd.DataFrame([[r.get(f.name, "") for f in LISTING_FIELDS] for r in rows],
                 columns=[f.label for f in LISTING_FIELDS]).to_csv(path, index=False)
    result = runner.invoke(args=["listings", "import", str(path), "--as-user", "cli-agent"])
    assert result.exit_code == 0, result.output
    assert "created 3" in result.output
    assert db.session.scalar(select(func.count(Listing.id))) == 3


def test_import_command_lists_problems_and_writes_nothing(runner, make, tmp_path):
    make.staff(Role.AGENCY_STAFF, username="cli-agent")
    path = tmp_path / "listings.csv"
    rows = [listing_fields(build_year="明年")]
    pd.DataFrame([[r.get(f.name, "") for f in LISTING_FIELDS] for r in rows],
                 columns=[f.label for f in LISTING_FIELDS]).to_csv(path, index=False)
    result = runner.invoke(args=["listings", "import", str(path), "--as-user", "cli-agent"])
    assert result.exit_code != 0
    assert "row 2 [建成年份]" in result.output
    assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_expire_command_uses_the_configured_age(runner, make, app):
    app.config["LISTING_EXPIRY_DAYS"] = 30
    agent = make.staff(Role.AGENCY_STAFF)
    fresh, stale = (create_listing(listing_fields(), agent) for _ in range(2))
    for listing, age in ((fresh, 29), (stale, 31)):
        listing.status = ListingStatus.ACTIVE
        listing.renewed_at = utcnow() - timedelta(days=age)
    db.session.commit()
    result = runner.invoke(args=["listings", "expire"])
    assert "expired 1 listings not renewed in 30 days" in result.output
    assert db.session.get(Listing, stale.id).status == ListingStatus.EXPIRED
    assert db.session.get(Listing, fresh.id).status == ListingStatus.ACTIVE
