"""The monthly summary as a PDF bulletin (月度通报), drawn by WeasyPrint from the same template
as the summary page (``summaries/_bulletin.html``), with the two charts of :mod:`.charts` as
pictures.

The document is built from our own template and data only, so it never needs the network:
the URL fetcher given to WeasyPrint reads ``data:`` URIs and files inside the app's static
folder and refuses everything else. Works in an application context alone (the CLI has no
request).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import charts
from .bulletin import Bulletin
from .fonts import Font, chinese_font

TEMPLATE = "summaries/pdf.html"


class StaticFilesOnly(URLFetcher):
    """Fetches ``data:`` URIs and files under one folder; any other URL is refused."""

    def __init__(self, folder: str | Path) -> None:
        super().__init__(allowed_protocols=("data", "file"))
        self.folder = Path(folder).resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self.folder):
                raise ValueError(f"outside the static folder: {url}")
        elif scheme != "data":
            raise ValueError(f"not fetched: {url}")
        return super().fetch(url, headers)


def write_pdf(bulletin: Bulletin, out: IO[bytes]) -> None:
    """Write ``bulletin`` as an A4 PDF into the binary file ``out``.

    Raises :class:`~.fonts.NoChineseFont` before anything is drawn or written when the server
    has no CJK font (every character would come out as an empty box).
    """
    font = chinese_font()
    drawn = {"trend": charts.trend_chart(bulletin), "matrix": charts.matrix_chart(bulletin)}
    static = Path(current_app.static_folder or "static").resolve()
    document = HTML(
        string=bulletin_html(bulletin, font, drawn),
        base_url=static.as_uri() + "/",
        url_fetcher=StaticFilesOnly(static),
    )
    document.write_pdf(out)


def bulletin_html(bulletin: Bulletin, font: Font, drawn: dict[str, bytes]) -> str:
    """The document WeasyPrint draws: ``summaries/pdf.html`` with the charts (PNG bytes by
    name, ``trend`` and ``matrix``) inlined as data URIs."""
    return render_template(
        TEMPLATE,
        bulletin=bulletin,
        summary=bulletin.summary,
        charts={name: data_uri(png) for name, png in drawn.items()},
        font_family=css_safe_family(font.family),
        page_footer=page_footer(),
    )


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def css_safe_family(family: str) -> str:
    """The family name with anything that could end a CSS string or an HTML element removed
    (fontconfig names are letters, digits, spaces and hyphens)."""
    return re.sub(r"[^\w \-.]", "", family)


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return '"' + escaped.replace("<", "\\3C ") + '"'


def page_footer() -> Markup:
    """第 N 页 / 共 M 页 as a CSS ``content`` value: the translated words around the page
    counters, e.g. ``"第 " counter(page) " 页 / 共 " counter(pages) " 页"``."""
    page, pages = "\x01page\x01", "\x01pages\x01"
    words = _css_string(_("第 %(page)s 页 / 共 %(pages)s 页", page=page, pages=pages))
    value = words.replace(page, '" counter(page) "').replace(pages, '" counter(pages) "')
    return Markup(value)  # noqa: S704 (built from the catalogue, quoted for CSS above)
