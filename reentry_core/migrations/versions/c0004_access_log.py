"""the access log: who looked at whose records, chained like the audit trail

Revision ID: c0004
Revises: c0003
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0004'
down_revision = 'c0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_event',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('record_keys', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_access_event'))
    )
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.create_index('ix_access_event_actor', ['actor'], unique=False)

    op.create_table('access_event_key',
    sa.Column('entity_key', sa.String(length=60), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['seq'], ['access_event.seq'], name=op.f('fk_access_event_key_seq_access_event')),
    sa.PrimaryKeyConstraint('entity_key', 'seq', name=op.f('pk_access_event_key')),
    sqlite_with_rowid=False
    )
    access_head = op.create_table('access_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_head'))
    )
    op.bulk_insert(access_head, [{'id': 1, 'seq': 0, 'hash': '0' * 64}])


def downgrade():
    op.drop_table('access_head')
    op.drop_table('access_event_key')
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.drop_index('ix_access_event_actor')
    op.drop_table('access_event')
