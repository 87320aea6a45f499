"""Citizens' concerns (群众诉求) followed to their end: the list with its figures, one
concern's page, and the four actions staff take on it."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..audit import history
from ..campaign.loader import active_campaign
from ..concurrency import StaleObjectError
from ..edge import query_int
from ..enums import ActivityStatus, ConcernStatus
from ..extensions import db
from ..models import Activity, Concern, Delegate, HandlingBody
from ..permissions import can_handle_concern, can_view_concern, require, scope_for
from ..reports.filters import delegation_choices
from ..reports.queries import ConcernFilters, concern_figures, concern_select, paginate
from ..steps import refused, take_step
from .forms import ConcernActionForm, FeedbackForm, ReferForm, ResolveForm, UnresolvableForm
from .services import (
    FEED_BACK,
    MARK_UNRESOLVABLE,
    REFER,
    RESOLVE,
    REVEAL_PHONE,
    ConcernHandlingNotAllowed,
    ConcernInputError,
    ConcernStateError,
    actions_for,
    can_reveal_phone,
    feed_back,
    mark_unresolvable,
    refer_concern,
    resolve_concern,
    reveal_phone,
)

bp = Blueprint("concerns", __name__, url_prefix="/concerns")


# --- the list --------------------------------------------------------------------------------


def _list_filters() -> ConcernFilters:
    status = request.args.get("status") or None
    return ConcernFilters(
        status=ConcernStatus(status) if status in ConcernStatus._value2member_map_ else None,
        category_code=request.args.get("category") or None,
        delegation_id=query_int("delegation") if current_user.is_staff else None,
    )


@bp.route("/")
def index():
    """Concerns in the viewer's scope, with how they stand; delegates see their own."""
    filters = _list_filters()
    scope = scope_for(current_user)
    page = paginate(concern_select(scope, filters), per_page=50)
    campaign = active_campaign()
    return render_template(
        "concerns/index.html",
        page=page,
        filters=filters,
        figures=concern_figures(scope, filters),
        categories=[c for c in campaign.concern_categories if not c.is_retired] if campaign else [],
        delegations=delegation_choices(scope),
    )


# --- one concern -----------------------------------------------------------------------------


def _load(concern_id: int) -> Concern:
    """The concern if the viewer may see it (404 otherwise). A draft's concerns are not
    followed yet, so they have no page of their own."""
    concern = db.session.scalar(
        sa.select(Concern)
        .where(Concern.id == concern_id)
        .options(
            selectinload(Concern.activity)
            .selectinload(Activity.delegate)
            .selectinload(Delegate.delegation),
            selectinload(Concern.category),
            selectinload(Concern.referred_to),
        )
    )
    if concern is None or concern.activity is None:
        abort(404)
    require(can_view_concern(current_user, concern))
    require(concern.activity.status != ActivityStatus.DRAFT)
    return concern


def _bodies() -> list[HandlingBody]:
    return list(
        db.session.scalars(
            sa.select(HandlingBody)
            .where(HandlingBody.retired_at.is_(None))
            .order_by(HandlingBody.position, HandlingBody.id)
        )
    )


def _render(concern: Concern, status: int = 200, **posted: ConcernActionForm):
    """The concern's page; a form that was just posted with mistakes is shown as typed."""
    version = concern.version
    forms = {
        "refer_form": ReferForm(formdata=None, version=version, bodies=_bodies()),
        "resolve_form": ResolveForm(formdata=None, version=version),
        "unresolvable_form": UnresolvableForm(formdata=None, version=version),
        "feedback_form": FeedbackForm(formdata=None, version=version),
    }
    forms.update(posted)
    return render_template(
        "concerns/detail.html",
        concern=concern,
        actions=actions_for(current_user, concern),
        can_reveal=can_reveal_phone(current_user, concern),
        # The page shows how the concern was handled; who looked at the phone number stays
        # in the audit trail.
        entries=[e for e in history("concern", concern.id) if e.action != REVEAL_PHONE],
        **forms,
    ), status


@bp.route("/<int:concern_id>")
def detail(concern_id: int):
    """One concern: what was raised, where it went, how it ended, and its history."""
    return _render(_load(concern_id))


