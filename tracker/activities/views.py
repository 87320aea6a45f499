"""Logging activities (记一笔), 我的履职, and the staff list of activities in scope."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, user_logged_out
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from ..audit import history
from ..campaign.loader import active_campaign
from ..concurrency import StaleObjectError
from ..dates import local_today
from ..edge import version_of
from ..enums import ActivityStatus, ConcernStatus
from ..extensions import db
from ..models import Activity, Concern, Delegate, Station
from ..permissions import (
    can_edit_activity,
    can_log_activity,
    can_view_activity,
    can_view_all_activities,
    require,
    scope_for,
)
from ..reports.filters import Filters
from ..reports.queries import activity_list_select, paginate_activities
from ..selection import Selection, read_selection
from .forms import ActivityForm
from .services import (
    ActivityStateError,
    create_activity,
    delete_draft,
    submit_activity,
    update_activity,
)

bp = Blueprint("activities", __name__, url_prefix="/activities")


# --- drafts kept in the browser ------------------------------------------------------------------
#
# While a delegate types, static/js/draft.js keeps the activity form in the browser's
# localStorage under a key naming the account and the form, so a lost signal, a reload or a
# timed-out login loses nothing. The server tells the script when a draft may go: the page a
# successful save lands on names the key (it is only removed once the server has the data),
# and the login page after an explicit logout names the account whose drafts go with it.

DRAFT_KEY_PREFIX = "tracker-draft"
_DRAFTS_SAVED = "drafts_saved"
_DRAFTS_FORGET = "drafts_forget"


def draft_key_prefix(user_id: int) -> str:
    """The start of every draft key of one account on a browser."""
    return f"{DRAFT_KEY_PREFIX}:{user_id}:"


def draft_key(user_id: int, activity_id: int | None = None) -> str:
    """The key of the activity form's draft: a new entry, or the edit of one entry."""
    form = f"activity-{activity_id}" if activity_id is not None else "activity-new"
    return draft_key_prefix(user_id) + form


def _mark_draft_saved(key: str) -> None:
    """Tell the next page that the server now holds what the draft ``key`` held."""
    saved = [k for k in session.get(_DRAFTS_SAVED, []) if k != key]
    session[_DRAFTS_SAVED] = [*saved, key]


def pop_draft_marks() -> dict:
    """The draft keys to remove and the key prefix to forget, each handed out once
    (templates/activities/_draft_script.html puts them on the page for draft.js)."""
    return {
        "saved": session.pop(_DRAFTS_SAVED, None) or [],
        "forget": session.pop(_DRAFTS_FORGET, None) or "",
    }


@bp.app_context_processor
def _draft_helpers() -> dict:
    return {"pop_draft_marks": pop_draft_marks}


@user_logged_out.connect
def _forget_drafts_on_logout(sender, user=None, **extra) -> None:
    # Only an explicit logout: a login that timed out keeps its drafts for after the next login.
    if not has_request_context() or request.endpoint != "auth.logout":
        return
    user_id = getattr(user, "id", None)
    if user_id is not None:
        session[_DRAFTS_FORGET] = draft_key_prefix(user_id)


# --- lists ---------------------------------------------------------------------------------


# What the lists of entries can be filtered by (the filter bar in activities/_filters.html).
LIST_KEYS = ("period", "kind", "initiative", "call", "status", "delegation")


def _list_selection(*, staff: bool) -> Selection:
    """The list's filters from the query string; staff never see drafts."""
    sel = read_selection(
        active_campaign(),
        scope_for(current_user),
        local_today(),
        keys=LIST_KEYS,
        default_period=False,
        base=Filters(exclude_drafts=staff),
    )
    if staff and sel.filters.status == ActivityStatus.DRAFT:
        sel = replace(sel, filters=sel.filters.but(status=None))
    return sel


def _render_list(template: str, *, staff: bool):
    sel = _list_selection(staff=staff)
    page = paginate_activities(
        activity_list_select(scope_for(current_user), sel.filters, sel.period)
    )
    return render_template(
        template,
        page=page,
        sel=sel,
        campaign=sel.campaign,
        delegations=sel.delegations,
        month_value=request.args.get("month", ""),
    )


@bp.route("/mine")
def mine():
    """我的履职: the delegate's own activities, any status."""
    require(can_log_activity(current_user), 403)
    return _render_list("activities/mine.html", staff=False)


@bp.route("/")
def index():
    """Staff: submitted and approved activities in their scope."""
    require(can_view_all_activities(current_user), 403)
    return _render_list("activities/index.html", staff=True)


