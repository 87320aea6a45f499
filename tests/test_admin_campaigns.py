"""Administering campaigns: upload a campaign file, choose the active one, read past ones."""

from __future__ import annotations

import html as html_lib
import io
import re
import tempfile

import pytest
import sqlalchemy as sa

from tracker.campaign.loader import CAMPAIGN_DIR, active_campaign
from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import (
    ActivityKind,
    AuditEntry,
    CallToAction,
    Campaign,
    ConcernCategory,
    Delegate,
    Delegation,
    FocusArea,
    HandlingBody,
    Initiative,
    ProposalLabel,
)

from . import factories

PACKAGED = (CAMPAIGN_DIR / "lanzhou-2023.toml").read_text(encoding="utf-8")
TABLES = (
    Campaign,
    Initiative,
    CallToAction,
    ActivityKind,
    FocusArea,
    ProposalLabel,
    ConcernCategory,
    Delegation,
    HandlingBody,
    AuditEntry,
)


def second_campaign_text(code: str = "lanzhou-2025") -> str:
    """The packaged letter as a later campaign: another code, title and dates."""
    text = PACKAGED.replace('code = "lanzhou-2023"', f'code = "{code}"', 1)
    text = text.replace('title = "聚力强省会、代表有作为"', 'title = "强省会再出发"', 1)
    text = text.replace("signed_on = 2023-08-24", "signed_on = 2025-03-01", 1)
    text = text.replace("starts_on = 2023-08-24", "starts_on = 2025-03-01", 1)
    assert text.count(f'"{code}"') == 1 and "强省会再出发" in text
    return text


def upload(
    client,
    raw: bytes,
    filename: str = "lanzhou-2025.toml",
    activate: bool = False,
    follow: bool = False,
):
    data = {"file": (io.BytesIO(raw), filename)}
    if activate:
        data["activate"] = "y"
    return client.post(
        "/admin/campaigns", data=data, content_type="multipart/form-data", follow_redirects=follow
    )


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {
            model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in TABLES
            if model is not AuditEntry
        }
        # changes only: logins and refusals are audited too, as object type auth
        counts["audit_entry"] = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.object_type != "auth")
        )
        counts["active"] = ",".join(
            db.session.scalars(
                sa.select(Campaign.code).where(Campaign.is_active).order_by(Campaign.code)
            )
        )
        return counts


def file_error(page: str) -> str:
    """The text shown next to the file field (all problems, whitespace squeezed)."""
    match = re.search(
        r'<div class="invalid-feedback d-block" id="file-error">(.*?)</div>', page, re.S
    )
    assert match, "no error shown next to the file field"
    text = re.sub(r"<[^>]+>", " ", match.group(1))
    return " ".join(html_lib.unescape(text).split())


def problems(page: str) -> list[str]:
    block = page.split('id="file-error"', 1)[1].split("</div>", 1)[0]
    return [
        html_lib.unescape(p).strip()
        for p in re.findall(r'<li class="text-break">(.*?)</li>', block, re.S)
    ]


def call_count(page: str, call_code: str) -> int:
    block = page.split(f'id="call-{call_code}"', 1)[1].split("</li>", 1)[0]
    return int(re.search(r"已记录 (\d+) 条", block).group(1))


def campaign_audit(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                AuditEntry.action, AuditEntry.from_state, AuditEntry.to_state, AuditEntry.note
            )
            .where(AuditEntry.object_type == "campaign")
            .order_by(AuditEntry.id)
        )
        return [tuple(r) for r in rows]


@pytest.fixture
def admin(client, auth, world):
    auth.login("admin")
    return client


@pytest.fixture
def upload_dir(tmp_path, monkeypatch):
    """Where the loader's temporary copy goes, so the test can see it is removed."""
    directory = tmp_path / "uploads"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def approved_visit_under_active_campaign(app, world) -> None:
    with app.app_context():
        call = db.session.scalar(sa.select(CallToAction).where(CallToAction.code == "i3-visit"))
        activity = factories.make_activity(
            db.session.get(Delegate, world.delegate_a), status=ActivityStatus.APPROVED
        )
        activity.call_id = call.id
        db.session.commit()


# --- the list and an upload ------------------------------------------------------------------


