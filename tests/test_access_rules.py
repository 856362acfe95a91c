"""Every route declares an access rule; the one enforcement hook applies it."""
from housing_swap.security.access import rule_for_endpoint


def test_every_route_declares_an_access_rule(app):
    missing = [rule.rule for rule in app.url_map.iter_rules()
               if rule_for_endpoint(app, rule.endpoint) is None]
    assert missing == []


def test_a_route_without_a_rule_is_refused(app):
    app.add_url_rule("/undeclared", "undeclared", lambda: "should never render")
    response = app.test_client().get("/undeclared")
    assert response.status_code == 403
    assert "should never render" not in response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login_for_signed_in_pages(client):
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_security_headers_on_pages_api_and_errors(client):
    for path in ("/", "/api/v1/openapi.json", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "object-src 'none'" in policy
        assert "base-uri 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_hsts_when_served_over_https(client):
    headers = client.get("/", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_flags(client, make, login):
    make.household(phone="13500001111")
    cookie = login("13500001111").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_out_of_range_ids_are_not_found(client):
    huge = 2**70
    assert client.get(f"/api/v1/units/{huge}").status_code == 404
    assert client.get(f"/listings/{huge}").status_code == 404
