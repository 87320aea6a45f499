"""Every main page in a real browser, as the role that uses it: axe-core finds no serious or
critical violation at phone width (390 px) or on a desktop; at 360 × 740 nothing scrolls
sideways and every control is at least 44 px tall; the keyboard reaches the skip link first,
the skip link moves focus to <main>, and whatever has focus shows it.

The pages are built once for the module (a small cast with content on every page) and each
role logs in once; its session is copied into the other browser contexts it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker.campaign.loader import load_campaign
from tracker.enums import ActivityStatus, ProposalOutcome
from tracker.extensions import db
from tracker.models import Activity, Delegate, HandlingBody, Proposal, User

from . import factories
from .browser import assert_no_sideways_scroll, login, serve
from .conftest import empty_all_tables, make_config
from .roster_files import xlsx_bytes
from .test_proposals import make_proposal

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
MIN_TARGET = 44  # px, the height every control must reach on a phone


# --- the site: one app, one dataset, one server for the whole module -----------------------------


@dataclass
class Site:
    url: str
    ids: dict[str, int]
    upload_folder: Path


def _seed() -> dict[str, int]:
    """The shared cast (tests/factories.py) with a month of entries, and on top of it what the
    other pages need to show content: concerns (one referred), a proposal with a reply, a
    returned entry, and the notifications those steps send the delegate."""
    from tracker.activities import rollups
    from tracker.concerns.services import refer_concern
    from tracker.proposals.services import assign_proposal, record_reply, register_proposal
    from tracker.review.services import return_activity

    world = factories.make_world()
    factories.make_bulletin_month(world)
    a = db.session.get(Delegate, world.delegate_a)
    staff = db.session.scalar(sa.select(User).where(User.username == "staff_city"))
    body = db.session.scalar(sa.select(HandlingBody).where(HandlingBody.name == "市交通运输局"))

    visit = factories.make_activity(
        a,
        occurred_on=date(2024, 5, 14),
        status=ActivityStatus.APPROVED,
        people_reached=12,
        concerns=2,
        title="走访伏龙坪社区",
    )
    visit.description = "入户走访独居老人，记录诉求两件。"
    visit.outcome = "诉求已转交街道办理。"
    concern = visit.concerns[0]
    concern.content = "小区门口公交站台没有遮雨棚"
    concern.raised_by_name, concern.raised_by_phone = "王大爷", "13809310000"
    db.session.flush()
    refer_concern(concern, staff, body, expected_version=concern.version)

    returned = factories.make_activity(a, occurred_on=date(2024, 5, 18), title="社区议事会")
    db.session.flush()
    return_activity(returned, staff, "请补充参加人数", expected_version=returned.version)

    pid = make_proposal(
        world.delegate_a, activity_status=ActivityStatus.APPROVED, occurred_on=date(2024, 5, 6)
    )
    proposal = db.session.get(Proposal, pid)
    register_proposal(proposal, staff, expected_version=proposal.version)
    assign_proposal(
        proposal,
        staff,
        lead_handler=body,
        assigned_on=date(2024, 5, 20),
        expected_version=proposal.version,
    )
    record_reply(
        proposal,
        staff,
        text="已将线路纳入明年公交线网优化方案。",
        replied_on=date(2024, 6, 3),
        outcome=ProposalOutcome.B,
        expected_version=proposal.version,
    )
    rollups.rebuild()

    submitted = db.session.scalar(
        sa.select(Activity.id)
        .where(Activity.status == ActivityStatus.SUBMITTED)
        .order_by(Activity.id)
        .limit(1)
    )
    return {
        "a": world.delegate_a,
        "visit": visit.id,
        "concern": concern.id,
        "proposal": pid,
        "submitted": submitted,
    }


@pytest.fixture(scope="module")
def site(migrated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("a11y")
    # static files cached by the browser between pages, as a real deployment would
    app = create_app(
        make_config(
            migrated,
            folder,
            WTF_CSRF_ENABLED=True,
            ROSTER_UPLOAD_FOLDER=str(folder / "uploads"),
            SEND_FILE_MAX_AGE_DEFAULT=3600,
        )
    )
    with app.app_context():
        empty_all_tables()
        load_campaign(app.config["DEFAULT_CAMPAIGN_FILE"])
        with app.test_request_context():  # the services link their notifications with url_for
            ids = _seed()
        db.session.commit()
    try:
        with serve(app) as url:
            yield Site(url, ids, folder)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- the pages ------------------------------------------------------------------------------------


def _form_with_errors(page, site: Site) -> None:
    """Submit the activity form with a negative head count and no title."""
    page.goto(f"{site.url}/activities/new")
    page.fill("#people_reached", "-3")
    page.click("button[name=submit_entry]")
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() > 0, "the form showed no error"


def _roster_preview(page, site: Site) -> None:
    """Upload a roster with a bad row and open its preview."""
    rows = [
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
        ["吴海燕", "女", "党政机关代表", "市人大代表", "榆中县", "和平镇党委书记", "1380931", ""],
    ]
    path = site.upload_folder / "名册.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    page.goto(f"{site.url}/admin/roster")
    page.set_input_files("#file", str(path))
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/roster/*")


@dataclass(frozen=True)
class Page:
    id: str
    role: str | None  # the user name that uses it; None: logged out
    path: str = ""  # formatted with the site's ids
    prepare: Callable | None = None  # brings the page up (page, site) instead of a path
    focus_on_load: str = ""  # what the page's own script focuses when it opens


PAGES = [
    Page("login", None, "/auth/login"),
    # a delegate
    Page("delegate-me", "dele_a", "/delegates/me"),
    Page("my-activities", "dele_a", "/activities/mine"),
    Page("activity-form", "dele_a", "/activities/new"),
    Page("activity-form-errors", "dele_a", prepare=_form_with_errors, focus_on_load=".is-invalid"),
    Page("activity-detail", "dele_a", "/activities/{visit}"),
    Page("my-proposals", "dele_a", "/proposals/"),
    Page("notifications", "dele_a", "/notifications/"),
    Page("campaign", "dele_a", "/campaign/"),
    Page("change-password", "dele_a", "/auth/password"),
    # city staff
    Page("dashboard", "staff_city", "/dashboard/?period=2024-05"),
    Page("dashboard-drill-down", "staff_city", "/dashboard/activities?period=2024-05"),
    Page("review-queue", "staff_city", "/review/"),
    Page("review-detail", "staff_city", "/review/{submitted}"),
    Page("activities", "staff_city", "/activities/"),
    Page("proposals", "staff_city", "/proposals/"),
    Page("proposal-detail", "staff_city", "/proposals/{proposal}"),
    Page("concerns", "staff_city", "/concerns/"),
    Page("concern-detail", "staff_city", "/concerns/{concern}"),
    Page("delegates", "staff_city", "/delegates/"),
    Page("delegate-record", "staff_city", "/delegates/{a}/record"),
    Page("summary", "staff_city", "/summaries/?period=2024-05"),
    # an administrator
    Page("admin", "admin", "/admin/"),
    Page("admin-users", "admin", "/admin/users"),
    Page("admin-roster", "admin", "/admin/roster"),
    Page("admin-roster-preview", "admin", prepare=_roster_preview),
    Page("admin-campaigns", "admin", "/admin/campaigns"),
    Page("admin-stations", "admin", "/admin/stations"),
]
BY_ID = {p.id: p for p in PAGES}


def open_page(page, site: Site, spec: Page) -> None:
    errors: list[str] = []

    def on_error(error) -> None:
        errors.append(str(error))

    page.on("pageerror", on_error)
    if spec.prepare is not None:
        spec.prepare(page, site)
    else:
        response = page.goto(site.url + spec.path.format(**site.ids))
        assert response is not None and response.status == 200, (
            f"{spec.id}: {response and response.status}"
        )
    page.wait_for_load_state("load")
    page.remove_listener("pageerror", on_error)
    assert errors == [], f"{spec.id}: script errors {errors}"


# --- browser contexts, one per role and kind, logged in once ----------------------------------------

CONTEXTS = {
    # axe needs its script in the page: these contexts ignore the app's CSP (the app keeps it)
    "axe-phone": {
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "bypass_csp": True,
    },
    "axe-desktop": {"viewport": DESKTOP, "bypass_csp": True},
    "small-phone": {
        "viewport": SMALL_PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "reduced_motion": "reduce",
    },
    "keyboard": {"viewport": DESKTOP, "reduced_motion": "reduce"},
}


class Sessions:
    def __init__(self, browser, site: Site):
        self.browser, self.site = browser, site
        self.states: dict[str | None, dict] = {}
        self.pages: dict[tuple[str, str | None], object] = {}

    def state(self, role: str | None) -> dict | None:
        if role is None:
            return None
        if role not in self.states:
            context = self.browser.new_context(locale="zh-CN")
            page = context.new_page()
            login(page, self.site.url, role)
            assert "/auth/login" not in page.url, f"{role} could not log in"
            self.states[role] = context.storage_state()
            context.close()
        return self.states[role]

    def page(self, kind: str, role: str | None):
        key = (kind, role)
        if key not in self.pages:
            context = self.browser.new_context(
                locale="zh-CN", storage_state=self.state(role), **CONTEXTS[kind]
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            self.pages[key] = page
        return self.pages[key]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture(scope="module")
def sessions(browser, site):
    sessions = Sessions(browser, site)
    yield sessions
    sessions.close()


# --- axe-core -----------------------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; its violations, each with impact, rule id and targets."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
        }"""
    )


