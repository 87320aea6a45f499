"""Citizens' contact details are kept only as long as they are needed (``flask retention``).

The name and phone number of whoever raised a concern are removed ``RETENTION_MONTHS`` months
after the concern's campaign ended. The concern itself stays — content, category, status,
resolution, feedback — so every count, rate and summary stays exactly as it was. A campaign
without an end date is never anonymised.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from .audit import record
from .extensions import db
from .models import Activity, Campaign, Concern, utcnow

ANONYMISE = "anonymise_contacts"


@dataclass(frozen=True)
class CampaignRetention:
    """What anonymising did (or would do) to one campaign's concerns."""

    campaign_code: str
    ends_on: date
    concerns: int  # concerns not anonymised before
    with_contact: int  # of those, how many held a name or a phone number


def retention_cutoff(today: date, months: int) -> date:
    """The day ``months`` months before ``today`` (the month's last day when it is shorter)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def campaigns_past_retention(today: date, months: int) -> list[Campaign]:
    """Campaigns that ended more than ``months`` months before ``today``."""
    return list(
        db.session.scalars(
            sa.select(Campaign)
            .where(
                Campaign.ends_on.is_not(None),
                Campaign.ends_on < retention_cutoff(today, months),
            )
            .order_by(Campaign.ends_on, Campaign.id)
        )
    )


def _pending(campaign: Campaign) -> sa.ColumnElement[bool]:
    """Concerns of ``campaign`` whose contacts have not been removed yet."""
    return sa.and_(
        Concern.anonymised_at.is_(None),
        Concern.activity_id.in_(sa.select(Activity.id).where(Activity.campaign_id == campaign.id)),
    )


def anonymise_concern_contacts(
    today: date, months: int, *, dry_run: bool = False
) -> list[CampaignRetention]:
    """Blank the name and phone number on the concerns of every campaign that ended more than
    ``months`` months before ``today``, and stamp them ``anonymised_at``.

    Idempotent: concerns already anonymised are left alone, so a second run changes nothing.
    Writes one audit row per campaign changed; flushes, never commits. With ``dry_run``,
    only counts.
    """
    now = utcnow()
    results = []
    for campaign in campaigns_past_retention(today, months):
        pending = _pending(campaign)
        has_contact = sa.or_(Concern.raised_by_name != "", Concern.raised_by_phone != "")
        concerns, with_contact = db.session.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((has_contact, 1), else_=0)), 0),
            ).where(pending)
        ).one()
        if not concerns:
            continue
        results.append(CampaignRetention(campaign.code, campaign.ends_on, concerns, with_contact))
        if dry_run:
            continue
        db.session.execute(
            sa.update(Concern)
            .where(pending)
            .values(raised_by_name="", raised_by_phone="", anonymised_at=now)
            .execution_options(synchronize_session="fetch")
        )
        record(
            None,
            campaign,
            ANONYMISE,
            note=(
                f"concerns={concerns}; with_contact={with_contact}; "
                f"ended={campaign.ends_on.isoformat()}; retention_months={months}"
            ),
        )
    db.session.flush()
    return results
