"""Page links keep every filter: the pager and the search page's facet links share one helper."""
import re
from urllib.parse import parse_qs, urlsplit

from flask import render_template_string

from housing_swap.db.models import ListingStatus, Role
from housing_swap.extensions import db
from housing_swap.services.listings import create_listing
from housing_swap.web.formatting import page_url, url_with
from tests.listings.helpers import listing_fields


def query_of(address: str) -> dict:
    return parse_qs(urlsplit(address).query)


def test_a_page_link_keeps_every_filter_and_sets_the_page(app):
    with app.test_request_context("/admin/users?q=张&role=household&district=410105&district=410190&page=3"):
        assert query_of(page_url("admin.users", 4)) == {
            "q": ["张"], "role": ["household"], "district": ["410105", "410190"], "page": ["4"]}


def test_changing_a_filter_goes_back_to_the_first_page(app):
    with app.test_request_context("/search?q=花园&bedrooms=2&page=5"):
        assert query_of(url_with("search.listings", bedrooms=None, max_price=2000000)) == {
            "q": ["花园"], "max_price": ["2000000"]}


def test_a_page_past_the_last_still_offers_the_way_back(app):
    with app.test_request_context("/admin/audit?page=9"):
        html = render_template_string('{% from "_macros.html" import pager %}{{ pager(9, 1, "admin.audit") }}')
    assert "上一页" in html
    assert "下一页" not in html


def test_every_page_has_a_favicon_and_a_description_of_its_own_where_it_has_a_subject(client, make):
    agency = make.staff(Role.AGENCY_STAFF)
    listing = create_listing(listing_fields(), agency)
    listing.status, listing.listed_at = ListingStatus.ACTIVE, listing.created_at
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in home
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    icon.close()
    described = re.compile(r'<meta name="description" content="([^"]{20,})">')
    assert described.search(home)
    detail = described.search(client.get(f"/listings/{listing.id}").get_data(as_text=True)).group(1)
    assert listing.community.name in detail
    assert "135万" in detail or "135.0万" in detail
