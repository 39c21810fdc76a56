"""savings groups: groups, members, deposits

Revision ID: sg0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = 'sg0001'
down_revision = None
branch_labels = ('savings_groups',)
depends_on = 'c0001'


def upgrade():
    op.create_table('savings_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('formed_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_savings_group_centre_id_centre')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_savings_group')),
    sa.UniqueConstraint('code', name=op.f('uq_savings_group_code'))
    )
    with op.batch_alter_table('savings_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_savings_group_centre_id'), ['centre_id'], unique=False)
    op.create_table('savings_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['savings_group.id'], name=op.f('fk_savings_member_group_id_savings_group')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                            name=op.f('fk_savings_member_participant_id_participant')),
    sa.PrimaryKeyConstraint('group_id', 'participant_id', name=op.f('pk_savings_member'))
    )
    op.create_table('savings_deposit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['savings_group.id'], name=op.f('fk_savings_deposit_group_id_savings_group')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                            name=op.f('fk_savings_deposit_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_savings_deposit'))
    )
    with op.batch_alter_table('savings_deposit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_savings_deposit_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_savings_deposit_participant_id'), ['participant_id'], unique=False)


def downgrade():
    op.drop_table('savings_deposit')
    op.drop_table('savings_member')
    op.drop_table('savings_group')