def describe(spec: Page, violations: list[dict]) -> str:
    lines = [f"{spec.id} ({spec.path or spec.prepare.__name__}):"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:8]:
            why = [line.strip() for line in (node["summary"] or "").splitlines()[1:2]]
            lines.append(f"      {node['target']}" + (f" — {why[0]}" if why else ""))
    return "\n".join(lines)


def test_axe_core_is_installed():
    assert AXE.is_file(), "node_modules/axe-core/axe.min.js is missing: run npm ci"


@pytest.mark.parametrize("kind", ["axe-phone", "axe-desktop"], ids=["phone", "desktop"])
@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_no_serious_accessibility_violation(sessions, site, spec, kind):
    page = sessions.page(kind, spec.role)
    open_page(page, site, spec)
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], describe(spec, serious)


def test_axe_reports_a_serious_violation_when_there_is_one(sessions, site):
    """axe really runs in the page: an image without a text alternative is found."""
    page = sessions.page("axe-desktop", None)
    open_page(page, site, BY_ID["login"])
    page.evaluate("""() => { const img = document.createElement('img'); img.id = 'no-alt';
                             img.src = '/static/favicon.svg'; document.querySelector('main').append(img); }""")
    found = {(v["id"], v["impact"], n["target"]) for v in axe_violations(page) for n in v["nodes"]}
    assert ("image-alt", "critical", "#no-alt") in found


