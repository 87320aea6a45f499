"""Login hardening: session timeouts and renewal, cookie flags, account lockout, per-address
throttling, the password policy, the audit trail of logins and refusals, and safe ``next``."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker.admin.accounts import deactivate_account
from tracker.auth import clock
from tracker.auth.passwords import character_classes, password_problems
from tracker.auth.services import set_password, unlock_account
from tracker.auth.sessions import LOGIN_AT, SEEN_AT
from tracker.extensions import db
from tracker.models import AuditEntry, User
from tracker.ratelimit import limiter

from . import machine
from .conftest import make_config
from .factories import PASSWORD

GENERIC_REFUSAL = "用户名或密码不正确。"
TIMED_OUT = "登录已超时，请重新登录"
TOO_MANY = "操作太频繁，请稍后再试。"
FIELD_ERRORS = re.compile(r'<div class="invalid-feedback d-block" id="([^"]+)-error">([^<]*)</div>')
CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# --- helpers ------------------------------------------------------------------------------------


class FrozenClock:
    """Stands in for tracker.auth.clock.now; moved forward by hand."""

    def __init__(self) -> None:
        self.current = datetime(2024, 5, 10, 1, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def frozen(monkeypatch):
    fake = FrozenClock()
    monkeypatch.setattr(clock, "now", fake.now)
    return fake


def user_named(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def auth_rows(action: str | None = None) -> list[AuditEntry]:
    stmt = sa.select(AuditEntry).where(AuditEntry.object_type == "auth").order_by(AuditEntry.id)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def new_password(new: str, current: str = PASSWORD, **extra: str) -> dict[str, str]:
    """The password-change form, filled in."""
    return {"current_password": current, "new_password": new, "confirm": new, **extra}


def login(client, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/auth/login", data={"username": username, "password": password}, **kwargs)


def field_errors(response) -> list[tuple[str, str]]:
    return FIELD_ERRORS.findall(response.get_data(as_text=True))


def set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


def logged_in(client) -> bool:
    return client.get("/activities/mine").status_code == 200


# --- sessions: ended on the server --------------------------------------------------------------


def _logout(app, client):
    client.post("/auth/logout")


def _change_password(app, client):
    response = client.post(
        "/auth/password",
        data=new_password("New-pass-2024"),
    )
    assert response.status_code == 302


def _deactivate(app, client):
    with app.app_context():
        deactivate_account(None, user_named("dele_a"))
        db.session.commit()


@pytest.mark.parametrize(
    "ending", [_logout, _change_password, _deactivate], ids=lambda f: f.__name__[1:]
)
def test_a_copied_cookie_stops_working_when_the_session_ends(app, client, world, ending):
    login(client, "dele_a")
    assert logged_in(client)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert logged_in(copy)

    ending(app, client)

    response = copy.get("/activities/mine")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


# --- sessions: timeouts -------------------------------------------------------------------------


def test_an_idle_session_times_out_and_the_login_form_comes_back_to_the_page(client, world, frozen):
    login(client, "dele_a")
    frozen.advance(minutes=29)
    assert logged_in(client)
    frozen.advance(minutes=29)  # 58 minutes after logging in, 29 after the last request
    assert logged_in(client)

    frozen.advance(minutes=30)
    response = client.get("/activities/mine?status=draft")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2Factivities%2Fmine%3Fstatus%3Ddraft"
    assert TIMED_OUT in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not logged_in(client)

    again = login(client, "dele_a", query_string={"next": "/activities/mine?status=draft"})
    assert again.headers["Location"] == "/activities/mine?status=draft"
    assert logged_in(client)


def test_the_idle_limit_holds_to_the_minute(client, world, frozen):
    login(client, "dele_a")
    frozen.advance(minutes=29, seconds=59)
    assert logged_in(client)
    frozen.advance(minutes=30)
    assert not logged_in(client)


def test_a_session_ends_after_the_maximum_hours_however_busy(client, world, frozen):
    login(client, "dele_a")
    for _ in range(47):  # a request every quarter of an hour for 11 h 45 min
        frozen.advance(minutes=15)
        assert logged_in(client)
    frozen.advance(minutes=14, seconds=59)
    assert logged_in(client)
    frozen.advance(seconds=1)  # 12 hours after logging in
    response = client.get("/activities/mine")
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert TIMED_OUT in client.get("/auth/login").get_data(as_text=True)


class TestConfiguredTimeouts:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_IDLE_MINUTES": 5, "SESSION_MAX_HOURS": 1}

    def test_the_idle_timeout_is_configurable(self, client, world, frozen):
        login(client, "dele_a")
        frozen.advance(minutes=4)
        assert logged_in(client)
        frozen.advance(minutes=5)
        assert not logged_in(client)

    def test_the_absolute_timeout_is_configurable(self, client, world, frozen):
        login(client, "dele_a")
        for _ in range(14):
            frozen.advance(minutes=4)
            assert logged_in(client)
        frozen.advance(minutes=4)  # 60 minutes
        assert not logged_in(client)


def test_last_seen_is_written_back_at_most_once_a_minute(client, world, frozen):
    login(client, "dele_a")
    client.get("/activities/mine")  # the page's forms settle their CSRF token in the session
    with client.session_transaction() as session:
        login_at = session[LOGIN_AT]
    frozen.advance(seconds=30)
    quiet = client.get("/activities/mine")
    assert quiet.status_code == 200
    assert set_cookie_headers(quiet, "session") == []  # the cookie is not rewritten
    frozen.advance(seconds=31)
    moved = client.get("/activities/mine")
    assert len(set_cookie_headers(moved, "session")) == 1
    with client.session_transaction() as session:
        assert session[SEEN_AT] == login_at + 61
        assert session[LOGIN_AT] == login_at


def test_a_login_cookie_without_the_login_times_is_not_accepted(app, client, world):
    # what a remember-me cookie or a cookie from before the timeouts would carry
    with app.app_context():
        user = user_named("dele_a")
        user_id = user.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    response = client.get("/activities/mine")
    assert response.headers["Location"].startswith("/auth/login")


def test_logging_in_never_sets_a_remember_me_cookie(client, world):
    response = client.post(
        "/auth/login", data={"username": "dele_a", "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    assert set_cookie_headers(response, "remember_token") == []
    [session_cookie] = set_cookie_headers(response, "session")
    # a browser-session cookie: gone when the browser closes
    assert "Expires=" not in session_cookie and "Max-Age=" not in session_cookie


def test_logging_in_starts_a_new_session_with_nothing_from_before(client, world):
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        before = dict(session)
    login(client, "dele_a")
    with client.session_transaction() as session:
        after = dict(session)
    assert "planted" not in after
    assert before.get("csrf_token") is None or after.get("csrf_token") != before.get("csrf_token")
    assert set(after) <= {"_user_id", "_fresh", "_id", LOGIN_AT, SEEN_AT, "csrf_token"}


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_forms_work_after_the_session_is_renewed_at_login(self, client, world):
        token = CSRF_TOKEN.search(client.get("/auth/login").get_data(as_text=True)).group(1)
        response = client.post(
            "/auth/login", data={"username": "dele_a", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        # the token of the login page belonged to the old session
        stale = client.post(
            "/auth/password",
            data=new_password("New-pass-2024", csrf_token=token),
        )
        assert stale.status_code == 400
        token = CSRF_TOKEN.search(client.get("/auth/password").get_data(as_text=True)).group(1)
        response = client.post(
            "/auth/password",
            data=new_password("New-pass-2024", csrf_token=token),
        )
        assert response.status_code == 302
        assert logged_in(client)

    def test_a_timed_out_browser_can_log_in_again_with_csrf_on(self, client, world, frozen):
        token = CSRF_TOKEN.search(client.get("/auth/login").get_data(as_text=True)).group(1)
        client.post(
            "/auth/login", data={"username": "dele_a", "password": PASSWORD, "csrf_token": token}
        )
        frozen.advance(hours=1)
        page = client.get("/auth/login").get_data(as_text=True)
        assert TIMED_OUT in page
        token = CSRF_TOKEN.search(page).group(1)
        response = client.post(
            "/auth/login", data={"username": "dele_a", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        assert logged_in(client)


# --- cookies in production ----------------------------------------------------------------------


class TestProductionCookies:
    @pytest.fixture
    def app_config(self):
        return {"PRODUCTION": True}

    def test_the_session_cookie_is_secure_httponly_and_lax(self, app, client, world):
        assert app.config["SESSION_COOKIE_SECURE"] is True
        [cookie] = set_cookie_headers(login(client, "dele_a"), "session")
        attributes = {part.strip().split("=")[0] for part in cookie.split(";")[1:]}
        assert {"Secure", "HttpOnly", "SameSite"} <= attributes
        assert "SameSite=Lax" in cookie

    def test_the_language_cookie_is_secure_too(self, client, world):
        [cookie] = set_cookie_headers(client.post("/auth/language/en"), "tracker_locale")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_not_marked_secure_outside_production(client, world):
    [cookie] = set_cookie_headers(login(client, "dele_a"), "session")
    assert "Secure" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- lockout ------------------------------------------------------------------------------------


def fail(client, username: str = "dele_a", times: int = 1):
    for _ in range(times):
        response = login(client, username, "Wrong-pass-1")
        assert response.status_code == 200
    return response


def test_five_failures_in_a_row_lock_the_account_even_against_the_right_password(
    app, client, world, frozen
):
    fail(client, times=4)
    with app.app_context():
        assert user_named("dele_a").failed_logins == 4
        assert user_named("dele_a").locked_until is None
    fail(client)
    with app.app_context():
        user = user_named("dele_a")
        assert user.failed_logins == 5
        assert user.locked_until == datetime(2024, 5, 10, 1, 15)
    refused = login(client, "dele_a")
    assert refused.status_code == 200
    assert GENERIC_REFUSAL in refused.get_data(as_text=True)
    assert not logged_in(client)
    # another account is not affected
    assert login(app.test_client(), "dele_a2").status_code == 302


def test_the_lock_runs_out_after_the_configured_minutes(app, client, world, frozen):
    fail(client, times=5)
    frozen.advance(minutes=14, seconds=59)
    assert login(client, "dele_a").status_code == 200
    frozen.advance(seconds=1)
    assert login(client, "dele_a").status_code == 302
    with app.app_context():
        user = user_named("dele_a")
        assert (user.failed_logins, user.locked_until) == (0, None)


def test_after_a_lock_runs_out_the_account_gets_a_fresh_count(app, client, world, frozen):
    fail(client, times=5)
    frozen.advance(minutes=15)
    fail(client)
    with app.app_context():
        user = user_named("dele_a")
        assert (user.failed_logins, user.locked_until) == (1, None)


def test_a_successful_login_resets_the_count(app, client, world):
    fail(client, times=4)
    assert login(client, "dele_a").status_code == 302
    with app.app_context():
        assert user_named("dele_a").failed_logins == 0
    other = app.test_client()
    fail(other, times=4)
    assert login(other, "dele_a").status_code == 302  # 4 + 4 failures, never 5 in a row


class TestConfiguredLockout:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_MAX_FAILURES": 3, "LOGIN_LOCK_MINUTES": 60}

    def test_the_threshold_and_duration_are_configurable(self, app, client, world, frozen):
        fail(client, times=3)
        with app.app_context():
            assert user_named("dele_a").locked_until == datetime(2024, 5, 10, 2, 0)
        frozen.advance(minutes=59)
        assert login(client, "dele_a").status_code == 200
        frozen.advance(minutes=1)
        assert login(client, "dele_a").status_code == 302


def test_a_failure_is_added_in_the_database_not_over_a_stale_copy(app, world):
    """Two workers failing at once must both count: the increment happens in SQL."""
    from sqlalchemy.orm.attributes import set_committed_value

    from tracker.auth.services import attempt_login

    with app.test_request_context(method="POST"):
        user = user_named("dele_a")
        user_id = user.id
        db.session.commit()  # (SQLite: a second writer must not wait on this session)
        with db.engine.begin() as other_worker:
            other_worker.execute(sa.update(User).where(User.id == user_id).values(failed_logins=3))
        set_committed_value(user, "failed_logins", 0)  # this worker's copy is out of date
        attempt_login("dele_a", "Wrong-pass-1")
        db.session.commit()
        db.session.expire_all()
        assert user_named("dele_a").failed_logins == 4


@pytest.mark.parametrize("case", ["unknown", "wrong_password", "locked", "inactive"])
def test_every_refusal_gets_the_same_answer(app, client, world, case):
    username, password = "dele_a", PASSWORD
    if case == "unknown":
        username = "nobody_here"
    elif case == "wrong_password":
        password = "Wrong-pass-1"
    elif case == "locked":
        fail(app.test_client(), times=5)
    else:
        with app.app_context():
            user_named("dele_a").active = False
            db.session.commit()
    response = login(client, username, password)
    assert response.status_code == 200
    assert field_errors(response) == [("password", GENERIC_REFUSAL)]
    assert not logged_in(client)


def test_an_administrators_password_reset_lifts_the_lock(app, client, world):
    fail(client, times=5)
    with app.app_context():
        set_password(user_named("dele_a"), "Reset-pass-2024", must_change=True)
        db.session.commit()
    assert login(client, "dele_a", "Reset-pass-2024").status_code == 302


def test_unlocking_lifts_the_lock(app, client, world):
    fail(client, times=5)
    with app.app_context():
        unlock_account(user_named("dele_a"))
        db.session.commit()
        user = user_named("dele_a")
        assert (user.failed_logins, user.locked_until) == (0, None)
    assert login(client, "dele_a").status_code == 302


# --- throttling by address ----------------------------------------------------------------------


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_MAX_FAILURES": 100}

    def test_too_many_failed_attempts_from_one_address_get_429(self, app, client, world):
        for _ in range(3):
            assert login(client, "nobody", "x").status_code == 200
        response = login(client, "nobody", "x")
        assert response.status_code == 429
        assert TOO_MANY in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0
        # even the right password waits; the form itself still shows
        assert login(client, "dele_a").status_code == 429
        assert client.get("/auth/login").status_code == 200
        # another address is counted on its own
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        assert login(elsewhere, "dele_a").status_code == 302

    def test_successful_logins_do_not_count(self, client, world):
        for _ in range(5):
            assert login(client, "dele_a").status_code == 302
            client.post("/auth/logout")
        for _ in range(3):
            assert login(client, "nobody", "x").status_code == 200
        assert login(client, "nobody", "x").status_code == 429

    def test_forwarded_for_headers_are_ignored_without_a_trusted_proxy(self, client, world):
        for n in range(3):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}
            assert login(client, "nobody", "x", headers=headers).status_code == 200
        headers = {"X-Forwarded-For": "203.0.113.99"}
        assert login(client, "nobody", "x", headers=headers).status_code == 429


class TestThrottlingBehindAProxy:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_RATE_LIMIT": "2 per minute", "TRUSTED_PROXIES": 1}

    def test_each_forwarded_address_is_counted_and_audited(self, app, client, world):
        one = {"X-Forwarded-For": "203.0.113.1"}
        two = {"X-Forwarded-For": "203.0.113.2"}
        assert login(client, "nobody", "x", headers=one).status_code == 200
        assert login(client, "nobody", "x", headers=one).status_code == 200
        assert login(client, "nobody", "x", headers=one).status_code == 429
        assert login(client, "nobody", "x", headers=two).status_code == 200
        with app.app_context():
            assert [r.note.rsplit("ip=", 1)[1] for r in auth_rows("login_failed")] == [
                "203.0.113.1",
                "203.0.113.1",
                "203.0.113.2",
            ]


class TestThrottlingOff:
    @pytest.fixture
    def app_config(self):
        return {
            "LOGIN_RATE_LIMIT": "1 per minute",
            "RATELIMIT_ENABLED": False,
            "LOGIN_MAX_FAILURES": 100,
        }

    def test_it_can_be_switched_off(self, client, world):
        for _ in range(5):
            assert login(client, "nobody", "x").status_code == 200


REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_prefix():
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        machine.absent(f"Redis at {REDIS_URL}", machine.redis_hint())
    prefix = f"tracker-test-{uuid.uuid4().hex[:12]}"
    yield prefix, connection
    keys = list(connection.scan_iter(f"{prefix}:*"))
    if keys:
        connection.delete(*keys)
    connection.close()


def test_counts_are_shared_through_redis_when_configured(app, migrated, tmp_path, redis_prefix):
    prefix, connection = redis_prefix
    config = make_config(
        migrated,
        tmp_path,
        REDIS_URL=REDIS_URL,
        LOGIN_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix},
    )
    first = create_app(config)
    assert type(limiter.storage).__name__ == "RedisStorage"
    client = first.test_client()
    assert login(client, "nobody", "x").status_code == 200
    assert login(client, "nobody", "x").status_code == 200
    assert list(connection.scan_iter(f"{prefix}:*")), "the count is in Redis"
    assert login(client, "nobody", "x").status_code == 429
    # a second process (another gunicorn worker) sees the same count
    second = create_app(config)
    assert login(second.test_client(), "nobody", "x").status_code == 429
    for app in (first, second):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_storage_is_in_memory_without_redis(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert type(limiter.storage).__name__ == "MemoryStorage"


# --- password policy ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "staff", "staff_cg", "daibiao", "qiye"])
def test_the_demo_password_meets_the_policy_for_every_demo_account(app, username):
    with app.test_request_context():
        assert password_problems("Demo@2023", username) == []


@pytest.mark.parametrize(
    ("password", "username", "problems"),
    [
        ("Aa1-", "", ["密码至少 8 位。"]),
        ("abcdefgh12", "", ["密码须包含小写字母、大写字母、数字、其他符号这四类中的至少 3 类。"]),
        ("abcdefgh", "", ["密码须包含小写字母、大写字母、数字、其他符号这四类中的至少 3 类。"]),
        ("xDELE_A-2024", "dele_a", ["密码不能包含用户名。"]),
        ("Li-pass-2024", "li", []),  # too short a name to look for
        (
            "abc",
            "abc",
            [
                "密码至少 8 位。",
                "密码须包含小写字母、大写字母、数字、其他符号这四类中的至少 3 类。",
                "密码不能包含用户名。",
            ],
        ),
        ("兰州abcd1234", "", []),  # Chinese characters count as "other"
        ("Test-pass-2023", "dele_a", []),
    ],
)
def test_password_problems(app, password, username, problems):
    with app.test_request_context():
        assert password_problems(password, username) == problems


@pytest.mark.parametrize(
    ("password", "classes"), [("abc", 1), ("aB", 2), ("aB3", 3), ("aB3!", 4), ("ÄÖ", 1), ("", 0)]
)
def test_character_classes(password, classes):
    assert character_classes(password) == classes


class TestStricterPolicy:
    @pytest.fixture
    def app_config(self):
        return {"PASSWORD_MIN_LENGTH": 12, "PASSWORD_MIN_CLASSES": 4}

    def test_the_policy_is_configurable(self, app, client, world):
        with app.test_request_context():
            assert password_problems("Aa1!aaaaaaa") == ["密码至少 12 位。"]
            assert password_problems("Aa1aaaaaaaaa") == [
                "密码须包含小写字母、大写字母、数字、其他符号这四类中的至少 4 类。"
            ]
        login(client, "dele_a")
        page = client.get("/auth/password").get_data(as_text=True)
        assert "至少 12 位，包含小写字母、大写字母、数字、其他符号这四类中的至少 4 类" in page


def test_the_password_form_lists_every_problem_next_to_the_field(client, world):
    login(client, "dele_a")
    response = client.post(
        "/auth/password",
        data=new_password("dele_a"),
    )
    assert response.status_code == 200
    assert field_errors(response) == [
        ("new_password", "密码至少 8 位。"),
        ("new_password", "密码须包含小写字母、大写字母、数字、其他符号这四类中的至少 3 类。"),
        ("new_password", "密码不能包含用户名。"),
    ]


def test_a_new_password_containing_the_username_is_refused(client, world):
    login(client, "dele_a")
    response = client.post(
        "/auth/password",
        data=new_password("My-Dele_A-2024"),
    )
    assert field_errors(response) == [("new_password", "密码不能包含用户名。")]


def test_the_demo_password_is_accepted_by_the_form(client, world):
    login(client, "dele_a")
    response = client.post(
        "/auth/password",
        data=new_password("Demo@2023"),
    )
    assert response.status_code == 302


# --- audit trail --------------------------------------------------------------------------------


def test_a_login_is_audited(app, client, world):
    login(client, "dele_a")
    with app.app_context():
        [row] = auth_rows()
        assert (row.action, row.actor.username, row.note) == ("login", "dele_a", "ip=127.0.0.1")


def test_a_failed_login_is_audited_and_kept_without_the_password(app, client, world):
    login(client, "dele_a", "Secret-guess-77")
    login(client, "x" * 60, "Another-guess-88")
    with app.app_context():
        db.session.expire_all()
        rows = auth_rows("login_failed")
        assert [(r.actor_id, r.note) for r in rows] == [
            (None, "username=dele_a; reason=wrong_password; ip=127.0.0.1"),
            (None, f"username={'x' * 40}; reason=unknown_user; ip=127.0.0.1"),
        ]
        everything = " ".join(e.note for e in db.session.scalars(sa.select(AuditEntry)))
        assert "Secret-guess-77" not in everything and "Another-guess-88" not in everything


def test_a_lockout_is_audited_once(app, client, world, frozen):
    fail(client, times=7)
    with app.app_context():
        assert [r.note for r in auth_rows("lockout")] == [
            "username=dele_a; failures=5; until=2024-05-10 01:15 UTC"
        ]
        reasons = [r.note.split("; ")[1] for r in auth_rows("login_failed")]
        assert reasons == ["reason=wrong_password"] * 5 + ["reason=locked"] * 2


def test_a_refused_request_of_a_logged_in_user_is_audited(app, client, world):
    login(client, "dele_a")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/").status_code == 403
    assert client.get("/activities/mine").status_code == 200
    with app.app_context():
        assert [(r.actor.username, r.note) for r in auth_rows("access_denied")] == [
            ("dele_a", "GET /admin/users (admin.users)"),
            ("dele_a", "GET /admin/ (admin.index)"),
        ]


def test_a_refusal_before_login_is_not_audited_as_a_denial(app, client, world):
    assert client.get("/admin/users").status_code == 302
    with app.app_context():
        assert auth_rows("access_denied") == []


def test_a_refused_request_keeps_nothing_but_its_audit_row(app, client, world):
    """The audit hook rolls back whatever the refused request had pending."""
    from flask import abort

    from tracker.auth import public

    @app.route("/_probe_refusal")
    @public
    def probe():
        from flask_login import current_user

        current_user.display_name = "changed by a refused request"
        db.session.flush()
        abort(403)

    login(client, "dele_a")
    assert client.get("/_probe_refusal").status_code == 403
    with app.app_context():
        assert user_named("dele_a").display_name == "马秀兰"
        assert [r.note for r in auth_rows("access_denied")] == ["GET /_probe_refusal (probe)"]


def test_logout_and_password_change_are_audited(app, client, world):
    login(client, "dele_a")
    client.post(
        "/auth/password",
        data=new_password("New-pass-2024"),
    )
    client.post("/auth/logout")
    with app.app_context():
        assert [r.action for r in auth_rows()] == ["login", "change_password", "logout"]


# --- next after login ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/x",
        "http:evil.example",
        "//evil.example/x",
        "///evil.example/x",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "evil.example",
    ],
)
def test_next_refuses_anything_but_a_path_on_this_site(client, world, target):
    response = login(client, "dele_a", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target", ["/activities/mine", "/activities/mine?status=draft", "/delegates/兰州"]
)
def test_next_keeps_a_path_on_this_site(client, world, target):
    response = login(client, "dele_a", query_string={"next": target})
    assert response.headers["Location"] in (target, "/delegates/%E5%85%B0%E5%B7%9E")


def test_the_language_switch_refuses_a_foreign_next(client, world):
    response = client.post("/auth/language/en", data={"next": "//evil.example"})
    assert response.headers["Location"] == "/"
