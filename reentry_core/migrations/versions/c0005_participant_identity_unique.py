"""participants: one person per centre, name and birth date, enforced by the database

The look-up before an insert let two desks register the same person at the same moment
(seen on PostgreSQL). A ``twin`` number (0, or 1, 2 … for people knowingly registered
with the same name and birth date) makes the identity a unique key.

Revision ID: c0005
Revises: c0004
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0005'
down_revision = 'c0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('twin', sa.SmallInteger(), server_default='0', nullable=False))
    # people already registered knowingly under one name and birth date: 0, 1, 2 … by id
    op.execute(
        "UPDATE participant SET twin = (SELECT COUNT(*) FROM participant AS earlier "
        "WHERE earlier.centre_id = participant.centre_id AND earlier.name_key = participant.name_key "
        "AND earlier.birth_date = participant.birth_date AND earlier.id < participant.id)"
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_identity')
        batch_op.create_unique_constraint('uq_participant_identity', ['centre_id', 'name_key', 'birth_date', 'twin'])


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint('uq_participant_identity', type_='unique')
        batch_op.create_index('ix_participant_identity', ['centre_id', 'name_key', 'birth_date'], unique=False)
        batch_op.drop_column('twin')
