"""microgrants maker-checker: tranche status and confirmer, reversals, the round's rules

Revision ID: mg0002
Revises: mg0001
Create Date: 2026-12-05

Tranches recorded before this revision count as confirmed (they were paid under the
rules of their day); rounds keep four eyes on and no wait after the verifying visit.
"""

from alembic import op
import sqlalchemy as sa


revision = 'mg0002'
down_revision = 'mg0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mg_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('four_eyes', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('visit_wait_days', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('mg_tranche', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='confirmed', nullable=False))
        batch_op.add_column(sa.Column('confirmed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_mg_tranche_confirmed_by_staff'), 'staff', ['confirmed_by'], ['id'])
    op.create_table('mg_tranche_reversal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tranche_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reversed_by', sa.Integer(), nullable=False),
    sa.Column('reversed_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['reversed_by'], ['staff.id'], name=op.f('fk_mg_tranche_reversal_reversed_by_staff')),
    sa.ForeignKeyConstraint(['tranche_id'], ['mg_tranche.id'],
                            name=op.f('fk_mg_tranche_reversal_tranche_id_mg_tranche')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mg_tranche_reversal')),
    sa.UniqueConstraint('tranche_id', name=op.f('uq_mg_tranche_reversal_tranche_id'))
    )


def downgrade():
    op.drop_table('mg_tranche_reversal')
    with op.batch_alter_table('mg_tranche', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mg_tranche_confirmed_by_staff'), type_='foreignkey')
        batch_op.drop_column('confirmed_on')
        batch_op.drop_column('confirmed_by')
        batch_op.drop_column('status')
    with op.batch_alter_table('mg_round', schema=None) as batch_op:
        batch_op.drop_column('visit_wait_days')
        batch_op.drop_column('four_eyes')
