"""Proposals followed to their end: the list, one proposal with its actions, handling bodies."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..admin.managed_lists import ManagedList, Outcome, RowMessages
from ..audit import history
from ..campaign.loader import active_campaign
from ..concurrency import StaleObjectError
from ..dates import local_today
from ..deadlines import DueFlag, due_flag
from ..edge import query_int
from ..enums import ActivityStatus, ProposalOutcome, ProposalStatus, Rating
from ..extensions import db
from ..models import Activity, Delegate, HandlingBody, Proposal, ProposalUrging
from ..permissions import (
    can_handle_proposal,
    can_manage_handling_bodies,
    can_rate_proposal,
    can_view_proposal,
    require,
    scope_for,
)
from ..reports.filters import delegation_choices
from ..reports.queries import ProposalFilters, paginate, proposal_select
from ..steps import refused, take_step
from .forms import (
    AssignForm,
    HandlingBodyForm,
    HandlingBodyUpdateForm,
    ProposalActionForm,
    RateForm,
    RejectForm,
    ReplyForm,
    UrgeForm,
)
from .services import (
    HandlingBodyCodeTaken,
    ProposalActionNotAllowed,
    ProposalStateError,
    assign_proposal,
    available_actions,
    create_handling_body,
    is_allowed_now,
    rate_reply,
    record_reply,
    register_proposal,
    reject_proposal,
    rename_handling_body,
    set_handling_body_retired,
    start_handling,
    urge_proposal,
)

bp = Blueprint("proposals", __name__, url_prefix="/proposals")


# --- the list ----------------------------------------------------------------------------------


def _filters() -> ProposalFilters:
    status = request.args.get("status") or None
    due = request.args.get("due") or None
    return ProposalFilters(
        status=ProposalStatus(status) if status in ProposalStatus._value2member_map_ else None,
        due=due if due in DueFlag._value2member_map_ else None,
        # Only staff choose a delegation; a delegate's list is theirs anyway.
        delegation_id=query_int("delegation") if current_user.is_staff else None,
        label_code=request.args.get("label") or None,
        handler_id=query_int("handler") if current_user.is_staff else None,
    )


@bp.route("/")
def index():
    """我的建议 for a delegate, 建议办理 for staff: proposals in the viewer's scope."""
    filters = _filters()
    today = local_today()
    page = paginate(proposal_select(scope_for(current_user), filters, today))
    delegations, handlers = [], []
    if current_user.is_staff:
        delegations = delegation_choices(scope_for(current_user))
        handlers = db.session.scalars(
            sa.select(HandlingBody).order_by(
                HandlingBody.retired_at.is_not(None), HandlingBody.position
            )
        ).all()
    campaign = active_campaign()
    return render_template(
        "proposals/index.html",
        page=page,
        filters=filters,
        labels=[label for label in campaign.proposal_labels if not label.is_retired]
        if campaign
        else [],
        delegations=delegations,
        handlers=handlers,
        can_manage_handlers=can_manage_handling_bodies(current_user),
        flag_of=lambda p: due_flag(p.status, p.due_on, today),
    )


# --- one proposal ------------------------------------------------------------------------------


def _load(proposal_id: int) -> Proposal:
    """The proposal with what its page shows; 404 unless the viewer may see it."""
    proposal = db.session.scalar(
        sa.select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            selectinload(Proposal.activity)
            .selectinload(Activity.delegate)
            .selectinload(Delegate.user),
            selectinload(Proposal.label),
            selectinload(Proposal.lead_handler),
            selectinload(Proposal.co_handlers),
            selectinload(Proposal.replies),
            selectinload(Proposal.urgings).selectinload(ProposalUrging.urged_by),
        )
    )
    if proposal is None or proposal.activity.status == ActivityStatus.DRAFT:
        abort(404)
    require(can_view_proposal(current_user, proposal))
    return proposal


def _active_bodies() -> list[HandlingBody]:
    return list(
        db.session.scalars(
            sa.select(HandlingBody)
            .where(HandlingBody.retired_at.is_(None))
            .order_by(HandlingBody.position)
        )
    )


