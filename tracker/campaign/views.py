"""The campaign page: the letter's structure, each call linked to what was logged under it."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..campaigns.loader import active_campaign
from ..permissions import can_log_activity, scope_for
from ..reports.queries import ActivityFilters, activity_counts_by_call

bp = Blueprint("campaign", __name__, url_prefix="/campaign")


@bp.route("/")
def index():
    campaign = active_campaign()
    if campaign is None:
        return render_template("campaign/empty.html"), 404
    own = can_log_activity(current_user)
    # Delegates count their own entries of any status; staff count what was submitted to them.
    counts = activity_counts_by_call(
        scope_for(current_user), ActivityFilters(campaign_id=campaign.id, exclude_drafts=not own)
    )
    list_endpoint = "activities.mine" if own else "activities.index"
    return render_template(
        "campaign/index.html", campaign=campaign, counts=counts, list_endpoint=list_endpoint
    )
