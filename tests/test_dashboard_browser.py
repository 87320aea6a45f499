"""The dashboard in a real browser: the charts are drawn, a click on a cell or a bar opens the
entries behind its number, and a phone never scrolls sideways."""

from __future__ import annotations

import re

import pytest

from . import test_dashboard
from .browser import assert_no_sideways_scroll, login

# the same fixed dataset and fixed today as tests/test_dashboard.py
data = test_dashboard.data
fixed_today = test_dashboard.fixed_today

pytestmark = pytest.mark.browser

MAY = "/dashboard/?period=2024-05"
CHARTS = ("trend", "matrix", "delegations", "focus", "pipeline")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def open_dashboard(page, base_url, username="staff_city"):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, base_url, username)
    page.goto(f"{base_url}{MAY}")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("[data-chart=pipeline] canvas", state="attached")
    return errors


def drawn(page, name: str) -> dict:
    """Size of the chart's canvas and how many of its pixels are painted."""
    return page.evaluate(
        """(name) => {
            const box = document.querySelector(`[data-chart='${name}']`);
            const canvas = box && box.querySelector('canvas');
            if (!canvas) { return {canvas: false}; }
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { painted += 1; } }
            const rect = box.getBoundingClientRect();
            return {canvas: true, width: canvas.width, height: canvas.height, painted: painted,
                    url: canvas.toDataURL().length, boxWidth: rect.width, boxHeight: rect.height,
                    left: rect.left};
        }""",
        name,
    )


def point_of(page, name: str, value: list) -> tuple[float, float]:
    """Page coordinates of a data point (a heatmap cell or a spot inside a bar)."""
    x, y = page.evaluate(
        """([name, value]) => {
            const box = document.querySelector(`[data-chart='${name}']`);
            const chart = echarts.getInstanceByDom(box);
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, value);
            const rect = box.getBoundingClientRect();
            return [rect.left + px, rect.top + py];
        }""",
        [name, value],
    )
    return x, y


def listed(page) -> int:
    return int(
        re.fullmatch(r"共 (\d+) 条", page.locator("#result-count").inner_text().strip()).group(1)
    )


def test_the_dashboard_draws_every_chart(desktop, base_url, data):
    errors = open_dashboard(desktop, base_url)
    for name in CHARTS:
        chart = drawn(desktop, name)
        assert chart["canvas"], f"{name} has no canvas"
        assert chart["width"] > 0 and chart["height"] > 0, name
        assert chart["painted"] > 2000, f"{name} looks blank"
        assert chart["url"] > 5000, name
        assert chart["boxHeight"] >= 280, name
    assert errors == []


def test_clicking_a_heatmap_cell_opens_the_entries_it_counts(desktop, base_url, data):
    open_dashboard(desktop, base_url)
    desktop.locator("[data-chart=matrix]").scroll_into_view_if_needed()
    # 企业家代表 (row 1) × 倡议三 (column 2): three entries
    x, y = point_of(desktop, "matrix", [2, 1])
    desktop.mouse.click(x, y)
    desktop.wait_for_url("**/dashboard/activities?**")
    assert listed(desktop) == 3
    assert "企业家代表" in desktop.locator("#described").inner_text()
    assert "倡议三" in desktop.locator("#described").inner_text()


def test_clicking_a_bar_opens_the_entries_it_counts(desktop, base_url, data):
    open_dashboard(desktop, base_url)
    desktop.locator("[data-chart=delegations]").scroll_into_view_if_needed()
    # 城关区 is second in the ranking, with five entries
    x, y = point_of(desktop, "delegations", [2.5, 1])
    desktop.mouse.click(x, y)
    desktop.wait_for_url("**/dashboard/activities?**")
    assert listed(desktop) == 5
    assert "城关区" in desktop.locator("#described").inner_text()

    desktop.go_back()
    desktop.wait_for_selector("[data-chart=trend] canvas", state="attached")
    desktop.locator("[data-chart=trend]").scroll_into_view_if_needed()
    # April 2024 (the 11th of 12 months), 走访: one entry
    series = desktop.evaluate(
        "() => JSON.parse(document.getElementById('dashboard-charts').textContent).trend.series.map(s => s.name)"
    )
    x, y = desktop.evaluate(
        """(index) => {
            const box = document.querySelector("[data-chart='trend']");
            const chart = echarts.getInstanceByDom(box);
            const [px, py] = chart.convertToPixel({seriesIndex: index}, [10, 0.5]);
            const rect = box.getBoundingClientRect();
            return [rect.left + px, rect.top + py];
        }""",
        series.index("走访"),
    )
    desktop.mouse.click(x, y)
    desktop.wait_for_url("**/dashboard/activities?**")
    assert listed(desktop) == 1
    assert "2024年4月" in desktop.locator("#described").inner_text()


def test_on_a_phone_charts_stack_in_one_column_and_nothing_scrolls_sideways(phone, base_url, data):
    errors = open_dashboard(phone, base_url)
    assert_no_sideways_scroll(phone)
    boxes = [drawn(phone, name) for name in CHARTS]
    for name, chart in zip(CHARTS, boxes, strict=True):
        assert chart["painted"] > 1000, f"{name} looks blank"
        assert chart["boxHeight"] >= 280, name
        assert chart["boxWidth"] <= 390, name
    assert len({round(chart["left"]) for chart in boxes}) == 1  # one column
    assert errors == []

    # a tap on a heatmap cell works as a click does
    phone.locator("[data-chart=matrix]").scroll_into_view_if_needed()
    x, y = point_of(phone, "matrix", [2, 3])  # 基层代表 × 倡议三: two entries
    phone.touchscreen.tap(x, y)
    phone.wait_for_url("**/dashboard/activities?**")
    assert listed(phone) == 2
    assert_no_sideways_scroll(phone)

    for path in (
        "/dashboard/delegates?which=inactive&days=30",
        f"/dashboard/points/{data['a2']}?period=2024-05",
        "/dashboard/delegates?which=no_call&call=i2-government",
    ):
        phone.goto(f"{base_url}{path}")
        assert_no_sideways_scroll(phone)


def test_the_dashboard_loads_nothing_from_outside(desktop, base_url, data):
    requested = []
    desktop.on("request", lambda request: requested.append(request.url))
    open_dashboard(desktop, base_url)
    assert any(url.endswith("/static/vendor/echarts.min.js") for url in requested)
    assert [url for url in requested if not url.startswith(base_url)] == []


def test_delegation_staff_see_one_bar_and_their_numbers(desktop, base_url, data):
    open_dashboard(desktop, base_url, "staff_a")
    names = desktop.evaluate(
        "() => JSON.parse(document.getElementById('dashboard-charts').textContent).delegations.names"
    )
    assert names == ["城关区"]
    assert desktop.locator("[data-figure=activities]").inner_text() == "5"
