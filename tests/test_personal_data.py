"""Citizens' personal data: phone numbers masked wherever concerns are shown and absent from
exports; the whole number revealed only to those who handle or recorded the concern, on an
uncached page, each time audited; contacts anonymised after the retention period while every
figure stays the same."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.admin.accounts import create_user
from tracker.dates import Period
from tracker.enums import ActivityStatus, ConcernResolution, ConcernStatus, Role
from tracker.extensions import db
from tracker.models import (
    Activity,
    AuditEntry,
    Campaign,
    Concern,
    Delegate,
    utcnow,
)
from tracker.permissions import Scope
from tracker.reports import figures
from tracker.reports.filters import Filters
from tracker.reports.queries import ConcernFilters, concern_figures
from tracker.retention import anonymise_concern_contacts, retention_cutoff

from . import factories, test_dashboard

PHONE = "13912345678"
MASKED = "139****5678"
NAME = "刘桂芳"
MAY_2024 = date(2024, 5, 10)


# --- helpers -----------------------------------------------------------------------------------


def concern_with_contact(
    delegate_id: int,
    *,
    activity_status: ActivityStatus = ActivityStatus.APPROVED,
    phone: str = PHONE,
    name: str = NAME,
    occurred_on: date = MAY_2024,
) -> int:
    activity = factories.make_activity(
        db.session.get(Delegate, delegate_id),
        status=activity_status,
        concerns=1,
        occurred_on=occurred_on,
    )
    concern = activity.concerns[0]
    concern.raised_by_phone = phone
    concern.raised_by_name = name
    db.session.flush()
    return concern.id


def reveal_rows(concern_id: int | None = None) -> list[tuple[str, int, str]]:
    stmt = sa.select(AuditEntry).where(AuditEntry.action == "reveal_phone").order_by(AuditEntry.id)
    if concern_id is not None:
        stmt = stmt.where(AuditEntry.object_id == concern_id)
    return [(e.actor.username, e.object_id, e.object_type) for e in db.session.scalars(stmt)]


@pytest.fixture
def concern_id(app, world):
    with app.app_context():
        cid = concern_with_contact(world.delegate_a, activity_status=ActivityStatus.SUBMITTED)
        db.session.commit()
        return cid


@pytest.fixture
def staff_qilihe(app, world):
    with app.app_context():
        create_user(
            username="staff_b",
            display_name="七里河区工作人员",
            role=Role.STAFF,
            password=factories.PASSWORD,
            delegation=factories.delegation("qilihe"),
        )
        db.session.commit()


# --- masked wherever it is shown ------------------------------------------------------------------


def test_phone_is_masked_on_every_page_that_shows_a_concern(app, client, auth, world):
    with app.app_context():
        cid = concern_with_contact(world.delegate_a)
        activity_id = db.session.get(Concern, cid).activity_id
        db.session.commit()
    pages = {
        "staff_a": [
            "/concerns/",
            f"/concerns/{cid}",
            f"/activities/{activity_id}",
            f"/review/{activity_id}",
            "/dashboard/concerns?period=2024-05&which=raised",
        ],
        "dele_a": ["/concerns/", f"/concerns/{cid}", f"/activities/{activity_id}"],
    }
    for username, urls in pages.items():
        auth.login(username)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.get_data(as_text=True)
            assert MASKED in page, url
            assert PHONE not in page, url
        auth.logout()


def test_exports_carry_neither_the_phone_nor_the_name(app, client, auth, world):
    with app.app_context():
        concern_with_contact(world.delegate_a)
        db.session.commit()
    auth.login("staff_city")
    response = client.get("/summaries/export", query_string={"period": "2024-05", "format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any("测试活动" in c for c in cells), "the entry itself is exported"
    text = "\n".join(cells)
    for secret in (PHONE, MASKED, "5678", NAME):
        assert secret not in text

    response = client.get(
        "/summaries/export",
        query_string={"period": "2024-05", "format": "csv", "table": "activities"},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 2  # the header and the entry
    body = response.data.decode("utf-8-sig")
    for secret in (PHONE, MASKED, NAME):
        assert secret not in body


# --- revealing the whole number -------------------------------------------------------------------


@pytest.mark.parametrize("username", ["staff_a", "staff_city", "dele_a"])
def test_handling_staff_and_the_recording_delegate_see_the_number_once_and_it_is_audited(
    app, client, auth, concern_id, username
):
    auth.login(username)
    detail = client.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert f'action="/concerns/{concern_id}/reveal-phone"' in detail
    assert PHONE not in detail

    response = client.post(f"/concerns/{concern_id}/reveal-phone")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(rf'id="full-phone"><a href="tel:{PHONE}">{PHONE}</a>', page)
    assert "本次查看已记录" in page
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert reveal_rows() == [(username, concern_id, "concern")]
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "reveal_phone"))
        assert entry.request_id == response.headers["X-Request-Id"]

    # every look is another audit row, and the page's history stays about handling
    client.post(f"/concerns/{concern_id}/reveal-phone")
    with app.app_context():
        assert len(reveal_rows()) == 2
    detail = client.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert "reveal_phone" not in detail
    assert PHONE not in detail


@pytest.mark.parametrize("username", ["dele_a2", "dele_b", "staff_b"])
def test_anyone_else_gets_404_and_nothing_is_recorded(
    app, client, auth, concern_id, staff_qilihe, username
):
    auth.login(username)
    response = client.post(f"/concerns/{concern_id}/reveal-phone")
    assert response.status_code == 404
    assert PHONE not in response.get_data(as_text=True)
    with app.app_context():
        assert reveal_rows() == []


def test_staff_cannot_reveal_while_the_entry_is_back_with_its_delegate(app, client, auth, world):
    with app.app_context():
        cid = concern_with_contact(world.delegate_a, activity_status=ActivityStatus.RETURNED)
        db.session.commit()
    auth.login("staff_a")
    detail = client.get(f"/concerns/{cid}")
    assert detail.status_code == 200
    assert "reveal-phone" not in detail.get_data(as_text=True)
    assert client.post(f"/concerns/{cid}/reveal-phone").status_code == 404
    auth.logout()
    auth.login("dele_a")  # the delegate who recorded it still may
    assert client.post(f"/concerns/{cid}/reveal-phone").status_code == 200
    with app.app_context():
        assert reveal_rows(cid) == [("dele_a", cid, "concern")]


def test_a_drafts_concern_is_never_revealed(app, client, auth, world):
    with app.app_context():
        cid = concern_with_contact(world.delegate_a, activity_status=ActivityStatus.DRAFT)
        db.session.commit()
    for username in ("dele_a", "staff_a"):
        auth.login(username)
        assert client.post(f"/concerns/{cid}/reveal-phone").status_code == 404
        auth.logout()
    with app.app_context():
        assert reveal_rows() == []


def test_revealing_needs_a_post(client, auth, concern_id):
    auth.login("staff_a")
    assert client.get(f"/concerns/{concern_id}/reveal-phone").status_code == 405


def test_without_a_number_there_is_nothing_to_reveal_or_record(app, client, auth, world):
    with app.app_context():
        cid = concern_with_contact(world.delegate_a, phone="")
        db.session.commit()
    auth.login("staff_a")
    assert "reveal-phone" not in client.get(f"/concerns/{cid}").get_data(as_text=True)
    response = client.post(f"/concerns/{cid}/reveal-phone", follow_redirects=True)
    assert response.status_code == 200
    assert "这条诉求没有留联系电话，或已按保存期限删除。" in response.get_data(as_text=True)
    with app.app_context():
        assert reveal_rows() == []


class TestRevealNeedsCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_forged_post_reveals_nothing(self, app, client, auth, concern_id):
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        client.post(
            "/auth/login",
            data={
                "username": "staff_a",
                "password": factories.PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        response = client.post(f"/concerns/{concern_id}/reveal-phone")
        assert response.status_code == 400
        assert PHONE not in response.get_data(as_text=True)
        with app.app_context():
            assert reveal_rows() == []


# --- retention ------------------------------------------------------------------------------------

RETENTION_TODAY = date(2027, 7, 15)  # 36 months after 2024-07-15
fixed_today = test_dashboard.fixed_today  # the dashboard's fixed today (2024-06-10)
dashboard_data = test_dashboard.data


def other_campaign(code: str, ends_on: date | None) -> Campaign:
    campaign = Campaign(
        code=code,
        title=f"测试活动{code}",
        full_title=f"测试主题活动{code}",
        issuer="测试",
        signed_on=date(2020, 1, 1),
        starts_on=date(2020, 1, 1),
        ends_on=ends_on,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def concern_in(campaign: Campaign, delegate_id: int) -> int:
    cid = concern_with_contact(delegate_id, occurred_on=date(2021, 3, 1))
    db.session.get(Concern, cid).activity.campaign_id = campaign.id
    db.session.flush()
    return cid


@pytest.fixture
def retention_data(app, dashboard_data, world):
    """The dashboard's May 2024, with contacts on every concern and more concerns in every
    state; the active campaign ended 2024-06-30. Two other campaigns: one without an end date,
    one that ended exactly 36 months before the retention run."""
    with app.app_context():
        for concern in db.session.scalars(sa.select(Concern)):
            concern.raised_by_name, concern.raised_by_phone = NAME, PHONE
        delegate = db.session.get(Delegate, world.delegate_b)
        activity = factories.make_activity(
            delegate, status=ActivityStatus.APPROVED, occurred_on=date(2024, 5, 12), concerns=4
        )
        states = [
            (ConcernStatus.REFERRED, None),
            (ConcernStatus.RESOLVED, ConcernResolution.RESOLVED),
            (ConcernStatus.UNRESOLVABLE, ConcernResolution.UNRESOLVABLE),
            (ConcernStatus.FED_BACK, ConcernResolution.UNRESOLVABLE),
        ]
        # a name only, a phone only (twice), neither
        contacts_given = [("某某公司", ""), ("", "0931-8888888"), ("", "0931-8888888"), ("", "")]
        for concern, (status, resolution), (name, phone) in zip(
            activity.concerns, states, contacts_given, strict=True
        ):
            concern.status, concern.resolution = status, resolution
            concern.raised_by_name, concern.raised_by_phone = name, phone
        factories.campaign().ends_on = date(2024, 6, 30)
        endless = other_campaign("endless", None)
        recent = other_campaign("recent", retention_cutoff(RETENTION_TODAY, 36))
        ids = {
            "endless": concern_in(endless, world.delegate_a),
            "recent": concern_in(recent, world.delegate_a),
        }
        db.session.commit()
        ids["active"] = [
            c.id
            for c in db.session.scalars(
                sa.select(Concern)
                .join(Activity)
                .where(Activity.campaign_id == factories.campaign().id)
                .order_by(Concern.id)
            )
        ]
        return ids


@pytest.fixture
def retention_today(monkeypatch):
    monkeypatch.setattr("tracker.cli.local_today", lambda: RETENTION_TODAY)
    monkeypatch.setattr("tracker.summaries.views.local_today", lambda: test_dashboard.TODAY)


def contacts(ids: list[int]) -> list[tuple[str, str, bool]]:
    return [
        (c.raised_by_name, c.raised_by_phone, c.anonymised_at is not None)
        for c in db.session.scalars(
            sa.select(Concern).where(Concern.id.in_(ids)).order_by(Concern.id)
        )
    ]


def retention_audit() -> list[tuple[str, str, str]]:
    return [
        (e.object_type, e.action, e.note)
        for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "anonymise_contacts")
        )
    ]


def test_cutoff_is_whole_months_back():
    assert retention_cutoff(date(2027, 7, 15), 36) == date(2024, 7, 15)
    assert retention_cutoff(date(2027, 3, 31), 1) == date(2027, 2, 28)
    assert retention_cutoff(date(2028, 2, 29), 48) == date(2024, 2, 29)
    assert retention_cutoff(date(2027, 1, 10), 13) == date(2025, 12, 10)


def test_dry_run_counts_and_changes_nothing(app, runner, retention_data, retention_today):
    with app.app_context():
        before = contacts(retention_data["active"])
    result = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "campaigns that ended before 2024-07-15" in result.output
    assert (
        "lanzhou-2023 (ended 2024-06-30): would anonymise 7 concerns, 6 with a name or phone number"
        in result.output
    )
    assert "would anonymise 7 concerns in total" in result.output
    with app.app_context():
        assert contacts(retention_data["active"]) == before
        assert all(name == NAME for name, _, _ in before[:3])
        assert retention_audit() == []


def test_apply_blanks_contacts_of_ended_campaigns_once_and_is_audited(
    app, runner, retention_data, retention_today
):
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    assert (
        "lanzhou-2023 (ended 2024-06-30): anonymised 7 concerns, 6 with a name or phone number"
        in result.output
    )
    assert "endless" not in result.output and "recent" not in result.output
    with app.app_context():
        assert contacts(retention_data["active"]) == [("", "", True)] * 7
        # no end date: never; ended exactly 36 months ago: not yet
        assert contacts([retention_data["endless"], retention_data["recent"]]) == [
            (NAME, PHONE, False),
            (NAME, PHONE, False),
        ]
        assert retention_audit() == [
            (
                "campaign",
                "anonymise_contacts",
                "concerns=7; with_contact=6; ended=2024-06-30; retention_months=36",
            )
        ]
        stamps = [
            c.anonymised_at
            for c in db.session.scalars(
                sa.select(Concern).where(Concern.id.in_(retention_data["active"]))
            )
        ]

    again = runner.invoke(args=["retention", "apply"])
    assert again.exit_code == 0, again.output
    assert "anonymised 0 concerns in total" in again.output
    with app.app_context():
        assert len(retention_audit()) == 1
        assert [
            c.anonymised_at
            for c in db.session.scalars(
                sa.select(Concern).where(Concern.id.in_(retention_data["active"]))
            )
        ] == stamps


def test_the_retention_period_comes_from_the_config(app, runner, retention_data, retention_today):
    app.config["RETENTION_MONTHS"] = 48  # cutoff 2023-07-15: nothing ended before it
    result = runner.invoke(args=["retention", "apply"])
    assert "anonymised 0 concerns in total" in result.output
    app.config["RETENTION_MONTHS"] = 12  # cutoff 2026-07-15: the "recent" campaign too
    result = runner.invoke(args=["retention", "apply"])
    assert "recent (ended 2024-07-15): anonymised 1 concerns" in result.output
    assert "endless" not in result.output


def page_without_tokens(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def test_every_figure_of_the_period_is_the_same_after_anonymising(
    app, client, auth, runner, retention_data, retention_today
):
    may = Period.month(2024, 5)
    everything = Scope(everything=True)

    def figures_now():
        with app.app_context():
            return (
                figures.concern_period_figures(everything, may, Filters()),
                concern_figures(everything, ConcernFilters()),
                figures.activity_totals(everything, may, Filters()),
                figures.by_delegation(everything, may, Filters()),
            )

    auth.login("staff_city")
    urls = [
        "/dashboard/?period=2024-05",
        "/dashboard/?period=2024-04..2024-06",
        "/summaries/?period=2024-05",
    ]
    before_pages = [page_without_tokens(client, url) for url in urls]
    before = figures_now()
    assert before[0].raised == 6 and before[0].resolved == 2 and before[0].unresolvable == 2
    concern_list = page_without_tokens(client, "/concerns/")
    # three concerns of the campaign, one of each other campaign
    assert concern_list.count(MASKED) == 5 and concern_list.count(NAME) == 5

    result = runner.invoke(args=["retention", "apply"])
    assert "anonymised 7 concerns" in result.output

    assert figures_now() == before
    assert [page_without_tokens(client, url) for url in urls] == before_pages
    after_list = page_without_tokens(client, "/concerns/")
    assert after_list.count(MASKED) == 2 and after_list.count(NAME) == 2
    assert "093****8888" in concern_list and "093****8888" not in after_list
    for fig in ("fig-raised", "fig-resolved", "fig-unresolvable", "fig-fed-back", "fig-rate"):
        pattern = rf'id="{fig}">([^<]*)<'
        assert re.search(pattern, after_list).group(1) == re.search(pattern, concern_list).group(1)


def test_an_anonymised_concern_has_nothing_left_to_reveal(
    app, client, auth, runner, retention_data, retention_today
):
    runner.invoke(args=["retention", "apply"])
    cid = retention_data["active"][0]
    auth.login("staff_city")
    response = client.post(f"/concerns/{cid}/reveal-phone", follow_redirects=True)
    assert "这条诉求没有留联系电话，或已按保存期限删除。" in response.get_data(as_text=True)
    with app.app_context():
        assert reveal_rows() == []


def test_the_service_flushes_but_never_commits(app, retention_data):
    with app.app_context():
        results = anonymise_concern_contacts(RETENTION_TODAY, 36)
        assert [r.concerns for r in results] == [7]
        db.session.rollback()
        assert contacts(retention_data["active"][:1]) == [(NAME, PHONE, False)]
        assert utcnow()  # the session is still usable
