"""Roster files for the import tests: XLSX written with openpyxl, CSV in several encodings,
and hostile archives."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence

from openpyxl import Workbook

HEADER = ["姓名", "性别", "代表类型", "层级", "代表团", "工作单位及职务", "联系电话", "所属家站"]

# Three delegates as an office would type them: a formatted mobile with +86, a full-width
# mobile, a landline with its area code; one new station, one row without a station.
CLEAN_ROWS = [
    [
        "赵红梅",
        "女",
        "基层代表",
        "市人大代表",
        "城关区",
        "伏龙坪社区党委书记",
        "+86 138-0931-0000",
        "伏龙坪代表之家",
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
    [
        "孙丽",
        "女",
        "专业技术人员",
        "区县",
        "安宁",
        "兰州交通大学教授",
        "0931-8612345",
        "安宁区代表联络站",
    ],
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀兰文华志强丽娟海燕明军玉梅红霞永红立新桂英春华卫东淑珍"
DELEGATIONS = [
    "城关区",
    "七里河区",
    "西固区",
    "安宁区",
    "红古区",
    "永登县",
    "皋兰县",
    "榆中县",
    "兰州新区",
]
TYPES = ["党政机关代表", "企业家代表", "专业技术代表", "基层代表"]
LEVELS = ["市人大代表", "区县人大代表", "乡镇人大代表"]


def many_rows(count: int, *, start: int = 1, short: bool = False) -> list[list[str]]:
    """``count`` distinct delegates: unique names and mobiles, a few stations per delegation."""
    rows = []
    for i in range(start, start + count):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + str(i)
        delegation = DELEGATIONS[i % 9]
        rows.append(
            [
                name,
                "男" if i % 2 else "女",
                TYPES[i % 4],
                LEVELS[i % 3],
                delegation,
                "" if short else f"{delegation}第{i % 50}单位 主任",
                f"158{i:08d}",
                "" if short else f"{delegation}第{i // 9 % 3 + 1}代表之家",
            ]
        )
    return rows


def csv_bytes(
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    header: Sequence[str] | None = HEADER,
    title: str | None = None,
    delimiter: str = ",",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if title:
        writer.writerow([title])
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]],
    *,
    header: Sequence[str] | None = HEADER,
    title: str | None = None,
    change: Callable[[object], None] | None = None,
) -> bytes:
    """A workbook with an optional merged title row; ``change(sheet)`` edits it before saving."""
    book = Workbook()
    sheet = book.active
    sheet.title = "名册"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header or HEADER))
    if header:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if change is not None:
        change(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zeros_zip(members: int, member_bytes: int) -> bytes:
    """A small archive that unzips to ``members`` × ``member_bytes`` bytes of zeros."""
    out = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for number in range(members):
            with archive.open(
                f"xl/worksheets/sheet{number + 1}.xml", "w", force_zip64=True
            ) as member:
                left = member_bytes
                while left > 0:
                    member.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
    return out.getvalue()


def broken_xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """A workbook whose sheet breaks off in the middle of its XML."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            archive.writestr(member, data)
    return out.getvalue()
