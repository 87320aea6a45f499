"""``flask demo``: the hand-shaped demo, or entries in bulk with ``--activities``, on an empty
database only; prints what was made and the demo accounts to log in with."""

from __future__ import annotations

import sys
import time
import unicodedata

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from ..campaign.loader import CampaignFileError, active_campaign, load_campaign
from ..dates import local_today
from ..extensions import db
from ..models import Delegate, User
from .accounts import DEMO_PASSWORD, DEMO_USERNAMES, describe_account
from .builder import generate_demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _echo_logins(logins: list[tuple[str, str, str]], heading: str) -> None:
    if not logins:
        return
    rows = [("用户名", "密码", "身份"), *logins]
    widths = [max(_width(row[i]) for row in rows) for i in range(2)]
    click.echo(heading)
    for row in rows:
        cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(2)]
        click.echo(f"  {cells[0]}  {cells[1]}  {row[2]}")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when delegates already exist.")
@click.option("--seed", default=2023, show_default=True)
@click.option(
    "--delegates",
    type=click.IntRange(min=1),
    default=None,
    help="Delegates to create [default: 120; 2,000 with --activities].",
)
@click.option(
    "--months",
    type=click.IntRange(min=1),
    default=None,
    help="Months of entries up to today [default: 6; with --activities, as many as "
    "about five entries a delegate a month fill].",
)
@click.option(
    "--activities",
    type=click.IntRange(min=0),
    default=None,
    help="Generate this many entries at scale (bulk inserts, e.g. 1000000) instead "
    "of the hand-shaped demo.",
)
@with_appcontext
def demo_command(
    if_empty: bool, seed: int, delegates: int | None, months: int | None, activities: int | None
) -> None:
    """Fill an empty database with demo stations, delegates, accounts and activities.

    Without --activities: the hand-shaped demo (120 delegates, six months, every state of
    review and follow-up, closed months). With --activities M: M entries for --delegates N
    written in bulk, for trying the tracker at city or province scale; progress goes to
    stderr. Loads the default campaign first when none is active. A database that already
    holds delegates is never touched: the command refuses (exit status 1), or with --if-empty
    says so and exits 0. There is no option to add demo data to real data.
    """
    if db.session.scalar(sa.select(Delegate.id).limit(1)) is not None:
        if not if_empty:
            raise click.ClickException(
                "数据库中已有代表数据，演示数据只写入空数据库（如需跳过请加 --if-empty）。"
            )
        click.echo("演示数据已存在，未做改动。")
        found = {
            u.username: u
            for u in db.session.scalars(sa.select(User).where(User.username.in_(DEMO_USERNAMES)))
        }
        logins = [
            (n, DEMO_PASSWORD, describe_account(found[n])) for n in DEMO_USERNAMES if n in found
        ]
        _echo_logins(logins, "演示账号（密码如未修改）：")
        return
    if activities is not None:
        _demo_at_scale(seed, delegates or 2000, months, activities)
        return
    delegates, months = delegates or 120, months or 6
    started = time.perf_counter()
    try:
        if active_campaign() is None:
            load_campaign(current_app.config["DEFAULT_CAMPAIGN_FILE"])
        report = generate_demo(seed=seed, today=local_today(), delegates=delegates, months=months)
    except (CampaignFileError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"演示数据已生成（种子 {seed}，近 {months} 个月）：代表 {report.delegates} 名，"
        f"家站 {report.stations} 个，履职活动 {report.activities} 条，"
        f"群众诉求 {report.concerns} 条，建议 {report.proposals} 件，账号 {report.users} 个；"
        f"用时 {time.perf_counter() - started:.1f} 秒。"
    )
    _echo_logins(report.logins, f"演示账号（密码均为 {DEMO_PASSWORD}）：")


class _ProgressLines:
    """Progress to stderr: a bar on a terminal, otherwise a line at every tenth."""

    def __init__(self, label: str):
        self.label, self.bar, self.started, self.shown = label, None, time.perf_counter(), -1

    def __call__(self, done: int, total: int) -> None:
        err = sys.stderr
        if err.isatty():
            if self.bar is None:
                self.bar = click.progressbar(length=total, label=self.label, file=err)
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos)
            if done >= total:
                self.bar.__exit__(None, None, None)
            return
        tenth = done * 10 // total if total else 10
        if tenth > self.shown:
            self.shown = tenth
            click.echo(
                f"{self.label} {done:,} / {total:,}（{tenth * 10}%，"
                f"{time.perf_counter() - self.started:.1f} 秒）",
                err=True,
            )


def _demo_at_scale(seed: int, delegates: int, months: int | None, activities: int) -> None:
    # imported here: the bulk load reads its row shapes off the tables when it is imported,
    # which no other command needs
    from .bulk import generate_at_scale, tidy_after_load
    from .bulk_plan import Span, months_for

    months = months or months_for(activities, delegates)
    today = local_today()
    try:
        if active_campaign() is None:
            load_campaign(current_app.config["DEFAULT_CAMPAIGN_FILE"])
        report = generate_at_scale(
            activities=activities,
            delegates=delegates,
            span=Span.months_to_today(months, today),
            today=today,
            seed=seed,
            progress=_ProgressLines("写入履职活动"),
        )
        started = time.perf_counter()
        db.session.commit()
        report.stages["commit"] = time.perf_counter() - started
    except (CampaignFileError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    started = time.perf_counter()
    tidy_after_load()
    report.stages["analyze"] = time.perf_counter() - started
    click.echo(
        f"演示数据已生成（种子 {seed}，{report.first_day} 至 {report.last_day}，{months} 个月）："
        f"代表 {report.delegates:,} 名，家站 {report.stations} 个，履职活动 {report.activities:,} 条"
        f"（已通过 {report.approved:,} 条），群众诉求 {report.concerns:,} 条，"
        f"建议 {report.proposals:,} 件，账号 {report.users} 个；用时 {report.seconds:.1f} 秒"
        f"（{'，'.join(f'{_STAGES.get(k, k)} {v:.1f} 秒' for k, v in report.stages.items())}）。"
    )
    _echo_logins(report.logins, f"演示账号（密码均为 {DEMO_PASSWORD}）：")


_STAGES = {
    "delegates and accounts": "代表和账号",
    "entries and rollups": "履职活动和汇总",
    "indexes": "索引",
    "commit": "提交",
    "analyze": "统计信息",
}
