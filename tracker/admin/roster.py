"""代表名册导入: read the congress office's roster (XLSX or CSV), plan it, then apply it.

:func:`plan_import` reads every row and says what would happen to it (create, update,
unchanged, error) without changing anything. :func:`apply_plan` writes a plan in one flush;
it refuses a plan with any error, file-level or on a row, so a roster is never half imported:
the office fixes the file and uploads it again.

Matching a row to a delegate already on file, in this order (retired delegates are ignored):

1. the phone number, among delegates with the same name (a shared office landline is fine);
2. the name within the delegation, when exactly one delegate has it;
3. a mobile number held by exactly one delegate: the row renames that delegate;
4. otherwise the row creates a delegate.

A blank optional cell (gender, work unit, phone, station) never erases what is on file: the
import adds and corrects, it does not clear. Unknown stations are created with the delegates.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from itertools import islice
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import record
from ..enums import DelegateType, Gender, Level, StationKind
from ..extensions import db
from ..models import Delegate, Delegation, Station, User
from .lists import STATION_CODE_SLUGS

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
# A real roster unzips to a few MB; these stop a small upload that unzips to gigabytes.
UNZIPPED_MAX_BYTES = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FROM_BYTES = 1024 * 1024
ZIP_MAX_MEMBERS = 2_000
HEADER_SCAN_ROWS = 10
MAX_COLUMNS = 60
PROGRESS_EVERY = 500

NAME_MAX = 60
WORK_UNIT_MAX = 200
JOB_TITLE_MAX = 100
STATION_NAME_MAX = 120

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"


class RowStatus(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


# --- columns -------------------------------------------------------------------------------------

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

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕")


def text_key(text: str) -> str:
    """Compare-form of a label: full-width folded (NFKC), lower case, without spaces,
    punctuation or symbols. '＊所属代表之家（站）：' and '所属代表之家(站)' give the same key."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).lower()
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PSZ")


def text_keys(text: str) -> list[str]:
    """The key of ``text``, then the key without any bracketed note ('性别（男/女）' → '性别')."""
    keys = [text_key(text)]
    bare = text_key(_BRACKETED.sub("", unicodedata.normalize("NFKC", text)))
    if bare and bare != keys[0]:
        keys.append(bare)
    return keys


_HEADER_BY_KEY = {text_key(word): name for name, words in HEADER_SYNONYMS.items() for word in words}


def header_field(text: str) -> str | None:
    """Which roster field a column name stands for, or None."""
    for key in text_keys(text):
        if key in _HEADER_BY_KEY:
            return _HEADER_BY_KEY[key]
    return None


# --- values --------------------------------------------------------------------------------------

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

# Type and level words once their endings are stripped (see _strip_endings).
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


def _strip_endings(key: str, endings: Iterable[str]) -> str:
    changed = True
    while changed:
        changed = False
        for ending in endings:
            if key.endswith(ending) and len(key) > len(ending):
                key, changed = key[: -len(ending)], True
    return key


def _enum_lookup(enum_cls: type, text: str, bases: dict, endings: Iterable[str]) -> Any:
    """A member of ``enum_cls`` named by ``text``: its value, its label in the current
    language, or one of the office's words for it."""
    for key in text_keys(text):
        for member in enum_cls:
            if key in (member.value, text_key(member.label)):
                return member
        if key in bases:
            return bases[key]
        base = _strip_endings(key, endings)
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
    return bool(_MOBILE.fullmatch(phone))


def station_kind_for(name: str) -> StationKind:
    """A new station's kind, from its name; a delegate home unless the name says otherwise."""
    key = text_key(name)
    if "立法联系点" in key or "立法联系" in key:
        return StationKind.LEGISLATIVE_POINT
    if "联络站" in key:
        return StationKind.LIAISON
    return StationKind.HOME