# --- one activity ------------------------------------------------------------------------------


def _load_activity(activity_id: int) -> Activity:
    activity = db.session.scalar(
        sa.select(Activity)
        .where(Activity.id == activity_id)
        .options(
            selectinload(Activity.concerns).selectinload(Concern.category),
            selectinload(Activity.focus_areas),
            selectinload(Activity.participants),
        )
    )
    if activity is None:
        abort(404)
    return activity


@bp.route("/<int:activity_id>")
def detail(activity_id: int):
    activity = _load_activity(activity_id)
    require(can_view_activity(current_user, activity))
    return render_template(
        "activities/detail.html",
        activity=activity,
        action_form=FlaskForm(),
        entries=history("activity", activity.id),
    )


def _form_context(
    delegate: Delegate, campaign, formdata=None, obj_data=None, stored=None
) -> ActivityForm:
    """The activity form with its choices: showing ``obj_data`` (no form data), or the posted
    form, where a field the post left out keeps its value in ``stored`` (the entry as saved)
    rather than falling back to empty."""
    stations = db.session.scalars(
        sa.select(Station)
        .where(Station.retired_at.is_(None))
        .order_by(
            # the delegate's own delegation's stations first
            (Station.delegation_id != delegate.delegation_id),
            Station.id,
        )
    ).all()
    # id and name only: a delegation of a city holds hundreds of delegates, and whole ORM
    # objects for each cost more than the rest of the form
    co_delegates = db.session.execute(
        sa.select(Delegate.id, Delegate.name)
        .where(
            Delegate.delegation_id == delegate.delegation_id,
            Delegate.id != delegate.id,
            Delegate.retired_at.is_(None),
        )
        .order_by(Delegate.name)
    ).all()
    kwargs = dict(
        campaign=campaign, today=local_today(), stations=stations, co_delegates=co_delegates
    )
    if obj_data is not None:
        return ActivityForm(formdata=None, data=obj_data, **kwargs)
    if stored is not None:
        return ActivityForm(data=stored, **kwargs)
    return ActivityForm(**kwargs)


def _defaults_for_new(delegate: Delegate, campaign) -> dict:
    kind = next((k for k in campaign.kinds if k.code == "visit" and not k.is_retired), None)
    kind = kind or next((k for k in campaign.kinds if not k.is_retired), None)
    initiative = next(
        (i for i in campaign.initiatives if kind and i.number == kind.default_initiative_number),
        None,
    )
    return {
        "kind": kind.code if kind else None,
        "initiative": initiative.code if initiative else None,
        "occurred_on": local_today(),
        "station": str(delegate.station_id) if delegate.station_id else "",
        "people_reached": 0,
        "raised_by_kind": "citizen",
        "concerns": [{"raised_by_kind": "citizen"}],
    }


def _data_from_activity(activity: Activity) -> dict:
    proposal = activity.proposal
    return {
        "kind": activity.kind.code,
        "initiative": activity.initiative.code,
        "call": activity.call.code if activity.call else "",
        "title": activity.title,
        "occurred_on": activity.occurred_on,
        "station": str(activity.station_id) if activity.station_id else "",
        "place": activity.place,
        "people_reached": activity.people_reached,
        "focus_areas": [f.code for f in activity.focus_areas],
        "participants": [str(d.id) for d in activity.participants],
        "description": activity.description,
        "outcome": activity.outcome,
        "visit_target_kind": activity.visit_target_kind.value
        if activity.visit_target_kind
        else None,
        "visit_target": activity.visit_target,
        "research_topic": activity.research_topic,
        "research_findings": activity.research_findings,
        "proposal_label": proposal.label.code if proposal and proposal.label else None,
        "proposal_content": proposal.content if proposal else "",
        "suggested_handler": proposal.suggested_handler if proposal else "",
        "concerns": [
            {
                "concern_id": str(c.id),
                "category": c.category.code,
                "content": c.content,
                "raised_by_kind": c.raised_by_kind.value,
                "raised_by_name": c.raised_by_name,
                "raised_by_phone": c.raised_by_phone,
            }
            for c in activity.concerns
            if c.status == ConcernStatus.OPEN
        ]
        or [{"raised_by_kind": "citizen"}],
    }


