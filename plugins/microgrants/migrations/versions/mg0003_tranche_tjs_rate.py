"""microgrants: a tranche of a round in another currency records its rate to somoni

Revision ID: mg0003
Revises: mg0002
Create Date: 2026-12-05

``tjs_rate`` (somoni per unit of the round's currency that day) and ``amount_tjs``, so
that the programme's money totals in TJS count rounds in other currencies at the rate
recorded on each tranche. Tranches recorded before keep both empty (no rate was recorded).
"""

from alembic import op
import sqlalchemy as sa


revision = 'mg0003'
down_revision = 'mg0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mg_tranche', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tjs_rate', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('amount_tjs', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('mg_tranche', schema=None) as batch_op:
        batch_op.drop_column('amount_tjs')
        batch_op.drop_column('tjs_rate')