def cell_text(value: Any) -> str:
    """A cell as trimmed text, whitespace runs (line breaks, full-width spaces) made one space."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.translate(_INVISIBLE)
    return " ".join(text.split())


def clean_name(text: str) -> str:
    """Chinese names padded for alignment ('王　伟', '王 伟') lose their spaces."""
    if not any("a" <= c.lower() <= "z" for c in text):
        return "".join(text.split())
    return text


# --- the plan ------------------------------------------------------------------------------------


@dataclass
class FieldChange:
    """One field of a delegate that the import changes, as shown to the administrator."""

    label: str
    old: str
    new: str


@dataclass
class RosterRow:
    """One data row of the file and what the import would do with it."""

    number: int  # the row number the spreadsheet shows
    cells: dict[str, str]
    status: RowStatus = RowStatus.ERROR
    messages: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    delegate_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # attributes to write
    new_station: tuple[int, str] | None = None  # key into RosterPlan.new_stations
    display: dict[str, str] = field(default_factory=dict)  # name, delegation … as shown


@dataclass
class NewStation:
    """A station named in the file that does not exist yet: created on apply."""

    delegation_id: int
    delegation_name: str
    name: str
    kind: StationKind
    rows: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, str]:
        return (self.delegation_id, text_key(self.name))


@dataclass(frozen=True)
class RosterCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    stations: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.errors


@dataclass
class RosterPlan:
    """What importing one file would do; nothing has changed yet."""

    filename: str
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level: nothing can be imported
    new_stations: list[NewStation] = field(default_factory=list)
    header_row: int | None = None
    sheet: str | None = None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def counts(self) -> RosterCounts:
        by_status = defaultdict(int)
        for row in self.rows:
            by_status[row.status] += 1
        return RosterCounts(
            created=by_status[RowStatus.CREATE],
            updated=by_status[RowStatus.UPDATE],
            unchanged=by_status[RowStatus.UNCHANGED],
            errors=by_status[RowStatus.ERROR],
            stations=len(self.new_stations),
        )

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.status == RowStatus.ERROR for row in self.rows)

    @property
    def can_apply(self) -> bool:
        return not self.has_errors and bool(self.rows)

    @property
    def has_changes(self) -> bool:
        return any(row.status in (RowStatus.CREATE, RowStatus.UPDATE) for row in self.rows)


class RosterPlanHasErrors(ValueError):
    """apply_plan was given a plan that still has errors."""


class _FileProblem(Exception):
    """The file cannot be read as a roster; the message is shown as it is."""


# --- reading the file ----------------------------------------------------------------------------


@dataclass
class _Sheet:
    """A table to look for the roster in: rows as lists of cell values, numbered from 1."""

    name: str | None
    rows: Callable[[int, int], Iterator[list[Any]]]  # (first row, last column) → rows


@dataclass
class _Header:
    row: int
    columns: dict[str, int]
    ignored: list[str]

    @property
    def score(self) -> tuple[int, int]:
        return (sum(f in self.columns for f in REQUIRED_FIELDS), len(self.columns))


def _size_limit(max_bytes: int | None) -> int:
    return max_bytes or current_app.config.get("ROSTER_MAX_BYTES") or DEFAULT_MAX_BYTES


def _file_kind(data: bytes, filename: str) -> str:
    """'xlsx', 'csv', or 'xls'/'other' which are refused; the content wins over the name."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return "xls"
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in ("xlsx", "xlsm"):
        return "xlsx"  # not a zip: refused as an invalid workbook
    if ext == "xls":
        return "xls"
    if ext in ("csv", "txt", "tsv", ""):
        return "csv"
    return "other"


def _invalid_xlsx() -> str:
    return _(
        "不是有效的 Excel 文件（.xlsx）：文件可能已损坏，或只是改了扩展名。"
        "请在 Excel 中另存为 .xlsx 或 CSV 后重试。"
    )


