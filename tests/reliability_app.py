"""Helpers for the reliability tests: a small HTTP client that keeps its cookies and reads the
CSRF token off the forms as a browser would, a visit form with any number of concern rows,
and delegate accounts."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from tracker.admin.accounts import create_user
from tracker.enums import Role

from . import factories

CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]*)"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class WebClient:
    """One person's browser, reduced to cookies and forms; one connection per request."""

    def __init__(self, base_url: str, timeout: float = 60):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def send(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        form: dict | list | None = None,
    ) -> None:
        """Send a request on ``conn`` without reading the answer."""
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)

    def receive(self, conn: http.client.HTTPConnection) -> Response:
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        conn.close()
        return Response(response.status, response.headers, text)

    def request(self, method: str, path: str, form: dict | list | None = None) -> Response:
        conn = self.connect()
        self.send(conn, method, path, form)
        return self.receive(conn)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict | list) -> Response:
        return self.request("POST", path, form)

    def csrf_token(self, path: str) -> str:
        """Open the page with the form and read its CSRF token."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        tag = CSRF_INPUT.search(page.text)
        assert tag, f"no CSRF token on {path}"
        return VALUE.search(tag.group(0)).group(1)

    def log_in(self, username: str, password: str = factories.PASSWORD) -> None:
        token = self.csrf_token("/auth/login")
        response = self.post(
            "/auth/login", {"csrf_token": token, "username": username, "password": password}
        )
        assert response.status == 302, (username, response.status, response.text[:500])


def visit_form(csrf_token: str, title: str, concerns: int, category: str = "transport") -> dict:
    """A submitted visit with ``concerns`` concern rows."""
    data = {
        "csrf_token": csrf_token,
        "kind": "visit",
        "initiative": "i3",
        "title": title,
        "occurred_on": "2024-05-10",
        "station": "",
        "place": "伏龙坪社区",
        "people_reached": "12",
        "visit_target_kind": "households",
        "visit_target": "伏龙坪社区3号楼住户",
        "description": "",
        "outcome": "",
        "submit_entry": "1",
    }
    for i in range(concerns):
        data.update(
            {
                f"concerns-{i}-category": category,
                f"concerns-{i}-content": f"{title}：第{i + 1}条诉求",
                f"concerns-{i}-raised_by_kind": "citizen",
                f"concerns-{i}-raised_by_name": f"群众{i + 1}",
                f"concerns-{i}-raised_by_phone": "13912345678",
            }
        )
    return data


def make_delegate_accounts(count: int, prefix: str = "load") -> list[str]:
    """``count`` delegates with accounts; returns their user names (the caller commits)."""
    names = []
    for i in range(count):
        delegate = factories.make_delegate(f"代表{i + 1}", "chengguan")
        username = f"{prefix}_{i + 1}"
        create_user(
            username=username,
            display_name=delegate.name,
            role=Role.DELEGATE,
            password=factories.PASSWORD,
            delegate=delegate,
        )
        names.append(username)
    return names