def _assign_form(proposal: Proposal, **kwargs) -> AssignForm:
    return AssignForm(bodies=_active_bodies(), proposal=proposal, today=local_today(), **kwargs)


def _reply_form(proposal: Proposal, **kwargs) -> ReplyForm:
    return ReplyForm(proposal=proposal, today=local_today(), **kwargs)


def _render(proposal: Proposal, status: int = 200, **bound):
    """The proposal page; ``bound`` holds a submitted form to show with its errors."""
    today = local_today()
    fresh = {"formdata": None, "version": proposal.version}
    forms = {
        "action_form": ProposalActionForm(**fresh),
        "reject_form": RejectForm(**fresh),
        "assign_form": _assign_form(proposal, assigned_on=today, **fresh),
        "reply_form": _reply_form(proposal, replied_on=today, **fresh),
        "urge_form": UrgeForm(**fresh),
        "rate_form": RateForm(**fresh),
    }
    forms.update(bound)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        activity=proposal.activity,
        actions=available_actions(current_user, proposal),
        flag=due_flag(proposal.status, proposal.due_on, today),
        entries=history("proposal", proposal.id),
        ProposalStatus=ProposalStatus,
        **forms,
    ), status


@bp.route("/<int:proposal_id>")
def detail(proposal_id: int):
    return _render(_load(proposal_id))


def _conflict(proposal_id: int):
    """Someone acted first, or the state no longer allows it: show the fresh copy (409)."""
    return refused(
        _("这条建议的状态刚刚已有变化（可能已被他人处理），您的操作没有执行。下面是最新状态。"),
        lambda: _render(_load(proposal_id)),
    )


def _act(
    proposal_id: int,
    *,
    action: str,
    may: Callable,
    make_form: Callable[[Proposal], ProposalActionForm],
    form_name: str,
    run: Callable[[Proposal, ProposalActionForm], object],
    done: str,
):
    """One POSTed action: load, check the person, check the form, call the service, commit."""
    proposal = _load(proposal_id)
    require(may(current_user, proposal), 403)
    form = make_form(proposal)
    if not form.validate_on_submit():
        if not is_allowed_now(proposal, action):
            return _conflict(proposal_id)
        return _render(proposal, 200, **{form_name: form})
    return take_step(
        lambda: run(proposal, form),
        done=done,
        then=url_for("proposals.detail", proposal_id=proposal_id),
        conflicts=(StaleObjectError, ProposalStateError),
        on_conflict=lambda: _conflict(proposal_id),
        not_allowed=(ProposalActionNotAllowed,),
    )


@bp.route("/<int:proposal_id>/register", methods=["POST"])
def register(proposal_id: int):
    return _act(
        proposal_id,
        action="register",
        may=can_handle_proposal,
        make_form=lambda p: ProposalActionForm(),
        form_name="action_form",
        run=lambda p, f: register_proposal(p, current_user, expected_version=f.read_version()),
        done=_("已立案，代表会收到通知。"),
    )


@bp.route("/<int:proposal_id>/reject", methods=["POST"])
def reject(proposal_id: int):
    return _act(
        proposal_id,
        action="not_register",
        may=can_handle_proposal,
        make_form=lambda p: RejectForm(),
        form_name="reject_form",
        run=lambda p, f: reject_proposal(
            p, current_user, f.reason.data, expected_version=f.read_version()
        ),
        done=_("已决定不予立案，代表会收到通知和理由。"),
    )


@bp.route("/<int:proposal_id>/assign", methods=["POST"])
def assign(proposal_id: int):
    return _act(
        proposal_id,
        action="assign",
        may=can_handle_proposal,
        make_form=_assign_form,
        form_name="assign_form",
        run=lambda p, f: assign_proposal(
            p,
            current_user,
            lead_handler=f.lead_body,
            co_handlers=f.co_bodies,
            is_complex=f.is_complex.data,
            assigned_on=f.assigned_on.data,
            expected_version=f.read_version(),
        ),
        done=_("已交办，代表会收到通知。"),
    )


@bp.route("/<int:proposal_id>/start", methods=["POST"])
def start(proposal_id: int):
    return _act(
        proposal_id,
        action="start_handling",
        may=can_handle_proposal,
        make_form=lambda p: ProposalActionForm(),
        form_name="action_form",
        run=lambda p, f: start_handling(p, current_user, expected_version=f.read_version()),
        done=_("已记录：承办单位开始办理。"),
    )


