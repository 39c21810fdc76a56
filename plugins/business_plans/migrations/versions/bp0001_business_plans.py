"""business_plans tables: cohorts, sessions, attendance, plans, rubrics, score sheets

Revision ID: bp0001
Revises: 
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = 'bp0001'
down_revision = None
branch_labels = ('business_plans',)
depends_on = 'c0001'


def upgrade():

    op.create_table('bp_rubric',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bp_rubric')),
    sa.UniqueConstraint('key', 'version', name='uq_bp_rubric_key_version')
    )
    op.create_table('bp_cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('completion_threshold', sa.Integer(), nullable=False),
    sa.Column('min_sheets', sa.Integer(), nullable=False),
    sa.Column('spread_limit', sa.BigInteger(), nullable=False),
    sa.Column('normalise', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_bp_cohort_centre_id_centre')),
    sa.ForeignKeyConstraint(['rubric_id'], ['bp_rubric.id'], name=op.f('fk_bp_cohort_rubric_id_bp_rubric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bp_cohort')),
    sa.UniqueConstraint('code', name=op.f('uq_bp_cohort_code'))
    )
    op.create_table('bp_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['rubric_id'], ['bp_rubric.id'], name=op.f('fk_bp_criterion_rubric_id_bp_rubric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bp_criterion')),
    sa.UniqueConstraint('rubric_id', 'key', name='uq_bp_criterion_rubric_id_key')
    )
    op.create_table('bp_cohort_trainer',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('lead', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['bp_cohort.id'], name=op.f('fk_bp_cohort_trainer_cohort_id_bp_cohort')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_bp_cohort_trainer_staff_id_staff')),
    sa.PrimaryKeyConstraint('cohort_id', 'staff_id', name=op.f('pk_bp_cohort_trainer'))
    )
    op.create_table('bp_conflict',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('declared_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_bp_conflict_participant_id_participant')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_bp_conflict_staff_id_staff')),
    sa.PrimaryKeyConstraint('staff_id', 'participant_id', name=op.f('pk_bp_conflict'))
    )
    op.create_table('bp_enrolment',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['bp_cohort.id'], name=op.f('fk_bp_enrolment_cohort_id_bp_cohort')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_bp_enrolment_participant_id_participant')),
    sa.PrimaryKeyConstraint('cohort_id', 'participant_id', name=op.f('pk_bp_enrolment'))
    )
    with op.batch_alter_table('bp_enrolment', schema=None) as batch_op:
        batch_op.create_index('ix_bp_enrolment_participant', ['participant_id'], unique=False)

    op.create_table('bp_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['bp_cohort.id'], name=op.f('fk_bp_plan_cohort_id_bp_cohort')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_bp_plan_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bp_plan')),
    sa.UniqueConstraint('code', name=op.f('uq_bp_plan_code')),
    sa.UniqueConstraint('cohort_id', 'participant_id', name='uq_bp_plan_cohort_id_participant_id')
    )
    with op.batch_alter_table('bp_plan', schema=None) as batch_op:
        batch_op.create_index('ix_bp_plan_participant', ['participant_id'], unique=False)

    op.create_table('bp_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['bp_cohort.id'], name=op.f('fk_bp_session_cohort_id_bp_cohort')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bp_session')),
    sa.UniqueConstraint('cohort_id', 'number', name='uq_bp_session_cohort_id_number')
    )
    op.create_table('bp_attendance',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('mark', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_bp_attendance_participant_id_participant')),
    sa.ForeignKeyConstraint(['session_id'], ['bp_session.id'], name=op.f('fk_bp_attendance_session_id_bp_session')),
    sa.PrimaryKeyConstraint('session_id', 'participant_id', name=op.f('pk_bp_attendance'))
    )
    op.create_table('bp_plan_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('own_contribution', sa.BigInteger(), nullable=False),
    sa.Column('requested_funding', sa.BigInteger(), nullable=False),
    sa.Column('monthly_revenue', sa.BigInteger(), nullable=False),
    sa.Column('monthly_costs', sa.BigInteger(), nullable=False),
    sa.Column('total_cost', sa.BigInteger(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('scored_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('panel_score', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('sheets', sa.Integer(), nullable=False),
    sa.Column('sheet_sum', sa.BigInteger(), nullable=False),
    sa.Column('sheet_low', sa.BigInteger(), nullable=True),
    sa.Column('sheet_high', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['bp_plan.id'], name=op.f('fk_bp_plan_version_plan_id_bp_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bp_plan_version')),
    sa.UniqueConstraint('plan_id', 'version', name='uq_bp_plan_version_plan_id_version')
    )
    op.create_table('bp_cost_item',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['bp_plan_version.id'], name=op.f('fk_bp_cost_item_version_id_bp_plan_version')),
    sa.PrimaryKeyConstraint('version_id', 'position', name=op.f('pk_bp_cost_item'))
    )
    op.create_table('bp_moderation',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=False),
    sa.Column('spread', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['staff.id'], name=op.f('fk_bp_moderation_moderator_id_staff')),
    sa.ForeignKeyConstraint(['version_id'], ['bp_plan_version.id'], name=op.f('fk_bp_moderation_version_id_bp_plan_version')),
    sa.PrimaryKeyConstraint('version_id', name=op.f('pk_bp_moderation'))
    )
    op.create_table('bp_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['rubric_id'], ['bp_rubric.id'], name=op.f('fk_bp_sheet_rubric_id_bp_rubric')),
    sa.ForeignKeyConstraint(['trainer_id'], ['staff.id'], name=op.f('fk_bp_sheet_trainer_id_staff')),
    sa.ForeignKeyConstraint(['version_id'], ['bp_plan_version.id'], name=op.f('fk_bp_sheet_version_id_bp_plan_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bp_sheet')),
    sa.UniqueConstraint('version_id', 'trainer_id', name='uq_bp_sheet_version_id_trainer_id')
    )
    with op.batch_alter_table('bp_sheet', schema=None) as batch_op:
        batch_op.create_index('ix_bp_sheet_trainer', ['trainer_id'], unique=False)

    op.create_table('bp_score',
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['criterion_id'], ['bp_criterion.id'], name=op.f('fk_bp_score_criterion_id_bp_criterion')),
    sa.ForeignKeyConstraint(['sheet_id'], ['bp_sheet.id'], name=op.f('fk_bp_score_sheet_id_bp_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sheet_id', 'criterion_id', name=op.f('pk_bp_score'))
    )



def downgrade():

    op.drop_table('bp_score')
    with op.batch_alter_table('bp_sheet', schema=None) as batch_op:
        batch_op.drop_index('ix_bp_sheet_trainer')

    op.drop_table('bp_sheet')
    op.drop_table('bp_moderation')
    op.drop_table('bp_cost_item')
    op.drop_table('bp_plan_version')
    op.drop_table('bp_attendance')
    op.drop_table('bp_session')
    with op.batch_alter_table('bp_plan', schema=None) as batch_op:
        batch_op.drop_index('ix_bp_plan_participant')

    op.drop_table('bp_plan')
    with op.batch_alter_table('bp_enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_bp_enrolment_participant')

    op.drop_table('bp_enrolment')
    op.drop_table('bp_conflict')
    op.drop_table('bp_cohort_trainer')
    op.drop_table('bp_criterion')
    op.drop_table('bp_cohort')
    op.drop_table('bp_rubric')

