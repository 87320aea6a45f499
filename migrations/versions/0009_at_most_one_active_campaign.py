"""at most one active campaign, held by the database

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 00:30:00.000000

Two admins activating two campaigns at the same moment could both succeed, each turning off
the campaign that was active when it read the table, and leave two active. A partial unique
index (over is_active, only where it is true) lets at most one row be active; the second of
two concurrent activations fails and changes nothing. A database where the race already
happened keeps the campaign loaded last.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    campaign = sa.table('campaign', sa.column('id', sa.Integer), sa.column('is_active', sa.Boolean),
                        sa.column('loaded_at', sa.DateTime))
    keep = sa.select(campaign.c.id).where(campaign.c.is_active).order_by(
        campaign.c.loaded_at.desc(), campaign.c.id.desc()).limit(1).scalar_subquery()
    op.execute(campaign.update().where(campaign.c.is_active, campaign.c.id != keep)
               .values(is_active=False))
    op.create_index('uq_campaign_one_active', 'campaign', ['is_active'], unique=True,
                    postgresql_where=sa.text('is_active'), sqlite_where=sa.text('is_active'))


def downgrade():
    op.drop_index('uq_campaign_one_active', table_name='campaign')
