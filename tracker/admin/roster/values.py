"""Reading the roster's cells: genders, delegate types, levels, phone numbers and names as
offices write them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ...enums import DelegateType, Gender, Level, StationKind
from .words import strip_endings, text_key, text_keys

_GENDERS = {
    "男": Gender.MALE,
    "男性": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "女": Gender.FEMALE,
    "女性": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
}

# Type and level words once their endings are stripped (see strip_endings).
_TYPE_BASES = {
    "党政机关": DelegateType.GOVERNMENT,
    "党政": DelegateType.GOVERNMENT,
    "机关": DelegateType.GOVERNMENT,
    "政府": DelegateType.GOVERNMENT,
    "党政干部": DelegateType.GOVERNMENT,
    "党政机关干部": DelegateType.GOVERNMENT,
    "企业家": DelegateType.ENTREPRENEUR,
    "企业": DelegateType.ENTREPRENEUR,
    "企业负责人": DelegateType.ENTREPRENEUR,
    "专业技术": DelegateType.TECHNICAL,
    "专技": DelegateType.TECHNICAL,
    "技术": DelegateType.TECHNICAL,
    "基层": DelegateType.GRASSROOTS,
    "一线": DelegateType.GRASSROOTS,
    "基层一线": DelegateType.GRASSROOTS,
    "一线工人农民": DelegateType.GRASSROOTS,
    "工人农民": DelegateType.GRASSROOTS,
}
_TYPE_ENDINGS = ("代表", "人员", "类")
_LEVEL_BASES = {
    "全国": Level.NATIONAL,
    "国家": Level.NATIONAL,
    "省": Level.PROVINCIAL,
    "甘肃省": Level.PROVINCIAL,
    "市": Level.CITY,
    "兰州市": Level.CITY,
    "区县": Level.COUNTY,
    "县区": Level.COUNTY,
    "区": Level.COUNTY,
    "县": Level.COUNTY,
    "乡镇": Level.TOWNSHIP,
    "乡": Level.TOWNSHIP,
    "镇": Level.TOWNSHIP,
}
_LEVEL_ENDINGS = ("人大代表", "代表", "人大", "级")


def _enum_lookup(enum_cls: type, text: str, bases: dict, endings: Iterable[str]) -> Any:
    """A member of ``enum_cls`` named by ``text``: its value, its label in the current
    language, or one of the office's words for it."""
    for key in text_keys(text):
        for member in enum_cls:
            if key in (member.value, text_key(member.label)):
                return member
        if key in bases:
            return bases[key]
        base = strip_endings(key, endings)
        if base in bases:
            return bases[base]
    return None


def parse_delegate_type(text: str) -> DelegateType | None:
    """'党政机关代表', '企业家', '专业技术人员', '基层', '一线' … → the delegate type."""
    return _enum_lookup(DelegateType, text, _TYPE_BASES, _TYPE_ENDINGS)


def parse_level(text: str) -> Level | None:
    """'市人大代表', '市级', '区县', '县区级', '乡镇' … → the level."""
    return _enum_lookup(Level, text, _LEVEL_BASES, _LEVEL_ENDINGS)


def parse_gender(text: str) -> Gender | None:
    """'男', '女性', 'F' … → the gender."""
    for key in text_keys(text):
        if key in _GENDERS:
            return _GENDERS[key]
    return None


_PHONE_NOISE = re.compile(r"[\s\-‐‑‒–—―−.·()]")
_MOBILE = re.compile(r"1\d{10}")
_LANDLINE = re.compile(r"0\d{9,11}")


def normalize_phone(text: str) -> str:
    """'+86 138-0931-0000' and '１３８０９３１００００' → '13809310000'; '(0931) 888-8888' →
    '09318888888'. The result may still be invalid: see :func:`is_valid_phone`."""
    phone = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", text))
    for prefix in ("+86", "0086", "86"):
        if phone.startswith(prefix) and _MOBILE.fullmatch(phone[len(prefix) :]):
            return phone[len(prefix) :]
    return phone


def is_valid_phone(phone: str) -> bool:
    """An 11-digit mobile number, or a landline with its area code (10 to 12 digits)."""
    return bool(_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone))


def is_mobile(phone: str) -> bool:
    """Whether a normalised number is a mobile one (which belongs to one person)."""
    return bool(_MOBILE.fullmatch(phone))


def station_kind_for(name: str) -> StationKind:
    """A new station's kind, from its name; a delegate home unless the name says otherwise."""
    key = text_key(name)
    if "立法联系点" in key or "立法联系" in key:
        return StationKind.LEGISLATIVE_POINT
    if "联络站" in key:
        return StationKind.LIAISON
    return StationKind.HOME


def clean_name(text: str) -> str:
    """Chinese names padded for alignment ('王　伟', '王 伟') lose their spaces."""
    if not any("a" <= c.lower() <= "z" for c in text):
        return "".join(text.split())
    return text
