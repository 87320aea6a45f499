"""账号管理: delegates' accounts in one step with a once-only password list, staff and admin
accounts, role and scope changes, deactivation and password resets; sessions end on the server."""

from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.admin.accounts import (
    PASSWORD_ALPHABET,
    AccountError,
    deactivate_account,
    generate_password,
    mobile_number,
    update_account,
)
from tracker.enums import Role
from tracker.extensions import db
from tracker.models import AuditEntry, Delegate, User

from . import factories
from .factories import PASSWORD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("代表团", "姓名", "用户名", "初始密码", "说明")
PASSWORD_ONCE = re.compile(r'id="once-password">([^<]+)<')


# --- helpers ------------------------------------------------------------------------------------


def user_named(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def delegation_id(code: str) -> int:
    return factories.delegation(code).id


def add_delegate(name: str, code: str = "chengguan", phone: str = "", retired: bool = False) -> int:
    delegate = factories.make_delegate(name, code)
    delegate.phone = phone
    if retired:
        delegate.retired_at = datetime(2024, 1, 1)
    db.session.flush()
    return delegate.id


def read_list(response) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return list(sheet.iter_rows(values_only=True))


def shown_password(response) -> str:
    match = PASSWORD_ONCE.search(response.get_data(as_text=True))
    assert match, "the one-time password is not on the page"
    return match.group(1).strip()


def log_in(app, username: str, password: str = PASSWORD):
    """A separate browser logged in as ``username``."""
    other = app.test_client()
    response = other.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in"
    return other


def all_stored_text() -> str:
    """Every value of every row of every table, as one text."""
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            parts.extend(str(value) for value in row)
    return "\n".join(parts)


@pytest.fixture
def as_admin(client, auth, world):
    auth.login("admin")
    return client


@pytest.fixture
def newcomers(app, world):
    """Five serving delegates without an account, and one retired one."""
    with app.app_context():
        # names that a phone or a fallback would want are already taken
        factories.create_user(
            username="13700000000", display_name="占用手机号", role=Role.STAFF, password=PASSWORD
        )
        ids = {
            "phone": add_delegate("赵一", phone="139 1234 5678"),
            "plus86": add_delegate("钱二", "qilihe", phone="+86 138-0000-1111"),
            "none": add_delegate("孙三", phone=""),
            "same_phone": add_delegate("李四", "qilihe", phone="13912345678"),
            "taken_phone": add_delegate("周五", phone="13700000000"),
        }
        add_delegate("吴六", phone="13600000000", retired=True)
        no_phone = add_delegate("郑七", phone="0931-8888888")
        factories.create_user(
            username=f"d{no_phone:06d}", display_name="占用编号", role=Role.STAFF, password=PASSWORD
        )
        ids["taken_fallback"] = no_phone
        db.session.commit()
        return ids


# --- delegates' accounts in one step -------------------------------------------------------------


def test_bulk_creation_opens_exactly_the_missing_accounts_and_hands_out_the_list(
    app, as_admin, newcomers
):
    with app.app_context():
        users_before = count(User)
    response = as_admin.post("/admin/users/delegate-accounts", data={"delegation": ""})
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert re.search(r"delegate-accounts-\d{4}-\d{2}-\d{2}\.xlsx", disposition)

    rows = read_list(response)
    assert rows[0] == HEADERS
    assert len(rows) == 1 + 6
    assert {r[1] for r in rows[1:]} == {"赵一", "钱二", "孙三", "李四", "周五", "郑七"}
    assert {r[4] for r in rows[1:]} == {"首次登录须修改密码"}
    with app.app_context():
        assert count(User) == users_before + 6
        for _, name, username, password, _ in rows[1:]:
            user = user_named(username)
            assert user.role == Role.DELEGATE
            assert user.delegate.name == name
            assert user.display_name == name
            assert user.must_change_password is True
            assert len(password) >= 10
            assert set(password) <= set(PASSWORD_ALPHABET)
        assert user_named("admin").id in {
            e.actor_id
            for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "create"))
        }


