"""Campaigns (主题活动): every campaign loaded, uploading a campaign file, choosing the active one.

An uploaded file goes through the same loader as ``flask campaign load``: a file with problems
changes nothing and every problem is listed next to the file field; a good one is loaded
idempotently (the same file again changes nothing). Only the loader's temporary copy of the
file touches the disk, and it is removed at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import BooleanField

from ..campaign.loader import (
    CampaignFileError,
)
from ..extensions import db
from ..models import Campaign
from .blueprint import bp
from .campaigns import (
    MAX_CAMPAIGN_FILE_BYTES,
    MAX_CAMPAIGN_FILE_MB,
    CampaignFileNotUtf8,
    CampaignLoadFailed,
    activate_campaign,
    activity_counts_by_campaign,
    load_uploaded_campaign,
    report_summary,
)

# --- forms --------------------------------------------------------------------------------------


class CampaignUploadForm(FlaskForm):
    """Upload a campaign file (TOML, UTF-8, at most 1 MB)."""

    file = FileField(
        _l("主题活动文件（.toml）"),
        validators=[
            FileRequired(_l("请选择要上传的主题活动文件。")),
            FileAllowed(["toml"], _l("只能上传 .toml 格式的主题活动文件。")),
            FileSize(
                MAX_CAMPAIGN_FILE_BYTES,
                message=_l(
                    "文件不能超过 %(mb)s MB，请检查是否选错了文件。", mb=MAX_CAMPAIGN_FILE_MB
                ),
            ),
        ],
    )
    activate = BooleanField(_l("设为当前主题活动"))


class CampaignActivateForm(FlaskForm):
    """Carries the CSRF token of the 设为当前 button."""


# --- views --------------------------------------------------------------------------------------


def _render_campaigns(form: CampaignUploadForm | None = None, status: int = 200):
    campaigns = db.session.scalars(
        sa.select(Campaign).order_by(
            Campaign.is_active.desc(), Campaign.starts_on.desc(), Campaign.id.desc()
        )
    ).all()
    return render_template(
        "admin/campaigns.html",
        campaigns=campaigns,
        active=next((c for c in campaigns if c.is_active), None),
        counts=activity_counts_by_campaign(),
        form=form or CampaignUploadForm(formdata=None),
        activate_form=CampaignActivateForm(),
        max_mb=MAX_CAMPAIGN_FILE_MB,
    ), status


@bp.route("/campaigns", methods=["GET", "POST"])
def campaigns():
    """主题活动: every campaign loaded, which is active, and a form to upload a campaign file."""
    form = CampaignUploadForm()
    if not form.is_submitted():
        return _render_campaigns(CampaignUploadForm(formdata=None))
    if not form.validate():
        return _render_campaigns(form)
    upload = form.file.data
    try:
        done = load_uploaded_campaign(
            upload.read(), filename=upload.filename, activate=form.activate.data, actor=current_user
        )
    except CampaignFileNotUtf8 as exc:
        db.session.rollback()
        form.file.errors.append(
            _(
                "文件是 GBK（GB2312）编码的。请用记事本或 WPS 打开，“另存为”时把编码选为 UTF-8，再上传。"
            )
            if exc.looks_like_gbk
            else _("文件不是 UTF-8 编码的文本，请检查是否选错了文件。")
        )
        return _render_campaigns(form)
    except CampaignFileError as exc:
        db.session.rollback()
        form.file.errors.extend(exc.problems)
        return _render_campaigns(form)
    except CampaignLoadFailed as exc:
        db.session.rollback()
        form.file.errors.append(_("文件中有内容无法写入数据库：%(detail)s", detail=str(exc)))
        return _render_campaigns(form)
    db.session.commit()
    campaign = done.campaign
    if not done.report.changed:
        flash(
            _("主题活动“%(title)s”已是这个文件的内容，没有任何变化。", title=campaign.title), "info"
        )
    else:
        flash(
            (
                _(
                    "已载入新的主题活动“%(title)s”：%(changes)s。",
                    title=campaign.title,
                    changes=report_summary(done.report),
                )
                if done.created
                else _(
                    "已更新主题活动“%(title)s”：%(changes)s。",
                    title=campaign.title,
                    changes=report_summary(done.report),
                )
            ),
            "success",
        )
    if done.activated:
        flash(_("“%(title)s”现在是当前主题活动，新记录计入其中。", title=campaign.title), "success")
    elif not campaign.is_active:
        flash(
            _(
                "“%(title)s”没有设为当前主题活动；需要时可在下面的列表中设置。",
                title=campaign.title,
            ),
            "info",
        )
    return redirect(url_for("admin.campaigns", _anchor=f"campaign-{campaign.id}"))


@bp.route("/campaigns/<int:campaign_id>/activate", methods=["POST"])
def campaign_activate(campaign_id: int):
    """Make one campaign the active one (exactly one is)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    if not CampaignActivateForm().validate_on_submit():
        abort(400)
    try:
        activated = activate_campaign(campaign, current_user)
    except sa.exc.IntegrityError:  # another campaign was activated at the same moment
        db.session.rollback()
        flash(_("另一个主题活动刚刚被设为当前，您的操作没有执行。请核对后再试。"), "warning")
        return redirect(url_for("admin.campaigns"))
    if activated:
        db.session.commit()
        flash(
            _(
                "“%(title)s”现在是当前主题活动，新记录计入其中；以往主题活动的记录仍可查看。",
                title=campaign.title,
            ),
            "success",
        )
    else:
        flash(_("“%(title)s”已经是当前主题活动。", title=campaign.title), "info")
    return redirect(url_for("admin.campaigns", _anchor=f"campaign-{campaign.id}"))
