"""In a real browser, with CSRF on: staff register and assign on a phone, the delegate rates."""

import os

import pytest
import sqlalchemy as sa

from tracker.enums import ProposalStatus, Rating
from tracker.extensions import db
from tracker.models import Proposal

from .browser import CHROMIUM_ARGS, chromium_path, serve
from .test_browser import PHONE, assert_no_sideways_scroll, login
from .test_proposals import make_proposal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it with apt (package chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def base_url(app, world):
    with serve(app) as url:
        yield url


@pytest.fixture
def phone(browser, base_url):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_staff_register_and_assign_then_the_delegate_rates_on_a_phone(app, phone, base_url, world):
    with app.app_context():
        pid = make_proposal(world.delegate_a)
        db.session.commit()

    login(phone, base_url, "staff_a")
    phone.goto(f"{base_url}/proposals/")
    assert_no_sideways_scroll(phone)
    phone.get_by_role("link", name="关于增设伏龙坪公交线路的建议").click()
    phone.get_by_role("button", name="立案", exact=True).click()
    phone.wait_for_load_state()
    assert "已立案，代表会收到通知。" in phone.content()

    phone.get_by_label("主办单位").select_option(label="市交通运输局")
    phone.locator("label[for^=co_handlers]", has_text="市城市管理局").click()
    phone.get_by_label("交办日期").fill("2024-11-30")
    phone.get_by_role("button", name="交办", exact=True).click()
    phone.wait_for_load_state()
    assert "已交办，代表会收到通知。" in phone.content()
    assert_no_sideways_scroll(phone)

    phone.get_by_label("答复内容").fill("已将线路纳入明年公交线网优化方案。")
    phone.get_by_label("答复日期").fill("2024-12-20")
    phone.get_by_text("B 类：正在解决").click()
    phone.get_by_role("button", name="登记答复").click()
    phone.wait_for_load_state()
    assert "答复已登记，等待代表评价。" in phone.content()

    phone.context.clear_cookies()
    login(phone, base_url, "dele_a")
    phone.goto(f"{base_url}/proposals/{pid}")
    assert_no_sideways_scroll(phone)
    phone.get_by_text("基本满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    assert "感谢您的评价。" in phone.content()

    with app.app_context():
        p = db.session.scalar(sa.select(Proposal))
        assert (p.status, p.rating) == (ProposalStatus.CLOSED, Rating.BASICALLY_SATISFIED)
        assert [b.name for b in p.co_handlers] == ["市城市管理局"]
