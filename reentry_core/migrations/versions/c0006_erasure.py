"""erasure: audit events hash payload digests; participants record when they were erased

An erased participant's details must go from the audit payloads too without breaking the
chain (issue 14, point 5): new events' hashes cover the SHA-256 of each payload (and of
each record of a batch), marked by ``form`` = 2. ``participant.erased_on`` records the
erasure.

Revision ID: c0006
Revises: c0005
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0006'
down_revision = 'c0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form', sa.SmallInteger(), nullable=True))
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('erased_on')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('form')
