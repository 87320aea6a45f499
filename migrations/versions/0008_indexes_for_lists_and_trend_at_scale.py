"""indexes for a delegate's newest entries and the dashboard's monthly trend at scale

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 22:00:00.000000

Found by the benchmarks at a million entries (docs/performance.md):

- ix_activity_delegate_occurred_id: 我的履职 and a delegate's record list the newest entries
  first (occurred_on, then id, both descending). With only (delegate_id, status,
  occurred_on) every entry of the delegate was read and sorted for one page of 20, so the
  page cost grew with the delegate's history; this index is read backwards and stops at 20.
- ix_activity_rollup_trend: the dashboard's 12-month trend sums activity_rollup by month and
  kind. The primary key finds the months but the sums needed every rollup row from the table;
  this index holds what the sum reads (an index-only scan, already grouped in order).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_activity_delegate_occurred_id', 'activity',
                    ['delegate_id', 'occurred_on', 'id'], unique=False)
    op.create_index('ix_activity_rollup_trend', 'activity_rollup',
                    ['campaign_id', 'month', 'kind_id', 'activities'], unique=False)


def downgrade():
    op.drop_index('ix_activity_rollup_trend', table_name='activity_rollup')
    op.drop_index('ix_activity_delegate_occurred_id', table_name='activity')
