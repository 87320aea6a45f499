"""Campaigns (主题活动): loading an uploaded campaign file and choosing the active campaign.
State changes flush and audit, never commit.

An uploaded file goes through the same loader as ``flask campaign load``: a file with problems
changes nothing; a good one is loaded idempotently. Only the loader's temporary copy of the
file touches the disk, and it is removed at once.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..audit import record
from ..campaign.loader import (
    CampaignFileError,
    LoadReport,
    active_campaign,
    load_campaign,
    set_active_campaign,
)
from ..enums import ActivityStatus
from ..extensions import db
from ..models import Activity, Campaign, User
from ..permissions import can_administer

MAX_CAMPAIGN_FILE_MB = 1
MAX_CAMPAIGN_FILE_BYTES = MAX_CAMPAIGN_FILE_MB * 1024 * 1024

# How the loader's report names its tables and actions, for the message after a load.
TABLE_LABELS = {
    "campaign": _l("主题活动"),
    "initiative": _l("倡议"),
    "call_to_action": _l("号召"),
    "activity_kind": _l("活动类型"),
    "focus_area": _l("重点领域"),
    "proposal_label": _l("建议标签"),
    "concern_category": _l("诉求分类"),
    "delegation": _l("代表团"),
    "handling_body": _l("承办单位"),
}
ACTION_LABELS = {
    "created": _l("新增"),
    "updated": _l("更新"),
    "restored": _l("恢复"),
    "retired": _l("停用"),
    "deleted": _l("删除"),
}


# --- services (no request code) --------------------------------------------------------------


class CampaignUploadNotAllowed(Exception):
    """Only administrators load campaign files or change the active campaign."""


class CampaignFileNotUtf8(ValueError):
    """The file is not UTF-8 text; ``looks_like_gbk`` when it decodes as GBK instead."""

    def __init__(self, looks_like_gbk: bool):
        super().__init__("not UTF-8")
        self.looks_like_gbk = looks_like_gbk


class CampaignLoadFailed(ValueError):
    """The file passed the loader's checks but could not be written; nothing was kept."""


@dataclass(frozen=True)
class CampaignUpload:
    """What loading an uploaded file did."""

    campaign: Campaign
    report: LoadReport
    created: bool
    activated: bool


def decode_campaign_file(raw: bytes) -> str:
    """The file's text; a UTF-8 byte-order mark (Windows Notepad writes one) is dropped."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("gbk")
    except UnicodeDecodeError:
        raise CampaignFileNotUtf8(looks_like_gbk=False) from None
    raise CampaignFileNotUtf8(looks_like_gbk=True)


def load_uploaded_campaign(
    raw: bytes, *, filename: str, activate: bool, actor: User
) -> CampaignUpload:
    """Load an uploaded campaign file through the campaign loader, audit it, and flush.

    Raises :class:`CampaignFileNotUtf8`, :class:`CampaignFileError` (every problem the loader
    found, naming the file as uploaded) or :class:`CampaignLoadFailed`; after any of them the
    caller rolls back. ``activate`` False still activates the campaign when none is active.
    """
    if not can_administer(actor):
        raise CampaignUploadNotAllowed()
    text = decode_campaign_file(raw)
    shown_name = Path(filename or "").name or "campaign.toml"
    previous = active_campaign()
    # The loader reads a path: give it a private temporary copy and remove it straight after.
    handle, path = tempfile.mkstemp(suffix=".toml", prefix="campaign-upload-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            report = load_campaign(path, activate=True if activate else None)
        except CampaignFileError as exc:
            temp_name = Path(path).name
            raise CampaignFileError(
                [problem.replace(temp_name, shown_name) for problem in exc.problems]
            ) from None
        except (sa.exc.SQLAlchemyError, ValueError, TypeError, KeyError, AttributeError) as exc:
            # Values the loader's checks let through but the database or a conversion refuses.
            raise CampaignLoadFailed(f"{type(exc).__name__}: {exc}".splitlines()[0]) from exc
    finally:
        os.unlink(path)

    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == report.campaign_code))
    if report.changed:
        record(actor, campaign, "load", note="; ".join(report.lines()), object_type="campaign")
    activated = campaign.is_active and (previous is None or previous.id != campaign.id)
    if activated:
        _audit_activation(actor, campaign, previous)
    db.session.flush()
    return CampaignUpload(
        campaign=campaign,
        report=report,
        created=bool(report.counts[("campaign", "created")]),
        activated=activated,
    )


def activate_campaign(campaign: Campaign, actor: User) -> bool:
    """Make ``campaign`` the one new entries are logged under; False if it already was."""
    if not can_administer(actor):
        raise CampaignUploadNotAllowed()
    previous = active_campaign()
    if campaign.is_active and previous is not None and previous.id == campaign.id:
        return False
    set_active_campaign(campaign)
    _audit_activation(actor, campaign, previous)
    db.session.flush()
    return True


def _audit_activation(actor: User, campaign: Campaign, previous: Campaign | None) -> None:
    record(
        actor,
        campaign,
        "activate",
        from_state="inactive",
        to_state="active",
        note=f"{previous.code if previous else '-'} → {campaign.code}",
        object_type="campaign",
    )


def activity_counts_by_campaign() -> dict[int, tuple[int, int]]:
    """Per campaign id: (entries logged, entries approved)."""
    approved = sa.func.sum(sa.case((Activity.status == ActivityStatus.APPROVED, 1), else_=0))
    rows = db.session.execute(
        sa.select(Activity.campaign_id, sa.func.count(), approved).group_by(Activity.campaign_id)
    )
    return {campaign_id: (total, int(done or 0)) for campaign_id, total, done in rows}


def report_summary(report: LoadReport) -> str:
    """The loader's report in the reader's language: what was added, changed or removed."""
    tables = list(TABLE_LABELS) + sorted({t for t, _a in report.counts} - TABLE_LABELS.keys())
    parts = []
    for table in tables:
        actions = [
            f"{ACTION_LABELS[action]} {report.counts[(table, action)]}"
            for action in ACTION_LABELS
            if report.counts[(table, action)]
        ]
        if actions:
            parts.append(f"{TABLE_LABELS.get(table, table)} {'、'.join(actions)}")
    return "；".join(parts)