def test_usernames_are_mobile_numbers_with_fallbacks_that_never_collide(app, as_admin, newcomers):
    rows = read_list(as_admin.post("/admin/users/delegate-accounts", data={"delegation": ""}))
    by_name = {name: username for _, name, username, _, _ in rows[1:]}
    ids = newcomers
    assert by_name["赵一"] == "13912345678"
    assert by_name["钱二"] == "13800001111"  # +86 and dashes removed
    assert by_name["孙三"] == f"d{ids['none']:06d}"
    assert by_name["李四"] == f"d{ids['same_phone']:06d}"  # the number went to 赵一 first
    assert by_name["周五"] == f"d{ids['taken_phone']:06d}"  # a staff account has that number
    assert by_name["郑七"] == f"d{ids['taken_fallback']:06d}-2"  # a landline; d… was taken
    with app.app_context():
        names = db.session.scalars(sa.select(sa.func.lower(User.username))).all()
        assert len(names) == len(set(names))


def test_a_password_from_the_list_logs_in_and_must_be_changed_first(app, as_admin, newcomers):
    rows = read_list(as_admin.post("/admin/users/delegate-accounts", data={"delegation": ""}))
    _, _, username, password, _ = rows[1]
    with app.app_context():
        stored = user_named(username).password_hash
    # the one-time hash carries its own (OWASP-minimum) parameters and still verifies
    assert "$m=19456,t=2,p=1$" in stored

    delegate = log_in(app, username, password)
    assert delegate.get("/activities/mine").headers["Location"] == "/auth/password"
    with app.app_context():  # stored again with the app's parameters at that first login
        assert "$m=1024,t=1,p=1$" in user_named(username).password_hash
    response = delegate.post(
        "/auth/password",
        data={
            "current_password": password,
            "new_password": "Mine-2024-pass",
            "confirm": "Mine-2024-pass",
        },
    )
    assert response.status_code == 302
    assert delegate.get("/activities/mine").status_code == 200
    with app.app_context():
        assert user_named(username).must_change_password is False


def test_a_second_run_creates_no_account(app, as_admin, newcomers):
    as_admin.post("/admin/users/delegate-accounts", data={"delegation": ""})
    with app.app_context():
        users_before, audit_before = count(User), count(AuditEntry)
    response = as_admin.post(
        "/admin/users/delegate-accounts", data={"delegation": ""}, follow_redirects=True
    )
    assert response.mimetype == "text/html"
    assert "没有需要开户的代表" in response.get_data(as_text=True)
    with app.app_context():
        assert (count(User), count(AuditEntry)) == (users_before, audit_before)


def test_bulk_creation_can_be_limited_to_one_delegation(app, as_admin, newcomers):
    with app.app_context():
        qilihe = delegation_id("qilihe")
    rows = read_list(
        as_admin.post("/admin/users/delegate-accounts", data={"delegation": str(qilihe)})
    )
    assert sorted(r[1] for r in rows[1:]) == sorted(["钱二", "李四"])
    assert {r[0] for r in rows[1:]} == {"七里河区"}
    with app.app_context():
        left = db.session.scalars(
            sa.select(Delegate.name)
            .outerjoin(User)
            .where(User.id.is_(None), Delegate.retired_at.is_(None))
        ).all()
        assert sorted(left) == sorted(["赵一", "孙三", "周五", "郑七"])


def test_bulk_creation_refuses_an_unknown_delegation(app, as_admin, newcomers):
    with app.app_context():
        users_before = count(User)
    response = as_admin.post("/admin/users/delegate-accounts", data={"delegation": "99999"})
    assert response.status_code == 200
    assert "所选项不在可选范围内" in response.get_data(as_text=True)
    with app.app_context():
        assert count(User) == users_before


def test_the_users_page_offers_the_missing_accounts(as_admin, newcomers):
    html = as_admin.get("/admin/users").get_data(as_text=True)
    assert "还有 6 位代表没有账号。" in html
    assert "全部代表团（6 人）" in html
    assert "七里河区（2 人）" in html


def test_no_password_is_stored_in_plain_text_anywhere(app, as_admin, newcomers):
    rows = read_list(as_admin.post("/admin/users/delegate-accounts", data={"delegation": ""}))
    passwords = [r[3] for r in rows[1:]]
    created = as_admin.post(
        "/admin/users/new",
        data={
            "username": "new_staff",
            "display_name": "新同事",
            "role": "staff",
            "delegation": "",
            "delegate": "",
        },
    )
    passwords.append(shown_password(created))
    with app.app_context():
        staff_id = user_named("staff_a").id
    passwords.append(shown_password(as_admin.post(f"/admin/users/{staff_id}/reset-password")))
    with app.app_context():
        stored = all_stored_text()
    assert len(passwords) == 8
    for password in passwords:
        assert password not in stored


