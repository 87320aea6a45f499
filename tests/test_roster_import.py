"""代表名册导入: upload, preview, confirm; the file checks; roles; the command line."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
import sqlalchemy as sa

from tracker.admin.accounts import create_user
from tracker.admin.cli import roster_cli
from tracker.admin.roster import (
    RosterPlanHasErrors,
    apply_plan,
    normalize_phone,
    parse_delegate_type,
    parse_level,
    plan_import,
)
from tracker.enums import DelegateType, Gender, Level, Role, StationKind
from tracker.extensions import db
from tracker.models import AuditEntry, Delegate, Station

from . import factories
from .roster_files import CLEAN_ROWS, broken_xlsx, csv_bytes, many_rows, xlsx_bytes, zeros_zip


@pytest.fixture
def app_config(tmp_path):
    return {"ROSTER_UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def admin(client, auth, world):
    auth.login("admin")
    return client


def upload(client, data: bytes, filename: str = "名册.xlsx"):
    return client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def upload_ok(client, data: bytes, filename: str = "名册.xlsx") -> str:
    """Upload a readable file; return its token."""
    response = upload(client, data, filename)
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r"/admin/roster/([A-Za-z0-9_-]+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def counts_on(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def preview(client, token: str, **args) -> str:
    response = client.get(f"/admin/roster/{token}", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def field_errors(page: str) -> list[str]:
    return re.findall(r'<div class="invalid-feedback d-block" id="file-error">(.*?)</div>', page)


def delegate_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Delegate))


def station_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Station))


def by_name(name: str) -> Delegate:
    return db.session.scalar(sa.select(Delegate).where(Delegate.name == name))


def clean_file(kind: str, rows=CLEAN_ROWS, **kwargs) -> tuple[bytes, str]:
    if kind == "xlsx":
        return xlsx_bytes(rows, **kwargs), "名册.xlsx"
    return csv_bytes(rows, encoding=kind, **kwargs), "名册.csv"


# --- a clean roster --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "utf-8", "utf-8-sig", "gb18030"])
def test_clean_roster_previews_exact_counts_and_confirm_creates_exact_delegates(app, admin, kind):
    data, filename = clean_file(kind)
    token = upload_ok(admin, data, filename)
    page = preview(admin, token)
    assert counts_on(page) == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    assert "将新建家站（2 个）" in page
    assert "伏龙坪代表之家" in page and "安宁区代表联络站" in page

    response = admin.post(f"/admin/roster/{token}/confirm")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/roster"
    page = admin.get("/admin/roster").get_data(as_text=True)
    assert "名册已导入：新增 3 人，更新 0 人，新建家站 2 个。" in page
    assert 'href="/delegates/"' in page and 'href="/admin/users"' in page

    with app.app_context():
        assert delegate_count() == 6  # the world's three and these three
        zhao, qian, sun = by_name("赵红梅"), by_name("钱志强"), by_name("孙丽")
        assert (zhao.gender, zhao.delegate_type, zhao.level) == (
            Gender.FEMALE,
            DelegateType.GRASSROOTS,
            Level.CITY,
        )
        assert zhao.delegation.code == "chengguan"
        assert (zhao.work_unit, zhao.job_title) == ("伏龙坪社区党委书记", "")
        assert zhao.phone == "13809310000"
        assert zhao.station.name == "伏龙坪代表之家"
        assert zhao.station.kind == StationKind.HOME
        assert zhao.station.delegation.code == "chengguan"
        assert zhao.station.code == "chengguan-home-1"

        assert (qian.gender, qian.delegate_type, qian.level) == (
            Gender.MALE,
            DelegateType.ENTREPRENEUR,
            Level.CITY,
        )
        assert qian.delegation.code == "qilihe"
        assert qian.phone == "13809310001"  # typed with full-width digits
        assert qian.station is None

        assert (sun.delegate_type, sun.level) == (DelegateType.TECHNICAL, Level.COUNTY)
        assert sun.delegation.code == "anning"  # written as 安宁
        assert sun.phone == "09318612345"
        assert sun.station.kind == StationKind.LIAISON
        assert sun.station.code == "anning-liaison-1"

        audit = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "roster_import")
        ).all()
        assert len(audit) == 1
        assert audit[0].object_type == "roster"
        assert audit[0].note == f"created=3 updated=0 stations=2 file={filename}"
    # the upload is gone once imported
    assert admin.get(f"/admin/roster/{token}").status_code == 404


def test_reimporting_the_same_file_changes_nothing(app, admin):
    data, filename = clean_file("xlsx")
    admin.post(f"/admin/roster/{upload_ok(admin, data, filename)}/confirm")
    token = upload_ok(admin, data, filename)
    page = preview(admin, token)
    assert counts_on(page) == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    assert "没有需要导入的内容" in page
    assert f"/admin/roster/{token}/confirm" not in page
    with app.app_context():
        plan = plan_import(data, filename)
        assert (plan.counts.created, plan.counts.updated, plan.counts.stations) == (0, 0, 0)
        assert delegate_count() == 6 and station_count() == 4


def test_a_changed_phone_and_work_unit_update_exactly_that_delegate(app, admin):
    data, filename = clean_file("utf-8")
    admin.post(f"/admin/roster/{upload_ok(admin, data, filename)}/confirm")
    with app.app_context():
        others = {d.id: (d.phone, d.work_unit) for d in db.session.scalars(sa.select(Delegate))}
    changed = [list(row) for row in CLEAN_ROWS]
    changed[1][6] = "139 0931 9999"
    changed[1][5] = "兰州恒通机械有限公司总经理"
    token = upload_ok(admin, csv_bytes(changed), filename)
    page = preview(admin, token)
    assert counts_on(page) == {"create": 0, "update": 1, "unchanged": 2, "error": 0}
    row = re.search(r'<tr class="" data-row="3" data-status="update">(.*?)</tr>', page, re.S)
    assert row, page
    assert re.search(
        r"联系电话</span>：<del[^>]*>13809310001</del> → <ins>13909319999</ins>", row.group(1)
    )
    assert re.search(
        r"工作单位及职务</span>：<del[^>]*>兰州恒通机械有限公司董事长</del> → "
        r"<ins>兰州恒通机械有限公司总经理</ins>",
        row.group(1),
    )

    admin.post(f"/admin/roster/{token}/confirm")
    with app.app_context():
        qian = by_name("钱志强")
        assert (qian.phone, qian.work_unit) == ("13909319999", "兰州恒通机械有限公司总经理")
        now = {d.id: (d.phone, d.work_unit) for d in db.session.scalars(sa.select(Delegate))}
        assert {k: v for k, v in now.items() if v != others[k]} == {
            qian.id: ("13909319999", "兰州恒通机械有限公司总经理")
        }


def test_existing_delegates_are_matched_by_name_and_delegation_and_blanks_keep_their_data(
    app, world
):
    # the world's 马秀兰 (城关区, 测试单位 职务, a station) with no phone, gender or station in the
    # file; 王建国 by the phone three of the world's delegates share, told apart by name
    rows = [
        ["马秀兰", "", "基层代表", "市人大代表", "城关区", "测试单位职务", "", ""],
        ["王建国", "女", "企业家代表", "市人大代表", "城关区", "测试单位 职务", "13900000000", ""],
    ]
    with app.app_context():
        plan = plan_import(csv_bytes(rows), "r.csv")
        assert [r.status for r in plan.rows] == ["unchanged", "unchanged"]
        assert [r.delegate_id for r in plan.rows] == [world.delegate_a, world.delegate_a2]


def test_flexible_headers_title_row_spaces_full_width_and_synonyms(app, admin):
    header = [
        "＊姓 名",
        "性别（男/女）",
        "类别",
        "代表级别",
        "选举单位",
        "单位职务",
        "手机号码",
        "所属代表之家（站）",
    ]
    data = xlsx_bytes(CLEAN_ROWS, header=header, title="兰州市人大代表名册")
    with app.app_context():
        plan = plan_import(data, "名册.xlsx")
        assert plan.errors == [] and plan.header_row == 2
        assert [r.number for r in plan.rows] == [3, 4, 5]
        assert plan.counts.created == 3
    # the same in a GBK CSV with a serial-number column and separate unit and title columns
    rows = [
        [str(i + 1), r[0], r[4], r[2], r[3], "兰州交通大学", "教授", r[6]]
        for i, r in enumerate(CLEAN_ROWS)
    ]
    data = csv_bytes(
        rows,
        encoding="gbk",
        title="2024年代表名册",
        header=[
            "序号",
            "代表姓名",
            "所属代表团",
            "代表类型",
            "层级",
            "工作单位",
            "职务",
            "联系电话",
        ],
    )
    with app.app_context():
        plan = plan_import(data, "名册.csv")
        assert plan.errors == [] and plan.ignored_columns == ["序号"]
        assert plan.rows[2].values["work_unit"] == "兰州交通大学"
        assert plan.rows[2].values["job_title"] == "教授"


def test_template_download_has_the_headers_the_import_expects(app, admin):
    response = admin.get("/admin/roster/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    with app.app_context():
        plan = plan_import(response.data, "template.xlsx")
        assert plan.errors == ["表中只有表头，没有代表数据。"]
        assert plan.header_row == 1 and plan.ignored_columns == []


def test_the_template_is_in_chinese_for_an_english_reader_too(app, admin):
    admin.post("/auth/language/en")
    response = admin.get("/admin/roster/template.xlsx")
    with app.app_context():
        plan = plan_import(response.data, "template.xlsx")
        assert plan.errors == ["表中只有表头，没有代表数据。"]
        assert plan.header_row == 1 and plan.ignored_columns == []


# --- files that cannot be imported ----------------------------------------------------------------


def _not_a_zip() -> tuple[bytes, str]:
    return "姓名,代表类型\n张三,基层\n".encode(), "名册.xlsx"


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (
            csv_bytes(CLEAN_ROWS, header=["姓名", "性别", "代表类型", "备注", "x", "y", "z", "w"]),
            "r.csv",
            "缺少必填列：层级、代表团。",
        ),
        (csv_bytes(CLEAN_ROWS, header=None), "r.csv", "找不到表头"),
        (b"", "r.csv", "文件是空的。"),
        (csv_bytes([]), "r.csv", "表中只有表头，没有代表数据。"),
        (xlsx_bytes([]), "r.xlsx", "表中只有表头，没有代表数据。"),
        (_not_a_zip()[0], "名册.xlsx", "不是有效的 Excel 文件"),
        (broken_xlsx(CLEAN_ROWS), "名册.xlsx", "不是有效的 Excel 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "名册.xlsx", "旧版 Excel 文件（.xls）"),
    ],
    ids=[
        "missing-columns",
        "no-header",
        "empty",
        "header-only-csv",
        "header-only-xlsx",
        "not-a-zip",
        "broken-xlsx",
        "ole",
    ],
)
def test_unreadable_files_are_refused_next_to_the_field_and_nothing_is_saved(
    app, admin, tmp_path, data, filename, message
):
    response = upload(admin, data, filename)
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert len(errors) == 1 and message in errors[0], errors
    assert not list((tmp_path / "uploads").glob("roster-*"))
    with app.app_context():
        assert delegate_count() == 3


@pytest.mark.parametrize(
    "filename, data",
    [
        ("名册.xls", b"\xd0\xcf\x11\xe0"),
        ("名册.pdf", b"%PDF-1.4"),
        (None, b""),
    ],
)
def test_no_file_or_a_wrong_type_is_a_message_next_to_the_field(admin, tmp_path, filename, data):
    form = {"file": (io.BytesIO(data), filename)} if filename else {}
    response = admin.post("/admin/roster", data=form, content_type="multipart/form-data")
    errors = field_errors(response.get_data(as_text=True))
    expected = (
        "请选择要导入的名册文件。"
        if filename is None
        else "只能上传 Excel 工作簿（.xlsx）或 CSV 文件"
    )
    assert len(errors) == 1 and expected in errors[0]
    assert not (tmp_path / "uploads").exists() or not list((tmp_path / "uploads").iterdir())


def test_more_than_20000_rows_is_refused_whole(app, admin):
    data = csv_bytes(many_rows(20_001, short=True))
    assert len(data) < 2 * 1024 * 1024  # fits the request limit: the row cap is what refuses
    response = upload(admin, data, "大名册.csv")
    errors = field_errors(response.get_data(as_text=True))
    assert errors == ["数据超过 20000 行的上限，没有导入任何内容。请拆分后分批导入。"]
    with app.app_context():
        assert delegate_count() == 3


def test_a_file_over_the_size_limit_is_refused(app, admin):
    app.config["ROSTER_MAX_BYTES"] = 1000
    response = upload(admin, csv_bytes(many_rows(50)), "r.csv")
    assert field_errors(response.get_data(as_text=True)) == ["文件超过 1 KB，请拆分后分批导入。"]


def test_a_request_over_flasks_limit_is_a_message_next_to_the_field(app, admin):
    response = upload(admin, b"x" * (2 * 1024 * 1024 + 1), "r.csv")
    assert response.status_code == 413
    assert field_errors(response.get_data(as_text=True)) == ["文件超过 2 MB，请拆分后分批导入。"]


def test_a_zip_that_unzips_to_far_too_much_is_refused_before_it_is_opened(app, admin):
    one_member = zeros_zip(1, 200 * 1024 * 1024)  # 200 MB of zeros in ~200 KB
    many_members = zeros_zip(110, 1024 * 1024)  # 110 MB in small members, each under the ratio rule
    assert len(one_member) < 1024 * 1024 and len(many_members) < 2 * 1024 * 1024
    for data in (one_member, many_members):
        response = upload(admin, data, "名册.xlsx")
        assert field_errors(response.get_data(as_text=True)) == ["文件异常（解压后过大），已拒绝。"]
    with app.app_context():
        assert delegate_count() == 3


# --- rows with errors: shown in the preview, and the import is refused whole -----------------------


def _formula(sheet):
    sheet["G3"] = "=1+1"


def _merged_delegation(sheet):
    sheet.merge_cells("E2:E3")


@pytest.mark.parametrize(
    "data, filename, row, message",
    [
        (
            xlsx_bytes(CLEAN_ROWS, change=_formula),
            "r.xlsx",
            3,
            "“联系电话”单元格是公式，请粘贴为数值。",
        ),
        (
            csv_bytes([CLEAN_ROWS[0], [*CLEAN_ROWS[1][:6], "=HYPERLINK(1)", ""]]),
            "r.csv",
            3,
            "“联系电话”单元格是公式，请粘贴为数值。",
        ),
        (
            xlsx_bytes(CLEAN_ROWS, change=_merged_delegation),
            "r.xlsx",
            3,
            "“代表团”为空（可能是合并单元格：请取消合并，并在每一行填写）。",
        ),
        (
            csv_bytes([CLEAN_ROWS[0], [*CLEAN_ROWS[1][:6], "138093100", ""]]),
            "r.csv",
            3,
            "联系电话“138093100”格式不对",
        ),
        (
            csv_bytes([CLEAN_ROWS[0], [*CLEAN_ROWS[1][:4], "东岗区", *CLEAN_ROWS[1][5:]]]),
            "r.csv",
            3,
            "找不到代表团“东岗区”。",
        ),
        (
            csv_bytes([CLEAN_ROWS[0], [*CLEAN_ROWS[1][:2], "农业代表", *CLEAN_ROWS[1][3:]]]),
            "r.csv",
            3,
            "无法识别代表类型“农业代表”，应为：党政机关代表、企业家代表、专业技术代表、基层代表。",
        ),
        (csv_bytes([CLEAN_ROWS[0], CLEAN_ROWS[1], CLEAN_ROWS[0]]), "r.csv", 4, "与第 2 行重复。"),
    ],
    ids=["formula", "formula-text", "merged", "phone", "delegation", "type", "duplicate"],
)
def test_a_row_error_is_shown_on_its_row_and_nothing_is_imported(
    app, admin, data, filename, row, message
):
    token = upload_ok(admin, data, filename)
    page = preview(admin, token)
    assert counts_on(page)["error"] == 1
    found = re.search(
        rf'<tr class="table-danger" data-row="{row}" data-status="error">(.*?)</tr>', page, re.S
    )
    assert found and message in found.group(1), page
    assert "暂不能导入" in page and f"/admin/roster/{token}/confirm" not in page

    response = admin.post(f"/admin/roster/{token}/confirm", follow_redirects=True)
    assert "名册中还有错误，没有导入任何内容。" in response.get_data(as_text=True)
    assert admin.get(f"/admin/roster/{token}").status_code == 200  # kept, to look at again
    with app.app_context():
        assert delegate_count() == 3 and station_count() == 2
        with pytest.raises(RosterPlanHasErrors):
            apply_plan(plan_import(data, filename), None)


# --- who may import -------------------------------------------------------------------------------

ROSTER_URLS = [
    ("get", "/admin/roster"),
    ("post", "/admin/roster"),
    ("get", "/admin/roster/template.xlsx"),
    ("get", "/admin/roster/aaaaaaaaaaaaaaaaaaaaaaaa"),
    ("post", "/admin/roster/aaaaaaaaaaaaaaaaaaaaaaaa/confirm"),
]


@pytest.mark.parametrize("username", ["dele_a", "staff_a", "staff_city"])
@pytest.mark.parametrize("method, url", ROSTER_URLS)
def test_delegates_and_staff_get_403_on_every_roster_url(
    client, auth, world, username, method, url
):
    auth.login(username)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("method, url", ROSTER_URLS)
def test_anonymous_is_sent_to_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_another_admin_cannot_use_my_upload(app, admin, client):
    token = upload_ok(admin, clean_file("xlsx")[0])
    with app.app_context():
        create_user(
            username="admin2",
            display_name="另一位管理员",
            role=Role.ADMIN,
            password=factories.PASSWORD,
        )
        db.session.commit()
    other = app.test_client()
    other.post("/auth/login", data={"username": "admin2", "password": factories.PASSWORD})
    assert other.get(f"/admin/roster/{token}").status_code == 404
    assert other.post(f"/admin/roster/{token}/confirm").status_code == 404
    with app.app_context():
        assert delegate_count() == 3
    assert admin.get(f"/admin/roster/{token}").status_code == 200


def test_an_upload_expires_after_an_hour(app, admin, tmp_path):
    token = upload_ok(admin, clean_file("xlsx")[0])
    meta = tmp_path / "uploads" / f"roster-{token}.json"
    data = json.loads(meta.read_text())
    data["uploaded_at"] = time.time() - 3601
    meta.write_text(json.dumps(data))
    response = admin.post(f"/admin/roster/{token}/confirm", follow_redirects=True)
    assert "预览已过期" in response.get_data(as_text=True)
    assert not list((tmp_path / "uploads").glob(f"roster-{token}*"))
    assert admin.get(f"/admin/roster/{token}").status_code == 404
    with app.app_context():
        assert delegate_count() == 3


# --- the command line -----------------------------------------------------------------------------


def test_cli_dry_run_changes_nothing_and_import_imports(app, runner, world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(clean_file("xlsx")[0])
    result = runner.invoke(roster_cli, ["import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 to create, 0 to update, 0 unchanged, 0 with errors, 2 new stations" in result.output
    with app.app_context():
        assert delegate_count() == 3

    result = runner.invoke(roster_cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported: 3 created, 0 updated, 2 stations created" in result.output
    with app.app_context():
        assert delegate_count() == 6
        assert (
            db.session.scalar(
                sa.select(AuditEntry.actor_id).where(AuditEntry.action == "roster_import")
            )
            is None
        )

    result = runner.invoke(roster_cli, ["import", str(path)])
    assert result.exit_code == 0
    assert "0 to create, 0 to update, 3 unchanged" in result.output
    assert "nothing to import" in result.output


def test_cli_exit_status_1_with_row_errors_and_2_for_bad_arguments(app, runner, world, tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes([CLEAN_ROWS[0], [*CLEAN_ROWS[1][:6], "12345", ""]]))
    result = runner.invoke(roster_cli, ["import", str(path)])
    assert result.exit_code == 1
    assert "row 3: 联系电话“12345”格式不对" in result.output
    with app.app_context():
        assert delegate_count() == 3
    assert runner.invoke(roster_cli, ["import", str(tmp_path / "missing.csv")]).exit_code == 2
    assert runner.invoke(roster_cli, ["import"]).exit_code == 2


def test_cli_prints_progress_for_large_files(app, runner, world, tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes(many_rows(1_200)))
    result = runner.invoke(roster_cli, ["import", "--dry-run", str(path)])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:2] == ["  500 rows read", "  1,000 rows read"]


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, phone",
    [
        ("+86 138-0931-0000", "13809310000"),
        ("１３８０９３１００００", "13809310000"),
        ("0086 13809310000", "13809310000"),
        ("8613809310000", "13809310000"),
        ("(0931) 861-2345", "09318612345"),
        ("138.0931.0000", "13809310000"),
    ],
)
def test_phone_numbers_are_normalised(typed, phone):
    assert normalize_phone(typed) == phone


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("党政机关代表", DelegateType.GOVERNMENT),
        ("党政机关", DelegateType.GOVERNMENT),
        ("政府", DelegateType.GOVERNMENT),
        ("企业家", DelegateType.ENTREPRENEUR),
        ("专业技术人员", DelegateType.TECHNICAL),
        ("专业技术代表", DelegateType.TECHNICAL),
        ("一线", DelegateType.GRASSROOTS),
        ("基层", DelegateType.GRASSROOTS),
        ("农业", None),
    ],
)
def test_delegate_types_by_label_or_short_form(app, typed, expected):
    with app.test_request_context():
        assert parse_delegate_type(typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("市人大代表", Level.CITY),
        ("市级", Level.CITY),
        ("市", Level.CITY),
        ("区县人大代表", Level.COUNTY),
        ("县区级", Level.COUNTY),
        ("县级人大代表", Level.COUNTY),
        ("乡镇", Level.TOWNSHIP),
        ("省人大代表", Level.PROVINCIAL),
        ("全国人大代表", Level.NATIONAL),
        ("村级", None),
    ],
)
def test_levels_by_label_or_short_form(app, typed, expected):
    with app.test_request_context():
        assert parse_level(typed) == expected


# --- done when: 2,000 delegates in one step, and a re-import changes nothing ------------------------


@pytest.mark.parametrize("kind", ["gb18030", "xlsx"])
def test_two_thousand_delegates_import_in_one_step_and_reimport_reports_no_change(app, admin, kind):
    data, filename = clean_file(kind, rows=many_rows(2_000))
    token = upload_ok(admin, data, filename)
    page = preview(admin, token)
    assert counts_on(page) == {"create": 2000, "update": 0, "unchanged": 0, "error": 0}
    assert page.count('<tr class="" data-row=') == 500
    assert "共 2000 行，这里只列出前 500 行" in page
    assert admin.post(f"/admin/roster/{token}/confirm").status_code == 302
    with app.app_context():
        assert delegate_count() == 2003
        assert station_count() == 2 + 27  # three new stations in each of nine delegations
    token = upload_ok(admin, data, filename)
    assert counts_on(preview(admin, token)) == {
        "create": 0,
        "update": 0,
        "unchanged": 2000,
        "error": 0,
    }


def test_preview_and_upload_pages_render_in_english_too(admin):
    data = csv_bytes([CLEAN_ROWS[0], [*CLEAN_ROWS[1][:6], "12345", ""]])
    token = upload_ok(admin, data, "r.csv")
    english = {"Accept-Language": "en"}
    page = admin.get(f"/admin/roster/{token}", headers=english)
    assert page.status_code == 200 and '<html lang="en">' in page.get_data(as_text=True)
    assert admin.get("/admin/roster", headers=english).status_code == 200