@bp.route("/new", methods=["GET", "POST"])
def new():
    """记一笔: log an activity."""
    require(can_log_activity(current_user), 403)
    campaign = active_campaign(with_choices=True)
    if campaign is None:
        return render_template("activities/no_campaign.html"), 503
    delegate = current_user.delegate
    if request.method == "GET":
        form = _form_context(delegate, campaign, obj_data=_defaults_for_new(delegate, campaign))
    else:
        form = _form_context(delegate, campaign)
        if form.validate_on_submit():
            activity = create_activity(
                delegate, campaign, form.to_input(), current_user, submit=form.wants_submit()
            )
            # read before the commit expires them: reading after it would load both rows again
            target = url_for("activities.detail", activity_id=activity.id)
            saved_key = draft_key(current_user.id)
            db.session.commit()
            _mark_draft_saved(saved_key)
            flash(_("已提交，等待审核。") if form.wants_submit() else _("草稿已保存。"), "success")
            return redirect(target)
        if not form.concerns.entries:
            form.add_blank_concern()
    return render_template(
        "activities/form.html",
        form=form,
        activity=None,
        campaign=campaign,
        draft_key=draft_key(current_user.id),
    )


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
def edit(activity_id: int):
    activity = _load_activity(activity_id)
    require(can_view_activity(current_user, activity))
    require(can_edit_activity(current_user, activity), 403)
    campaign = activity.campaign
    delegate = activity.delegate
    if request.method == "GET":
        form = _form_context(delegate, campaign, obj_data=_data_from_activity(activity))
        version = activity.version
    else:
        # A post that leaves a field out (a script, not a browser) keeps the stored value;
        # concern rows are the exception: a row not posted is one the delegate removed.
        stored = {k: v for k, v in _data_from_activity(activity).items() if k != "concerns"}
        form = _form_context(delegate, campaign, stored=stored)
        version = version_of(request.form.get("version"))
        if form.validate_on_submit():
            try:
                update_activity(
                    activity,
                    form.to_input(),
                    current_user,
                    expected_version=version,
                    submit=form.wants_submit(),
                )
            except (StaleObjectError, ActivityStateError):
                db.session.rollback()
                return _conflict(activity_id)
            db.session.commit()
            _mark_draft_saved(draft_key(current_user.id, activity.id))
            flash(_("已提交，等待审核。") if form.wants_submit() else _("已保存。"), "success")
            return redirect(url_for("activities.detail", activity_id=activity.id))
        if not form.concerns.entries:
            form.add_blank_concern()
    return render_template(
        "activities/form.html",
        form=form,
        activity=activity,
        campaign=campaign,
        version=version,
        draft_key=draft_key(current_user.id, activity.id),
    )


def _conflict(activity_id: int):
    """Someone changed the entry first: show the fresh copy, write nothing (HTTP 409)."""
    activity = _load_activity(activity_id)
    flash(
        _("这条记录刚刚已在别处修改，您的改动没有保存。下面是最新内容，请核对后再操作。"), "warning"
    )
    if can_edit_activity(current_user, activity):
        form = _form_context(
            activity.delegate, activity.campaign, obj_data=_data_from_activity(activity)
        )
        return render_template(
            "activities/form.html",
            form=form,
            activity=activity,
            campaign=activity.campaign,
            version=activity.version,
            draft_key=draft_key(current_user.id, activity.id),
        ), 409
    return render_template(
        "activities/detail.html",
        activity=activity,
        action_form=FlaskForm(),
        entries=history("activity", activity.id),
    ), 409


@bp.route("/<int:activity_id>/submit", methods=["POST"])
def submit(activity_id: int):
    activity = _load_activity(activity_id)
    require(can_view_activity(current_user, activity))
    require(can_edit_activity(current_user, activity), 403)
    try:
        submit_activity(
            activity, current_user, expected_version=version_of(request.form.get("version"))
        )
    except (StaleObjectError, ActivityStateError):
        db.session.rollback()
        return _conflict(activity_id)
    db.session.commit()
    # submitted as it stands: an edit of it kept in this browser can no longer be saved
    _mark_draft_saved(draft_key(current_user.id, activity.id))
    flash(_("已提交，等待审核。"), "success")
    return redirect(url_for("activities.detail", activity_id=activity.id))


@bp.route("/<int:activity_id>/delete", methods=["POST"])
def delete(activity_id: int):
    activity = _load_activity(activity_id)
    require(can_view_activity(current_user, activity))
    require(can_edit_activity(current_user, activity), 403)
    try:
        delete_draft(activity, current_user)
    except ActivityStateError:
        db.session.rollback()
        abort(409)
    db.session.commit()
    _mark_draft_saved(draft_key(current_user.id, activity_id))
    flash(_("草稿已删除。"), "info")
    return redirect(url_for("activities.mine"))