# --- one account ---------------------------------------------------------------------------------


def test_admin_creates_a_scoped_staff_account_shown_once(app, as_admin):
    with app.app_context():
        chengguan = delegation_id("chengguan")
    response = as_admin.post(
        "/admin/users/new",
        data={
            "username": "cg_staff2",
            "display_name": "城关区新同事",
            "role": "staff",
            "delegation": str(chengguan),
            "delegate": "",
        },
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "此密码只显示这一次。" in html
    password = shown_password(response)
    assert len(password) >= 10
    with app.app_context():
        user = user_named("cg_staff2")
        assert (user.role, user.delegation_id, user.must_change_password) == (
            Role.STAFF,
            chengguan,
            True,
        )
        entry = db.session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.object_type == "user", AuditEntry.object_id == user.id
            )
        )
        assert (entry.action, entry.to_state, entry.actor_id) == (
            "create",
            "staff",
            user_named("admin").id,
        )
    staff = log_in(app, "cg_staff2", password)
    assert staff.get("/review/").headers["Location"] == "/auth/password"


def test_admin_creates_a_delegate_account_tied_to_a_delegate_without_one(app, as_admin, newcomers):
    response = as_admin.post(
        "/admin/users/new",
        data={
            "username": "zhaoyi",
            "display_name": "赵一",
            "role": "delegate",
            "delegation": "",
            "delegate": str(newcomers["phone"]),
        },
    )
    assert response.status_code == 200
    with app.app_context():
        user = user_named("zhaoyi")
        assert (user.role, user.delegate_id, user.delegation_id) == (
            Role.DELEGATE,
            newcomers["phone"],
            None,
        )
    # that delegate is no longer offered, nor counted as missing
    html = as_admin.get("/admin/users/new").get_data(as_text=True)
    offered = re.search(r'<select[^>]*id="delegate".*?</select>', html, re.S).group(0)
    assert "赵一" not in offered and "钱二" in offered
    assert "还有 5 位代表没有账号。" in as_admin.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "ADMIN"}, "username", "该用户名已被使用，请换一个。"),
        ({"username": "有 空格"}, "username", "用户名须为 2–60 位字母、数字或 _ . - @"),
        ({"display_name": "  "}, "display_name", "请输入姓名。"),
        ({"delegation": "99999"}, "delegation", "所选项不在可选范围内，请重新选择。"),
        (
            {"role": "admin", "delegation": "CHENGGUAN"},
            "delegation",
            "只有工作人员账号可以限定代表团范围。",
        ),
        ({"role": "staff", "delegate": "FREE"}, "delegate", "只有代表账号可以关联代表。"),
        ({"role": "delegate"}, "delegate", "请选择要关联的代表。"),
        (
            {"role": "delegate", "delegate": "WORLD_A"},
            "delegate",
            "所选项不在可选范围内",
        ),  # has an account
        ({"role": "superuser"}, "role", "所选项不在可选范围内"),
    ],
)
def test_bad_input_on_a_new_account_is_refused_next_to_the_field(
    app, as_admin, world, data, field, message
):
    with app.app_context():
        free = add_delegate("尚无账号", phone="13500000000")
        db.session.commit()
        ids = {
            "CHENGGUAN": str(delegation_id("chengguan")),
            "WORLD_A": str(world.delegate_a),
            "FREE": str(free),
        }
        users_before, audit_before = count(User), count(AuditEntry)
    form = {
        "username": "kept_name",
        "display_name": "保留的姓名",
        "role": "staff",
        "delegation": "",
        "delegate": "",
    }
    form.update({k: ids.get(v, v) for k, v in data.items()})
    response = as_admin.post("/admin/users/new", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert error and message in error.group(1)
    if field != "username":
        assert 'value="kept_name"' in html
    if field != "display_name":
        assert 'value="保留的姓名"' in html
    with app.app_context():
        assert (count(User), count(AuditEntry)) == (users_before, audit_before)


def test_posted_fields_the_form_does_not_have_are_ignored(app, as_admin):
    as_admin.post(
        "/admin/users/new",
        data={
            "username": "plain",
            "display_name": "普通",
            "role": "staff",
            "delegation": "",
            "delegate": "",
            "active": "0",
            "must_change_password": "",
            "session_token": "x",
            "password_hash": "x",
        },
    )
    with app.app_context():
        user = user_named("plain")
        assert (user.active, user.must_change_password) == (True, True)
        assert user.session_token != "x" and user.password_hash.startswith("$argon2id$")


# --- changing an account -------------------------------------------------------------------------


def test_changing_scope_ends_the_users_sessions(app, as_admin, world):
    staff = log_in(app, "staff_a")
    assert staff.get("/review/").status_code == 200
    with app.app_context():
        user_id, qilihe = user_named("staff_a").id, delegation_id("qilihe")
    response = as_admin.post(
        f"/admin/users/{user_id}",
        data={
            "display_name": "城关区工作人员",
            "role": "staff",
            "delegation": str(qilihe),
        },
    )
    assert response.status_code == 302
    assert staff.get("/review/").headers["Location"].startswith("/auth/login")
    with app.app_context():
        assert user_named("staff_a").delegation_id == qilihe
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "change_scope"))
        assert (entry.from_state, entry.to_state) == ("chengguan", "qilihe")


