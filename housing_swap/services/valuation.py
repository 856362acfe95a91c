"""Valuing old homes: evidence from the database, the fitted model kept as a snapshot."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import literal, select

from ..db.models import Community, Listing, ListingStatus, RecordedSale, SwapApplication
from ..db.models.change_counters import VALUATION_EVIDENCE
from ..domain.timezones import beijing_date, beijing_today
from ..domain.valuation import EVIDENCE_COLUMNS, MONTHS_RELEVANT, Subject, Valuation, ValuationModel
from ..extensions import db
from .errors import NotFound
from .snapshots import snapshot

LIVE_LISTING = (ListingStatus.ACTIVE, ListingStatus.RESERVED)


def evidence_frame(as_of: date) -> pd.DataFrame:
    """Recorded sales and live listings of the relevant period, one row each."""
    since = as_of - timedelta(days=int(MONTHS_RELEVANT * 30.44) + 366)  # the model looks further back
    sales = (select(RecordedSale.id, literal("sale").label("kind"), RecordedSale.community_id,
                    Community.district_code, RecordedSale.area_m2, RecordedSale.floor, RecordedSale.total_floors,
                    RecordedSale.build_year, RecordedSale.price, RecordedSale.sold_on.label("on"))
             .join(Community, Community.id == RecordedSale.community_id)
             .where(RecordedSale.sold_on >= since, RecordedSale.sold_on <= as_of))
    listings = (select(Listing.id, literal("listing").label("kind"), Listing.community_id, Community.district_code,
                       Listing.area_m2, Listing.floor, Listing.total_floors, Listing.build_year,
                       Listing.asking_price, Listing.listed_at)
                .join(Community, Community.id == Listing.community_id)
                .where(Listing.status.in_(LIVE_LISTING), Listing.seized.is_(False), Listing.listed_at.is_not(None)))
    # A listing's day is the Beijing day it was listed (the database's own date() is the UTC day).
    rows: list[tuple] = [tuple(row) for row in db.session.execute(sales)]
    rows += [(*row[:-1], beijing_date(row.listed_at)) for row in db.session.execute(listings)]
    frame = pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS))
    frame["on"] = [day.toordinal() for day in frame["on"]]
    return frame


def model(as_of: date | None = None) -> ValuationModel:
    as_of = as_of or beijing_today()
    return snapshot("valuation_model", (VALUATION_EVIDENCE,), lambda: ValuationModel(evidence_frame(as_of), as_of),
                    also=as_of)


def subject_of(application: SwapApplication) -> Subject:
    return Subject(application.old_community_id, application.old_district_code, application.old_area_m2,
                   application.old_floor, application.old_total_floors, application.old_build_year)


def value_application(application: SwapApplication) -> Valuation:
    try:
        return model().value(subject_of(application))
    except ValueError:
        raise NotFound("暂无足够的成交和挂牌数据，无法估值") from None


def valuation_or_none(application: SwapApplication) -> Valuation | None:
    """For pages and jobs that go on without a valuation when evidence is too thin."""
    try:
        return value_application(application)
    except NotFound:
        return None
