"""Every response carries the security headers; pages never rely on inline script or style;
a logged-in user's pages are never cached; error pages are plain Chinese with a request id
that is also in the log, never a traceback."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tracker.security import CONTENT_SECURITY_POLICY

from . import factories, test_dashboard

dashboard_data = test_dashboard.data  # the dashboard's fixed May 2024, for the browser

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
ALWAYS = {
    "Content-Security-Policy": EXPECTED_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
REQUEST_ID = re.compile(r"请求编号 <code>([A-Za-z0-9._-]+)</code>")
TRACEBACK_WORDS = ("Traceback", "RuntimeError", 'File "', "secret-detail-of-the-failure")


def assert_security_headers(response) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_the_policy_is_the_agreed_one():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


# --- headers --------------------------------------------------------------------------------


def test_login_page_carries_every_header_and_may_be_cached(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: ignored anyway


def test_hsts_only_over_https(client):
    response = client.get("/auth/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("dele_a", "/notifications/"),
        ("dele_a", "/proposals/"),
        ("dele_a", "/campaign/"),
        ("dele_a", "/delegates/me"),
        ("dele_a", "/activities/mine"),
        ("dele_a", "/concerns/"),
        ("staff_city", "/dashboard/"),
        ("staff_city", "/activities/"),
        ("staff_city", "/review/"),
        ("staff_city", "/concerns/"),
        ("admin", "/admin/"),
    ],
)
def test_logged_in_pages_carry_the_headers_and_are_never_stored(client, auth, world, username, url):
    auth.login(username)
    response = client.get(url)
    assert response.status_code == 200, url
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_logged_in_users_error_page_is_not_stored_either(client, auth, world):
    auth.login("dele_a")
    response = client.get("/activities/999999")
    assert response.status_code == 404
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/static/css/app.css", "/static/js/app.js", "/static/vendor/echarts.min.js"]
)
def test_static_files_keep_their_caching_for_a_logged_in_user(client, auth, world, path):
    auth.login("dele_a")
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_bootstraps_static_files_keep_their_caching(app, client, auth, world):
    auth.login("dele_a")
    page = client.get("/campaign/").get_data(as_text=True)
    css = re.search(r'href="(/bootstrap/static/[^"]+\.css)"', page)
    assert css, "Bootstrap is served by the app itself"
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_a_view_that_sets_its_own_headers_keeps_them(app, client, auth, world):
    @app.route("/_test/download")
    def download():
        import io

        from flask import send_file

        response = send_file(
            io.BytesIO(b"a,b\n"),
            mimetype="text/csv",
            as_attachment=True,
            download_name="x.csv",
            max_age=0,
        )
        response.headers["Content-Security-Policy"] = "sandbox"
        return response

    @app.route("/_test/public")
    def public_page():
        from flask import make_response

        response = make_response("公开")
        response.cache_control.public = True
        response.cache_control.max_age = 60
        return response

    auth.login("dele_a")
    response = client.get("/_test/download")
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Content-Disposition"] == "attachment; filename=x.csv"
    directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "max-age=0"} <= directives
    assert response.headers["X-Frame-Options"] == "DENY"
    response = client.get("/_test/public")
    assert "no-store" not in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]


# --- no inline script or style in the pages -----------------------------------------------------

# The PDF template is drawn by WeasyPrint on the server, never served to a browser.
NOT_SERVED = {"summaries/pdf.html"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


def served_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.relative_to(TEMPLATES).as_posix() not in NOT_SERVED
    ]


@pytest.mark.parametrize(
    "path", served_templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix()
)
def test_templates_have_no_inline_script_handlers_or_styles(path):
    # comments may mention what is not allowed
    text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
    assert not INLINE_SCRIPT.search(text)
    assert not EVENT_HANDLER.search(text)
    assert not STYLE_ATTRIBUTE.search(text)
    assert not STYLE_ELEMENT.search(text)
    assert not JAVASCRIPT_URL.search(text)


def test_my_page_draws_progress_with_classes(app, client, auth, world):
    auth.login("dele_a")
    page = client.get("/delegates/me").get_data(as_text=True)
    assert "style=" not in page
    assert re.search(r'class="progress-bar progress-w-\d+ ', page)


# --- error pages ----------------------------------------------------------------------------


def request_id_on(page: str) -> str:
    match = REQUEST_ID.search(page)
    assert match, "the error page shows its request id"
    return match.group(1)


@pytest.fixture
def failing_routes(app):
    """Routes that end in each error, as a real view would."""
    from flask import abort

    from tracker.auth import public

    @app.route("/_test/boom")
    @public
    def boom():
        raise RuntimeError("secret-detail-of-the-failure")

    @app.route("/_test/abort/<int:code>")
    @public
    def abort_with(code: int):
        abort(code)

    @app.route("/_test/upload", methods=["POST"])
    @public
    def upload():
        from flask import request

        return str(len(request.form))

    return app


def test_an_unexpected_error_shows_a_chinese_page_with_the_logged_request_id(
    failing_routes, client, caplog
):
    with caplog.at_level(logging.INFO):
        response = client.get("/_test/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "系统出了点问题，我们已记录下来。请稍后再试。" in page
    request_id = request_id_on(page)
    assert response.headers["X-Request-Id"] == request_id
    for word in TRACEBACK_WORDS:
        assert word not in page
    assert_security_headers(response)
    failure = [r for r in caplog.records if r.exc_info and request_id in r.getMessage()]
    assert failure, "the traceback is logged with the request id"
    assert "secret-detail-of-the-failure" in caplog.text


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (403, "您没有权限进行此操作。"),
        (404, "找不到该页面或记录。"),
        (413, "提交的内容过大。"),
        (429, "操作太频繁，请稍后再试。"),
    ],
)
def test_refusals_show_a_chinese_page_with_the_logged_request_id(
    failing_routes, client, caplog, code, message
):
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        response = client.get(f"/_test/abort/{code}")
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert message in page
    assert f"错误代码 {code}" in page
    request_id = request_id_on(page)
    assert response.headers["X-Request-Id"] == request_id
    assert any(
        request_id in r.getMessage() and f"answered {code}" in r.getMessage()
        for r in caplog.records
    )
    assert_security_headers(response)


def test_an_unknown_address_is_a_chinese_404_with_the_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        response = client.get("/no/such/page")
    assert response.status_code == 404
    request_id = request_id_on(response.get_data(as_text=True))
    assert request_id in caplog.text


def test_a_real_upload_over_the_size_limit_is_a_413_page(failing_routes, client):
    limit = failing_routes.config["MAX_CONTENT_LENGTH"]
    response = client.post("/_test/upload", data={"text": "x" * (limit + 1)})
    assert response.status_code == 413
    assert "提交的内容过大。" in response.get_data(as_text=True)
    request_id_on(response.get_data(as_text=True))


class TestWithCsrf:
    """Refusals made before any view runs (the CSRF check reads the form first) still show
    the id."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_missing_csrf_token_shows_the_expired_page_with_an_id(self, failing_routes, client):
        response = client.post("/_test/upload", data={"text": "x"})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "页面已过期，请返回上一页刷新后再提交。" in page
        assert response.headers["X-Request-Id"] == request_id_on(page)

    def test_too_large_a_post_is_refused_with_an_id_before_the_csrf_check(
        self, failing_routes, client
    ):
        limit = failing_routes.config["MAX_CONTENT_LENGTH"]
        response = client.post("/_test/upload", data={"text": "x" * (limit + 1)})
        assert response.status_code == 413
        page = response.get_data(as_text=True)
        assert "提交的内容过大。" in page
        assert response.headers["X-Request-Id"] == request_id_on(page)