def test_changing_role_ends_the_users_sessions(app, as_admin, world):
    staff = log_in(app, "staff_city")
    assert staff.get("/review/").status_code == 200
    with app.app_context():
        user_id = user_named("staff_city").id
    as_admin.post(
        f"/admin/users/{user_id}",
        data={"display_name": "市代表工委", "role": "admin", "delegation": ""},
    )
    assert staff.get("/review/").headers["Location"].startswith("/auth/login")
    with app.app_context():
        assert user_named("staff_city").role == Role.ADMIN
    assert log_in(app, "staff_city").get("/admin/users").status_code == 200


def test_renaming_keeps_the_users_sessions(app, as_admin, world):
    staff = log_in(app, "staff_a")
    with app.app_context():
        user_id = user_named("staff_a").id
        chengguan = delegation_id("chengguan")
    as_admin.post(
        f"/admin/users/{user_id}",
        data={
            "display_name": "城关区联络员",
            "role": "staff",
            "delegation": str(chengguan),
        },
    )
    assert staff.get("/review/").status_code == 200
    with app.app_context():
        assert user_named("staff_a").display_name == "城关区联络员"
    page = as_admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "城关区工作人员 → 城关区联络员" in page


@pytest.mark.parametrize(
    ("username", "data", "field", "message"),
    [
        (
            "staff_city",
            {"role": "admin", "delegation": "CHENGGUAN"},
            "delegation",
            "只有工作人员账号可以限定代表团范围。",
        ),
        ("staff_city", {"role": "delegate"}, "role", "所选项不在可选范围内"),
        ("dele_a", {"role": "staff"}, "role", "所选项不在可选范围内"),
        (
            "dele_a",
            {"delegation": "CHENGGUAN"},
            "delegation",
            "只有工作人员账号可以限定代表团范围。",
        ),
        ("admin", {"role": "staff"}, "role", "不能修改自己的角色。"),
        ("staff_city", {"display_name": ""}, "display_name", "请输入姓名。"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_written(
    app, as_admin, world, username, data, field, message
):
    with app.app_context():
        user = user_named(username)
        before = (user.display_name, user.role, user.delegation_id, user.session_token)
        ids = {"CHENGGUAN": str(delegation_id("chengguan"))}
        audit_before = count(AuditEntry)
        form = {"display_name": "新名字", "role": user.role.value, "delegation": ""}
        user_id = user.id
    form.update({k: ids.get(v, v) for k, v in data.items()})
    response = as_admin.post(f"/admin/users/{user_id}", data=form)
    assert response.status_code == 200
    error = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
    assert error and message in error.group(1)
    with app.app_context():
        user = user_named(username)
        assert (user.display_name, user.role, user.delegation_id, user.session_token) == before
        assert count(AuditEntry) == audit_before


def test_the_last_active_admin_stays_an_active_admin(app, world):
    with app.app_context():
        admin = user_named("admin")
        with pytest.raises(AccountError) as refused:
            deactivate_account(None, admin)
        assert refused.value.code == "last_admin"
        with pytest.raises(AccountError) as refused:
            update_account(None, admin, display_name="管理员", role=Role.STAFF, delegation=None)
        assert refused.value.code == "last_admin"
        # with a second admin, one of them may go
        second = user_named("staff_city")
        update_account(
            None, second, display_name=second.display_name, role=Role.ADMIN, delegation=None
        )
        deactivate_account(None, admin)
        assert admin.active is False


# --- deactivation, reactivation, resets ----------------------------------------------------------


def test_deactivation_ends_the_session_and_login_gets_the_generic_answer(
    app, client, as_admin, world
):
    delegate = log_in(app, "dele_a")
    assert delegate.get("/activities/mine").status_code == 200
    with app.app_context():
        user_id = user_named("dele_a").id
    response = as_admin.post(f"/admin/users/{user_id}/deactivate", follow_redirects=True)
    assert "已停用 马秀兰 的账号" in response.get_data(as_text=True)
    assert delegate.get("/activities/mine").headers["Location"].startswith("/auth/login")
    fresh = app.test_client()
    refused = fresh.post("/auth/login", data={"username": "dele_a", "password": PASSWORD})
    wrong = fresh.post("/auth/login", data={"username": "dele_a2", "password": "Wrong-pass-1"})
    assert refused.status_code == wrong.status_code == 200
    assert "用户名或密码不正确。" in refused.get_data(as_text=True)
    assert "用户名或密码不正确。" in wrong.get_data(as_text=True)
    with app.app_context():
        assert [
            e.action
            for e in db.session.scalars(
                sa.select(AuditEntry).where(
                    AuditEntry.object_type == "user", AuditEntry.object_id == user_id
                )
            )
        ] == ["deactivate"]

    as_admin.post(f"/admin/users/{user_id}/reactivate")
    assert log_in(app, "dele_a").get("/activities/mine").status_code == 200
    with app.app_context():
        assert user_named("dele_a").active is True


def test_an_admin_cannot_deactivate_or_reset_themselves(app, as_admin, world):
    with app.app_context():
        admin_id = user_named("admin").id
    response = as_admin.post(f"/admin/users/{admin_id}/deactivate", follow_redirects=True)
    assert "不能停用自己的账号。" in response.get_data(as_text=True)
    response = as_admin.post(f"/admin/users/{admin_id}/reset-password", follow_redirects=True)
    assert "自己的密码请在“修改密码”页修改。" in response.get_data(as_text=True)
    with app.app_context():
        admin = user_named("admin")
        assert admin.active is True and admin.must_change_password is False
    assert as_admin.get("/admin/users").status_code == 200


def test_reset_password_shows_a_new_one_once_and_ends_sessions(app, as_admin, world):
    delegate = log_in(app, "dele_b")
    with app.app_context():
        user_id = user_named("dele_b").id
    response = as_admin.post(f"/admin/users/{user_id}/reset-password")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = shown_password(response)
    assert delegate.get("/activities/mine").headers["Location"].startswith("/auth/login")
    fresh = app.test_client()
    assert (
        fresh.post("/auth/login", data={"username": "dele_b", "password": PASSWORD}).status_code
        == 200
    )
    assert (
        fresh.post("/auth/login", data={"username": "dele_b", "password": password}).status_code
        == 302
    )
    assert fresh.get("/activities/mine").headers["Location"] == "/auth/password"
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "reset_password")
        ).all()
        assert [(e.object_id, e.note) for e in entries] == [(user_id, "")]


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_role_scope_delegate_state_and_last_login(app, as_admin, world):
    with app.app_context():
        user_named("dele_b").active = False
        user_named("staff_a").must_change_password = True
        db.session.commit()
    html = as_admin.get("/admin/users").get_data(as_text=True)
    assert "共 6 个账号" in html
    rows = re.findall(r'<tr class="account-row.*?</tr>', html, re.S)
    assert len(rows) == 6
    assert "管理员" in rows[0] and "从未登录" not in rows[0]  # the admin just logged in
    staff_a = next(r for r in rows if "staff_a" in r)
    assert "城关区" in staff_a and "须改密码" in staff_a
    staff_city = next(r for r in rows if "staff_city" in r)
    assert "全市" in staff_city
    dele_b = next(r for r in rows if "dele_b" in r)
    assert (
        "李文华" in dele_b and "七里河区" in dele_b and "已停用" in dele_b and "从未登录" in dele_b
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=staff", {"staff_a", "staff_city"}),
        ("q=%E9%A9%AC%E7%A7%80", {"dele_a"}),  # 马秀
        ("q=DELE_A", {"dele_a", "dele_a2"}),
        ("role=delegate", {"dele_a", "dele_a2", "dele_b"}),
        ("role=admin", {"admin"}),
        ("active=0", {"dele_b"}),
        ("active=1&role=staff", {"staff_a", "staff_city"}),
        ("must_change=1", {"staff_city"}),
        ("q=%25", set()),  # a literal %, not a wildcard
    ],
)
def test_the_list_searches_and_filters(app, as_admin, world, query, expected):
    with app.app_context():
        user_named("dele_b").active = False
        user_named("staff_city").must_change_password = True
        db.session.commit()
    html = as_admin.get(f"/admin/users?{query}").get_data(as_text=True)
    shown = set(re.findall(r'<div class="small font-monospace text-break">([^<]+)</div>', html))
    assert shown == expected


