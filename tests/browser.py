"""Serving the app to headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

from .factories import PASSWORD
from .machine import chromium_path as chromium_path  # docs/make_screenshots.py imports it here

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def serve(app):
    """Serve ``app`` on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person would."""
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def assert_no_sideways_scroll(page) -> None:
    """The page fits its viewport: nothing scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"
