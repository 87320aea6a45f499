"""The roster's vocabulary: the fields, their labels, and the column names offices write.

Labels and column names are compared in a folded form (:func:`text_key`), so full-width
characters, spaces, punctuation and a bracketed note do not stop a column being recognised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "name": _l("姓名"),
    "gender": _l("性别"),
    "delegate_type": _l("代表类型"),
    "level": _l("层级"),
    "delegation": _l("代表团"),
    "work": _l("工作单位及职务"),
    "work_unit": _l("工作单位"),
    "job_title": _l("职务"),
    "phone": _l("联系电话"),
    "station": _l("所属家站"),
}
REQUIRED_FIELDS = ("name", "delegate_type", "level", "delegation")
TEMPLATE_FIELDS = (
    "name",
    "gender",
    "delegate_type",
    "level",
    "delegation",
    "work",
    "phone",
    "station",
)

# Column names as offices write them; compared after :func:`text_key`.
HEADER_SYNONYMS = {
    "name": ["姓名", "名字", "代表姓名", "代表名字"],
    "gender": ["性别"],
    "delegate_type": ["代表类型", "类型", "类别", "代表类别", "界别", "代表界别", "代表构成"],
    "level": ["层级", "代表层级", "级别", "代表级别", "代表层次", "层次"],
    "delegation": ["代表团", "所属代表团", "选举单位", "原选举单位", "选区", "所在代表团"],
    "work": [
        "工作单位及职务",
        "工作单位和职务",
        "单位职务",
        "单位及职务",
        "工作单位职务",
        "工作单位及职务职称",
        "单位和职务",
    ],
    "work_unit": ["工作单位", "单位", "所在单位"],
    "job_title": ["职务", "职务职称", "现任职务"],
    "phone": [
        "联系电话",
        "电话",
        "手机",
        "手机号",
        "手机号码",
        "联系方式",
        "电话号码",
        "移动电话",
        "联系手机",
    ],
    "station": [
        "所属家站",
        "家站",
        "代表家站",
        "代表之家",
        "联络站",
        "代表联络站",
        "所属代表之家",
        "所属代表之家站",
        "代表之家站",
        "所属联络站",
        "所属代表联络站",
        "所属代表家站",
    ],
}

# Zero-width characters that spreadsheets and web pages leave in copied text.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕")


def label(name: str) -> str:
    """The label of a roster field in the current language, as messages name the column."""
    return str(FIELD_LABELS[name])


def text_key(text: str) -> str:
    """Compare-form of a label: full-width folded (NFKC), lower case, without spaces,
    punctuation or symbols. '＊所属代表之家（站）：' and '所属代表之家(站)' give the same key."""
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE).lower()
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PSZ")


def text_keys(text: str) -> list[str]:
    """The key of ``text``, then the key without any bracketed note ('性别（男/女）' → '性别')."""
    keys = [text_key(text)]
    bare = text_key(_BRACKETED.sub("", unicodedata.normalize("NFKC", text)))
    if bare and bare != keys[0]:
        keys.append(bare)
    return keys


def strip_endings(key: str, endings: Iterable[str]) -> str:
    """``key`` without the given endings, repeatedly ('市人大代表' → '市'), never down to ''."""
    changed = True
    while changed:
        changed = False
        for ending in endings:
            if key.endswith(ending) and len(key) > len(ending):
                key, changed = key[: -len(ending)], True
    return key


_HEADER_BY_KEY = {text_key(word): name for name, words in HEADER_SYNONYMS.items() for word in words}


def header_field(text: str) -> str | None:
    """Which roster field a column name stands for, or None."""
    for key in text_keys(text):
        if key in _HEADER_BY_KEY:
            return _HEADER_BY_KEY[key]
    return None
