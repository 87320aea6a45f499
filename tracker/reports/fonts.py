"""The system's Chinese font, for documents drawn on the server (charts, PDF).

A PDF or chart drawn without a CJK font shows empty boxes for every Chinese character, so
when none is installed the export stops with a message that says what to install.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass

from flask_babel import gettext as _

# Families tried in order; the first one fontconfig knows is used.
PREFERRED = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans SC",
    "Droid Sans Fallback",
)
INSTALL_HINT = "apt-get install fonts-noto-cjk"


class NoChineseFont(RuntimeError):
    """No CJK font is installed: Chinese text would come out as boxes."""

    def __str__(self) -> str:
        return _(
            "未找到中文字体，无法生成文件（否则汉字会显示为方框）。请在服务器上安装中文字体，"
            "例如：%(hint)s",
            hint=INSTALL_HINT,
        )


@dataclass(frozen=True)
class Font:
    family: str
    path: str  # the file (a .ttc collection or .otf/.ttf)


@functools.cache
def _installed() -> tuple[Font, ...]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        out = subprocess.run(  # noqa: S603 (fixed arguments)
            [fc_list, ":lang=zh", "family", "file"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts = []
    for line in out.splitlines():
        path, _sep, families = line.partition(": ")
        for family in families.split(","):
            if family.strip():
                fonts.append(Font(family.strip(), path.strip()))
    return tuple(fonts)


def chinese_font() -> Font:
    """The Chinese font to draw with; :class:`NoChineseFont` when there is none."""
    # the regular face first: fc-list may name the bold file of a family before it
    fonts = sorted(_installed(), key=lambda f: "bold" in f.path.lower())
    for family in PREFERRED:
        for font in fonts:
            if font.family == family:
                return font
    if fonts:
        return fonts[0]
    raise NoChineseFont()