def test_the_campaigns_page_lists_the_loaded_campaign_as_active(app, admin):
    page = admin.get("/admin/campaigns").get_data(as_text=True)
    assert "“聚力强省会、代表有作为”" in page
    assert "兰州市人民代表大会常务委员会" in page
    assert page.count('<span class="badge text-bg-success">当前</span>') == 1
    assert 'enctype="multipart/form-data"' in page
    assert "设为当前主题活动" in page


def test_a_second_campaign_file_is_loaded_listed_and_left_inactive(app, admin, upload_dir):
    before = row_counts(app)
    response = upload(admin, second_campaign_text().encode("utf-8"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/campaigns")

    with app.app_context():
        new = db.session.scalar(sa.select(Campaign).where(Campaign.code == "lanzhou-2025"))
        assert (new.title, new.is_active) == ("强省会再出发", False)
        assert active_campaign().code == "lanzhou-2023"
        assert db.session.scalar(sa.select(sa.func.count()).where(Campaign.is_active)) == 1
        assert len(new.initiatives) == 3
        assert sum(len(i.calls) for i in new.initiatives) == 12
        assert len(new.kinds) == 10
    after = row_counts(app)
    assert after["campaign"] == before["campaign"] + 1
    assert after["activity_kind"] == before["activity_kind"] + 10
    # The file's delegations and handling bodies already exist: matched by code, not duplicated.
    assert after["delegation"] == before["delegation"]
    assert after["handling_body"] == before["handling_body"]
    assert list(upload_dir.iterdir()) == []  # the loader's temporary copy is gone

    page = admin.get("/admin/campaigns").get_data(as_text=True)
    assert (
        "已载入新的主题活动“强省会再出发”：主题活动 新增 1；倡议 新增 3；号召 新增 12；活动类型 新增 10"
        in page
    )
    assert "“强省会再出发”没有设为当前主题活动" in page
    assert page.count('<span class="badge text-bg-secondary">非当前</span>') == 1
    assert page.count("设为当前主题活动</button>") == 1
    [(action, _f, _t, note)] = campaign_audit(app)
    assert action == "load" and "activity_kind: created 10" in note


def test_uploading_the_same_file_again_changes_nothing(app, admin, upload_dir):
    raw = second_campaign_text().encode("utf-8")
    assert upload(admin, raw).status_code == 302
    before = row_counts(app)
    page = upload(admin, raw, follow=True).get_data(as_text=True)
    assert "主题活动“强省会再出发”已是这个文件的内容，没有任何变化。" in page
    assert row_counts(app) == before
    # the packaged campaign's own file, too
    page = upload(admin, PACKAGED.encode("utf-8"), "lanzhou-2023.toml", follow=True).get_data(
        as_text=True
    )
    assert "主题活动“聚力强省会、代表有作为”已是这个文件的内容，没有任何变化。" in page
    assert row_counts(app) == before
    assert list(upload_dir.iterdir()) == []


def test_a_file_saved_with_a_byte_order_mark_loads(app, admin):
    response = upload(admin, second_campaign_text().encode("utf-8-sig"))
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Campaign.title).where(Campaign.code == "lanzhou-2025"))
            == "强省会再出发"
        )


def test_uploading_with_the_checkbox_makes_it_the_active_campaign(app, admin):
    page = upload(
        admin, second_campaign_text().encode("utf-8"), activate=True, follow=True
    ).get_data(as_text=True)
    assert "“强省会再出发”现在是当前主题活动" in page
    with app.app_context():
        assert active_campaign().code == "lanzhou-2025"
        assert db.session.scalar(sa.select(sa.func.count()).where(Campaign.is_active)) == 1
    assert [a[:3] for a in campaign_audit(app)] == [
        ("load", "", ""),
        ("activate", "inactive", "active"),
    ]
    assert campaign_audit(app)[1][3] == "lanzhou-2023 → lanzhou-2025"


# --- files that are refused -----------------------------------------------------------------


