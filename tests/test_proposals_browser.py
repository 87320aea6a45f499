"""In a real browser, with CSRF on: staff register and assign on a phone, the delegate rates."""

import pytest
import sqlalchemy as sa

from tracker.enums import ProposalStatus, Rating
from tracker.extensions import db
from tracker.models import Proposal

from .browser import assert_no_sideways_scroll, login
from .test_proposals import make_proposal

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


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


def test_a_proposal_from_the_delegates_form_to_closed_through_an_unsatisfied_round(
    app, phone, desktop, base_url, world
):
    from tracker.dates import local_today

    # the delegate submits a proposal from the phone form
    login(phone, base_url, "dele_a")
    phone.goto(f"{base_url}/activities/new")
    phone.locator("label[for=kind-1]").click()  # 建议
    assert phone.locator("input[name=kind][value=proposal]").is_checked()
    phone.get_by_label("标题").fill("关于在和平镇增设公交站点的建议")
    phone.get_by_text("务实策", exact=True).click()
    phone.get_by_label("建议内容").fill("和平镇东片区居民出行不便，建议增设两个公交站点。")
    phone.get_by_role("button", name="提交", exact=True).click()
    assert phone.get_by_text("已提交，等待审核。").is_visible()

    with app.app_context():
        pid = db.session.scalar(sa.select(Proposal.id))
        today = local_today().isoformat()

    # staff register, assign and record a reply
    login(desktop, base_url, "staff_a")
    desktop.goto(f"{base_url}/proposals/{pid}")
    desktop.get_by_role("button", name="立案", exact=True).click()
    desktop.get_by_label("主办单位").select_option(label="市交通运输局")
    desktop.get_by_label("交办日期").fill(today)
    desktop.get_by_role("button", name="交办", exact=True).click()
    desktop.get_by_label("答复内容").fill("已列入明年线网调整计划。")
    desktop.get_by_label("答复日期").fill(today)
    desktop.get_by_text("C 类：列入计划").click()
    desktop.get_by_role("button", name="登记答复").click()
    assert "答复已登记，等待代表评价。" in desktop.content()

    # the delegate is told, and is not satisfied
    phone.goto(f"{base_url}/activities/mine")
    assert phone.get_by_text("1 件建议已答复，等您评价").is_visible()
    phone.goto(f"{base_url}/proposals/{pid}")
    phone.get_by_text("不满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert (p.status, p.round, p.rating) == (ProposalStatus.HANDLING, 2, Rating.UNSATISFIED)
        assert p.due_on is not None

    # a second reply, and this time the delegate is satisfied
    desktop.goto(f"{base_url}/proposals/{pid}")
    desktop.get_by_label("答复内容").fill("站点已于本月设置并投入使用。")
    desktop.get_by_label("答复日期").fill(today)
    desktop.get_by_text("A 类：已解决").click()
    desktop.get_by_role("button", name="登记答复").click()
    phone.goto(f"{base_url}/proposals/{pid}")
    phone.get_by_text("满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价。" in phone.content()
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert (p.status, p.rating, len(p.replies)) == (ProposalStatus.CLOSED, Rating.SATISFIED, 2)
        assert [r.rating for r in p.replies] == [Rating.UNSATISFIED, Rating.SATISFIED]


def test_an_overdue_proposal_is_the_first_thing_staff_see(app, desktop, base_url, world):
    from datetime import timedelta

    from tracker.dates import local_today

    with app.app_context():
        pid = make_proposal(world.delegate_a)
        p = db.session.get(Proposal, pid)
        p.status = ProposalStatus.ASSIGNED
        p.assigned_on = local_today() - timedelta(days=120)
        p.due_on = local_today() - timedelta(days=29)
        db.session.commit()
    login(desktop, base_url, "staff_a")
    assert desktop.url.endswith("/review/")
    card = desktop.locator(".todo-cards a", has_text="建议已超期")
    assert card.inner_text().split()[-1] == "1"
    card.click()
    assert desktop.get_by_text("关于增设伏龙坪公交线路的建议").is_visible()
    assert desktop.get_by_text("已超期").first.is_visible()
