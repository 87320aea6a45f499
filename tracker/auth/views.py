"""Login, logout, password change, language choice and the reading aids."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..extensions import db
from ..i18n import LOCALE_COOKIE
from ..ratelimit import limiter, login_rate_limit
from ..urls import safe_next
from . import public
from .forms import ChangePasswordForm, LoginForm
from .passwords import verify_password
from .reading import READING_AIDS, current_reading_aids, remember_reading_aids
from .services import attempt_login, change_own_password, log_out
from .sessions import end_session, start_session

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _did_not_log_in(response) -> bool:
    # Only attempts that do not log in count against an address: a room of delegates behind one
    # office NAT address may all log in within the same minute.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_rate_limit, methods=["POST"], deduct_when=_did_not_log_in)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = attempt_login(
            form.username.data, form.password.data, address=request.remote_addr or ""
        )
        # Committed whatever the outcome: the failure count, a lockout and the audit row of a
        # refused attempt must stay.
        db.session.commit()
        if attempt.succeeded:
            start_session(attempt.user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        # One answer for an unknown name, a wrong password, a locked and a deactivated account.
        form.password.errors.append(_("用户名或密码不正确。"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    log_out(current_user)
    db.session.commit()
    end_session()
    flash(_("已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm(username=current_user.username)
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("当前密码不正确。"))
        else:
            change_own_password(current_user, form.new_password.data)
            db.session.commit()
            # the new session token goes into this browser's cookie
            login_user(current_user._get_current_object())
            flash(_("密码已修改。"), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/language/<code>", methods=["POST"])
@public
def set_language(code: str):
    # CSRFProtect has checked the token before this view runs.
    languages = current_app.config["LANGUAGES"]
    if code not in languages:
        code = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")) or url_for("main.home"))
    response.set_cookie(
        LOCALE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.route("/reading/<aid>", methods=["POST"])
@public
def set_reading_aid(aid: str):
    """Turn a reading aid (大字号 ``large-text``, 护眼 ``eye-care``) on or off.

    The form says which state it wants (``on`` = 1 or 0), so a double click or a second tab
    showing the old state cannot flip it back; without ``on`` the aid is flipped.
    """
    # CSRFProtect has checked the token before this view runs.
    field = READING_AIDS.get(aid)
    if field is None:
        abort(404)
    aids = current_reading_aids()
    wanted = request.form.get("on")
    on = wanted == "1" if wanted in ("0", "1") else not getattr(aids, field)
    aids = aids._replace(**{field: on})
    if current_user.is_authenticated:
        setattr(current_user, field, on)
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")) or url_for("main.home"))
    # Kept in this browser too, so the login page looks the same after signing out.
    remember_reading_aids(response, aids)
    return response


@bp.app_context_processor
def inject_reading_aids() -> dict:
    return {"reading_aids": current_reading_aids()}