def check_zip(data: bytes) -> None:
    """Refuse what is not a zip archive, and archives that would unzip to far too much."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _FileProblem(_invalid_xlsx())
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _FileProblem(_invalid_xlsx()) from exc
    total = sum(member.file_size for member in members)
    too_packed = any(
        member.file_size > ZIP_RATIO_FROM_BYTES
        and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if len(members) > ZIP_MAX_MEMBERS or total > UNZIPPED_MAX_BYTES or too_packed:
        raise _FileProblem(_("文件异常（解压后过大），已拒绝。"))


def _xlsx_sheets(data: bytes) -> tuple[list[_Sheet], Callable[[], None]]:
    import openpyxl  # only the import pays for it

    check_zip(data)
    try:
        # Formulas are read as formulas (not their cached values) so that every formula cell
        # is reported: with data_only=True one without a cached value looks like a blank cell.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise _FileProblem(_invalid_xlsx()) from exc

    def reader(sheet: Any) -> Callable[[int, int], Iterator[list[Any]]]:
        def rows(first: int, last_column: int) -> Iterator[list[Any]]:
            sheet.reset_dimensions()  # a wrong stored size must not hide rows
            try:
                for cells in sheet.iter_rows(min_row=first, max_col=last_column):
                    yield [_xlsx_value(cell) for cell in cells]
            except Exception as exc:  # a sheet that breaks off half way
                raise _FileProblem(_invalid_xlsx()) from exc

        return rows

    sheets = list(book.worksheets)
    active = book.active
    if active in sheets:
        sheets.remove(active)
        sheets.insert(0, active)
    return [_Sheet(sheet.title, reader(sheet)) for sheet in sheets], book.close


def _xlsx_value(cell: Any) -> Any:
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        text = value if isinstance(value, str) else getattr(value, "text", "") or ""
        return text if text.startswith("=") else "=" + text
    return value


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which covers GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _FileProblem(_("无法识别 CSV 文件的编码，请在 Excel 中另存为“CSV UTF-8”格式后重试。"))


def _csv_sheets(data: bytes) -> list[_Sheet]:
    text = decode_csv(data)
    if "\x00" in text:
        raise _FileProblem(_("CSV 文件中有无法识别的内容，请在 Excel 中重新另存为 CSV。"))

    def reader(delimiter: str) -> Callable[[int, int], Iterator[list[Any]]]:
        def rows(first: int, last_column: int) -> Iterator[list[Any]]:
            records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            try:
                for number, record in enumerate(records, 1):
                    if number >= first:
                        yield record[:last_column]
            except csv.Error as exc:
                raise _FileProblem(
                    _(
                        "CSV 文件格式有误（第 %(line)s 行附近），请在 Excel 中重新另存为 CSV。",
                        line=records.line_num,
                    )
                ) from exc

        return rows

    # Comma first; Excel's "Unicode text" uses tabs and some locales semicolons.
    return [_Sheet(None, reader(d)) for d in (",", "\t", ";")]


def _find_header(sheet: _Sheet) -> tuple[_Header | None, bool]:
    """The row among the first few that names the most roster columns; and whether the
    sheet had anything in those rows at all."""
    best: _Header | None = None
    seen_any = False
    rows = list(islice(sheet.rows(1, MAX_COLUMNS), HEADER_SCAN_ROWS))
    for number, row in enumerate(rows, 1):
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for index, value in enumerate(row):
            text = cell_text(value)
            if not text:
                continue
            seen_any = True
            name = header_field(text)
            if name is not None and name not in columns:
                columns[name] = index
            else:
                ignored.append(text)
        if "work" in columns:
            for separate in ("work_unit", "job_title"):
                if separate in columns:
                    ignored.append(text_of_column(rows[number - 1], columns.pop(separate)))
        header = _Header(number, columns, ignored)
        if columns and (best is None or header.score > best.score):
            best = header
    return best, seen_any


def text_of_column(row: list[Any], index: int) -> str:
    return cell_text(row[index]) if index < len(row) else ""


# --- what the database already holds -------------------------------------------------------------


class _Registry:
    """Delegations, stations and current delegates, loaded once: no query per row."""

    def __init__(self) -> None:
        self.delegations = {d.id: d for d in db.session.scalars(sa.select(Delegation))}
        self.delegation_by_key: dict[str, int] = {}
        short: dict[str, set[int]] = defaultdict(set)
        for d in self.delegations.values():
            self.delegation_by_key[text_key(d.name)] = d.id
            self.delegation_by_key.setdefault(text_key(d.code), d.id)
            name_key = text_key(d.name)
            for candidate in (name_key.removeprefix("兰州市"), name_key[:-1]):
                if name_key.endswith(("区", "县")) and len(candidate) >= 2:
                    short[candidate].add(d.id)
        self.delegation_short = short

        self.stations = {s.id: s for s in db.session.scalars(sa.select(Station))}
        self.station_by_key: dict[tuple[int | None, str], Station] = {}
        for s in sorted(self.stations.values(), key=lambda s: (s.is_retired, s.id)):
            self.station_by_key.setdefault((s.delegation_id, text_key(s.name)), s)

        delegates = db.session.scalars(sa.select(Delegate).where(Delegate.retired_at.is_(None)))
        self.delegates: dict[int, Delegate] = {d.id: d for d in delegates}
        self.by_phone: dict[str, list[Delegate]] = defaultdict(list)
        self.by_name: dict[tuple[str, int], list[Delegate]] = defaultdict(list)
        for d in self.delegates.values():
            if d.phone:
                self.by_phone[normalize_phone(d.phone)].append(d)
            self.by_name[(d.name, d.delegation_id)].append(d)

    def find_delegation(self, text: str) -> tuple[Delegation | None, list[str]]:
        """The delegation a cell names, or None and the names it could have meant."""
        for key in text_keys(text):
            stripped = _strip_endings(key, ("代表团",))
            for candidate in (key, stripped, stripped.removeprefix("兰州市")):
                if candidate in self.delegation_by_key:
                    return self.delegations[self.delegation_by_key[candidate]], []
                ids = self.delegation_short.get(candidate, set())
                if len(ids) == 1:
                    return self.delegations[next(iter(ids))], []
                if len(ids) > 1:
                    return None, sorted(self.delegations[i].name for i in ids)
        return None, []

    def delegation_name(self, delegation_id: int | None) -> str:
        d = self.delegations.get(delegation_id) if delegation_id else None
        return d.name if d else "—"

    def station_name(self, station_id: int | None) -> str:
        s = self.stations.get(station_id) if station_id else None
        return s.name if s else "—"


# --- planning ------------------------------------------------------------------------------------


def plan_import(
    source_bytes: bytes,
    filename: str,
    *,
    max_rows: int | None = None,
    max_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RosterPlan:
    """Read a roster file and say, row by row, what importing it would do. Changes nothing.

    ``progress`` is called with the number of data rows read, every 500 rows.
    """
    plan = RosterPlan(filename=filename)
    limit = _size_limit(max_bytes)
    max_rows = max_rows or current_app.config.get("ROSTER_MAX_ROWS") or DEFAULT_MAX_ROWS
    if not source_bytes or not source_bytes.strip():
        plan.errors.append(_("文件是空的。"))
        return plan
    if len(source_bytes) > limit:
        plan.errors.append(_("文件超过 %(size)s，请拆分后分批导入。", size=size_text(limit)))
        return plan

    close: Callable[[], None] = lambda: None  # noqa: E731
    try:
        kind = _file_kind(source_bytes, filename)
        if kind == "xls":
            raise _FileProblem(
                _(
                    "这是旧版 Excel 文件（.xls），或设置了打开密码。请在 Excel 中“另存为”"
                    " Excel 工作簿（.xlsx）或 CSV，并取消密码后再上传。"
                )
            )
        if kind == "other":
            raise _FileProblem(_("只能导入 Excel 工作簿（.xlsx）或 CSV 文件。"))
        if kind == "xlsx":
            sheets, close = _xlsx_sheets(source_bytes)
        else:
            sheets = _csv_sheets(source_bytes)
        sheet, header = _choose_sheet(sheets)
        plan.sheet, plan.header_row = sheet.name, header.row
        plan.ignored_columns = header.ignored
        rows = _read_data_rows(sheet, header, max_rows, progress)
        _plan_rows(plan, rows)
    except _FileProblem as problem:
        plan.errors.append(str(problem))
        plan.rows = []
        plan.new_stations = []
    finally:
        close()
    return plan


def size_text(size: int) -> str:
    """5242880 → '5 MB', 1000 → '1 KB': for messages about the size limit."""
    if size >= 1024 * 1024:
        return f"{round(size / 1024 / 1024, 1):g} MB"
    return f"{max(1, round(size / 1024))} KB"


def _choose_sheet(sheets: list[_Sheet]) -> tuple[_Sheet, _Header]:
    found: list[tuple[_Sheet, _Header]] = []
    seen_any = False
    for sheet in sheets:
        header, seen = _find_header(sheet)
        seen_any = seen_any or seen
        if header is not None:
            found.append((sheet, header))
    if not seen_any:
        raise _FileProblem(_("表格是空的：没有找到任何内容。"))
    if not found:
        raise _FileProblem(
            _(
                "找不到表头：前 %(n)s 行中没有“姓名”“代表类型”“层级”“代表团”等列名。",
                n=HEADER_SCAN_ROWS,
            )
        )
    sheet, header = max(found, key=lambda pair: pair[1].score)  # max keeps the first of ties
    missing = [str(FIELD_LABELS[f]) for f in REQUIRED_FIELDS if f not in header.columns]
    if missing:
        raise _FileProblem(
            _(
                "缺少必填列：%(columns)s。表头（第 %(row)s 行）须包括姓名、代表类型、层级、代表团。",
                columns="、".join(missing),
                row=header.row,
            )
        )
    return sheet, header


def _read_data_rows(
    sheet: _Sheet, header: _Header, max_rows: int, progress: Callable[[int], None] | None
) -> list[tuple[int, dict[str, str]]]:
    last_column = max(header.columns.values()) + 1
    rows: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(sheet.rows(header.row + 1, last_column), header.row + 1):
        cells = {name: text_of_column(row, index) for name, index in header.columns.items()}
        if not any(cells.values()):
            continue  # a blank row, or one with only a serial number
        rows.append((number, cells))
        if len(rows) > max_rows:
            raise _FileProblem(
                _("数据超过 %(max)s 行的上限，没有导入任何内容。请拆分后分批导入。", max=max_rows)
            )
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows))
    if not rows:
        raise _FileProblem(_("表中只有表头，没有代表数据。"))
    return rows


@dataclass
class _Seen:
    """What earlier rows of the same file claimed."""

    keys: dict[tuple[str, int, str], int] = field(default_factory=dict)
    delegates: dict[int, int] = field(default_factory=dict)
    mobiles: dict[str, tuple[int, str]] = field(default_factory=dict)


def _plan_rows(plan: RosterPlan, rows: list[tuple[int, dict[str, str]]]) -> None:
    registry = _Registry()
    seen = _Seen()
    new_stations: dict[tuple[int, str], NewStation] = {}
    for number, cells in rows:
        row = RosterRow(number=number, cells=cells)
        _plan_row(row, registry, seen, new_stations)
        plan.rows.append(row)
    # A station only some erroneous rows asked for is not listed.
    wanted = {row.new_station for row in plan.rows if row.status != RowStatus.ERROR}
    plan.new_stations = [s for key, s in new_stations.items() if key in wanted]


def _label(name: str) -> str:
    return str(FIELD_LABELS[name])


def _plan_row(
    row: RosterRow,
    registry: _Registry,
    seen: _Seen,
    new_stations: dict[tuple[int, str], NewStation],
) -> None:
    cells = row.cells
    errors = row.messages
    formulas = [name for name, text in cells.items() if text.startswith("=")]
    for name in formulas:
        errors.append(_("“%(column)s”单元格是公式，请粘贴为数值。", column=_label(name)))

    def value(name: str) -> str:
        return "" if name in formulas else cells.get(name, "")

    name = clean_name(value("name"))
    for required in REQUIRED_FIELDS:
        if required not in formulas and not cells.get(required):
            errors.append(
                _(
                    "“%(column)s”为空（可能是合并单元格：请取消合并，并在每一行填写）。",
                    column=_label(required),
                )
            )
    if len(name) > NAME_MAX:
        errors.append(_("“%(column)s”超过 %(max)s 字。", column=_label("name"), max=NAME_MAX))

    gender = None
    if value("gender"):
        gender = parse_gender(value("gender"))
        if gender is None:
            errors.append(_("性别应为“男”或“女”，不能是“%(value)s”。", value=value("gender")))

    delegate_type = None
    if value("delegate_type"):
        delegate_type = parse_delegate_type(value("delegate_type"))
        if delegate_type is None:
            errors.append(
                _(
                    "无法识别代表类型“%(value)s”，应为：%(choices)s。",
                    value=value("delegate_type"),
                    choices="、".join(m.label for m in DelegateType),
                )
            )

    level = None
    if value("level"):
        level = parse_level(value("level"))
        if level is None:
            errors.append(
                _(
                    "无法识别层级“%(value)s”，应为：%(choices)s。",
                    value=value("level"),
                    choices="、".join(m.label for m in Level),
                )
            )

    delegation = None
    if value("delegation"):
        delegation, maybe = registry.find_delegation(value("delegation"))
        if delegation is None and maybe:
            errors.append(
                _(
                    "代表团“%(value)s”不明确，可能是：%(choices)s。",
                    value=value("delegation"),
                    choices="、".join(maybe),
                )
            )
        elif delegation is None:
            errors.append(_("找不到代表团“%(value)s”。", value=value("delegation")))
        elif delegation.is_retired:
            errors.append(_("代表团“%(value)s”已停用。", value=delegation.name))
            delegation = None

    phone = ""
    if value("phone"):
        phone = normalize_phone(value("phone"))
        if not is_valid_phone(phone):
            errors.append(
                _(
                    "联系电话“%(value)s”格式不对：手机号应为 11 位；固定电话请带区号，"
                    "如 0931-8888888。",
                    value=value("phone"),
                )
            )
            phone = ""

    work: dict[str, str] = {}
    for part, limit in (
        ("work", WORK_UNIT_MAX),
        ("work_unit", WORK_UNIT_MAX),
        ("job_title", JOB_TITLE_MAX),
    ):
        if value(part):
            if len(value(part)) > limit:
                errors.append(_("“%(column)s”超过 %(max)s 字。", column=_label(part), max=limit))
            work[part] = value(part)

    station_name = value("station")
    if len(station_name) > STATION_NAME_MAX:
        errors.append(
            _("“%(column)s”超过 %(max)s 字。", column=_label("station"), max=STATION_NAME_MAX)
        )
        station_name = ""

    row.display = {
        "name": name or cells.get("name", ""),
        "delegation": delegation.name if delegation else cells.get("delegation", ""),
        "delegate_type": delegate_type.label if delegate_type else cells.get("delegate_type", ""),
        "level": level.label if level else cells.get("level", ""),
        "phone": phone or cells.get("phone", ""),
    }
    if errors:
        return
    assert delegation is not None and delegate_type is not None and level is not None

    # The same person twice in one file.
    key = (name, delegation.id, phone)
    if key in seen.keys:
        errors.append(_("与第 %(row)s 行重复。", row=seen.keys[key]))
        return
    seen.keys[key] = row.number
    if phone and is_mobile(phone):
        earlier = seen.mobiles.get(phone)
        if earlier is not None and earlier[1] != name:
            errors.append(
                _("手机号与第 %(row)s 行（%(name)s）相同。", row=earlier[0], name=earlier[1])
            )
            return
        seen.mobiles.setdefault(phone, (row.number, name))

    delegate, problem = _match(registry, name, delegation.id, phone)
    if problem:
        errors.append(problem)
        return
    if delegate is not None:
        if delegate.id in seen.delegates:
            errors.append(_("与第 %(row)s 行是同一位代表。", row=seen.delegates[delegate.id]))
            return
        seen.delegates[delegate.id] = row.number
    already_theirs = delegate is not None and normalize_phone(delegate.phone or "") == phone
    if phone and is_mobile(phone) and not already_theirs:
        owners = [
            d for d in registry.by_phone.get(phone, []) if delegate is None or d.id != delegate.id
        ]
        if owners:
            errors.append(
                _(
                    "手机号 %(phone)s 已登记给代表 %(name)s（%(delegation)s）。",
                    phone=phone,
                    name=owners[0].name,
                    delegation=registry.delegation_name(owners[0].delegation_id),
                )
            )
            return

    # The station, looked up within the delegation (or among city-wide ones).
    station: Station | None = None
    new_station: NewStation | None = None
    if station_name:
        skey = text_key(station_name)
        station = registry.station_by_key.get((delegation.id, skey)) or registry.station_by_key.get(
            (None, skey)
        )
        if station is not None and station.is_retired:
            errors.append(
                _("家站“%(value)s”已停用，请先在家站管理中恢复使用。", value=station.name)
            )
            return
        if station is None:
            new_station = new_stations.get((delegation.id, skey))
            if new_station is None:
                new_station = NewStation(
                    delegation.id, delegation.name, station_name, station_kind_for(station_name)
                )
                new_stations[new_station.key] = new_station
            new_station.rows.append(row.number)
            row.new_station = new_station.key

    if delegate is None:
        row.status = RowStatus.CREATE
        row.values = {
            "name": name,
            "gender": gender,
            "delegate_type": delegate_type,
            "level": level,
            "delegation_id": delegation.id,
            "work_unit": work.get("work") or work.get("work_unit", ""),
            "job_title": "" if "work" in work else work.get("job_title", ""),
            "phone": phone,
        }
        if new_station is None:
            row.values["station_id"] = station.id if station else None
        return

    row.delegate_id = delegate.id
    _plan_update(
        row,
        registry,
        delegate,
        name=name,
        gender=gender,
        delegate_type=delegate_type,
        level=level,
        delegation=delegation,
        work=work,
        phone=phone,
        station=station,
        new_station=new_station,
    )


def _match(
    registry: _Registry, name: str, delegation_id: int, phone: str
) -> tuple[Delegate | None, str | None]:
    """The delegate on file this row stands for (see the module docstring), or a problem."""
    if phone:
        same_name = [d for d in registry.by_phone.get(phone, []) if d.name == name]
        if len(same_name) > 1:
            same_name = [d for d in same_name if d.delegation_id == delegation_id]
        if len(same_name) == 1:
            return same_name[0], None
    named = registry.by_name.get((name, delegation_id), [])
    if len(named) == 1:
        return named[0], None
    if len(named) > 1:
        return None, _(
            "%(delegation)s有 %(n)s 位名叫%(name)s的代表，请填写各自的联系电话以区分。",
            delegation=registry.delegation_name(delegation_id),
            n=len(named),
            name=name,
        )
    if phone and is_mobile(phone):
        holders = registry.by_phone.get(phone, [])
        if len(holders) == 1:
            return holders[0], None
    return None, None


def _plan_update(
    row: RosterRow,
    registry: _Registry,
    delegate: Delegate,
    *,
    name: str,
    gender: Gender | None,
    delegate_type: DelegateType,
    level: Level,
    delegation: Delegation,
    work: dict[str, str],
    phone: str,
    station: Station | None,
    new_station: NewStation | None,
) -> None:
    def change(attribute: str, label: str, new: Any, old_text: str, new_text: str) -> None:
        row.values[attribute] = new
        row.changes.append(FieldChange(label, old_text or "—", new_text or "—"))

    if delegate.name != name:
        change("name", _label("name"), name, delegate.name, name)
    if gender is not None and delegate.gender != gender:
        change(
            "gender",
            _label("gender"),
            gender,
            delegate.gender.label if delegate.gender else "",
            gender.label,
        )
    if delegate.delegate_type != delegate_type:
        change(
            "delegate_type",
            _label("delegate_type"),
            delegate_type,
            delegate.delegate_type.label,
            delegate_type.label,
        )
    if delegate.level != level:
        change("level", _label("level"), level, delegate.level.label, level.label)
    if delegate.delegation_id != delegation.id:
        change(
            "delegation_id",
            _label("delegation"),
            delegation.id,
            registry.delegation_name(delegate.delegation_id),
            delegation.name,
        )

    if "work" in work:
        on_file = f"{delegate.work_unit}{delegate.job_title}"
        if "".join(on_file.split()) != "".join(work["work"].split()):
            old = " ".join(p for p in (delegate.work_unit, delegate.job_title) if p)
            change("work_unit", _label("work"), work["work"], old, work["work"])
            row.values["job_title"] = ""
    for part in ("work_unit", "job_title"):
        if part in work and getattr(delegate, part) != work[part]:
            change(part, _label(part), work[part], getattr(delegate, part), work[part])

    # The same number written differently on file ("138-0931-0000") is not a change.
    if phone and normalize_phone(delegate.phone or "") != phone:
        change("phone", _label("phone"), phone, delegate.phone, phone)

    old_station = registry.station_name(delegate.station_id)
    if new_station is not None:  # apply_plan sets it once the station exists
        row.changes.append(
            FieldChange(
                _label("station"), old_station, _("%(name)s（新建）", name=new_station.name)
            )
        )
    elif station is not None and delegate.station_id != station.id:
        change("station_id", _label("station"), station.id, old_station, station.name)
    elif (
        station is None
        and delegate.station_id is not None
        and (
            delegate.delegation_id != delegation.id
            and registry.stations[delegate.station_id].delegation_id not in (None, delegation.id)
        )
    ):
        # Moved to another delegation without a station named: the old one no longer fits.
        change("station_id", _label("station"), None, old_station, "")

    row.status = RowStatus.UPDATE if row.changes else RowStatus.UNCHANGED
    if not row.changes:
        row.values = {}


# --- applying ------------------------------------------------------------------------------------


def apply_plan(plan: RosterPlan, actor: User | None) -> RosterCounts:
    """Write a plan without errors: new stations, new delegates and the changed fields, in one
    flush, with one audit row. The caller commits. A plan with any error is refused whole."""
    if plan.has_errors:
        raise RosterPlanHasErrors("the roster plan has errors; nothing was imported")
    counts = plan.counts

    stations: dict[tuple[int, str], Station] = {}
    if plan.new_stations:
        codes = set(db.session.scalars(sa.select(Station.code)))
        delegation_codes = dict(db.session.execute(sa.select(Delegation.id, Delegation.code)).all())
        for new in plan.new_stations:
            code = _unique_code(delegation_codes[new.delegation_id], new.kind, codes)
            station = Station(
                code=code, name=new.name, kind=new.kind, delegation_id=new.delegation_id
            )
            db.session.add(station)
            stations[new.key] = station

    ids = [row.delegate_id for row in plan.rows if row.status == RowStatus.UPDATE]
    delegates: dict[int, Delegate] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        delegates.update(
            (d.id, d) for d in db.session.scalars(sa.select(Delegate).where(Delegate.id.in_(chunk)))
        )

    for row in plan.rows:
        if row.status == RowStatus.CREATE:
            delegate = Delegate(**row.values)
            db.session.add(delegate)
        elif row.status == RowStatus.UPDATE:
            delegate = delegates[row.delegate_id]
            for attribute, value in row.values.items():
                setattr(delegate, attribute, value)
        else:
            continue
        if row.new_station is not None:
            delegate.station = stations[row.new_station]

    record(
        actor,
        None,
        "roster_import",
        object_type="roster",
        note=f"created={counts.created} updated={counts.updated} "
        f"stations={counts.stations} file={plan.filename}",
    )
    db.session.flush()
    return counts


def _unique_code(delegation_code: str, kind: StationKind, taken: set[str]) -> str:
    """A free code in the stations page's pattern (``chengguan-home-3``), kept in ``taken``."""
    prefix = f"{delegation_code}-{STATION_CODE_SLUGS[kind]}-"
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    taken.add(f"{prefix}{number}")
    return f"{prefix}{number}"