def test_a_proxys_request_id_is_kept_and_a_malformed_one_replaced(failing_routes, client):
    response = client.get("/_test/abort/404", headers={"X-Request-Id": "edge-42.a_b"})
    assert request_id_on(response.get_data(as_text=True)) == "edge-42.a_b"
    response = client.get("/_test/abort/404", headers={"X-Request-Id": "<script>x</script>"})
    request_id = request_id_on(response.get_data(as_text=True))
    assert re.fullmatch(r"[0-9a-f]{12}", request_id)
    assert "<script>x" not in response.get_data(as_text=True)


def test_the_audit_row_carries_the_same_request_id_as_the_response(app, client, auth, world):
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import AuditEntry, Delegate

    with app.app_context():
        activity = factories.make_activity(db.session.get(Delegate, world.delegate_a))
        db.session.commit()
        activity_id, version = activity.id, activity.version
    auth.login("staff_city")
    response = client.post(f"/review/{activity_id}/approve", data={"version": str(version)})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditEntry)
            .where(AuditEntry.action == "approve")
            .order_by(AuditEntry.id.desc())
        )
        assert entry.request_id == response.headers["X-Request-Id"]


# --- NUL characters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/concerns/?category=%00", None),
        ("get", "/concerns/?%00=1", None),
        ("get", "/activities/mine?month=2024-05%00", None),
        ("post", "/concerns/1/feedback", {"feedback_note": "已告知\x00", "version": "1"}),
        ("post", "/auth/login", {"username": "dele_a\x00", "password": "x"}),
    ],
)
def test_a_nul_character_anywhere_is_a_bad_request_not_a_failure(
    client, auth, world, method, url, data
):
    auth.login("staff_city")
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "提交的内容含有无法保存的控制字符（如 NUL）" in page
    request_id_on(page)


def test_ordinary_text_passes_the_nul_check(client, auth, world):
    auth.login("staff_city")
    assert client.get("/concerns/?category=transport&status=open").status_code == 200