# --- phone first --------------------------------------------------------------------------------

# What must be 44 px tall: buttons, links styled as buttons, form fields, navigation and pager
# links. Exempt, and why:
# - plain links (an <a> without .btn, .nav-link or .page-link): they sit in running text, table
#   cells and lists, where WCAG 2.5.8 exempts inline targets;
# - radios and checkboxes styled as buttons (.btn-check): the input is visually hidden and its
#   <label class="btn"> is the target, which is measured as a .btn;
# - other radios and checkboxes are measured together with their label, which toggles them too.
CONTROLS = "button, .btn, input:not([type=hidden]), select, textarea, .nav-link, .page-link"

SMALL_CONTROLS = """([selector, minimum]) => {
    const shown = (e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
    };
    const name = (e) => {
        const id = e.id ? '#' + e.id : '';
        const text = (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 20);
        return `${e.tagName.toLowerCase()}${id}.${[...e.classList].join('.')} "${text}"`;
    };
    const small = [];
    let measured = 0;
    for (const e of document.querySelectorAll(selector)) {
        if (!shown(e) || e.classList.contains('btn-check')) { continue; }
        measured += 1;
        let top = e.getBoundingClientRect().top, bottom = e.getBoundingClientRect().bottom;
        if (e.matches('input[type=checkbox], input[type=radio]')) {
            const label = e.closest('label') || (e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`));
            const row = e.closest('.form-check') || label;
            if (row) {
                const r = row.getBoundingClientRect();
                top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
            }
        }
        const height = Math.round((bottom - top) * 10) / 10;
        if (height < minimum) { small.push(`${name(e)}: ${height}px`); }
    }
    return {measured, small};
}"""


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_nothing_scrolls_sideways_on_a_small_phone(sessions, site, spec):
    page = sessions.page("small-phone", spec.role)
    open_page(page, site, spec)
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_every_control_is_at_least_44_px_tall_on_a_phone(sessions, site, spec):
    page = sessions.page("small-phone", spec.role)
    open_page(page, site, spec)
    found = page.evaluate(SMALL_CONTROLS, [CONTROLS, MIN_TARGET])
    assert found["measured"] > 0, f"{spec.id}: no control measured"
    small = found["small"]
    toggler = page.locator("button.navbar-toggler")
    if toggler.count():  # the navigation menu, opened
        toggler.click()
        page.wait_for_selector("#nav-menu.show .nav-link", state="visible")
        menu = page.evaluate(
            SMALL_CONTROLS, [", ".join(f"#nav-menu {c}" for c in CONTROLS.split(", ")), MIN_TARGET]
        )
        assert menu["measured"] >= 5, (
            f"{spec.id}: the opened menu shows {menu['measured']} controls"
        )
        small += [m for m in menu["small"] if m not in small]
        toggler.click()
    assert small == [], f"{spec.id}: under {MIN_TARGET}px:\n  " + "\n  ".join(small)


