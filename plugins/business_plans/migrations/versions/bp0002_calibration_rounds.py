"""business_plans calibration rounds: the round, its anonymised plans, the panel's scores

Revision ID: bp0002
Revises: bp0001
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = 'bp0002'
down_revision = 'bp0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bp_calibration_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('band', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['bp_cohort.id'], name=op.f('fk_bp_calibration_round_cohort_id_bp_cohort')),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_bp_calibration_round_created_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bp_calibration_round')),
    sa.UniqueConstraint('code', name=op.f('uq_bp_calibration_round_code')),
    sa.UniqueConstraint('cohort_id', 'number', name='uq_bp_calibration_round_cohort_id_number')
    )
    op.create_table('bp_calibration_plan',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['bp_calibration_round.id'],
                            name=op.f('fk_bp_calibration_plan_round_id_bp_calibration_round')),
    sa.ForeignKeyConstraint(['version_id'], ['bp_plan_version.id'],
                            name=op.f('fk_bp_calibration_plan_version_id_bp_plan_version')),
    sa.PrimaryKeyConstraint('round_id', 'position', name=op.f('pk_bp_calibration_plan')),
    sa.UniqueConstraint('round_id', 'version_id', name='uq_bp_calibration_plan_round_id_version_id')
    )
    op.create_table('bp_calibration_score',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['bp_criterion.id'],
                            name=op.f('fk_bp_calibration_score_criterion_id_bp_criterion')),
    sa.ForeignKeyConstraint(['round_id', 'position'], ['bp_calibration_plan.round_id', 'bp_calibration_plan.position'],
                            name=op.f('fk_bp_calibration_score_round_id_bp_calibration_plan')),
    sa.ForeignKeyConstraint(['trainer_id'], ['staff.id'], name=op.f('fk_bp_calibration_score_trainer_id_staff')),
    sa.PrimaryKeyConstraint('round_id', 'position', 'trainer_id', 'criterion_id',
                            name=op.f('pk_bp_calibration_score'))
    )


def downgrade():
    op.drop_table('bp_calibration_score')
    op.drop_table('bp_calibration_plan')
    op.drop_table('bp_calibration_round')
