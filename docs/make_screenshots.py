"""Regenerate docs/screenshots/: the main pages at phone (390 px) and desktop width.

Builds a throw-away SQLite database with the campaign and the demo data, serves the app on
a loopback port and photographs each page in headless Chromium with a Chinese locale.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser import CHROMIUM_ARGS, chromium_path, serve  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.campaign.loader import load_campaign  # noqa: E402
from tracker.demo.accounts import DEMO_PASSWORD  # noqa: E402
from tracker.demo.builder import generate_demo  # noqa: E402
from tracker.extensions import db  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def build_app(workdir: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'shots.sqlite3'}",
            "SECRET_KEY": "screenshots-only-" + "x" * 32,
            "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
            "ROSTER_UPLOAD_FOLDER": str(workdir / "uploads"),
        }
    )
    with app.app_context():
        upgrade()
        load_campaign(app.config["DEFAULT_CAMPAIGN_FILE"])
        generate_demo()
        db.session.commit()
    return app


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def sample_roster(workdir: Path) -> Path:
    """The office's roster: four delegates on file (two changed), new ones, three bad rows."""
    import sqlalchemy as sa

    from tests.roster_files import xlsx_bytes
    from tracker.models import Delegate

    rows = []
    on_file = db.session.scalars(sa.select(Delegate).order_by(Delegate.id).limit(4))
    for n, d in enumerate(on_file):
        work = " ".join(p for p in (d.work_unit, d.job_title) if p)
        rows.append(
            [
                d.name,
                d.gender.label if d.gender else "",
                d.delegate_type.label,
                d.level.label,
                d.delegation.name,
                work + ("（兼）社区议事会召集人" if n == 2 else ""),
                "139 0931 2468" if n == 1 else d.phone,
                d.station.name if d.station else "",
            ]
        )
    rows += [
        [
            "赵红梅",
            "女",
            "基层代表",
            "市人大代表",
            "城关区",
            "伏龙坪社区党委书记",
            "+86 138-0931-0000",
            "伏龙坪社区代表之家",
        ],
        [
            "钱志强",
            "男",
            "企业家",
            "市级",
            "七里河区",
            "兰州恒通机械有限公司董事长",
            "１３８０９３１０００１",
            "",
        ],
        ["周建军", "男", "基层代表", "乡镇", "东岗区", "东岗镇村委会主任", "13809310003", ""],
        ["吴海燕", "女", "党政机关代表", "市人大代表", "榆中县", "和平镇党委书记", "1380931", ""],
        [
            "冯桂英",
            "女",
            "基层代表",
            "市人大代表",
            "西固区",
            "福利路街道社区主任",
            '=CONCAT("138","09310006")',
            "",
        ],
    ]
    path = workdir / "兰州市人大代表名册.xlsx"
    path.write_bytes(xlsx_bytes(rows, title="兰州市第十七届人大代表名册"))
    return path


def shoot(page, name: str, size: str) -> None:
    path = OUT / f"{name}-{size}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            roster = sample_roster(Path(tmp))
        with serve(app) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for size, viewport in SIZES.items():
                context = browser.new_context(
                    viewport=viewport,
                    locale="zh-CN",
                    device_scale_factor=1 if size == "desktop" else 2,
                )
                page = context.new_page()
                page.goto(f"{base}/auth/login")
                shoot(page, "login", size)
                login(page, base, "daibiao")
                page.goto(f"{base}/campaign/")
                shoot(page, "campaign", size)
                page.goto(f"{base}/activities/new")
                page.fill("#title", "走访伏龙坪社区老旧小区住户")
                page.click("label[for=visit_target_kind-0]")
                page.select_option("#concerns-0-category", label="住房与物业")
                page.fill("#concerns-0-content", "3号楼加装电梯费用分摊谈不拢，希望社区牵头协调")
                shoot(page, "activity-form", size)
                page.fill("#people_reached", "-3")
                page.click("button[name=submit_entry]")
                page.wait_for_load_state()
                shoot(page, "activity-form-errors", size)
                page.goto(f"{base}/activities/mine")
                shoot(page, "my-activities", size)
                returned = page.locator(".activity-row", has_text="已退回").first
                returned.locator("a").click()
                page.wait_for_load_state()
                shoot(page, "returned-activity", size)
                context.close()

                # staff: what waits for them, a review, a proposal and the concerns
                context = browser.new_context(
                    viewport=viewport,
                    locale="zh-CN",
                    device_scale_factor=1 if size == "desktop" else 2,
                )
                page = context.new_page()
                login(page, base, "staff")
                shoot(page, "review-queue", size)
                page.locator(".review-list a").first.click()
                page.wait_for_load_state()
                shoot(page, "review-detail", size)
                page.goto(f"{base}/proposals/?due=overdue")
                shoot(page, "proposals-overdue", size)
                page.goto(f"{base}/proposals/?status=handling")
                page.locator("main .stretched-link").first.click()
                page.wait_for_load_state()
                shoot(page, "proposal-detail", size)
                page.goto(f"{base}/concerns/?status=referred")
                shoot(page, "concerns", size)
                # the committee dashboard, one drill-down, a delegate's record
                page.goto(f"{base}/dashboard/")
                page.wait_for_function("document.querySelectorAll('.chart canvas').length >= 5")
                page.wait_for_timeout(800)  # let the charts finish their entry animation
                shoot(page, "dashboard", size)
                page.goto(f"{base}/dashboard/activities?kind=visit")
                shoot(page, "dashboard-drill-down", size)
                page.goto(f"{base}/delegates/")
                page.locator("main a[href*='/record']").first.click()
                page.wait_for_load_state()
                shoot(page, "delegate-record", size)
                # last month's summary, not yet closed: what staff check before closing it
                page.goto(f"{base}/summaries/")
                shoot(page, "summary", size)
                context.close()

                context = browser.new_context(
                    viewport=viewport,
                    locale="zh-CN",
                    device_scale_factor=1 if size == "desktop" else 2,
                )
                page = context.new_page()
                login(page, base, "daibiao")
                page.goto(f"{base}/delegates/me")
                shoot(page, "delegate-me", size)
                # what the form brings back after a reload or a dropped connection
                page.goto(f"{base}/activities/new")
                page.fill("#title", "走访和平镇养老服务站")
                page.wait_for_timeout(1000)  # the draft is kept after a pause in typing
                page.reload()
                page.wait_for_load_state()
                shoot(page, "draft-restored", size)
                # the reading aids, both on
                for aid in ("大字号", "护眼"):
                    page.locator("footer button", has_text=aid).click()
                    page.wait_for_load_state()
                page.goto(f"{base}/delegates/me")
                page.wait_for_load_state()
                shoot(page, "reading-aids", size)
                context.close()

                # admin: a roster with a few row errors, previewed before anything is written;
                # campaigns, stations and accounts
                context = browser.new_context(
                    viewport=viewport,
                    locale="zh-CN",
                    device_scale_factor=1 if size == "desktop" else 2,
                )
                page = context.new_page()
                login(page, base, "admin")
                page.goto(f"{base}/admin/roster")
                page.set_input_files("#file", str(roster))
                page.click("main button[type=submit]")
                page.wait_for_load_state()
                shoot(page, "roster-preview-errors", size)
                page.goto(f"{base}/admin/campaigns")
                shoot(page, "admin-campaigns", size)
                page.goto(f"{base}/admin/stations")
                shoot(page, "admin-stations", size)
                page.goto(f"{base}/admin/users")
                shoot(page, "admin-users", size)
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
