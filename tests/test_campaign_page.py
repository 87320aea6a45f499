"""The campaign page shows the letter's structure and links each call to its entries."""

import re

import sqlalchemy as sa

from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import CallToAction, Delegate

from . import factories


def test_campaign_page_shows_the_three_initiatives_and_their_calls(client, auth, world):
    auth.login("dele_a")
    page = client.get("/campaign/").get_data(as_text=True)
    assert "聚力强省会、代表有作为" in page
    assert "兰州市人民代表大会常务委员会" in page
    for headline in (
        "筑牢忠诚之魂，在提升站位强省会中走前列",
        "扛起担当之责，在履职到位强省会中当先锋",
        "汇聚人民之力，在竞相补位强省会中做模范",
    ):
        assert headline in page
    assert page.count('class="call mb-3"') == 12
    for label in ("党政机关代表", "企业家代表", "专业技术代表", "基层代表"):
        assert label in page


def _link_count(page: str, call_code: str) -> int:
    block = page.split(f'id="call-{call_code}"', 1)[1].split("</li>", 1)[0]
    return int(re.search(r"已记录 (\d+) 条", block).group(1))


def test_each_call_links_to_what_was_logged_under_it(app, client, auth, world):
    with app.app_context():
        call = db.session.scalar(sa.select(CallToAction).where(CallToAction.code == "i3-visit"))
        me = db.session.get(Delegate, world.delegate_a)
        other = db.session.get(Delegate, world.delegate_b)
        for delegate, status in (
            (me, ActivityStatus.SUBMITTED),
            (me, ActivityStatus.DRAFT),
            (other, ActivityStatus.SUBMITTED),
        ):
            activity = factories.make_activity(delegate, status=status)
            activity.call_id = call.id
        db.session.commit()

    auth.login("dele_a")  # own entries, drafts included
    page = client.get("/campaign/").get_data(as_text=True)
    assert _link_count(page, "i3-visit") == 2
    assert 'href="/activities/mine?call=i3-visit"' in page
    assert "共 2 条" in client.get("/activities/mine?call=i3-visit").get_data(as_text=True)
    auth.logout()

    auth.login("staff_city")  # everyone's submitted entries
    page = client.get("/campaign/").get_data(as_text=True)
    assert _link_count(page, "i3-visit") == 2
    assert "共 2 条" in client.get("/activities/?call=i3-visit").get_data(as_text=True)
    auth.logout()

    auth.login("staff_a")  # one delegation
    page = client.get("/campaign/").get_data(as_text=True)
    assert _link_count(page, "i3-visit") == 1
    assert "共 1 条" in client.get("/activities/?call=i3-visit").get_data(as_text=True)
