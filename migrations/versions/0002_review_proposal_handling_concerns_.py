"""review, proposal handling, concerns follow-up, audit, notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 15:47:46.486703

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get '' / 1 / false through server defaults.
    op.create_table('handling_body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handling_body')),
    sa.UniqueConstraint('code', name=op.f('uq_handling_body_code'))
    )
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=40), nullable=False),
    sa.Column('to_state', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_entry_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('proposal_co_handler',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('handling_body_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['handling_body_id'], ['handling_body.id'], name=op.f('fk_proposal_co_handler_handling_body_id_handling_body')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_co_handler_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'handling_body_id', name=op.f('pk_proposal_co_handler'))
    )
    with op.batch_alter_table('proposal_co_handler', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_co_handler_handling_body_id'), ['handling_body_id'], unique=False)

    op.create_table('proposal_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False, server_default='1'),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('replied_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Enum('A', 'B', 'C', 'D', name='proposaloutcome', native_enum=False, length=24), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('rating', sa.Enum('satisfied', 'basically_satisfied', 'unsatisfied', name='rating', native_enum=False, length=24), nullable=True),
    sa.Column('rating_note', sa.Text(), nullable=False),
    sa.Column('rated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_reply_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_proposal_reply_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_reply'))
    )
    with op.batch_alter_table('proposal_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_reply_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_urging',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('urged_by_id', sa.Integer(), nullable=True),
    sa.Column('urged_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_urging_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['urged_by_id'], ['user_account.id'], name=op.f('fk_proposal_urging_urged_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_urging'))
    )
    with op.batch_alter_table('proposal_urging', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_urging_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_activity_reviewed_by_id_user_account'), 'user_account', ['reviewed_by_id'], ['id'])

    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referred_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('referred_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.Enum('resolved', 'unresolvable', name='concernresolution', native_enum=False, length=24), nullable=True))
        batch_op.add_column(sa.Column('resolution_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('feedback_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('fed_back_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_concern_referred_to_id'), ['referred_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_concern_referred_to_id_handling_body'), 'handling_body', ['referred_to_id'], ['id'])

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('not_registered_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('is_complex', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('lead_handler_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('rating', sa.Enum('satisfied', 'basically_satisfied', 'unsatisfied', name='rating', native_enum=False, length=24), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_proposal_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_lead_handler_id'), ['lead_handler_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_proposal_lead_handler_id_handling_body'), 'handling_body', ['lead_handler_id'], ['id'])

    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposal_lead_handler_id_handling_body'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_proposal_status'))
        batch_op.drop_index(batch_op.f('ix_proposal_lead_handler_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_due_on'))
        batch_op.drop_column('closed_at')
        batch_op.drop_column('rating')
        batch_op.drop_column('round')
        batch_op.drop_column('due_on')
        batch_op.drop_column('assigned_on')
        batch_op.drop_column('lead_handler_id')
        batch_op.drop_column('is_complex')
        batch_op.drop_column('not_registered_reason')
        batch_op.drop_column('decided_at')

    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_concern_referred_to_id_handling_body'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_concern_status'))
        batch_op.drop_index(batch_op.f('ix_concern_referred_to_id'))
        batch_op.drop_column('fed_back_at')
        batch_op.drop_column('feedback_note')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolution_note')
        batch_op.drop_column('resolution')
        batch_op.drop_column('referred_at')
        batch_op.drop_column('referred_to_id')

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activity_reviewed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('review_note')

    with op.batch_alter_table('proposal_urging', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_urging_proposal_id'))

    op.drop_table('proposal_urging')
    with op.batch_alter_table('proposal_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_reply_proposal_id'))

    op.drop_table('proposal_reply')
    with op.batch_alter_table('proposal_co_handler', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_co_handler_handling_body_id'))

    op.drop_table('proposal_co_handler')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')

    op.drop_table('notification')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_object')
        batch_op.drop_index(batch_op.f('ix_audit_entry_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor_id'))

    op.drop_table('audit_entry')
    op.drop_table('handling_body')
    # ### end Alembic commands ###
