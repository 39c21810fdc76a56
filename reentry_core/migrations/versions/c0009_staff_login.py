"""staff_login: a staff member's password hash and language for the web workspace

Revision ID: c0009
Revises: c0007 (main's c0008, participant aliases, was made at the same time: when the
branches meet, this one revises c0008; only down_revision changes)
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0009'
down_revision = 'c0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_login',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('password_set_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_login_staff_id_staff'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', name=op.f('pk_staff_login'))
    )


def downgrade():
    op.drop_table('staff_login')