def test_a_broken_toml_file_is_refused_with_its_problem_and_changes_nothing(app, admin, upload_dir):
    before = row_counts(app)
    response = upload(admin, b"this is = not [valid", "broken.toml")
    assert response.status_code == 200
    message = file_error(response.get_data(as_text=True))
    assert message.startswith("broken.toml: not a valid TOML file:")
    assert "campaign-upload-" not in message  # the temporary copy's name is never shown
    assert row_counts(app) == before
    assert list(upload_dir.iterdir()) == []


def test_a_file_missing_required_parts_lists_every_problem_and_changes_nothing(app, admin):
    text = second_campaign_text()
    text = text.replace('code = "lanzhou-2025"', 'code = ""', 1)
    text = text.replace('issuer = "兰州市人民代表大会常务委员会"\n', "", 1)
    text = text.replace("starts_on = 2025-03-01", 'starts_on = "soon"', 1)
    text = text.replace('kinds = ["study"]', 'kinds = ["no-such-kind"]', 1)
    before = row_counts(app)
    response = upload(admin, text.encode("utf-8"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "文件有 4 处问题，没有做任何更改：" in file_error(page)
    assert problems(page) == [
        "campaign.code is required",
        "campaign.issuer is required",
        "campaign.starts_on must be a date (YYYY-MM-DD)",
        "calls.i1-study: unknown kinds [&#39;no-such-kind&#39;]".replace("&#39;", "'"),
    ]
    assert 'aria-invalid="true"' in page
    assert row_counts(app) == before


def test_a_file_without_a_campaign_table_is_refused(app, admin):
    before = row_counts(app)
    page = upload(
        admin, '[[kinds]]\ncode = "visit"\nname = "走访"\n'.encode(), "kinds.toml"
    ).get_data(as_text=True)
    assert file_error(page) == "missing [campaign] table"
    assert row_counts(app) == before


def test_a_gbk_file_is_refused_with_a_clear_message(app, admin):
    before = row_counts(app)
    page = upload(admin, second_campaign_text().encode("gbk")).get_data(as_text=True)
    assert file_error(page) == (
        "文件是 GBK（GB2312）编码的。请用记事本或 WPS 打开，“另存为”时把编码选为 UTF-8，再上传。"
    )
    assert row_counts(app) == before


def test_a_binary_file_is_refused_as_not_utf8_text(app, admin):
    page = upload(admin, bytes([0xFF, 0x00, 0x80, 0xFE]) * 10, "image.toml").get_data(as_text=True)
    assert file_error(page) == "文件不是 UTF-8 编码的文本，请检查是否选错了文件。"


def test_a_file_over_one_megabyte_is_refused(app, admin, upload_dir):
    before = row_counts(app)
    raw = second_campaign_text().encode("utf-8")
    raw += b"#" * (1024 * 1024 + 1 - len(raw))
    assert len(raw) == 1024 * 1024 + 1
    page = upload(admin, raw).get_data(as_text=True)
    assert file_error(page) == "文件不能超过 1 MB，请检查是否选错了文件。"
    assert row_counts(app) == before
    assert list(upload_dir.iterdir()) == []


def test_only_toml_files_are_taken_and_a_file_is_required(app, admin):
    before = row_counts(app)
    page = upload(admin, second_campaign_text().encode("utf-8"), "campaign.txt").get_data(
        as_text=True
    )
    assert file_error(page) == "只能上传 .toml 格式的主题活动文件。"
    page = admin.post("/admin/campaigns", data={}, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert file_error(page) == "请选择要上传的主题活动文件。"
    assert row_counts(app) == before


# --- the active campaign, and past ones stay readable ------------------------------------------


def test_activating_a_campaign_leaves_exactly_one_active_and_old_data_readable(
    app, admin, auth, client, world
):
    approved_visit_under_active_campaign(app, world)
    assert upload(admin, second_campaign_text().encode("utf-8")).status_code == 302
    with app.app_context():
        old_id = active_campaign().id
        new_id = db.session.scalar(sa.select(Campaign.id).where(Campaign.code == "lanzhou-2025"))

    response = admin.post(f"/admin/campaigns/{new_id}/activate")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/campaigns#campaign-{new_id}"
    with app.app_context():
        assert active_campaign().id == new_id
        assert db.session.scalars(sa.select(Campaign.id).where(Campaign.is_active)).all() == [
            new_id
        ]
    assert campaign_audit(app)[-1] == (
        "activate",
        "inactive",
        "active",
        "lanzhou-2023 → lanzhou-2025",
    )

    # Activating it again is a no-op with a message, and writes no audit row.
    page = admin.post(f"/admin/campaigns/{new_id}/activate", follow_redirects=True).get_data(
        as_text=True
    )
    assert "“强省会再出发”已经是当前主题活动。" in page
    assert len(campaign_audit(app)) == 2

    auth.logout()
    auth.login("staff_city")
    current = client.get("/campaign/").get_data(as_text=True)
    assert "“强省会再出发”" in current
    assert call_count(current, "i3-visit") == 0  # the old campaign's entry is not counted here
    assert 'aria-label="选择主题活动"' in current
    assert 'href="/campaign/lanzhou-2023"' in current

    for url in ("/campaign/lanzhou-2023", "/campaign/?c=lanzhou-2023"):
        old = client.get(url).get_data(as_text=True)
        assert "“聚力强省会、代表有作为”" in old
        assert old.count('class="call mb-3"') == 12
        assert call_count(old, "i3-visit") == 1
        assert "这不是当前主题活动，倡议和记录仅供查看。" in old
        assert "新记录计入当前主题活动“强省会再出发”。" in old
        assert 'aria-current="page"' in old

    # and back again
    auth.logout()
    auth.login("admin")
    assert client.post(f"/admin/campaigns/{old_id}/activate").status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Campaign.id).where(Campaign.is_active)).all() == [
            old_id
        ]


def test_one_campaign_shows_no_switcher_and_an_unknown_code_is_404(client, auth, world):
    auth.login("dele_a")
    page = client.get("/campaign/").get_data(as_text=True)
    assert "选择主题活动" not in page
    assert "这不是当前主题活动" not in page
    assert client.get("/campaign/no-such-campaign").status_code == 404
    assert client.get("/campaign/?c=no-such-campaign").status_code == 404


def test_activating_an_unknown_campaign_is_404(admin):
    assert admin.post("/admin/campaigns/999999/activate").status_code == 404


# --- who may ---------------------------------------------------------------------------------


CAMPAIGN_URLS = [
    ("GET", "/admin/campaigns"),
    ("POST", "/admin/campaigns"),
    ("POST", "/admin/campaigns/{id}/activate"),
]


@pytest.mark.parametrize("username", ["dele_a", "staff_a", "staff_city"])
def test_only_admins_manage_campaigns(app, client, auth, world, username):
    with app.app_context():
        campaign_id = active_campaign().id
    before = row_counts(app)
    auth.login(username)
    for method, url in CAMPAIGN_URLS:
        url = url.format(id=campaign_id)
        if method == "POST" and url == "/admin/campaigns":
            response = upload(client, second_campaign_text().encode("utf-8"), activate=True)
        else:
            response = client.open(url, method=method)
        assert response.status_code == 403, f"{method} {url}"
    assert row_counts(app) == before


def test_anonymous_users_are_sent_to_log_in(app, client):
    with app.app_context():
        campaign_id = active_campaign().id
    for method, url in CAMPAIGN_URLS:
        response = client.open(url.format(id=campaign_id), method=method)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


def test_the_activate_button_works_with_csrf_protection_on(app, admin):
    assert upload(admin, second_campaign_text().encode("utf-8")).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    page = admin.get("/admin/campaigns").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="(/admin/campaigns/\d+/activate)">(.*?)</form>', page, re.S
    )
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.group(2)).group(1)
    assert admin.post(form.group(1)).status_code == 400
    assert admin.post(form.group(1), data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert active_campaign().code == "lanzhou-2025"


def test_a_value_the_checks_miss_but_the_loader_cannot_use_changes_nothing(app, admin, upload_dir):
    # The campaign row is written before the initiatives; the failure must take it back too.
    text = second_campaign_text().replace("number = 2\n", 'number = "二"\n', 1)
    before = row_counts(app)
    response = upload(admin, text.encode("utf-8"))
    assert response.status_code == 200
    assert file_error(response.get_data(as_text=True)).startswith(
        "文件中有内容无法写入数据库：ValueError: invalid literal for int()"
    )
    assert row_counts(app) == before
    assert list(upload_dir.iterdir()) == []
