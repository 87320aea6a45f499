"""Deny by default: every URL needs a login except an explicit allow-list."""

import pytest

from tracker import create_app
from tracker.auth import is_public_endpoint

# Adding a public endpoint means adding it here, on purpose.
ALLOWED_WITHOUT_LOGIN = {
    "static",
    "bootstrap.static",
    "auth.login",
    "auth.set_language",
    "auth.set_reading_aid",
    "main.health",
}

SAMPLE_VALUES = {"int": "1", "default": "x", "string": "x", "path": "x/y"}


def _rules():
    app = create_app({"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    out = []
    for rule in app.url_map.iter_rules():
        url = rule.rule
        for name, converter in rule._converters.items():
            kind = type(converter).__name__.replace("Converter", "").lower()
            value = SAMPLE_VALUES.get(kind, "1")
            for pattern in (f"<{name}>", f"<int:{name}>", f"<string:{name}>", f"<path:{name}>"):
                url = url.replace(pattern, value)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append(pytest.param(rule.endpoint, method, url, id=f"{method} {rule.rule}"))
    return out


RULES = _rules()


def test_the_allow_list_is_exactly_the_public_endpoints(app):
    public = {
        rule.endpoint for rule in app.url_map.iter_rules() if is_public_endpoint(app, rule.endpoint)
    }
    assert public == ALLOWED_WITHOUT_LOGIN


@pytest.mark.parametrize(("endpoint", "method", "url"), RULES)
def test_every_url_needs_login_unless_allowed(client, endpoint, method, url):
    response = client.open(url, method=method)
    if endpoint in ALLOWED_WITHOUT_LOGIN:
        assert not response.headers.get("Location", "").startswith("/auth/login")
    else:
        assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
        assert response.headers["Location"].startswith("/auth/login")


def test_the_walk_covers_the_main_pages():
    urls = {p.values[2] for p in RULES}
    for url in ("/activities/new", "/activities/mine", "/activities/1", "/campaign/"):
        assert url in urls


# --- administration: only admins, every URL under /admin ---------------------------------------

ADMIN_RULES = [p for p in RULES if p.values[0].startswith("admin.")]
NOT_ADMINS = ("dele_a", "staff_a", "staff_city")


def test_the_admin_walk_finds_the_admin_pages():
    urls = {p.values[2] for p in ADMIN_RULES}
    assert {
        "/admin/",
        "/admin/roster",
        "/admin/users",
        "/admin/campaigns",
        "/admin/stations",
        "/admin/delegations",
    } <= urls


@pytest.mark.parametrize("username", NOT_ADMINS)
def test_no_admin_url_answers_anyone_but_an_admin(client, auth, world, username):
    auth.login(username)
    answered = {
        f"{method} {url}": client.open(url, method=method).status_code
        for _endpoint, method, url in (p.values for p in ADMIN_RULES)
    }
    assert answered and set(answered.values()) == {403}, answered


def test_an_admin_reaches_the_admin_index(client, auth, world):
    auth.login("admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert "导入代表名册" in page and "/admin/users" in page
