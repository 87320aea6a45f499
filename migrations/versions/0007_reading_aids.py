"""reading aids: larger text and eye-care colours per account

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 10:12:05.331806

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('large_text', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('eye_care', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('eye_care')
        batch_op.drop_column('large_text')