def test_the_list_is_paginated(app, as_admin, world):
    with app.app_context():
        for i in range(20):
            factories.create_user(
                username=f"extra{i:02d}",
                display_name=f"同事{i}",
                role=Role.STAFF,
                password=PASSWORD,
            )
        db.session.commit()
    first = as_admin.get("/admin/users").get_data(as_text=True)
    second = as_admin.get("/admin/users?page=2").get_data(as_text=True)
    assert "共 26 个账号" in first
    assert first.count('class="account-row') == 20
    assert second.count('class="account-row') == 6
    assert "第 2 / 2 页" in second


# --- who may -------------------------------------------------------------------------------------

URLS = [
    ("get", "/admin/users"),
    ("get", "/admin/users/new"),
    ("post", "/admin/users/new"),
    ("post", "/admin/users/delegate-accounts"),
    ("get", "/admin/users/{id}"),
    ("post", "/admin/users/{id}"),
    ("post", "/admin/users/{id}/deactivate"),
    ("post", "/admin/users/{id}/reactivate"),
    ("post", "/admin/users/{id}/reset-password"),
]


@pytest.mark.parametrize("username", ["dele_a", "staff_a", "staff_city"])
@pytest.mark.parametrize(("method", "url"), URLS)
def test_delegates_and_staff_get_403_on_every_account_url(
    app, client, auth, world, username, method, url
):
    with app.app_context():
        target = user_named("dele_b")
        before = (target.active, target.password_hash, target.session_token)
        users_before = count(User)
    auth.login(username)
    response = getattr(client, method)(
        url.format(id=target.id),
        data={
            "username": "sneaky",
            "display_name": "x",
            "role": "admin",
            "delegation": "",
        },
    )
    assert response.status_code == 403
    with app.app_context():
        target = user_named("dele_b")
        assert (target.active, target.password_hash, target.session_token) == before
        assert count(User) == users_before


