"""The bulletin's two charts, drawn on the server as PNG for the Word and PDF exports.

Each chart is its own :class:`~matplotlib.figure.Figure` on an Agg canvas (never pyplot,
whose current-figure state is shared between threads), sized for the 16 cm text width of an
A4 page. Chinese text needs the system's CJK font: without one the chart stops with
:class:`~.fonts.NoChineseFont` instead of drawing boxes.
"""

from __future__ import annotations

import io
import threading
from datetime import date
from typing import Any

from flask_babel import gettext as _
from matplotlib import colormaps, font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .bulletin import Bulletin
from .fonts import chinese_font

CM = 1 / 2.54  # inches
WIDTH = 16 * CM
DPI = 150
TITLE_SIZE = 10
LABEL_SIZE = 8
INK = "#333333"
GRID = "#DDDDDD"
PALETTE = "tab10"
CROWDED = 18  # months: beyond this only every third month is named on the trend's axis

_registered: set[str] = set()
_lock = threading.Lock()


def _family() -> str:
    """The CJK family to draw with, made known to matplotlib once per process."""
    font = chinese_font()
    with _lock:
        if font.path not in _registered:
            known = {f.name for f in font_manager.fontManager.ttflist}
            if font.family not in known:
                font_manager.fontManager.addfont(font.path)
            _registered.add(font.path)
    return font.family


def _figure(height_cm: float) -> Figure:
    figure = Figure(figsize=(WIDTH, height_cm * CM), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    # no Software entry: the same data always gives the same bytes
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return out.getvalue()


def _title(figure: Figure, text: str, family: str) -> None:
    figure.suptitle(text, family=family, fontsize=TITLE_SIZE, color=INK, fontweight="bold")


def _style_axes(ax: Any, family: str) -> None:
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        label.set_family(family)
        label.set_fontsize(LABEL_SIZE)
        label.set_color(INK)
    ax.tick_params(length=0)


def _no_data(figure: Figure, family: str) -> None:
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        _("暂无数据"),
        ha="center",
        va="center",
        family=family,
        fontsize=TITLE_SIZE + 2,
        color="#888888",
        transform=ax.transAxes,
    )


def month_labels(months: list[date]) -> list[str]:
    """'9月' under '2023年' for the first month named and every January, '10月' for the
    others; on a long trend only the first month of each quarter is named."""
    crowded = len(months) > CROWDED
    labels = []
    for month in months:
        if crowded and month.month % 3 != 1:
            labels.append("")
        elif not any(labels) or month.month == 1:
            labels.append(_("%(m)s月", m=month.month) + "\n" + _("%(y)s年", y=month.year))
        else:
            labels.append(_("%(m)s月", m=month.month))
    return labels


def trend_chart(bulletin: Bulletin) -> bytes:
    """Approved entries per month, stacked by activity kind, over the summary's trend months."""
    summary = bulletin.summary
    family = _family()
    months = [date.fromisoformat(m) for m in summary.trend.get("months", [])]
    series = [s for s in summary.trend.get("series", []) if any(s["values"])]
    figure = _figure(9)
    _title(figure, _("每月已通过履职记录（按活动类型）"), family)
    if not months or not series:
        _no_data(figure, family)
        return _png(figure)

    ax = figure.add_subplot()
    colours = colormaps[PALETTE]
    positions = range(len(months))
    bottoms = [0] * len(months)
    for n, line in enumerate(series):
        values = line["values"]
        ax.bar(
            positions,
            values,
            bottom=bottoms,
            width=0.65,
            label=line["name"],
            color=colours(n % colours.N),
            edgecolor="white",
            linewidth=0.5,
            zorder=2,
        )
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    top = max(bottoms)
    for x, total in zip(positions, bottoms, strict=True):
        if total:
            ax.text(
                x,
                total + top * 0.015,
                f"{total:,}",
                ha="center",
                va="bottom",
                fontsize=LABEL_SIZE - 1,
                color=INK,
                family=family,
            )
    ax.set_xticks(list(positions), month_labels(months))
    ax.set_ylim(0, top * 1.12)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#999999")
    _style_axes(ax, family)
    legend = ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncols=min(len(series), 5),
        frameon=False,
        handlelength=1,
        handleheight=1,
        columnspacing=1.2,
        prop={"family": family, "size": LABEL_SIZE},
    )
    for text in legend.get_texts():
        text.set_color(INK)
    return _png(figure)


def matrix_chart(bulletin: Bulletin) -> bytes:
    """Approved entries by delegate type (rows) and initiative (columns), as a heatmap with
    the count written in each cell; the table's 合计 row and column are left out."""
    family = _family()
    table = bulletin.tables["type_initiative"]
    headers = table.headers[1:-1]
    rows = table.rows
    names = [r[0].value for r in rows]
    counts = [[c.value or 0 for c in r[1:-1]] for r in rows]
    figure = _figure(3.2 + 1.0 * max(len(rows), 1))
    _title(figure, _("代表类型 × 倡议"), family)
    if not headers or not rows:
        _no_data(figure, family)
        return _png(figure)

    ax = figure.add_subplot()
    highest = max(max(r) for r in counts)
    cmap = colormaps["Blues"]
    ax.imshow(counts, cmap=cmap, vmin=0, vmax=max(highest, 1), aspect="auto")
    for y, row in enumerate(counts):
        for x, n in enumerate(row):
            strong = highest and n / highest > 0.55
            ax.text(
                x,
                y,
                f"{n:,}",
                ha="center",
                va="center",
                family=family,
                fontsize=LABEL_SIZE + 1,
                color="white" if strong else (INK if n else "#AAAAAA"),
            )
    ax.set_xticks(range(len(headers)), headers)
    ax.set_yticks(range(len(names)), names)
    ax.xaxis.tick_top()
    ax.set_xticks([x - 0.5 for x in range(1, len(headers))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(names))], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    _style_axes(ax, family)
    return _png(figure)
