"""Reading aids (大字号 larger text, 护眼 eye-care colours) and the pages on paper.

The aids are kept on the account once signed in and in a cookie before that; every page
carries them as classes on <html>. In Chromium: the text really grows, the colours really
change and keep their contrast, nothing scrolls sideways at 360 px, and printing drops the
navigation, the buttons and the aids.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker.extensions import db
from tracker.models import Delegate, User

from . import factories
from .browser import assert_no_sideways_scroll, login
from .conftest import FAST_ARGON2, fresh_database

HTML_TAG = re.compile(r"<html[^>]*>")
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def html_tag(client, url: str = "/auth/login") -> str:
    return HTML_TAG.search(client.get(url).get_data(as_text=True)).group(0)


def switch(page_html: str, aid: str) -> str:
    """The <button> of one reading-aid switch."""
    form = re.search(
        rf'<form method="post" action="/auth/reading/{aid}".*?</form>', page_html, re.S
    ).group(0)
    return re.search(r"<button[^>]*>[^<]*</button>", form).group(0)


def aids_of(app, username: str) -> tuple[bool, bool]:
    with app.app_context():
        row = db.session.execute(
            sa.select(User.large_text, User.eye_care).where(User.username == username)
        ).one()
        return bool(row.large_text), bool(row.eye_care)


def set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


# --- kept per user ------------------------------------------------------------------------------


def test_large_text_is_kept_for_that_user_only(app, client, auth, world):
    auth.login("dele_a")
    response = client.post(
        "/auth/reading/large-text", data={"on": "1", "next": "/activities/mine?status=draft"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/activities/mine?status=draft"
    assert aids_of(app, "dele_a") == (True, False)
    assert aids_of(app, "dele_a2") == (False, False)
    assert html_tag(client, "/activities/mine") == '<html lang="zh-CN" class="reading-large">'

    other = app.test_client()
    other.post("/auth/login", data={"username": "dele_a2", "password": "Test-pass-2023"})
    assert html_tag(other, "/activities/mine") == '<html lang="zh-CN">'


def test_eye_care_is_kept_for_that_user_only(app, client, auth, world):
    auth.login("staff_city")
    client.post("/auth/reading/eye-care", data={"on": "1", "next": "/review/"})
    assert aids_of(app, "staff_city") == (False, True)
    assert aids_of(app, "staff_a") == (False, False)
    page = client.get("/review/").get_data(as_text=True)
    assert HTML_TAG.search(page).group(0) == '<html lang="zh-CN" class="reading-eyecare">'
    assert switch(page, "eye-care") == (
        '<button class="btn btn-outline-secondary reading-switch" type="submit" '
        'aria-pressed="true">护眼</button>'
    )
    assert 'aria-pressed="false">大字号</button>' in switch(page, "large-text")


def test_both_aids_together_and_off_again(app, client, auth, world):
    auth.login("dele_a")
    client.post("/auth/reading/large-text", data={"on": "1"})
    client.post("/auth/reading/eye-care", data={"on": "1"})
    assert html_tag(client, "/activities/mine") == (
        '<html lang="zh-CN" class="reading-large reading-eyecare">'
    )
    client.post("/auth/reading/large-text", data={"on": "0"})
    assert aids_of(app, "dele_a") == (False, True)
    client.post("/auth/reading/eye-care", data={"on": "0"})
    assert aids_of(app, "dele_a") == (False, False)
    assert html_tag(client, "/activities/mine") == '<html lang="zh-CN">'


def test_the_switch_says_which_state_it_wants_so_a_second_post_changes_nothing(
    app, client, auth, world
):
    auth.login("dele_a")
    for _ in range(2):
        client.post("/auth/reading/large-text", data={"on": "1"})
    assert aids_of(app, "dele_a") == (True, False)


def test_without_a_wanted_state_the_switch_flips(app, client, auth, world):
    auth.login("dele_a")
    client.post("/auth/reading/eye-care")
    assert aids_of(app, "dele_a") == (False, True)
    client.post("/auth/reading/eye-care")
    assert aids_of(app, "dele_a") == (False, False)


def test_each_switch_posts_the_opposite_of_what_it_shows(client, auth, world):
    auth.login("dele_a")
    client.post("/auth/reading/large-text", data={"on": "1"})
    page = client.get("/activities/mine?month=2024-05").get_data(as_text=True)
    large = re.search(r'action="/auth/reading/large-text".*?</form>', page, re.S).group(0)
    eye = re.search(r'action="/auth/reading/eye-care".*?</form>', page, re.S).group(0)
    assert '<input type="hidden" name="on" value="0">' in large
    assert '<input type="hidden" name="on" value="1">' in eye
    # back to the same page, query included
    assert '<input type="hidden" name="next" value="/activities/mine?month=2024-05">' in large


def test_the_aids_survive_logout_and_login_in_another_browser(app, client, auth, world):
    auth.login("dele_a")
    client.post("/auth/reading/large-text", data={"on": "1"})
    client.post("/auth/reading/eye-care", data={"on": "1"})
    auth.logout()
    fresh = app.test_client()  # no cookie of the old browser
    assert html_tag(fresh) == '<html lang="zh-CN">'
    fresh.post("/auth/login", data={"username": "dele_a", "password": "Test-pass-2023"})
    assert html_tag(fresh, "/activities/mine") == (
        '<html lang="zh-CN" class="reading-large reading-eyecare">'
    )


def test_the_account_wins_over_the_cookie_once_signed_in(app, client, auth, world):
    client.post("/auth/reading/large-text", data={"on": "1"})  # before signing in
    assert html_tag(client) == '<html lang="zh-CN" class="reading-large">'
    auth.login("dele_a")
    assert html_tag(client, "/activities/mine") == '<html lang="zh-CN">'
    assert aids_of(app, "dele_a") == (False, False)


def test_an_unknown_aid_is_not_found(app, client, auth, world):
    auth.login("dele_a")
    assert client.post("/auth/reading/dark-mode", data={"on": "1"}).status_code == 404
    assert aids_of(app, "dele_a") == (False, False)


# --- next stays on this site --------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_a_foreign_next_is_ignored(app, client, auth, world, target):
    auth.login("dele_a")
    response = client.post("/auth/reading/large-text", data={"on": "1", "next": target})
    assert response.headers["Location"] == "/"
    assert aids_of(app, "dele_a") == (True, False)


# --- before signing in: a cookie ----------------------------------------------------------------


def test_an_anonymous_visitor_gets_the_aids_on_the_login_page(client, world):
    response = client.post("/auth/reading/eye-care", data={"on": "1", "next": "/auth/login"})
    assert response.headers["Location"] == "/auth/login"
    [cookie] = set_cookie_headers(response, "tracker_reading")
    assert cookie.startswith("tracker_reading=eye-care;")
    assert "Max-Age=31536000" in cookie
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    page = client.get("/auth/login").get_data(as_text=True)
    assert HTML_TAG.search(page).group(0) == '<html lang="zh-CN" class="reading-eyecare">'
    assert 'aria-pressed="true">护眼</button>' in switch(page, "eye-care")

    client.post("/auth/reading/large-text", data={"on": "1"})
    assert html_tag(client) == '<html lang="zh-CN" class="reading-large reading-eyecare">'


def test_turning_every_aid_off_removes_the_cookie(client, world):
    client.post("/auth/reading/large-text", data={"on": "1"})
    response = client.post("/auth/reading/large-text", data={"on": "0"})
    [cookie] = set_cookie_headers(response, "tracker_reading")
    assert "Max-Age=0" in cookie or "Expires=Thu, 01 Jan 1970" in cookie
    assert html_tag(client) == '<html lang="zh-CN">'


def test_a_forged_cookie_value_turns_nothing_on(client, world):
    client.set_cookie("tracker_reading", "huge.<script>")
    assert html_tag(client) == '<html lang="zh-CN">'


def test_a_signed_in_choice_is_kept_in_the_cookie_too_for_the_login_page(client, auth, world):
    auth.login("dele_a")
    response = client.post("/auth/reading/large-text", data={"on": "1"})
    [cookie] = set_cookie_headers(response, "tracker_reading")
    assert cookie.startswith("tracker_reading=large-text;")
    auth.logout()
    assert html_tag(client) == '<html lang="zh-CN" class="reading-large">'


class TestProductionCookie:
    @pytest.fixture
    def app_config(self):
        return {"PRODUCTION": True}

    def test_the_reading_cookie_is_secure_in_production(self, client, world):
        [cookie] = set_cookie_headers(
            client.post("/auth/reading/large-text", data={"on": "1"}), "tracker_reading"
        )
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- on every page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/auth/login", "/activities/mine", "/activities/new", "/no-such-page"]
)
def test_both_switches_are_on_every_page(client, auth, world, url):
    if url != "/auth/login":
        auth.login("dele_a")
    page = client.get(url).get_data(as_text=True)
    footer = page[page.index("<footer") : page.index("</footer>")]
    assert 'role="group" aria-label="阅读辅助"' in footer
    assert 'aria-pressed="false">大字号</button>' in switch(footer, "large-text")
    assert 'aria-pressed="false">护眼</button>' in switch(footer, "eye-care")


def test_print_stylesheet_is_linked_from_every_page(client, auth, world):
    link = '<link rel="stylesheet" href="/static/css/print.css" media="print">'
    assert link in client.get("/auth/login").get_data(as_text=True)
    auth.login("dele_a")
    assert link in client.get("/activities/mine").get_data(as_text=True)


PRINT_BUTTON = (
    '<button type="button" class="btn btn-outline-primary ms-auto print-button" data-print hidden>'
    "打印本页</button>"
)
PRINT_SCRIPT = '<script src="/static/js/print.js"></script>'


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("dele_a", "/activities/mine"),
        ("dele_a", "/proposals/"),
        ("dele_a", "/concerns/"),
        ("staff_city", "/activities/"),
        ("staff_city", "/review/"),
        ("staff_city", "/proposals/"),
        ("staff_city", "/concerns/"),
        ("staff_city", "/delegates/"),
        ("staff_city", "/summaries/"),
    ],
)
def test_the_lists_and_the_summary_have_a_print_button(client, auth, world, username, url):
    auth.login(username)
    page = client.get(url).get_data(as_text=True)
    assert page.count("data-print hidden>打印本页</button>") == 1
    assert page.count(PRINT_SCRIPT) == 1
    assert PRINT_BUTTON in page


# --- refused without the CSRF token -------------------------------------------------------------


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_switch_without_the_csrf_token_is_refused(self, app, client, world):
        page = client.get("/auth/login").get_data(as_text=True)
        token = CSRF_TOKEN.search(page).group(1)
        client.post(
            "/auth/login",
            data={"username": "dele_a", "password": "Test-pass-2023", "csrf_token": token},
        )
        response = client.post("/auth/reading/large-text", data={"on": "1"})
        assert response.status_code == 400
        assert "页面已过期" in response.get_data(as_text=True)
        assert aids_of(app, "dele_a") == (False, False)

    def test_an_anonymous_switch_without_the_token_sets_no_cookie(self, client, world):
        response = client.post("/auth/reading/eye-care", data={"on": "1"})
        assert response.status_code == 400
        assert set_cookie_headers(response, "tracker_reading") == []

    def test_the_switch_works_with_the_token_from_the_page(self, app, client, world):
        page = client.get("/auth/login").get_data(as_text=True)
        token = CSRF_TOKEN.search(page).group(1)
        response = client.post(
            "/auth/reading/large-text",
            data={"on": "1", "next": "/auth/login", "csrf_token": token},
        )
        assert response.status_code == 302
        assert html_tag(client) == '<html lang="zh-CN" class="reading-large">'


# --- the migration ------------------------------------------------------------------------------


def test_the_migration_adds_both_aids_off_for_existing_accounts_and_removes_them(tmp_path):
    from flask_migrate import downgrade, upgrade

    with fresh_database(tmp_path) as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "k" * 40, "ARGON2_PARAMS": FAST_ARGON2}
        )
        with app.app_context():
            upgrade(revision="0006")
            with db.engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "INSERT INTO user_account (username, display_name, password_hash, role, "
                        "active, session_token, must_change_password, created_at, failed_logins) "
                        "VALUES ('old', '老账号', 'x', 'delegate', :t, 'tok', :f, :now, 0)"
                    ),
                    {"t": True, "f": False, "now": "2024-05-01 09:00:00"},
                )
            upgrade(revision="0007")
            with db.engine.connect() as conn:
                row = conn.execute(
                    sa.text("SELECT large_text, eye_care FROM user_account WHERE username = 'old'")
                ).one()
            assert (bool(row.large_text), bool(row.eye_care)) == (False, False)
            downgrade(revision="0006")
            with db.engine.connect() as conn:
                columns = {c["name"] for c in sa.inspect(conn).get_columns("user_account")}
                count = conn.execute(sa.text("SELECT count(*) FROM user_account")).scalar()
            assert not {"large_text", "eye_care"} & columns
            assert count == 1
            db.session.remove()
            db.engine.dispose()


# --- in a real browser --------------------------------------------------------------------------

SMALL_PHONE = {"width": 360, "height": 740}


def rgb(value: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)' → (r, g, b, alpha)."""
    parts = [float(p) for p in re.findall(r"[\d.]+", value)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of a (possibly translucent) text colour over an opaque background."""
    fr, fg, fb, alpha = rgb(foreground)
    br, bg, bb, _ = rgb(background)
    blended = [alpha * f + (1 - alpha) * b for f, b in ((fr, br), (fg, bg), (fb, bb))]

    def luminance(channels) -> float:
        def lin(c: float) -> float:
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (lin(c) for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(blended), luminance((br, bg, bb))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def style(page, selector: str, prop: str) -> str:
    return page.evaluate(
        "([s, p]) => getComputedStyle(document.querySelector(s)).getPropertyValue(p)",
        [selector, prop],
    )


def wait_for_html_class(page, present: str) -> None:
    page.wait_for_function("c => document.documentElement.classList.contains(c)", arg=present)


@pytest.mark.browser
class TestInTheBrowser:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_large_text_makes_body_text_larger(self, app, desktop, base_url):
        page = desktop
        login(page, base_url, "dele_a")
        page.goto(f"{base_url}/activities/mine")
        assert style(page, "body", "font-size") == "18px"
        assert style(page, "#result-count", "font-size") == "15.75px"
        button = page.get_by_role("button", name="大字号")
        assert button.get_attribute("aria-pressed") == "false"
        page.evaluate("window.notReloaded = true")
        button.click()
        wait_for_html_class(page, "reading-large")
        assert page.evaluate("window.notReloaded") is True  # switched in place, no reload
        assert button.get_attribute("aria-pressed") == "true"
        assert style(page, "html", "font-size") == "20px"
        assert style(page, "body", "font-size") == "22.5px"
        assert style(page, "#result-count", "font-size") == "19.6875px"
        assert aids_of(app, "dele_a") == (True, False)
        page.reload()  # rendered by the server from now on
        assert page.evaluate("document.documentElement.className") == "reading-large"
        assert style(page, "body", "font-size") == "22.5px"

    def test_eye_care_changes_the_colours_and_keeps_text_contrast(
        self, app, desktop, base_url, world
    ):
        with app.app_context():
            factories.make_activity(db.session.get(Delegate, world.delegate_a), concerns=1)
            db.session.commit()
        page = desktop
        login(page, base_url, "dele_a")
        page.goto(f"{base_url}/activities/mine")
        assert style(page, "body", "background-color") == "rgb(246, 244, 241)"
        assert style(page, ".reading-switch", "background-color") == "rgb(255, 255, 255)"
        page.get_by_role("button", name="护眼").click()
        wait_for_html_class(page, "reading-eyecare")
        assert aids_of(app, "dele_a") == (False, True)
        page.reload()
        body_bg = style(page, "body", "background-color")
        surface = style(page, ".activity-row", "background-color")
        assert body_bg == "rgb(204, 232, 207)"
        assert surface == "rgb(238, 246, 234)"
        assert style(page, ".filters .form-select", "background-color") == surface
        pairs = {
            "body text on the page": (style(page, "body", "color"), body_bg),
            "secondary text on the page": (style(page, "#result-count", "color"), body_bg),
            "an outline button on the page": (
                style(page, ".filters .btn-outline-secondary", "color"),
                body_bg,
            ),
            "a link on the page": (style(page, "footer .language-switch", "color"), body_bg),
            "text in a field": (style(page, ".filters .form-select", "color"), surface),
            "an entry's title": (style(page, ".activity-title", "color"), surface),
            "secondary text on a surface": (
                style(page, ".activity-row .text-body-secondary", "color"),
                surface,
            ),
        }
        for what, (fg, bg) in pairs.items():
            assert contrast(fg, bg) >= 4.5, f"{what}: {fg} on {bg} is {contrast(fg, bg):.2f}"
        assert round(contrast(style(page, "body", "color"), body_bg), 1) == 11.8
        assert round(contrast(style(page, "#result-count", "color"), body_bg), 1) == 5.8

    def test_the_switches_work_without_javascript(self, browser, base_url):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", java_script_enabled=False
        )
        page = context.new_page()
        try:
            page.goto(f"{base_url}/auth/login")
            with page.expect_navigation():
                page.get_by_role("button", name="大字号").click()
            assert page.url == f"{base_url}/auth/login"
            assert page.locator("html").get_attribute("class") == "reading-large"
            assert page.get_by_role("button", name="大字号").get_attribute("aria-pressed") == "true"
        finally:
            context.close()

    def test_an_anonymous_choice_on_the_login_page(self, phone, base_url):
        page = phone
        page.goto(f"{base_url}/auth/login")
        page.get_by_role("button", name="大字号").click()
        wait_for_html_class(page, "reading-large")
        page.reload()
        assert page.locator("html").get_attribute("class") == "reading-large"
        assert style(page, "body", "font-size") == "22.5px"
        box = page.get_by_role("button", name="大字号").bounding_box()
        assert box["height"] >= 44
        assert box["y"] + box["height"] <= 844  # on the first screen of a phone
        assert_no_sideways_scroll(page)

    @pytest.mark.parametrize(
        ("username", "url"),
        [
            ("dele_a", "/activities/new"),
            ("staff_city", "/dashboard/"),
        ],
    )
    def test_nothing_scrolls_sideways_at_360_px_with_large_text(
        self, browser, base_url, username, url
    ):
        context = browser.new_context(
            viewport=SMALL_PHONE,
            locale="zh-CN",
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            login(page, base_url, username)
            page.goto(f"{base_url}{url}")
            page.get_by_role("button", name="大字号").click()
            wait_for_html_class(page, "reading-large")
            page.reload()
            page.wait_for_load_state("networkidle")
            assert style(page, "body", "font-size") == "22.5px"
            assert_no_sideways_scroll(page)
        finally:
            context.close()

    def test_the_desktop_menu_wraps_in_its_bar_with_large_text(self, desktop, base_url):
        page = desktop
        login(page, base_url, "staff_city")
        page.goto(f"{base_url}/review/")
        page.get_by_role("button", name="大字号").click()
        wait_for_html_class(page, "reading-large")
        page.reload()
        assert_no_sideways_scroll(page)
        nav = page.locator("nav.app-nav").bounding_box()
        logout = page.get_by_role("button", name="退出").bounding_box()
        assert logout["x"] + logout["width"] <= 1280
        assert logout["y"] + logout["height"] <= nav["y"] + nav["height"]  # inside the red bar

    def test_printing_the_record_drops_the_navigation_and_the_print_button(
        self, desktop, base_url, world
    ):
        from playwright.sync_api import expect

        page = desktop
        login(page, base_url, "dele_a")
        page.goto(f"{base_url}/delegates/{world.delegate_a}/record")
        nav = page.locator("nav.app-nav")
        button = page.get_by_role("button", name="打印本页")
        expect(nav).to_be_visible()
        expect(button).to_be_visible()
        page.emulate_media(media="print")
        expect(nav).to_be_hidden()
        expect(button).to_be_hidden()
        expect(page.locator("footer")).to_be_hidden()

    def test_printing_a_list_is_black_on_white_without_the_aids(self, desktop, base_url):
        from playwright.sync_api import expect

        page = desktop
        login(page, base_url, "dele_a")
        page.goto(f"{base_url}/activities/mine")
        for name in ("大字号", "护眼"):
            page.get_by_role("button", name=name).click()
        wait_for_html_class(page, "reading-eyecare")
        wait_for_html_class(page, "reading-large")
        button = page.get_by_role("button", name="打印本页")
        expect(button).to_be_visible()
        page.emulate_media(media="print")
        expect(button).to_be_hidden()
        expect(page.locator("nav.app-nav")).to_be_hidden()
        expect(page.locator("form.filters")).to_be_hidden()
        assert style(page, "body", "background-color") == "rgb(255, 255, 255)"
        assert style(page, "body", "color") == "rgb(0, 0, 0)"
        assert style(page, "html", "font-size") == "16px"
        assert style(page, "body", "font-size") == "14px"  # 10.5pt
        page.emulate_media(media="screen")
        expect(button).to_be_visible()
        assert style(page, "body", "font-size") == "22.5px"
