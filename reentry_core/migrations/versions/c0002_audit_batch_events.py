"""audit trail: events about many records (import batches) and the index of their keys

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0002'
down_revision = 'c0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_keys', sa.Text(), nullable=True))

    op.create_table('audit_event_key',
    sa.Column('entity_key', sa.String(length=60), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['seq'], ['audit_event.seq'], name=op.f('fk_audit_event_key_seq_audit_event')),
    sa.PrimaryKeyConstraint('entity_key', 'seq', name=op.f('pk_audit_event_key')),
    sqlite_with_rowid=False
    )


def downgrade():
    op.drop_table('audit_event_key')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('record_keys')