@pytest.mark.parametrize(("method", "url"), URLS)
def test_anonymous_visitors_are_sent_to_login(app, client, world, method, url):
    with app.app_context():
        target_id = user_named("dele_b").id
    response = getattr(client, method)(url.format(id=target_id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_an_unknown_account_is_404(as_admin):
    assert as_admin.get("/admin/users/99999").status_code == 404
    assert as_admin.post("/admin/users/99999/reset-password").status_code == 404


# --- passwords -----------------------------------------------------------------------------------


def test_generated_passwords_are_unambiguous_and_meet_the_policy():
    for _ in range(200):
        password = generate_password()
        assert len(password) == 12
        assert not set(password) & set("0O1lI")
        assert any(c.isdigit() for c in password)
        assert any(c.isupper() for c in password) and any(c.islower() for c in password)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("13912345678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("0931-8888888", None),
        ("1391234567", None),
        ("12912345678", None),
        ("13912345678 / 13812345678", None),
        ("", None),
    ],
)
def test_mobile_numbers_are_recognised(phone, expected):
    assert mobile_number(phone) == expected


# --- the command line ----------------------------------------------------------------------------


def test_cli_creates_delegate_accounts_into_a_new_file(app, runner, newcomers, tmp_path):
    out = tmp_path / "accounts.xlsx"
    result = runner.invoke(args=["users", "create-for-delegates", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"created 6 delegate accounts; one-time passwords in {out}\n"
    assert out.stat().st_mode & 0o777 == 0o600
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == HEADERS and len(rows) == 7
    _, _, username, password, _ = rows[1]
    assert (
        log_in(app, username, password).get("/activities/mine").headers["Location"]
        == "/auth/password"
    )
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.note == username))
        assert (entry.action, entry.actor_id) == ("create", None)

    again = runner.invoke(
        args=["users", "create-for-delegates", "--out", str(tmp_path / "again.xlsx")]
    )
    assert again.exit_code == 0
    assert again.output == "every delegate already has an account; no file written\n"
    assert not (tmp_path / "again.xlsx").exists()


def test_cli_limits_to_one_delegation_and_refuses_bad_arguments(app, runner, newcomers, tmp_path):
    with app.app_context():
        users_before = count(User)
    unknown = runner.invoke(
        args=[
            "users",
            "create-for-delegates",
            "--out",
            str(tmp_path / "x.xlsx"),
            "--delegation",
            "nowhere",
        ]
    )
    assert unknown.exit_code == 1
    assert "no delegation with code 'nowhere'" in unknown.output
    existing = tmp_path / "old.xlsx"
    existing.write_bytes(b"old list")
    refused = runner.invoke(args=["users", "create-for-delegates", "--out", str(existing)])
    assert refused.exit_code == 1
    assert "exists" in refused.output
    assert existing.read_bytes() == b"old list"
    with app.app_context():
        assert count(User) == users_before

    out = tmp_path / "qilihe.xlsx"
    result = runner.invoke(
        args=["users", "create-for-delegates", "--out", str(out), "--delegation", "qilihe"]
    )
    assert result.exit_code == 0
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == sorted(["钱二", "李四"])


def test_cli_reset_password_prints_a_one_time_password(app, runner, world):
    delegate = log_in(app, "dele_a")
    result = runner.invoke(args=["users", "reset-password", "DELE_A"])
    assert result.exit_code == 0, result.output
    first, password, rest = result.output.split("\n")
    assert first == "one-time password for dele_a (to be changed at first login):"
    assert rest == "" and len(password) == 12
    assert delegate.get("/activities/mine").headers["Location"].startswith("/auth/login")
    assert (
        log_in(app, "dele_a", password).get("/activities/mine").headers["Location"]
        == "/auth/password"
    )
    with app.app_context():
        assert password not in all_stored_text()


def test_cli_reset_password_of_an_unknown_user_fails(runner, world):
    result = runner.invoke(args=["users", "reset-password", "nobody"])
    assert result.exit_code == 1
    assert "no user 'nobody'" in result.output


def test_cli_create_refuses_a_username_that_differs_only_in_case(app, runner, world):
    with app.app_context():
        users_before = count(User)
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ADMIN",
            "--role",
            "staff",
            "--name",
            "重名",
            "--password",
            "Some-pass-1",
        ]
    )
    assert result.exit_code == 1
    assert "user 'ADMIN' already exists" in result.output
    with app.app_context():
        assert count(User) == users_before


def test_a_delegate_account_is_renamed_with_what_its_page_sends(app, as_admin, world):
    delegate = log_in(app, "dele_a")
    with app.app_context():
        user_id = user_named("dele_a").id
    page = as_admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert 'name="role"' not in page and 'name="delegation"' not in page
    response = as_admin.post(f"/admin/users/{user_id}", data={"display_name": "马秀兰（城关）"})
    assert response.status_code == 302
    assert delegate.get("/activities/mine").status_code == 200  # a new name keeps the session
    with app.app_context():
        user = user_named("dele_a")
        assert (user.display_name, user.role, user.delegate_id) == (
            "马秀兰（城关）",
            Role.DELEGATE,
            world.delegate_a,
        )
