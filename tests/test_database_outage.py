"""PostgreSQL connection drops: stale pooled connections are replaced before use, and an
unreachable database answers a clear 503 (page or JSON) with nothing written."""
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from housing_swap.db.models import Favourite, ListingStatus, Role
from housing_swap.extensions import db
from housing_swap.services.listings import create_listing
from tests.conftest import make_test_app
from tests.listings.helpers import listing_fields

CLOSED_PORT_DATABASE = "postgresql://nobody:nothing@127.0.0.1:1/none"


def test_an_unreachable_database_gives_a_clear_page_and_api_answer(tmp_path):
    app = make_test_app(CLOSED_PORT_DATABASE, tmp_path)
    with app.app_context():
        client = app.test_client()
        page = client.get("/progress")
        assert page.status_code == 503
        assert "数据库暂时无法连接，本次操作没有保存" in page.get_data(as_text=True)
        answer = client.get("/api/v1/progress")
        assert answer.status_code == 503
        assert answer.get_json()["error"]["code"] == "database_unavailable"


def test_connections_killed_by_the_server_are_replaced_before_the_next_request(app, client, make, login):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("connection drops are exercised on PostgreSQL (the CI server run)")
    household = make.household()
    listing = create_listing(listing_fields(), make.staff(Role.AGENCY_STAFF))
    listing.status = ListingStatus.ACTIVE
    db.session.commit()
    login(household.phone)
    assert client.get("/my/favourites").status_code == 200
    listing_id = listing.id
    db.session.close()  # the test's own connection goes back to the pool too
    # Another session (a DBA, a failover) ends every connection of the app's pool.
    # NullPool: the admin connection really closes on leaving the block instead of idling
    # in a pool that is garbage-collected (and warned about) during a later test.
    admin_engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with admin_engine.connect() as admin:
        killed = admin.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    assert killed >= 1
    saved = client.post(f"/listings/{listing_id}/favourite")
    assert saved.status_code in (200, 302)
    assert db.session.scalar(select(func.count()).select_from(Favourite)) == 1
