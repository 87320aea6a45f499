"""`flask campaign load`: the letter as data, loaded idempotently."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.campaign.loader import CAMPAIGN_DIR, CampaignFileError, load_campaign
from tracker.enums import DelegateType
from tracker.extensions import db
from tracker.models import (
    ActivityKind,
    CallToAction,
    Campaign,
    ConcernCategory,
    Delegation,
    FocusArea,
    HandlingBody,
    Initiative,
    ProposalLabel,
)

from . import factories

LETTER = CAMPAIGN_DIR / "lanzhou-2023.toml"


def counts():
    models = (
        Campaign,
        Initiative,
        CallToAction,
        FocusArea,
        ProposalLabel,
        ActivityKind,
        ConcernCategory,
        Delegation,
        HandlingBody,
    )
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models
    }


def test_packaged_campaign_holds_the_letter(ctx):
    campaign = db.session.scalar(sa.select(Campaign))
    assert campaign.code == "lanzhou-2023"
    assert campaign.title == "聚力强省会、代表有作为"
    assert campaign.issuer == "兰州市人民代表大会常务委员会"
    assert str(campaign.signed_on) == "2023-08-24"
    assert campaign.is_active
    assert [(i.numeral, i.headline) for i in campaign.initiatives] == [
        ("一", "筑牢忠诚之魂，在提升站位强省会中走前列"),
        ("二", "扛起担当之责，在履职到位强省会中当先锋"),
        ("三", "汇聚人民之力，在竞相补位强省会中做模范"),
    ]
    assert counts() == {
        "Campaign": 1,
        "Initiative": 3,
        "CallToAction": 12,
        "FocusArea": 13,
        "ProposalLabel": 3,
        "ActivityKind": 10,
        "ConcernCategory": 12,
        "Delegation": 9,
        "HandlingBody": 20,
    }
    type_calls = db.session.scalars(
        sa.select(CallToAction).where(CallToAction.delegate_type.is_not(None))
    ).all()
    assert {c.delegate_type for c in type_calls} == set(DelegateType)
    assert all(c.initiative.number == 2 for c in type_calls)
    core = db.session.scalars(sa.select(ActivityKind.code).where(ActivityKind.is_core)).all()
    assert sorted(core) == ["proposal", "research", "visit"]


def test_loading_twice_changes_nothing(ctx):
    before = counts()
    report = load_campaign(LETTER)
    db.session.commit()
    assert not report.changed
    assert report.total("unchanged") == sum(before.values())
    assert counts() == before


def test_cli_load_is_idempotent(runner):
    result = runner.invoke(args=["campaign", "load"])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output


def edited_copy(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = LETTER.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_edited_text_updates_rows_in_place(ctx, tmp_path):
    kind = db.session.scalar(sa.select(ActivityKind).where(ActivityKind.code == "visit"))
    kind_id = kind.id
    path = edited_copy(tmp_path, 'name = "走访"', 'name = "走访群众"')
    report = load_campaign(path)
    db.session.commit()
    assert report.counts[("activity_kind", "updated")] == 1
    assert report.counts[("activity_kind", "created")] == 0
    kind = db.session.get(ActivityKind, kind_id)
    assert kind.name == "走访群众"


def remove_kind_block(tmp_path: Path, code: str) -> Path:
    text = LETTER.read_text(encoding="utf-8")
    blocks = text.split("[[kinds]]")
    kept = [b for b in blocks[1:] if f'code = "{code}"' not in b.split("\n[[", 1)[0]]
    assert len(kept) == len(blocks) - 2
    path = tmp_path / f"without-{code}.toml"
    path.write_text(blocks[0] + "".join("[[kinds]]" + b for b in kept), encoding="utf-8")
    # calls that name the removed kind must not name it any more
    text = (
        path.read_text(encoding="utf-8")
        .replace(f'"{code}", ', "")
        .replace(f', "{code}"', "")
        .replace(f'["{code}"]', "[]")
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_a_kind_in_use_is_retired_not_deleted(ctx, tmp_path):
    factories.make_world()
    delegate = db.session.scalar(sa.select(factories.Delegate))
    factories.make_activity(delegate, kind_code="publicity", initiative_number=3)
    db.session.commit()

    report = load_campaign(remove_kind_block(tmp_path, "publicity"))
    db.session.commit()
    assert report.counts[("activity_kind", "retired")] == 1
    kind = db.session.scalar(sa.select(ActivityKind).where(ActivityKind.code == "publicity"))
    assert kind is not None and kind.is_retired

    # loading the full file again brings it back
    report = load_campaign(LETTER)
    db.session.commit()
    assert report.counts[("activity_kind", "restored")] == 1
    assert not factories.kind("publicity").is_retired


def test_an_unused_kind_missing_from_the_file_is_deleted(ctx, tmp_path):
    report = load_campaign(remove_kind_block(tmp_path, "publicity"))
    db.session.commit()
    assert report.counts[("activity_kind", "deleted")] == 1
    assert factories.kind("publicity") is None


def test_retired_kind_is_not_offered_in_the_form(app, client, auth, world, tmp_path):
    with app.app_context():
        delegate = db.session.get(factories.Delegate, world.delegate_a)
        factories.make_activity(delegate, kind_code="publicity")
        load_campaign(remove_kind_block(tmp_path, "publicity"))
        db.session.commit()
    auth.login("dele_a")
    html = client.get("/activities/new").get_data(as_text=True)
    assert 'value="publicity"' not in html
    assert 'value="visit"' in html


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('code = "lanzhou-2023"', 'code = ""', "campaign.code is required"),
        ('kinds = ["study"]', 'kinds = ["no-such-kind"]', "unknown kinds"),
        ("starts_on = 2023-08-24", 'starts_on = "soon"', "campaign.starts_on must be a date"),
        ('sections = ["research"]', 'sections = ["photos"]', "unknown sections"),
    ],
)
def test_a_broken_file_is_refused_and_changes_nothing(ctx, tmp_path, old, new, message):
    before = counts()
    with pytest.raises(CampaignFileError, match=message):
        load_campaign(edited_copy(tmp_path, old, new))
    db.session.rollback()
    assert counts() == before


def test_cli_reports_a_broken_file_with_exit_status_1(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = not [valid", encoding="utf-8")
    result = runner.invoke(args=["campaign", "load", str(bad)])
    assert result.exit_code == 1
    assert "not a valid TOML file" in result.output
