"""Page links keep every filter: the pager and the search page's facet links share one helper."""
from urllib.parse import parse_qs, urlsplit

from flask import render_template_string

from housing_swap.web.formatting import page_url, url_with


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
