"""Writes that meet on the same new row from two requests at once (two machines, or two threads)."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from housing_swap.db.models import Community, District
from housing_swap.extensions import db
from housing_swap.services.listings import resolve_community


def test_two_requests_creating_the_same_new_community_share_one_row(app):
    district = db.session.get(District, "410105")
    # The first request has inserted the community and not yet committed...
    first = Session(db.engine)
    first.add(Community(name="同时新建小区", district_code="410105", address="花园路1号", lat=district.lat,
                        lon=district.lon, search_initials="tsxjxq"))
    first.flush()

    def second_request() -> int:
        with app.app_context():
            community = resolve_community("同时新建小区", "410105", "花园路1号", None)
            db.session.commit()
            return community.id

    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(second_request)
        time.sleep(0.5)  # ...while the second looks the name up and inserts it too
        first.commit()
        created_id = second.result(timeout=30)
    first.close()
    assert db.session.scalar(select(func.count(Community.id)).where(Community.name == "同时新建小区")) == 1
    assert created_id == db.session.scalar(select(Community.id).where(Community.name == "同时新建小区"))
