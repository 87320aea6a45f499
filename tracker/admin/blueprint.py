"""The administration blueprint (管理): /admin, administrators only, and its index page.

The areas' view modules (roster_views, account_views, campaign_views, list_views) put their
routes on :data:`bp`; :mod:`.views` imports them all, so registering the blueprint brings
every route.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..permissions import can_administer, require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only() -> None:
    """Every URL under /admin answers 403 to anyone but an administrator."""
    require(can_administer(current_user), 403)


@bp.route("/")
def index():
    """The administration page: links to each area."""
    return render_template("admin/index.html")