@bp.route("/<int:concern_id>/reveal-phone", methods=["POST"])
def reveal(concern_id: int):
    """The whole phone number, once, on a page no cache keeps; the look is audited.

    Staff who may handle the concern and the delegate who recorded it; anyone else gets 404.
    """
    concern = _load(concern_id)
    require(can_reveal_phone(current_user, concern))
    phone = reveal_phone(concern, current_user)
    if not phone:
        flash(_("这条诉求没有留联系电话，或已按保存期限删除。"), "info")
        return redirect(url_for("concerns.detail", concern_id=concern_id))
    db.session.commit()
    response = make_response(render_template("concerns/phone.html", concern=concern, phone=phone))
    response.headers["Cache-Control"] = "no-store"
    return response


def _conflict(concern_id: int):
    """Someone acted first or the state no longer allows it: show the fresh copy (409)."""
    return refused(
        _(
            "这条诉求刚刚已被他人处理或状态已变化，您的操作没有执行。下面是最新状态，请核对后再操作。"
        ),
        lambda: _render(_load(concern_id)),
    )


def _act(
    concern_id: int,
    action: str,
    form_name: str,
    form: ConcernActionForm,
    perform: Callable[[Concern, ConcernActionForm], object],
    done_message: str,
):
    """Load, check, validate, perform, commit — the same for each of the four actions."""
    concern = _load(concern_id)
    require(can_handle_concern(current_user, concern), 403)
    if action not in actions_for(current_user, concern):
        return _conflict(concern_id)
    if not form.validate_on_submit():
        return _render(concern, 200, **{form_name: form})

    def bad_input(error: Exception):
        """The service refused a value the form let through: show it beside its field."""
        db.session.rollback()
        field = getattr(form, getattr(error, "field", ""), None)
        if field is not None:
            field.errors = [
                *field.errors,
                _("所选承办单位不存在或已停用，请重新选择。")
                if error.field == "handling_body"
                else _("内容不符合要求，请修改。"),
            ]
        return _render(_load(concern_id), 200, **{form_name: form})

    return take_step(
        lambda: perform(concern, form),
        done=done_message,
        then=url_for("concerns.detail", concern_id=concern_id),
        conflicts=(StaleObjectError, ConcernStateError),
        on_conflict=lambda: _conflict(concern_id),
        not_allowed=(ConcernHandlingNotAllowed,),
        not_allowed_status=403,
        handlers=[(ConcernInputError, bad_input)],
    )


@bp.route("/<int:concern_id>/refer", methods=["POST"])
def refer(concern_id: int):
    """Refer the concern to a handling body (转办)."""
    form = ReferForm(bodies=_bodies())

    def perform(concern: Concern, form: ReferForm):
        body_id = form.body_id()
        body = db.session.get(HandlingBody, body_id) if body_id is not None else None
        return refer_concern(concern, current_user, body, expected_version=form.read_version())

    return _act(concern_id, REFER, "refer_form", form, perform, _("已转办，代表会收到通知。"))


@bp.route("/<int:concern_id>/resolve", methods=["POST"])
def resolve(concern_id: int):
    """Record that the concern was solved."""
    form = ResolveForm()

    def perform(concern: Concern, form: ResolveForm):
        return resolve_concern(
            concern,
            current_user,
            form.resolution_note.data or "",
            expected_version=form.read_version(),
        )

    return _act(
        concern_id,
        RESOLVE,
        "resolve_form",
        form,
        perform,
        _("已办结（已解决）。别忘了把结果反馈给反映人。"),
    )


@bp.route("/<int:concern_id>/unresolvable", methods=["POST"])
def unresolvable(concern_id: int):
    """Record that the concern cannot be solved, with the reason."""
    form = UnresolvableForm()

    def perform(concern: Concern, form: UnresolvableForm):
        return mark_unresolvable(
            concern, current_user, form.reason.data or "", expected_version=form.read_version()
        )

    return _act(
        concern_id,
        MARK_UNRESOLVABLE,
        "unresolvable_form",
        form,
        perform,
        _("已办结（无法解决）。请向反映人说明原因并记录反馈。"),
    )


@bp.route("/<int:concern_id>/feedback", methods=["POST"])
def feedback(concern_id: int):
    """Record what the person who raised the concern was told."""
    form = FeedbackForm()

    def perform(concern: Concern, form: FeedbackForm):
        return feed_back(
            concern,
            current_user,
            form.feedback_note.data or "",
            expected_version=form.read_version(),
        )

    return _act(
        concern_id, FEED_BACK, "feedback_form", form, perform, _("已记录反馈，这条诉求已办完。")
    )
