"""Administration (管理): the roster, accounts, campaigns and the managed lists.

Administrators only: every URL under /admin answers 403 to anyone else. The routes live in
one module per area (roster_views, account_views, campaign_views, list_views), all on this
blueprint.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..permissions import can_administer, require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only() -> None:
    require(can_administer(current_user), 403)


@bp.route("/")
def index():
    return render_template("admin/index.html")


# The areas register their routes on ``bp`` when imported.
from . import account_views, campaign_views, list_views, roster_views  # noqa: E402, F401
