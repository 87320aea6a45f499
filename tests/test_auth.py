"""Login, logout, password change; sessions end on the server."""

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import User

from .factories import PASSWORD


def test_login_then_home_sends_a_delegate_to_my_activities(client, auth, world):
    response = auth.login("dele_a")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/activities/mine"


def test_staff_home_is_the_review_queue(client, auth, world):
    auth.login("staff_city")
    assert client.get("/").headers["Location"] == "/review/"


def test_username_is_matched_without_case_or_spaces(client, auth, world):
    assert auth.login("  DELE_A ").status_code == 302


@pytest.mark.parametrize(
    ("username", "password"), [("dele_a", "wrong-password"), ("nobody", PASSWORD)]
)
def test_unknown_user_and_wrong_password_get_the_same_answer(
    client, auth, world, username, password
):
    response = auth.login(username, password)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "用户名或密码不正确。" in html
    assert f'value="{username}"' in html  # what was typed is kept
    assert client.get("/activities/mine").status_code == 302


def test_deactivated_user_cannot_log_in_and_is_logged_out(app, client, auth, world):
    auth.login("dele_a")
    assert client.get("/activities/mine").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "dele_a"))
        user.active = False
        db.session.commit()
    assert client.get("/activities/mine").status_code == 302
    assert "用户名或密码不正确。" in auth.login("dele_a").get_data(as_text=True)


def test_logout_ends_the_session_on_the_server(app, client, auth, world):
    auth.login("dele_a")
    cookie = client.get_cookie("session")
    assert client.get("/activities/mine").status_code == 200
    auth.logout()
    # a copy of the old cookie no longer works
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    response = thief.get("/activities/mine")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_logout_needs_post(client, auth, world):
    auth.login("dele_a")
    assert client.get("/auth/logout").status_code == 405


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/activities/new", "/activities/new"),
        ("https://evil.example/x", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_goes_to_a_path_on_this_site(client, world, target, expected):
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"username": "dele_a", "password": PASSWORD},
    )
    assert response.headers["Location"] == expected


def test_password_change_ends_other_sessions(app, client, auth, world):
    auth.login("dele_a")
    other = app.test_client()
    other.post("/auth/login", data={"username": "dele_a", "password": PASSWORD})
    assert other.get("/activities/mine").status_code == 200

    response = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "New-pass-2024",
            "confirm": "New-pass-2024",
        },
    )
    assert response.status_code == 302
    assert client.get("/activities/mine").status_code == 200  # this browser stays in
    assert other.get("/activities/mine").status_code == 302  # the other one is out
    auth.logout()
    assert auth.login("dele_a", "New-pass-2024").status_code == 302


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("Sh0rt-1", "Sh0rt-1", "密码至少 8 位。"),
        (
            "abcdefgh12",
            "abcdefgh12",
            "密码须包含小写字母、大写字母、数字、其他符号这四类中的至少 3 类。",
        ),
        ("New-pass-2024", "New-pass-2025", "两次输入的新密码不一致。"),
        (PASSWORD, PASSWORD, "新密码不能与当前密码相同。"),
    ],
)
def test_weak_or_mismatched_new_password_is_refused(client, auth, world, new, confirm, message):
    auth.login("dele_a")
    response = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": confirm},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_wrong_current_password_is_refused(client, auth, world):
    auth.login("dele_a")
    response = client.post(
        "/auth/password",
        data={
            "current_password": "nope-nope-1",
            "new_password": "New-pass-2024",
            "confirm": "New-pass-2024",
        },
    )
    assert "当前密码不正确。" in response.get_data(as_text=True)


def test_must_change_password_redirects_everything_else(app, client, auth, world):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "dele_a"))
        user.must_change_password = True
        db.session.commit()
    auth.login("dele_a")
    assert client.get("/activities/mine").headers["Location"] == "/auth/password"


def test_passwords_are_stored_as_argon2id_hashes(ctx, world):
    user = db.session.scalar(sa.select(User).where(User.username == "dele_a"))
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_csrf_token_is_refused(self, client, world):
        response = client.post("/auth/login", data={"username": "dele_a", "password": PASSWORD})
        assert response.status_code == 400
        assert "页面已过期" in response.get_data(as_text=True)

    def test_login_form_carries_a_csrf_token(self, client, world):
        assert 'name="csrf_token"' in client.get("/auth/login").get_data(as_text=True)
