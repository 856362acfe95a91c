"""Signed-in sessions end after idling and after an absolute lifetime."""
import time


def signed_in_client(client, make, login):
    make.household(phone="13500002222")
    login("13500002222")
    assert "退出" in client.get("/").get_data(as_text=True)
    return client


def shift(client, **seconds_ago):
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = time.time() - ago


def test_an_active_session_stays_signed_in(app, client, make, login):
    signed_in_client(client, make, login)
    shift(client, seen_at=29 * 60)
    assert "退出" in client.get("/").get_data(as_text=True)


def test_idle_sessions_end(app, client, make, login):
    signed_in_client(client, make, login)
    shift(client, seen_at=31 * 60)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "登录已超时" in page
    assert "退出" not in page
    assert client.get("/my/listings").status_code == 302  # now treated as signed out


def test_sessions_end_after_the_absolute_lifetime_even_when_busy(app, client, make, login):
    signed_in_client(client, make, login)
    shift(client, signed_in_at=12 * 3600 + 1, seen_at=10)
    assert "退出" not in client.get("/").get_data(as_text=True)


def test_the_limits_are_settings(app, client, make, login):
    app.config["SESSION_IDLE_MINUTES"] = 1
    signed_in_client(client, make, login)
    shift(client, seen_at=61)
    assert "退出" not in client.get("/").get_data(as_text=True)