class TestThrottledLogin:
    """The throttle refuses before any view runs; its 429 page still shows the logged id."""

    @pytest.fixture
    def app_config(self):
        return {"LOGIN_RATE_LIMIT": "2 per minute"}

    def test_too_many_logins_get_the_429_page_with_an_id(self, client, caplog):
        for _ in range(2):
            client.post("/auth/login", data={"username": "nobody", "password": "wrong"})
        with caplog.at_level(logging.INFO, logger="tracker.security"):
            response = client.post("/auth/login", data={"username": "nobody", "password": "wrong"})
        assert response.status_code == 429
        page = response.get_data(as_text=True)
        assert "操作太频繁，请稍后再试。" in page
        request_id = request_id_on(page)
        assert response.headers["X-Request-Id"] == request_id
        assert f"answered 429, request {request_id}" in caplog.text
        assert_security_headers(response)


# --- in a real browser: no page breaks the policy -------------------------------------------------

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sample || ''}`.trim());
});
"""


def violations(page) -> list[str]:
    return page.evaluate("() => window.__violations")


@pytest.mark.browser
class TestTheBrowserSeesNoViolation:
    """Every kind of page, with its scripts running (charts and their tooltips, the activity
    form's sections and concern rows, printing buttons), breaks no rule of the policy."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def cases(self, app, world, dashboard_data):
        from tracker.extensions import db
        from tracker.models import Delegate

        with app.app_context():
            activity = factories.make_activity(
                db.session.get(Delegate, world.delegate_a),
                occurred_on=test_dashboard.TODAY.replace(day=3),
                concerns=1,
            )
            activity.concerns[0].raised_by_phone = "13912345678"
            db.session.commit()
            return {
                "activity": activity.id,
                "concern": activity.concerns[0].id,
                "delegate": world.delegate_a,
            }

    def visit(self, page, url: str) -> None:
        page.goto(url)
        page.wait_for_load_state("networkidle")

    def test_staff_pages(self, browser, base_url, cases):
        from .browser import login

        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        console = []
        page.on("console", lambda m: console.append(m.text))
        page.on("pageerror", lambda e: console.append(str(e)))
        try:
            self.visit(page, f"{base_url}/auth/login")
            assert violations(page) == []
            login(page, base_url, "staff_city")
            for path in (
                "/dashboard/",
                "/review/",
                f"/review/{cases['activity']}",
                f"/activities/{cases['activity']}",
                f"/concerns/{cases['concern']}",
                "/summaries/",
                f"/delegates/{cases['delegate']}/record",
                "/admin/",
            ):
                self.visit(page, base_url + path)
                assert violations(page) == [], path
            # every chart is drawn (ECharts sets its styles through the DOM, which is allowed)
            self.visit(page, base_url + "/dashboard/?period=2024-05")
            page.wait_for_selector("[data-chart=pipeline] canvas", state="attached")
            for name in ("trend", "matrix", "delegations", "focus", "pipeline"):
                assert page.locator(f"[data-chart={name}] canvas").count() >= 1, name
            assert violations(page) == []
            # the whole number, revealed
            self.visit(page, f"{base_url}/concerns/{cases['concern']}")
            page.get_by_role("button", name="查看完整号码").click()
            page.wait_for_load_state()
            assert page.locator("#full-phone").inner_text() == "13912345678"
            assert violations(page) == []
        finally:
            context.close()
        assert not [m for m in console if "Content Security Policy" in m], console

    def test_chart_tooltips_break_no_rule(self, browser, base_url, cases):
        from .browser import login

        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        try:
            login(page, base_url, "staff_city")
            self.visit(page, base_url + "/dashboard/?period=2024-05")
            page.wait_for_selector("[data-chart=pipeline] canvas", state="attached")
            for chart in page.locator("[data-chart]").all():
                chart.scroll_into_view_if_needed()
                box = chart.bounding_box()
                for fx, fy in ((0.5, 0.5), (0.3, 0.6), (0.7, 0.4)):
                    page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                    page.wait_for_timeout(50)
            assert violations(page) == []
        finally:
            context.close()

    def test_delegate_pages(self, browser, base_url, cases):
        from .browser import login

        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
        )
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        try:
            login(page, base_url, "dele_a")
            for path in (
                "/delegates/me",
                "/activities/mine",
                "/concerns/",
                "/campaign/",
                "/proposals/",
                "/notifications/",
            ):
                self.visit(page, base_url + path)
                assert violations(page) == [], path
            # the form's script shows sections and copies concern rows
            self.visit(page, base_url + "/activities/new")
            page.locator("#add-concern").click()
            page.get_by_text("调研", exact=True).first.click()
            assert violations(page) == []
            # the progress bars are drawn by classes, at their width
            self.visit(page, base_url + "/delegates/me")
            widths = page.evaluate(
                "() => [...document.querySelectorAll('.call-progress .progress-bar')]"
                ".map(b => b.getBoundingClientRect().width / b.parentElement.getBoundingClientRect().width)"
            )
            assert widths and all(0 <= w <= 1 for w in widths)
            assert violations(page) == []
        finally:
            context.close()
