"""Administration (管理): the roster, accounts, campaigns and the managed lists.

Administrators only: every URL under /admin answers 403 to anyone else. The blueprint lives
in :mod:`.blueprint`; the routes live in one module per area (roster_views, account_views,
campaign_views, list_views), each importing the blueprint. Importing them here puts every
route on the blueprint before the app registers it.
"""

from __future__ import annotations

from . import account_views, campaign_views, list_views, roster_views  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
