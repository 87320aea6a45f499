"""账号管理: the list of accounts, new and changed accounts, deactivation, password resets and
the delegates' accounts opened in one step.

A one-time password is shown only in the response to the POST that made it (a page, or the
downloaded list for delegates), marked ``Cache-Control: no-store``; it is never stored in plain
text, so a lost password is reset, not looked up.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..audit import history
from ..dates import local_today
from ..enums import Role
from ..extensions import db
from ..models import User
from ..reports.queries import paginate
from .account_forms import REFUSALS, DelegateAccountsForm, EditUserForm, NewUserForm
from .accounts import (
    XLSX_MIMETYPE,
    AccountError,
    AccountFilters,
    account_list_select,
    create_account,
    create_delegate_accounts,
    deactivate_account,
    delegates_without_account_counts,
    delegates_without_account_select,
    password_list_filename,
    reactivate_account,
    reset_password,
    update_account,
    write_password_list,
)
from .blueprint import bp
from .lookups import delegation_list, delegations_by_id

SEARCH_MAX = 60


def _load(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _no_store(response):
    """Keep a page or file holding a one-time password out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _put_error(form, error: AccountError) -> None:
    """Show a refusal of the services next to its field, or above the form."""
    message = str(REFUSALS.get(error.code, error.code))
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "danger")


# --- the list ------------------------------------------------------------------------------------


def _filters() -> AccountFilters:
    role = request.args.get("role") or ""
    active = request.args.get("active") or ""
    return AccountFilters(
        q=(request.args.get("q") or "").strip()[:SEARCH_MAX],
        role=Role(role) if role in Role._value2member_map_ else None,
        active={"1": True, "0": False}.get(active),
        must_change=request.args.get("must_change") == "1",
    )


def _bulk_form(**kwargs) -> DelegateAccountsForm:
    """The bulk form offers serving delegations, and retired ones that still have delegates
    without an account."""
    missing = delegates_without_account_counts()
    delegations = [d for d in delegation_list() if not d.is_retired or missing.get(d.id)]
    return DelegateAccountsForm(delegations=delegations, missing=missing, **kwargs)


def _render_users(bulk_form: DelegateAccountsForm | None = None):
    filters = _filters()
    page = paginate(account_list_select(filters))
    if bulk_form is None:
        bulk_form = _bulk_form(formdata=None)
    return render_template(
        "admin/users.html",
        page=page,
        filters=filters,
        missing_total=bulk_form.missing_total,
        bulk_form=bulk_form,
    )


@bp.route("/users")
def users():
    """Every account, searchable by name or username and filtered by role and state."""
    return _render_users()


# --- delegates' accounts in one step -------------------------------------------------------------


@bp.route("/users/delegate-accounts", methods=["POST"])
def delegate_accounts():
    """Open an account for every delegate without one and answer with the list of their one-time
    passwords (XLSX): the only copy there will ever be."""
    form = _bulk_form()
    if not form.validate_on_submit():
        return _render_users(bulk_form=form)
    delegation = form.selected_delegation
    issued = create_delegate_accounts(current_user, delegation)
    if not issued:
        db.session.rollback()
        flash(_("没有需要开户的代表：他们都已有账号。"), "info")
        return redirect(url_for("admin.users"))
    out = io.BytesIO()
    write_password_list(issued, out)  # before the commit: no accounts without their list
    try:
        db.session.commit()
    except IntegrityError:
        # another admin opened some of the same accounts at the same moment
        db.session.rollback()
        flash(_("刚才有人同时为代表开户，本次未创建任何账号，请刷新后重试。"), "danger")
        return redirect(url_for("admin.users"))
    current_app.logger.info("opened %d delegate accounts", len(issued))
    out.seek(0)
    response = send_file(
        out,
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=password_list_filename(local_today(), delegation),
        max_age=0,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


# --- one account ---------------------------------------------------------------------------------


def _password_page(user: User, password: str, *, created: bool):
    response = make_response(
        render_template("admin/user_password.html", user=user, password=password, created=created)
    )
    return _no_store(response)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Open a staff, admin or delegate account; its one-time password is shown once."""
    delegates = list(db.session.scalars(delegates_without_account_select()))
    form = NewUserForm(
        delegations=delegation_list(serving_only=True),
        delegates=delegates,
        role=Role.STAFF.value if request.method == "GET" else None,
    )
    if form.validate_on_submit():
        try:
            user, password = create_account(
                current_user,
                username=form.username.data,
                display_name=form.display_name.data,
                role=form.selected_role,
                delegation=form.selected_delegation,
                delegate=form.selected_delegate,
            )
        except AccountError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            return _password_page(user, password, created=True)
    return render_template("admin/user_form.html", form=form, user=None)


def _render_edit(user: User, form: EditUserForm):
    delegations = {d.code: d.name for d in delegations_by_id().values()}
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        entries=history("user", user.id),
        delegation_names=delegations,
        is_self=user.id == current_user.id,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Change the name, role and staff scope of an account; a new role or scope ends its
    sessions."""
    user = _load(user_id)
    delegations = delegation_list(serving_only=True)
    if user.delegation is not None and user.delegation not in delegations:
        delegations.append(user.delegation)  # a retired scope stays selectable until changed
    form = EditUserForm(
        user=user,
        delegations=delegations,
        display_name=user.display_name,
        role=user.role.value,
        delegation=str(user.delegation_id or ""),
    )
    if form.validate_on_submit():
        try:
            changed = update_account(
                current_user,
                user,
                display_name=form.display_name.data,
                role=form.selected_role,
                delegation=form.selected_delegation,
            )
        except AccountError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存。") if changed else _("没有改动。"), "success" if changed else "info")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _render_edit(user, form)


def _refused(user: User, error: AccountError):
    """Undo a refused change, say why, and go back to the account."""
    db.session.rollback()
    flash(str(REFUSALS.get(error.code, error.code)), "danger")
    return redirect(url_for("admin.user_edit", user_id=user.id))


def _act(user_id: int, service: Callable[[User, User], None], done: LazyString):
    """Run ``service`` (actor, account) on an account; ``done`` names it as %(name)s."""
    user = _load(user_id)
    try:
        service(current_user, user)
    except AccountError as error:
        return _refused(user, error)
    db.session.commit()
    flash(str(done) % {"name": user.display_name}, "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def user_deactivate(user_id: int):
    """Stop an account from logging in; its open sessions end at once."""
    return _act(user_id, deactivate_account, _l("已停用 %(name)s 的账号，其所有登录已失效。"))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def user_reactivate(user_id: int):
    """Let a deactivated account log in again."""
    return _act(user_id, reactivate_account, _l("已恢复 %(name)s 的账号。"))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def user_reset_password(user_id: int):
    """A new one-time password, shown once; the account's sessions end."""
    user = _load(user_id)
    try:
        password = reset_password(current_user, user)
    except AccountError as error:
        return _refused(user, error)
    db.session.commit()
    return _password_page(user, password, created=False)
