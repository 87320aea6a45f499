"""Chinese by default; English by Accept-Language or the user's choice."""

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import User


def test_chinese_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "用户名" in page


def test_english_by_accept_language(client):
    page = client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="en">' in page
    assert "Username" in page
    assert "用户名" not in page


def test_chinese_browser_gets_chinese(client):
    page = client.get(
        "/auth/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    ).get_data(as_text=True)
    assert "用户名" in page


def test_a_users_choice_is_kept_on_the_account(app, client, auth, world):
    auth.login("dele_a")
    response = client.post("/auth/language/en", data={"next": "/activities/mine"})
    assert response.headers["Location"] == "/activities/mine"
    page = client.get("/activities/mine").get_data(as_text=True)
    assert "My activities" in page
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale).where(User.username == "dele_a")) == "en"
    # the choice follows the account to another browser
    other = app.test_client()
    other.post("/auth/login", data={"username": "dele_a", "password": "Test-pass-2023"})
    assert "My activities" in other.get("/activities/mine").get_data(as_text=True)


def test_unknown_language_falls_back_to_chinese(client):
    response = client.post("/auth/language/xx")
    assert response.status_code == 302
    assert "用户名" in client.get("/auth/login").get_data(as_text=True)
