"""In a real browser at phone width: a delegate logs a visit with two concerns."""

import pytest
import sqlalchemy as sa

from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import Activity

from .browser import assert_no_sideways_scroll, login

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_delegate_logs_a_visit_with_two_concerns_on_a_phone(app, phone, base_url):
    page = phone
    login(page, base_url, "dele_a")
    assert page.url.endswith("/activities/mine")
    page.get_by_role("link", name="记一笔").first.click()
    page.wait_for_url("**/activities/new")
    assert_no_sideways_scroll(page)

    # visit and initiative 三 are preselected; the research and proposal parts are hidden
    assert page.locator("input[name=kind][value=visit]").is_checked()
    assert page.locator("input[name=initiative][value=i3]").is_checked()
    assert page.locator("section[data-section=research]").is_hidden()
    assert page.locator("section[data-section=visit]").is_visible()

    page.get_by_label("标题").fill("走访伏龙坪社区老旧小区住户")
    page.locator("label[for=visit_target_kind-0]").click()
    page.get_by_label("走访了谁（住户、企业或项目名称）").fill("伏龙坪社区3号楼")
    page.locator("#concerns-0-category").select_option(label="交通出行")
    page.locator("#concerns-0-content").fill("小区门口公交站台没有遮雨棚")
    page.get_by_role("button", name="再加一条诉求").click()
    page.locator("#concerns-1-category").select_option(label="住房与物业")
    page.locator("#concerns-1-content").fill("3号楼加装电梯费用分摊谈不拢")
    page.get_by_label("联系群众人数").fill("8")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**/activities/*")

    assert page.get_by_text("已提交，等待审核。").is_visible()
    assert page.get_by_text("3号楼加装电梯费用分摊谈不拢").is_visible()
    page.goto(f"{base_url}/activities/mine")
    assert page.get_by_text("走访伏龙坪社区老旧小区住户").is_visible()
    assert_no_sideways_scroll(page)

    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert activity.status == ActivityStatus.SUBMITTED
        assert activity.people_reached == 8
        assert [c.content for c in activity.concerns] == [
            "小区门口公交站台没有遮雨棚",
            "3号楼加装电梯费用分摊谈不拢",
        ]


def test_switching_kind_shows_its_parts_and_moves_the_initiative(phone, base_url):
    page = phone
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    page.locator("label[for=kind-3]").click()  # 学习 (study), the fourth kind
    assert page.locator("input[name=kind][value=study]").is_checked()
    assert page.locator("input[name=initiative][value=i1]").is_checked()
    assert page.locator("section[data-section=visit]").is_hidden()
    assert page.locator("section[data-section=concerns]").is_hidden()


def test_touch_targets_are_at_least_44_px(phone, base_url):
    page = phone
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll('main button, main .btn, main input.form-control, main select'))
              .filter(e => e.offsetParent !== null)
              .map(e => [e.id || e.textContent.trim().slice(0, 12), e.getBoundingClientRect().height])
              .filter(([_, h]) => h < 44)"""
    )
    assert small == []


def test_staff_return_delegate_fixes_and_resubmits_staff_approve(
    app, phone, desktop, base_url, world
):
    from tracker.models import Delegate

    from . import factories

    with app.app_context():
        activity = factories.make_activity(
            db.session.get(Delegate, world.delegate_a), title="走访记录待审"
        )
        db.session.commit()
        activity_id = activity.id

    # staff return it with a reason
    login(desktop, base_url, "staff_a")
    assert desktop.url.endswith("/review/")
    desktop.get_by_role("link", name="走访记录待审").click()
    desktop.get_by_label("原因（代表会看到）").fill("请补充走访对象")
    desktop.get_by_role("button", name="退回修改").click()
    assert desktop.get_by_text("已退回，代表会收到通知。").is_visible()

    # the delegate sees it first thing, fixes and resubmits on the phone
    login(phone, base_url, "dele_a")
    assert phone.get_by_text("1 条记录被退回，请修改后重新提交").is_visible()
    phone.get_by_text("1 条记录被退回，请修改后重新提交").click()
    phone.get_by_text("走访记录待审").click()
    assert phone.get_by_text("请补充走访对象").first.is_visible()
    phone.get_by_role("link", name="修改").click()
    phone.locator("label[for=visit_target_kind-0]").click()
    phone.get_by_label("走访了谁（住户、企业或项目名称）").fill("伏龙坪社区5号楼")
    phone.get_by_role("button", name="提交", exact=True).click()
    assert phone.get_by_text("已提交，等待审核。").is_visible()

    # staff approve
    desktop.goto(f"{base_url}/review/{activity_id}")
    desktop.get_by_role("button", name="审核通过").click()
    assert desktop.get_by_text("已审核通过：走访记录待审").is_visible()
    with app.app_context():
        assert db.session.get(Activity, activity_id).status == ActivityStatus.APPROVED


def test_no_request_leaves_the_machine(phone, base_url):
    """Every asset a page loads is served by the app itself (no CDN)."""
    requested = []
    phone.on("request", lambda request: requested.append(request.url))
    login(phone, base_url, "dele_a")
    for path in ("/activities/new", "/activities/mine", "/campaign/", "/notifications/"):
        phone.goto(f"{base_url}{path}")
        phone.wait_for_load_state("networkidle")
    assert requested
    outside = [url for url in requested if not url.startswith(base_url)]
    assert outside == []
    assert any(url.endswith("bootstrap.min.css") for url in requested)
