"""月度通报: a month's (or a range's) summary, closing a month, and the exports.

Staff and admins only; staff of one delegation see their delegation's summary. The page,
the XLSX/CSV/Word/PDF files and the close snapshot all come from
:mod:`tracker.reports.summary`, built with the viewer's scope, so every number agrees with the
dashboard's.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from ..campaign.loader import active_campaign
from ..database import begin_writing
from ..dates import Period, local_today, parse_month, period_label
from ..edge import query_int
from ..extensions import db
from ..models import Delegation
from ..permissions import can_close_month, can_view_all_activities, require, scope_for
from ..reports import bulletin, selects
from ..reports import summary as summaries
from ..reports.filters import Filters, delegation_choices
from ..reports.fonts import NoChineseFont
from ..selection import say_period_refused
from .closing import MonthAlreadyClosed, MonthNotOver, can_close, close_month
from .services import FORMATS, ExportError, ExportRequest, audit_export, csv_choices, write_export

bp = Blueprint("summaries", __name__, url_prefix="/summaries")


@bp.before_request
def staff_only() -> None:
    require(can_view_all_activities(current_user), 403)


class CloseForm(FlaskForm):
    """Closing a month: a button, protected by the CSRF token."""


def last_month(today: date) -> Period:
    this = Period.month(today.year, today.month)
    return this.previous()


def read_period(today: date) -> Period:
    """``?start=2023-07&end=2023-09`` (the form), ``?period=2023-09`` or ``2023-07..2023-09``
    (links); last month when nothing valid is given."""
    start, end = request.args.get("start"), request.args.get("end")
    if parse_month(start):
        value = start if not parse_month(end) or end == start else f"{start}..{end}"
        return Period.parse(value, today)
    value = request.args.get("period")
    period = Period.parse_or_none(value)
    if period is not None:
        if period.start <= today:
            return period
    elif start or value:
        say_period_refused(start or value, _("已显示上个月。"))
    return last_month(today)


def read_delegation(scope) -> Delegation | None:
    """The delegation city staff picked; staff of a delegation always see their own."""
    if not scope.everything:
        return None
    value = query_int("delegation")
    return db.session.get(Delegation, value) if value else None


@bp.route("/")
def show():
    campaign = active_campaign()
    if campaign is None:
        abort(404)
    today = local_today()
    scope = scope_for(current_user)
    period = read_period(today)
    delegation = read_delegation(scope)
    delegation_id = delegation.id if delegation else None
    summary = summaries.summary_for(campaign, scope, period, today, delegation_id)
    filters = Filters(campaign_id=campaign.id, delegation_id=delegation_id)
    late_since_close = (
        selects.count_of(selects.late_for_period_select(scope, period, filters))
        if summary.closed is not None
        else 0
    )
    args = {"period": period.to_arg()}
    if delegation_id:
        args["delegation"] = delegation_id
    return render_template(
        "summaries/show.html",
        summary=summary,
        bulletin=bulletin.word(summary),
        metric_label=bulletin.metric_label,
        figure_text=bulletin.figure_text,
        charts=None,
        period=period,
        args=args,
        delegations=delegation_choices(scope),
        delegation=delegation,
        csv_choices=csv_choices(summary),
        may_close=can_close_month(current_user) and summary.closed is None,
        closable=can_close(period, today),
        close_form=CloseForm(),
        late_since_close=late_since_close,
        previous_period=period.previous(),
        next_period=Period(period.end, Period.month(period.end.year, period.end.month).end)
        if len(period.months) == 1 and period.end <= today
        else None,
    )


@bp.route("/close", methods=["POST"])
def close():
    """Close one month that is over: keep its summary as it stands now."""
    require(can_close_month(current_user), 403)
    campaign = active_campaign()
    if campaign is None:
        abort(404)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    today = local_today()
    value = request.form.get("period", "")
    if not parse_month(value):
        abort(400)
    period = Period.parse(value, today)
    try:
        closed = close_month(campaign, period, current_user, today)
        db.session.commit()
    except MonthNotOver:
        db.session.rollback()
        flash(
            _("%(month)s 还没有结束，月份结束后才能结账。", month=period_label(period)),
            "warning",
        )
    except (MonthAlreadyClosed, IntegrityError):
        db.session.rollback()
        flash(_("%(month)s 已经结账。", month=period_label(period)), "info")
    else:
        flash(
            _(
                "已结账：%(month)s，共 %(n)s 条已通过记录。以后导出这个月，数字都与现在相同。",
                month=period_label(period),
                n=closed.activities,
            ),
            "success",
        )
    return redirect(url_for("summaries.show", period=period.to_arg()))


@bp.route("/export")
def export():
    """Download the summary as XLSX, CSV (one table or the entries), Word or PDF."""
    campaign = active_campaign()
    if campaign is None:
        abort(404)
    today = local_today()
    scope = scope_for(current_user)
    fmt = request.args.get("format", "")
    if fmt not in FORMATS:
        abort(404)
    period = read_period(today)
    delegation = read_delegation(scope)
    export_request = ExportRequest(
        campaign=campaign,
        scope=scope,
        period=period,
        today=today,
        fmt=fmt,
        delegation_id=delegation.id if delegation else None,
        table=request.args.get("table") if fmt == "csv" else None,
    )
    folder = current_app.config.get("EXPORT_TMP_DIR") or None
    handle, path = tempfile.mkstemp(prefix="summary-", suffix=f".{fmt}", dir=folder)
    out = os.fdopen(handle, "w+b")
    os.unlink(path)  # the open file stays readable until the response has been sent
    try:
        result = write_export(export_request, out)
    except ExportError:
        out.close()
        abort(404)
    except NoChineseFont as missing:
        out.close()
        current_app.logger.error("export failed: %s", missing)
        flash(str(missing), "danger")
        return redirect(url_for("summaries.show", **_back_args(period, delegation)))
    begin_writing()
    audit_export(current_user, export_request, result)
    db.session.commit()
    out.seek(0)
    response = send_file(
        out, mimetype=result.mimetype, as_attachment=True, download_name=result.filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _back_args(period: Period, delegation: Delegation | None) -> dict[str, str | int]:
    args: dict[str, str | int] = {"period": period.to_arg()}
    if delegation is not None:
        args["delegation"] = delegation.id
    return args
