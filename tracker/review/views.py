"""The review queue: staff approve submitted entries or send them back with a reason."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..activities.services import ActivityStateError
from ..audit import history
from ..campaign.loader import active_campaign
from ..concurrency import StaleObjectError
from ..dates import local_today
from ..edge import as_id
from ..enums import ActivityStatus
from ..extensions import db
from ..models import Activity, Concern
from ..permissions import can_review_activity, can_view_all_activities, require, scope_for
from ..reports.filters import Filters
from ..reports.queries import activity_list_select, paginate_activities
from ..selection import read_selection
from ..steps import refused, take_step
from ..summaries.closing import MonthClosedError, month_is_closed
from .forms import DecisionForm, ExemplaryForm, ReasonForm
from .services import (
    ReviewNotAllowed,
    approve_activity,
    approve_many,
    reopen_activity,
    return_activity,
    set_exemplary,
)

bp = Blueprint("review", __name__, url_prefix="/review")


# What the review queue can be filtered by.
QUEUE_KEYS = ("period", "kind", "initiative", "type", "delegation")


@bp.route("/")
def index():
    """Submitted entries waiting for review in the viewer's scope, oldest first."""
    require(can_view_all_activities(current_user), 403)
    sel = read_selection(
        active_campaign(),
        scope_for(current_user),
        local_today(),
        keys=QUEUE_KEYS,
        default_period=False,
        base=Filters(status=ActivityStatus.SUBMITTED),
    )
    stmt = (
        activity_list_select(scope_for(current_user), sel.filters, sel.period)
        .order_by(None)
        .order_by(Activity.submitted_at, Activity.id)
    )
    page = paginate_activities(stmt, per_page=50)
    return render_template(
        "review/index.html",
        page=page,
        sel=sel,
        campaign=sel.campaign,
        delegations=sel.delegations,
        month_value=request.args.get("month", ""),
        form=DecisionForm(),
    )


def _load(activity_id: int) -> Activity:
    activity = db.session.scalar(
        sa.select(Activity)
        .where(Activity.id == activity_id)
        .options(
            selectinload(Activity.concerns).selectinload(Concern.category),
            selectinload(Activity.focus_areas),
        )
    )
    if activity is None:
        abort(404)
    require(can_review_activity(current_user, activity))
    return activity


def _render(
    activity: Activity,
    status: int = 200,
    reason_form: ReasonForm | None = None,
    exemplary_form: ExemplaryForm | None = None,
):
    return render_template(
        "review/detail.html",
        activity=activity,
        exemplary_form=exemplary_form
        or ExemplaryForm(formdata=None, exemplary=activity.exemplary, note=activity.exemplary_note),
        month_closed=activity.status == ActivityStatus.APPROVED
        and not activity.late
        and month_is_closed(activity.campaign_id, activity.occurred_on),
        decision_form=DecisionForm(formdata=None, version=activity.version),
        reason_form=reason_form or ReasonForm(formdata=None, version=activity.version),
        entries=history("activity", activity.id),
    ), status


@bp.route("/<int:activity_id>")
def detail(activity_id: int):
    return _render(_load(activity_id))


def _conflict(activity_id: int):
    return refused(
        _("这条记录刚刚已被他人处理或修改，您的操作没有执行。下面是最新状态。"),
        lambda: _render(_load(activity_id)),
    )


def _month_closed(activity_id: int):
    def handle(error: Exception):
        return refused(
            _("这条记录所在月份已经结账，通报已按它统计，不能再重新打开。"),
            lambda: _render(_load(activity_id)),
        )

    return handle


def _step(activity_id: int, perform, done: str, then: str):
    """Run one review step on the entry: commit and say so, or show why nothing changed."""
    return take_step(
        perform,
        done=done,
        then=then,
        conflicts=(StaleObjectError, ActivityStateError),
        on_conflict=lambda: _conflict(activity_id),
        not_allowed=(ReviewNotAllowed,),
        handlers=[(MonthClosedError, _month_closed(activity_id))],
    )


@bp.route("/<int:activity_id>/approve", methods=["POST"])
def approve(activity_id: int):
    activity = _load(activity_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    return _step(
        activity_id,
        lambda: approve_activity(activity, current_user, expected_version=form.read_version()),
        _("已审核通过：%(t)s", t=activity.title),
        url_for("review.index"),
    )


def _send_back(activity_id: int, action, done_message: str):
    activity = _load(activity_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _render(activity, 200, reason_form=form)
    return _step(
        activity_id,
        lambda: action(
            activity, current_user, form.reason.data, expected_version=form.read_version()
        ),
        done_message,
        url_for("review.detail", activity_id=activity_id),
    )


@bp.route("/<int:activity_id>/return", methods=["POST"])
def send_back(activity_id: int):
    return _send_back(activity_id, return_activity, _("已退回，代表会收到通知。"))


@bp.route("/<int:activity_id>/reopen", methods=["POST"])
def reopen(activity_id: int):
    return _send_back(activity_id, reopen_activity, _("已重新打开并退回代表修改。"))


@bp.route("/<int:activity_id>/exemplary", methods=["POST"])
def exemplary(activity_id: int):
    """Flag an approved entry as a typical case for the monthly summary, or unflag it."""
    activity = _load(activity_id)
    form = ExemplaryForm(data={"note": activity.exemplary_note})  # a note not posted is kept
    if not form.validate_on_submit():
        return _render(activity, 200, exemplary_form=form)
    flagged = bool(form.exemplary.data)
    return _step(
        activity_id,
        lambda: set_exemplary(activity, current_user, flagged, form.note.data or ""),
        _("已列为典型案例，将写入月度通报。") if flagged else _("已取消典型案例。"),
        url_for("review.detail", activity_id=activity_id),
    )


@bp.route("/batch-approve", methods=["POST"])
def batch_approve():
    """Approve the ticked entries at the versions shown in the queue."""
    require(can_view_all_activities(current_user), 403)
    if not DecisionForm().validate_on_submit():
        abort(400)
    ids, versions = [], {}
    for raw in request.form.getlist("activity"):
        activity_id, version = (as_id(part) for part in raw.partition(":")[::2])
        if activity_id is not None and version is not None:
            ids.append(activity_id)
            versions[activity_id] = version
    if not ids:
        flash(_("请先勾选要通过的记录。"), "warning")
        return redirect(url_for("review.index"))
    approved, skipped = approve_many(ids, current_user, versions)
    db.session.commit()
    flash(ngettext("已批量通过 %(num)d 条。", "已批量通过 %(num)d 条。", len(approved)), "success")
    if skipped:
        flash(
            _(
                "有 %(n)d 条未通过：已被他人处理、已修改或不在您的范围内，请刷新后查看。",
                n=len(skipped),
            ),
            "warning",
        )
    return redirect(url_for("review.index"))
