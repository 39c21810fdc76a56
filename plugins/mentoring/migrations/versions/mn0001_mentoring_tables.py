"""mentoring tables: mentors, mentees, assignments, schedules, visits, risks

Revision ID: mn0001
Revises:
Depends on: c0001 (the core tables)
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

from reentry_core.sdk import Money


revision = 'mn0001'
down_revision = None
branch_labels = ('mentoring',)
depends_on = 'c0001'


def upgrade():
    op.create_table('mn_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('capacity_override', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['mentor_id'], ['staff.id'], name=op.f('fk_mn_assignment_mentor_id_staff')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_mn_assignment_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mn_assignment'))
    )
    with op.batch_alter_table('mn_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mn_assignment_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index('ix_mn_assignment_one_active', ['participant_id'], unique=True, sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.create_index(batch_op.f('ix_mn_assignment_participant_id'), ['participant_id'], unique=False)

    op.create_table('mn_mentee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('languages', sa.String(length=100), nullable=False),
    sa.Column('sector', sa.String(length=60), nullable=True),
    sa.Column('same_sex_mentor', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_mn_mentee_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mn_mentee')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_mn_mentee_participant_id'))
    )
    op.create_table('mn_mentor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('languages', sa.String(length=100), nullable=False),
    sa.Column('sectors', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_mn_mentor_centre_id_centre')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_mn_mentor_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mn_mentor')),
    sa.UniqueConstraint('staff_id', name=op.f('uq_mn_mentor_staff_id'))
    )
    with op.batch_alter_table('mn_mentor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mn_mentor_centre_id'), ['centre_id'], unique=False)

    op.create_table('mn_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('grant_code', sa.String(length=40), nullable=True),
    sa.Column('sector', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('ended_because', sa.String(length=20), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_mn_schedule_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mn_schedule')),
    sa.UniqueConstraint('grant_code', name=op.f('uq_mn_schedule_grant_code'))
    )
    with op.batch_alter_table('mn_schedule', schema=None) as batch_op:
        batch_op.create_index('ix_mn_schedule_one_active', ['participant_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.create_index(batch_op.f('ix_mn_schedule_participant_id'), ['participant_id'], unique=False)

    op.create_table('mn_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('business_status', sa.String(length=20), nullable=False),
    sa.Column('revenue', Money(), nullable=True),
    sa.Column('costs', Money(), nullable=True),
    sa.Column('owners', sa.Integer(), nullable=True),
    sa.Column('family_workers', sa.Integer(), nullable=True),
    sa.Column('hired_workers', sa.Integer(), nullable=True),
    sa.Column('equipment_seen', sa.Boolean(), nullable=False),
    sa.Column('discussed', sa.Text(), nullable=True),
    sa.Column('advice', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('risk_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['mentor_id'], ['staff.id'], name=op.f('fk_mn_visit_mentor_id_staff')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_mn_visit_participant_id_participant')),
    sa.ForeignKeyConstraint(['schedule_id'], ['mn_schedule.id'], name=op.f('fk_mn_visit_schedule_id_mn_schedule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mn_visit'))
    )
    with op.batch_alter_table('mn_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mn_visit_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mn_visit_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mn_visit_schedule_id'), ['schedule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mn_visit_visited_on'), ['visited_on'], unique=False)

    op.create_table('mn_due_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('fulfilment', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['schedule_id'], ['mn_schedule.id'], name=op.f('fk_mn_due_visit_schedule_id_mn_schedule')),
    sa.ForeignKeyConstraint(['visit_id'], ['mn_visit.id'], name=op.f('fk_mn_due_visit_visit_id_mn_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mn_due_visit')),
    sa.UniqueConstraint('schedule_id', 'months', name=op.f('uq_mn_due_visit_schedule_id')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_mn_due_visit_visit_id'))
    )
    with op.batch_alter_table('mn_due_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mn_due_visit_due_on'), ['due_on'], unique=False)

    op.create_table('mn_visit_risk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('flag', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_mn_visit_risk_referral_id_referral')),
    sa.ForeignKeyConstraint(['visit_id'], ['mn_visit.id'], name=op.f('fk_mn_visit_risk_visit_id_mn_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mn_visit_risk')),
    sa.UniqueConstraint('visit_id', 'flag', name=op.f('uq_mn_visit_risk_visit_id'))
    )


def downgrade():
    op.drop_table('mn_visit_risk')
    with op.batch_alter_table('mn_due_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mn_due_visit_due_on'))

    op.drop_table('mn_due_visit')
    with op.batch_alter_table('mn_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mn_visit_visited_on'))
        batch_op.drop_index(batch_op.f('ix_mn_visit_schedule_id'))
        batch_op.drop_index(batch_op.f('ix_mn_visit_participant_id'))
        batch_op.drop_index(batch_op.f('ix_mn_visit_mentor_id'))

    op.drop_table('mn_visit')
    with op.batch_alter_table('mn_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mn_schedule_participant_id'))
        batch_op.drop_index('ix_mn_schedule_one_active', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.drop_table('mn_schedule')
    with op.batch_alter_table('mn_mentor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mn_mentor_centre_id'))

    op.drop_table('mn_mentor')
    op.drop_table('mn_mentee')
    with op.batch_alter_table('mn_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mn_assignment_participant_id'))
        batch_op.drop_index('ix_mn_assignment_one_active', sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_mn_assignment_mentor_id'))

    op.drop_table('mn_assignment')