# --- the blank template ----------------------------------------------------------------------------


def template_workbook() -> bytes:
    """An empty roster with the expected columns, drop-down lists and a sheet of notes.

    Always in Chinese, whatever the reader's language: the headers and values are what the
    import reads, as the congress offices' rosters are kept."""
    with force_locale("zh"):
        return _template_workbook()


def _template_workbook() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    delegations = [
        d.name
        for d in db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.retired_at.is_(None))
            .order_by(Delegation.position)
        )
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = _("代表名册")
    sheet.append([_label(f) for f in TEMPLATE_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {
        "name": 10,
        "gender": 6,
        "delegate_type": 14,
        "level": 14,
        "delegation": 12,
        "work": 36,
        "phone": 16,
        "station": 24,
    }
    lists = {
        "gender": [Gender.MALE.label, Gender.FEMALE.label],
        "delegate_type": [m.label for m in DelegateType],
        "level": [m.label for m in Level],
        "delegation": delegations,
    }
    for index, name in enumerate(TEMPLATE_FIELDS):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = widths[name]
        if name in lists and lists[name]:
            rule = DataValidation(
                type="list", formula1='"' + ",".join(lists[name]) + '"', allow_blank=True
            )
            rule.add(f"{letter}2:{letter}{DEFAULT_MAX_ROWS + 1}")
            sheet.add_data_validation(rule)
        if name == "phone":
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"  # keep leading zeros of landlines
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    for line in (
        (_("必填列"), "、".join(_label(f) for f in REQUIRED_FIELDS)),
        (_label("gender"), _("男 或 女，可不填")),
        (_label("delegate_type"), "、".join(m.label for m in DelegateType)),
        (_label("level"), "、".join(m.label for m in Level)),
        (_label("delegation"), "、".join(delegations)),
        (_label("phone"), _("11 位手机号，或带区号的固定电话（如 0931-8888888）")),
        (_label("station"), _("代表之家、代表联络站或基层立法联系点的名称；系统中没有的将新建")),
        (_("注意"), _("请勿使用公式和合并单元格；同一人只填一行。")),
    ):
        notes.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