def test_the_small_controls_check_can_fail(sessions, site):
    """The 44 px check sees a small button when there is one."""
    page = sessions.page("small-phone", None)
    open_page(page, site, BY_ID["login"])
    page.evaluate("""() => { const b = document.createElement('button'); b.textContent = 'x';
                             b.className = 'p-0 border-0'; document.querySelector('main').append(b); }""")
    assert page.evaluate(SMALL_CONTROLS, [CONTROLS, MIN_TARGET])["small"] == [
        'button.p-0.border-0 "x": 28.8px'
    ]


# --- the keyboard -------------------------------------------------------------------------------


FROM_THE_TOP = """() => {
    // Where a fresh page starts: nothing focused, the next Tab goes to the first control.
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
}"""


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(sessions, site, spec):
    page = sessions.page("keyboard", spec.role)
    open_page(page, site, spec)
    if spec.focus_on_load:  # the page's script takes the user to where they must act first
        assert page.evaluate("(s) => document.activeElement.matches(s)", spec.focus_on_load), (
            spec.id
        )
        page.evaluate(FROM_THE_TOP)
    else:
        assert page.evaluate("() => document.activeElement === document.body"), spec.id
    page.keyboard.press("Tab")
    first = page.evaluate("""() => { const e = document.activeElement; const r = e.getBoundingClientRect();
        return {cls: e.className, href: e.getAttribute('href'), text: e.textContent.trim(),
                shown: r.width > 1 && r.height > 1 && r.top >= 0}; }""")
    assert "skip-link" in first["cls"], f"{spec.id}: Tab first reaches {first}"
    assert (first["href"], first["text"], first["shown"]) == ("#main", "跳到正文", True)
    page.keyboard.press("Enter")
    focused = page.evaluate("() => [document.activeElement.tagName, document.activeElement.id]")
    assert focused == ["MAIN", "main"], f"{spec.id}: after the skip link, focus is on {focused}"
    page.keyboard.press("Tab")
    inside = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert inside, f"{spec.id}: the Tab after the skip link leaves <main>"


# Records every element that receives focus, with the styles that would show it.
RECORD_FOCUS = """() => {
    window.__focused = [];
    document.addEventListener('focusin', (event) => {
        const e = event.target, s = getComputedStyle(e);
        window.__focused.push({
            what: `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} "${(e.innerText || e.value || '').trim().slice(0, 20)}"`,
            outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && s.outlineColor !== 'rgba(0, 0, 0, 0)',
            shadow: s.boxShadow !== 'none',
            style: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} / ${s.boxShadow}`,
        });
    });
}"""
TABS = 20  # the skip link, the navigation and the first controls of the page


def unseen_focus(focused: list[dict]) -> list[str]:
    return [f"{f['what']}: {f['style']}" for f in focused if not (f["outline"] or f["shadow"])]


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_what_has_focus_shows_it(sessions, site, spec):
    page = sessions.page("keyboard", spec.role)
    open_page(page, site, spec)
    page.evaluate(FROM_THE_TOP)
    page.evaluate(RECORD_FOCUS)
    for _ in range(TABS):
        page.keyboard.press("Tab")
    focused = page.evaluate("() => window.__focused")
    assert len(focused) >= 6, f"{spec.id}: Tab reached only {[f['what'] for f in focused]}"
    unseen = unseen_focus(focused)
    assert unseen == [], f"{spec.id}: focus not shown on\n  " + "\n  ".join(unseen)


def test_the_focus_check_sees_a_hidden_focus(sessions, site):
    """A button whose focus styles are taken away is reported."""
    page = sessions.page("axe-desktop", None)  # this context may add a style element
    open_page(page, site, BY_ID["login"])
    page.add_style_tag(
        content="#bare:focus, #bare:focus-visible { outline: none !important; box-shadow: none !important; }"
    )
    page.evaluate("""() => { const b = document.createElement('button'); b.id = 'bare'; b.textContent = 'x';
                             document.querySelector('main').prepend(b); }""")
    page.evaluate(RECORD_FOCUS)
    page.focus("#bare")
    [unseen] = unseen_focus(page.evaluate("() => window.__focused"))
    assert unseen.startswith('button#bare. "x": none ') and unseen.endswith(" / none"), unseen
