"""Managed lists: stations (代表家站) and delegations (代表团), kept by administrators."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tracker.admin.accounts import create_user
from tracker.enums import DelegationKind, Role, StationKind
from tracker.extensions import db
from tracker.models import AuditEntry, Delegate, Delegation, MonthClose, Station, utcnow

from . import factories

INVALID_CHOICE = "所选项不在可选范围内，请重新选择。"
DELEGATION_REQUIRED = "请选择所属代表团；市级家站请选“市级（不属于某个代表团）”。"


def field_error(page: str, field_id: str) -> str:
    """The text of the error shown under one field."""
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', page)
    assert match, f"no error shown for {field_id}"
    return html_lib.unescape(match.group(1)).strip()


def flashes(page: str) -> list[str]:
    return [
        html_lib.unescape(m).strip()
        for m in re.findall(
            r'<div class="alert (?:flash )?alert-\w+" role="\w+">(.*?)</div>', page, re.S
        )
    ]


def audit(app, object_type: str) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                AuditEntry.action, AuditEntry.from_state, AuditEntry.to_state, AuditEntry.note
            )
            .where(AuditEntry.object_type == object_type)
            .order_by(AuditEntry.id)
        )
        return [tuple(r) for r in rows]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def delegation_id(app, code: str) -> int:
    with app.app_context():
        return factories.delegation(code).id


def station_row(app, station_id: int) -> tuple | None:
    with app.app_context():
        s = db.session.get(Station, station_id)
        if s is None:
            return None
        return (
            s.code,
            s.name,
            s.kind,
            s.delegation.code if s.delegation else None,
            s.address,
            s.is_retired,
        )


def station_by_code(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Station.id).where(Station.code == code))


def edit_station(client, station_id: int, action: str, **fields):
    data = {f"station-{station_id}-{k}": v for k, v in fields.items()}
    data[f"station-{station_id}-action"] = action
    return client.post(f"/admin/stations/{station_id}", data=data)


def edit_delegation(client, delegation_id_: int, action: str, **fields):
    data = {f"delegation-{delegation_id_}-{k}": v for k, v in fields.items()}
    data[f"delegation-{delegation_id_}-action"] = action
    return client.post(f"/admin/delegations/{delegation_id_}", data=data)


@pytest.fixture
def admin(client, auth, world):
    auth.login("admin")
    return client


# --- stations -------------------------------------------------------------------------------------


def test_admin_adds_stations_and_blank_codes_are_generated(app, admin):
    chengguan = delegation_id(app, "chengguan")
    before = count(app, Station)
    response = admin.post(
        "/admin/stations",
        data={
            "name": "城关区伏龙坪街道代表之家",
            "kind": "home",
            "delegation": str(chengguan),
            "address": "兰州市城关区伏龙坪街道党群服务中心二楼",
            "code": "",
        },
    )
    assert response.status_code == 302
    first = station_by_code(app, "chengguan-home-1")
    assert station_row(app, first) == (
        "chengguan-home-1",
        "城关区伏龙坪街道代表之家",
        StationKind.HOME,
        "chengguan",
        "兰州市城关区伏龙坪街道党群服务中心二楼",
        False,
    )
    assert response.headers["Location"] == f"/admin/stations#station-{first}"

    admin.post(
        "/admin/stations",
        data={"name": "第二个代表之家", "kind": "home", "delegation": str(chengguan)},
    )
    admin.post(
        "/admin/stations",
        data={"name": "市人大立法联系点", "kind": "legislative_point", "delegation": "none"},
    )
    admin.post(
        "/admin/stations",
        data={
            "name": "自定代码联络站",
            "kind": "liaison",
            "delegation": str(chengguan),
            "code": " CG-Liaison-9 ",
        },
    )
    assert station_row(app, station_by_code(app, "chengguan-home-2"))[1] == "第二个代表之家"
    assert station_row(app, station_by_code(app, "city-legislative-1"))[2:4] == (
        StationKind.LEGISLATIVE_POINT,
        None,
    )
    assert station_row(app, station_by_code(app, "cg-liaison-9"))[1] == "自定代码联络站"
    assert count(app, Station) == before + 4
    assert [(a, t, n) for a, _f, t, n in audit(app, "station")] == [
        ("create", "active", "chengguan-home-1 城关区伏龙坪街道代表之家"),
        ("create", "active", "chengguan-home-2 第二个代表之家"),
        ("create", "active", "city-legislative-1 市人大立法联系点"),
        ("create", "active", "cg-liaison-9 自定代码联络站"),
    ]
    page = admin.get("/admin/stations").get_data(as_text=True)
    assert "城关区伏龙坪街道代表之家" in page
    assert "市级（不属于某个代表团）" in page


def test_bad_station_input_is_refused_at_its_field_and_nothing_is_written(app, admin, world):
    taken = station_row(app, world.station_a)[0]
    before = count(app, Station)

    response = admin.post(
        "/admin/stations",
        data={
            "name": "新的联络站",
            "kind": "liaison",
            "delegation": str(delegation_id(app, "qilihe")),
            "address": "某街道",
            "code": taken,
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "code") == "这个代码已被其他家站使用，请换一个或留空自动生成。"
    assert 'value="新的联络站"' in page and 'value="某街道"' in page
    assert '<details class="add-station" open>' in page

    page = admin.post(
        "/admin/stations",
        data={
            "name": "",
            "kind": "castle",
            "delegation": "999999",
            "code": "有中文",
        },
    ).get_data(as_text=True)
    assert field_error(page, "name") == "请填写名称。"
    assert field_error(page, "kind") == INVALID_CHOICE
    assert field_error(page, "delegation") == INVALID_CHOICE
    assert (
        field_error(page, "code") == "代码只能包含英文小写字母、数字和“-”，例如 chengguan-home-2。"
    )

    page = admin.post("/admin/stations", data={"name": "x" * 121, "kind": ""}).get_data(
        as_text=True
    )
    assert field_error(page, "name") == "最多 120 字。"
    assert field_error(page, "kind") == "请选择类型。"
    # an untouched delegation select is not taken as "city level"
    assert field_error(page, "delegation") == DELEGATION_REQUIRED

    # a retired delegation takes no new stations
    with app.app_context():
        factories.delegation("honggu").retired_at = utcnow()
        db.session.commit()
    page = admin.post(
        "/admin/stations",
        data={
            "name": "红古区代表之家",
            "kind": "home",
            "delegation": str(delegation_id(app, "honggu")),
        },
    ).get_data(as_text=True)
    assert field_error(page, "delegation") == INVALID_CHOICE

    assert count(app, Station) == before
    assert audit(app, "station") == []


def test_admin_edits_retires_and_restores_a_station(app, admin, world):
    sid = world.station_a
    code, old_name = station_row(app, sid)[:2]
    response = edit_station(
        admin,
        sid,
        "update",
        name="城关区东岗街道代表联络站",
        kind="liaison",
        delegation=str(delegation_id(app, "qilihe")),
        address="东岗西路 1 号",
    )
    assert response.status_code == 302
    assert station_row(app, sid) == (
        code,
        "城关区东岗街道代表联络站",
        StationKind.LIAISON,
        "qilihe",
        "东岗西路 1 号",
        False,
    )

    # an empty name is refused next to the row's field, with what was typed kept
    page = edit_station(
        admin, sid, "update", name="", kind="home", delegation="", address="新地址"
    ).get_data(as_text=True)
    assert field_error(page, f"station-{sid}-name") == "请填写名称。"
    assert field_error(page, f"station-{sid}-delegation") == DELEGATION_REQUIRED
    assert 'value="新地址"' in page
    assert station_row(app, sid)[1:5] == (
        "城关区东岗街道代表联络站",
        StationKind.LIAISON,
        "qilihe",
        "东岗西路 1 号",
    )
    page = edit_station(
        admin, sid, "update", name="名称", kind="home", delegation="999999"
    ).get_data(as_text=True)
    assert field_error(page, f"station-{sid}-delegation") == INVALID_CHOICE

    page = admin.post(
        f"/admin/stations/{sid}", data={f"station-{sid}-action": "retire"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "已停用：城关区东岗街道代表联络站。新记录中不再出现，历史记录保留。" in flashes(page)
    assert station_row(app, sid)[5] is True
    assert edit_station(admin, sid, "restore").status_code == 302
    assert station_row(app, sid)[5] is False
    assert edit_station(admin, sid, "explode").status_code == 200
    assert station_row(app, sid)[5] is False

    assert audit(app, "station") == [
        (
            "edit",
            "",
            "",
            f"name: {old_name} → 城关区东岗街道代表联络站; kind: home → liaison; "
            "address:  → 东岗西路 1 号; delegation: chengguan → qilihe",
        ),
        ("retire", "active", "retired", ""),
        ("restore", "retired", "active", ""),
    ]


def test_retired_stations_are_not_offered_when_logging_an_activity(app, admin, client, auth, world):
    qilihe = station_row(app, world.station_b)
    assert edit_station(admin, world.station_b, "retire").status_code == 302
    auth.logout()
    auth.login("dele_a")
    form = client.get("/activities/new").get_data(as_text=True)
    choices = re.search(r'<select[^>]*id="station".*?</select>', form, re.S).group(0)
    assert f'value="{world.station_a}">' in choices
    assert f'value="{world.station_b}">' not in choices
    assert qilihe[1] not in choices


def test_an_unused_station_is_deleted_and_a_used_one_is_retired_instead(app, admin, world):
    admin.post(
        "/admin/stations",
        data={
            "name": "多余的联络站",
            "kind": "liaison",
            "delegation": str(delegation_id(app, "xigu")),
        },
    )
    spare = station_by_code(app, "xigu-liaison-1")
    page = admin.get("/admin/stations").get_data(as_text=True)
    block = page.split(f'id="station-{spare}"', 1)[1].split("</li>", 1)[0]
    assert "尚无代表或履职记录" in block and 'value="delete"' in block
    response = edit_station(admin, spare, "delete")
    assert response.status_code == 302
    assert station_row(app, spare) is None

    # station_a has a delegate; a station only an activity names is in use too
    with app.app_context():
        only_activity = factories.make_station("anning")
        other = db.session.get(Delegate, world.delegate_b)
        factories.make_activity(other).station_id = only_activity.id
        db.session.commit()
        only_activity = only_activity.id
    block = (
        admin.get("/admin/stations")
        .get_data(as_text=True)
        .split(f'id="station-{world.station_a}"', 1)[1]
        .split("</li>", 1)[0]
    )
    assert "1 名代表、0 条履职记录" in block and 'value="delete"' not in block

    for sid in (world.station_a, only_activity):
        name = station_row(app, sid)[1]
        page = edit_station(admin, sid, "delete").headers["Location"]
        page = admin.get(page).get_data(as_text=True)
        assert (
            f"“{name}”已有代表或履职记录引用，不能删除，已改为停用：新记录中不再出现，历史记录保留。"
            in flashes(page)
        )
        assert station_row(app, sid)[5] is True
    # asking again keeps it retired and says so
    page = admin.get(edit_station(admin, world.station_a, "delete").headers["Location"]).get_data(
        as_text=True
    )
    assert any("不能删除，仍保持停用" in m for m in flashes(page))
    assert station_row(app, world.station_a)[5] is True

    actions = [(a, f, t) for a, f, t, _n in audit(app, "station")]
    assert actions == [
        ("create", "", "active"),
        ("delete", "active", ""),
        ("retire", "active", "retired"),
        ("retire", "active", "retired"),
    ]


def test_the_station_list_is_grouped_by_delegation_and_filters(app, admin, world):
    with app.app_context():
        point = factories.make_station("qilihe", StationKind.LEGISLATIVE_POINT).id
        home = factories.make_station("qilihe", StationKind.HOME).id
        db.session.commit()
    page = admin.get("/admin/stations").get_data(as_text=True)
    groups = re.findall(r'<h2 class="h5[^"]*" id="group-(\w+)">\s*([^<\s]+)', page)
    assert [name for _id, name in groups] == ["城关区", "七里河区"]
    assert "共 4 个家站" in page
    # within a delegation: 代表之家, 代表联络站, 基层立法联系点
    order = [
        int(i)
        for i in re.findall(r'<li class="list-group-item py-3[^"]*" id="station-(\d+)"', page)
    ]
    assert order == [world.station_a, home, world.station_b, point]

    qilihe = delegation_id(app, "qilihe")
    page = admin.get(f"/admin/stations?delegation={qilihe}").get_data(as_text=True)
    assert f'id="station-{world.station_a}"' not in page
    assert f'id="station-{world.station_b}"' in page
    assert "显示 3 个，共 4 个家站" in page
    page = admin.get(f"/admin/stations?delegation={qilihe}&kind=liaison").get_data(as_text=True)
    assert page.count('class="list-group-item py-3') == 1
    edit_station(admin, world.station_b, "retire")
    page = admin.get("/admin/stations?status=retired").get_data(as_text=True)
    assert (
        page.count('class="list-group-item py-3') == 1 and f'id="station-{world.station_b}"' in page
    )
    page = admin.get("/admin/stations?delegation=none").get_data(as_text=True)
    assert "没有符合条件的家站。" in page
    # nonsense filters are ignored, never an error
    assert admin.get("/admin/stations?delegation=abc&kind=x&status=y").status_code == 200
    # a row's edit form keeps the filters in its action
    page = admin.get(f"/admin/stations?delegation={qilihe}&edit={world.station_b}").get_data(
        as_text=True
    )
    assert f'action="/admin/stations/{world.station_b}?delegation={qilihe}"' in page
    assert f'id="station-{world.station_b}-name"' in page


def test_unknown_station_is_404(admin):
    assert (
        admin.post("/admin/stations/999999", data={"station-999999-action": "retire"}).status_code
        == 404
    )


# --- delegations ------------------------------------------------------------------------------------


def delegation_row(app, did: int) -> tuple | None:
    with app.app_context():
        d = db.session.get(Delegation, did)
        return None if d is None else (d.code, d.name, d.kind, d.position, d.is_retired)


def test_admin_adds_edits_retires_restores_and_deletes_an_unused_delegation(app, admin):
    before = count(app, Delegation)
    response = admin.post(
        "/admin/delegations",
        data={"code": "Lanzhou-Hi-Tech", "name": "兰州高新区", "kind": "district", "position": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        did = db.session.scalar(
            sa.select(Delegation.id).where(Delegation.code == "lanzhou-hi-tech")
        )
    assert delegation_row(app, did) == (
        "lanzhou-hi-tech",
        "兰州高新区",
        DelegationKind.DISTRICT,
        10,
        False,
    )
    assert count(app, Delegation) == before + 1

    assert (
        edit_delegation(
            admin, did, "update", name="兰州高新技术产业开发区", kind="new_area", position="12"
        ).status_code
        == 302
    )
    assert delegation_row(app, did) == (
        "lanzhou-hi-tech",
        "兰州高新技术产业开发区",
        DelegationKind.NEW_AREA,
        12,
        False,
    )
    assert edit_delegation(admin, did, "retire").status_code == 302
    assert delegation_row(app, did)[4] is True
    assert edit_delegation(admin, did, "restore").status_code == 302
    assert delegation_row(app, did)[4] is False

    page = admin.get(
        admin.post(
            f"/admin/delegations/{did}", data={f"delegation-{did}-action": "delete"}
        ).headers["Location"]
    ).get_data(as_text=True)
    assert "已删除代表团：兰州高新技术产业开发区" in flashes(page)
    assert delegation_row(app, did) is None
    assert count(app, Delegation) == before
    assert audit(app, "delegation") == [
        ("create", "", "active", "lanzhou-hi-tech 兰州高新区"),
        (
            "edit",
            "",
            "",
            "name: 兰州高新区 → 兰州高新技术产业开发区; kind: district → new_area; "
            "position: 10 → 12",
        ),
        ("retire", "active", "retired", ""),
        ("restore", "retired", "active", ""),
        ("delete", "active", "", "lanzhou-hi-tech 兰州高新技术产业开发区"),
    ]


def test_bad_delegation_input_is_refused_at_its_field_and_nothing_is_written(app, admin):
    before = count(app, Delegation)
    response = admin.post(
        "/admin/delegations",
        data={"code": "ChengGuan", "name": "城关区（重复）", "kind": "district", "position": "3"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "code") == "这个代码已被其他代表团使用，请换一个。"
    assert 'value="城关区（重复）"' in page and 'value="3"' in page

    page = admin.post(
        "/admin/delegations", data={"code": "高新", "name": "", "kind": "city", "position": "abc"}
    ).get_data(as_text=True)
    assert (
        field_error(page, "code") == "代码只能包含英文小写字母、数字和“-”，例如 chengguan-home-2。"
    )
    assert field_error(page, "name") == "请填写名称。"
    assert field_error(page, "kind") == INVALID_CHOICE
    assert field_error(page, "position") == "请填写整数，例如 12。"
    page = admin.post(
        "/admin/delegations",
        data={"code": "", "name": "某区", "kind": "district", "position": "-1"},
    ).get_data(as_text=True)
    assert field_error(page, "code") == "请填写代码。"
    assert field_error(page, "position") == "请填写 0 到 9999 之间的整数。"

    chengguan = delegation_id(app, "chengguan")
    page = edit_delegation(
        admin, chengguan, "update", name="", kind="district", position=""
    ).get_data(as_text=True)
    assert field_error(page, f"delegation-{chengguan}-name") == "请填写名称。"
    assert field_error(page, f"delegation-{chengguan}-position") == "请填写排序号。"
    assert delegation_row(app, chengguan) == (
        "chengguan",
        "城关区",
        DelegationKind.DISTRICT,
        1,
        False,
    )
    assert count(app, Delegation) == before
    assert audit(app, "delegation") == []


@pytest.mark.parametrize("use", ["delegate", "station", "staff_scope"])
def test_a_delegation_in_use_is_retired_instead_of_deleted(app, admin, use):
    admin.post(
        "/admin/delegations", data={"code": "test-area", "name": "试验区", "kind": "district"}
    )
    with app.app_context():
        did = factories.delegation("test-area").id
        if use == "delegate":
            factories.make_delegate("赵六", "test-area")
        elif use == "station":
            factories.make_station("test-area")
        else:
            create_user(
                username="staff_t",
                display_name="试验区工作人员",
                role=Role.STAFF,
                password=factories.PASSWORD,
                delegation=factories.delegation("test-area"),
            )
        db.session.commit()
    page = admin.get("/admin/delegations").get_data(as_text=True)
    assert 'value="delete"' not in page.split(f'id="delegation-{did}"', 1)[1].split("</li>", 1)[0]
    location = edit_delegation(admin, did, "delete").headers["Location"]
    page = admin.get(location).get_data(as_text=True)
    assert (
        "“试验区”已有代表、履职记录、家站或账号引用，不能删除，已改为停用：筛选和新选择中不再出现，历史记录保留。"
        in flashes(page)
    )
    assert delegation_row(app, did) == ("test-area", "试验区", DelegationKind.DISTRICT, 10, True)
    assert [a for a, *_ in audit(app, "delegation")] == ["create", "retire"]


def test_a_delegation_with_history_is_retired_not_deleted(app, admin, world):
    chengguan = delegation_id(app, "chengguan")
    edit_delegation(admin, chengguan, "delete")
    assert delegation_row(app, chengguan)[4] is True
    page = admin.get("/admin/delegations").get_data(as_text=True)
    block = page.split(f'id="delegation-{chengguan}"', 1)[1].split("</li>", 1)[0]
    assert "2 名代表、1 个家站、0 条履职记录、1 个工作人员账号" in block
    assert "已停用" in block and 'value="restore"' in block


def test_a_station_in_a_retired_delegation_can_still_be_edited(app, admin, world):
    chengguan = delegation_id(app, "chengguan")
    edit_delegation(admin, chengguan, "retire")
    form_page = admin.get(f"/admin/stations?edit={world.station_a}").get_data(as_text=True)
    assert "城关区（已停用）" in form_page
    response = edit_station(
        admin,
        world.station_a,
        "update",
        name="改名的代表之家",
        kind="home",
        delegation=str(chengguan),
        address="",
    )
    assert response.status_code == 302
    assert station_row(app, world.station_a)[1:4] == (
        "改名的代表之家",
        StationKind.HOME,
        "chengguan",
    )
    # but it is not offered for a new station
    add_form = (
        admin.get("/admin/stations").get_data(as_text=True).split('class="add-station"', 1)[1]
    )
    assert f'<option value="{chengguan}">' not in add_form.split("</form>", 1)[0]


def test_unknown_delegation_is_404(admin):
    assert (
        admin.post(
            "/admin/delegations/999999", data={"delegation-999999-action": "retire"}
        ).status_code
        == 404
    )


# --- who may ---------------------------------------------------------------------------------------


def list_urls(world, app) -> list[tuple[str, str, dict]]:
    did = delegation_id(app, "chengguan")
    sid = world.station_a
    return [
        ("GET", "/admin/stations", {}),
        ("POST", "/admin/stations", {"name": "新家站", "kind": "home", "delegation": str(did)}),
        ("POST", f"/admin/stations/{sid}", {f"station-{sid}-action": "retire"}),
        ("POST", f"/admin/stations/{sid}", {f"station-{sid}-action": "delete"}),
        ("GET", "/admin/delegations", {}),
        ("POST", "/admin/delegations", {"code": "x-area", "name": "某区", "kind": "district"}),
        ("POST", f"/admin/delegations/{did}", {f"delegation-{did}-action": "retire"}),
        ("POST", f"/admin/delegations/{did}", {f"delegation-{did}-action": "delete"}),
    ]


def change_rows(app) -> int:
    """Audit rows of changes (logins and denials are audited apart, as object type auth)."""
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.object_type != "auth")
        )


@pytest.mark.parametrize("username", ["dele_a", "staff_a", "staff_city"])
def test_only_admins_keep_the_lists(app, client, auth, world, username):
    before = (count(app, Station), count(app, Delegation), change_rows(app))
    auth.login(username)
    for method, url, data in list_urls(world, app):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, f"{username}: {method} {url}"
    assert (count(app, Station), count(app, Delegation), change_rows(app)) == before
    assert station_row(app, world.station_a)[5] is False
    assert delegation_row(app, delegation_id(app, "chengguan"))[4] is False


def test_anonymous_users_are_sent_to_log_in(app, client, world):
    for method, url, data in list_urls(world, app):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, f"{method} {url}"
        assert response.headers["Location"].startswith("/auth/login")


def test_the_row_buttons_work_with_csrf_protection_on(app, admin, world):
    app.config["WTF_CSRF_ENABLED"] = True
    page = admin.get("/admin/stations").get_data(as_text=True)
    row = page.split(f'id="station-{world.station_a}"', 1)[1].split("</li>", 1)[0]
    token = re.search(rf'name="station-{world.station_a}-csrf_token" value="([^"]+)"', row).group(1)
    sid = world.station_a
    # without the token the request is refused and nothing changes
    assert edit_station(admin, sid, "retire").status_code == 400
    assert station_row(app, sid)[5] is False
    response = admin.post(
        f"/admin/stations/{sid}",
        data={f"station-{sid}-csrf_token": token, f"station-{sid}-action": "retire"},
    )
    assert response.status_code == 302
    assert station_row(app, sid)[5] is True


def test_a_delegation_in_a_closed_months_snapshot_is_retired_not_deleted(app, admin, world):
    admin.post(
        "/admin/delegations", data={"code": "test-area", "name": "试验区", "kind": "district"}
    )
    with app.app_context():
        did = factories.delegation("test-area").id
        campaign_id = factories.campaign().id
        db.session.add(
            MonthClose(
                campaign_id=campaign_id, month=date(2024, 5, 1), snapshot={"all": {}, str(did): {}}
            )
        )
        db.session.commit()
    block = (
        admin.get("/admin/delegations")
        .get_data(as_text=True)
        .split(f'id="delegation-{did}"', 1)[1]
        .split("</li>", 1)[0]
    )
    assert "已计入月度通报" in block and 'value="delete"' not in block
    edit_delegation(admin, did, "delete")
    assert delegation_row(app, did) == ("test-area", "试验区", DelegationKind.DISTRICT, 10, True)