@bp.route("/<int:proposal_id>/reply", methods=["POST"])
def reply(proposal_id: int):
    return _act(
        proposal_id,
        action="reply",
        may=can_handle_proposal,
        make_form=_reply_form,
        form_name="reply_form",
        run=lambda p, f: record_reply(
            p,
            current_user,
            text=f.text.data,
            replied_on=f.replied_on.data,
            outcome=ProposalOutcome(f.outcome.data),
            expected_version=f.read_version(),
            today=local_today(),
        ),
        done=_("答复已登记，等待代表评价。"),
    )


@bp.route("/<int:proposal_id>/urge", methods=["POST"])
def urge(proposal_id: int):
    return _act(
        proposal_id,
        action="urge",
        may=can_handle_proposal,
        make_form=lambda p: UrgeForm(),
        form_name="urge_form",
        run=lambda p, f: urge_proposal(p, current_user, f.note.data),
        done=_("已记录督办。"),
    )


@bp.route("/<int:proposal_id>/rate", methods=["POST"])
def rate(proposal_id: int):
    return _act(
        proposal_id,
        action="rate",
        may=can_rate_proposal,
        make_form=lambda p: RateForm(),
        form_name="rate_form",
        run=lambda p, f: rate_reply(
            p,
            current_user,
            Rating(f.rating.data),
            f.note.data,
            expected_version=f.read_version(),
            today=local_today(),
        ),
        done=_("感谢您的评价。"),
    )


# --- handling bodies ----------------------------------------------------------------------------

# A managed list like the admin's stations and delegations, but never deleted from.
HANDLING_BODIES = ManagedList(
    endpoint="proposals.handlers",
    anchor=None,
    set_retired=set_handling_body_retired,
    messages=RowMessages(
        retired=_l("已停用：%(name)s。已交办的建议不受影响。"),
    ),
)


def _render_handlers(
    form: HandlingBodyForm | None = None,
    status: int = 200,
    edit_id: int | None = None,
    edit_form: HandlingBodyUpdateForm | None = None,
):
    bodies = db.session.scalars(
        sa.select(HandlingBody).order_by(
            HandlingBody.retired_at.is_not(None), HandlingBody.position, HandlingBody.id
        )
    ).all()
    return render_template(
        "proposals/handlers.html",
        bodies=bodies,
        form=form or HandlingBodyForm(formdata=None),
        edit_id=edit_id,
        edit_form=edit_form,
        row_form=HandlingBodyUpdateForm(formdata=None),
    ), status


@bp.route("/handlers", methods=["GET", "POST"])
def handlers():
    """承办单位: the managed list, and a form to add one."""
    require(can_manage_handling_bodies(current_user), 403)
    if request.method == "GET":
        return _render_handlers()
    form = HandlingBodyForm()
    if not form.validate_on_submit():
        return _render_handlers(form)
    try:
        body = create_handling_body(current_user, name=form.name.data, code=form.code.data)
    except HandlingBodyCodeTaken:
        HANDLING_BODIES.refuse(form.code, _("这个代码已被其他单位使用，请换一个。"))
        return _render_handlers(form)
    return HANDLING_BODIES.done(Outcome(_("已添加承办单位：%(name)s", name=body.name)))


@bp.route("/handlers/<int:body_id>", methods=["POST"])
def handler_update(body_id: int):
    """Rename, retire or restore one handling body."""
    require(can_manage_handling_bodies(current_user), 403)
    body = db.session.get(HandlingBody, body_id)
    if body is None:
        abort(404)
    form = HandlingBodyUpdateForm(data={"name": body.name})  # a name not posted is kept
    if not form.validate_on_submit():
        return _render_handlers(edit_id=body.id, edit_form=form)
    if form.action.data != "rename":
        return HANDLING_BODIES.done(HANDLING_BODIES.change_state(body, form.action.data))
    rename_handling_body(body, current_user, form.name.data)
    return HANDLING_BODIES.done(Outcome(_("已改名为：%(name)s", name=body.name)))
