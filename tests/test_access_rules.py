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
