"""participant aliases: the code of a merged duplicate still finds the person kept

Two records of one person are merged into one (issue 20): the code that goes is kept as
an alias of the one that stays, so a paper form, a sheet or a message with the old code
still finds them.

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0008'
down_revision = 'c0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'participant_alias',
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('since', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                                name=op.f('fk_participant_alias_participant_id_participant')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_participant_alias')),
    )
    with op.batch_alter_table('participant_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_alias_participant_id'), ['participant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('participant_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_alias_participant_id'))
    op.drop_table('participant_alias')
