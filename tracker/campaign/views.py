"""The campaign page: the letter's structure, each call linked to what was logged under it.

The active campaign by default; any other, past ones included, by its code
(``/campaign/<code>`` or ``/campaign/?c=<code>``), with its own entries counted.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ..campaign.loader import active_campaign
from ..extensions import db
from ..models import Campaign
from ..permissions import can_log_activity, scope_for
from ..reports.filters import Filters
from ..reports.queries import activity_counts_by_call

bp = Blueprint("campaign", __name__, url_prefix="/campaign")


def _campaign_by_code(code: str) -> Campaign:
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == code))
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/")
@bp.route("/<code>")
def index(code: str | None = None):
    code = code or request.args.get("c") or None
    campaign = _campaign_by_code(code) if code else active_campaign()
    if campaign is None:
        return render_template("campaign/empty.html"), 404
    own = can_log_activity(current_user)
    # Delegates count their own entries of any status; staff count what was submitted to them.
    counts = activity_counts_by_call(
        scope_for(current_user), Filters(campaign_id=campaign.id, exclude_drafts=not own)
    )
    list_endpoint = "activities.mine" if own else "activities.index"
    campaigns = db.session.scalars(
        sa.select(Campaign).order_by(
            Campaign.is_active.desc(), Campaign.starts_on.desc(), Campaign.id.desc()
        )
    ).all()
    return render_template(
        "campaign/index.html",
        campaign=campaign,
        counts=counts,
        list_endpoint=list_endpoint,
        campaigns=campaigns,
        active=next((c for c in campaigns if c.is_active), None),
    )
