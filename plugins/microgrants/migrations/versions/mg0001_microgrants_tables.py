"""microgrants tables: rounds, committee, applications, votes, decisions, tranches

Revision ID: mg0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = 'mg0001'
down_revision = None
branch_labels = ('microgrants',)
depends_on = 'c0001'


def upgrade():
    op.create_table('mg_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('donors', sa.Text(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('min_grant', sa.BigInteger(), nullable=False),
    sa.Column('max_grant', sa.BigInteger(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('require_shortlisted_plan', sa.Boolean(), nullable=False),
    sa.Column('require_training', sa.Boolean(), nullable=False),
    sa.Column('min_plan_score', sa.String(length=30), nullable=True),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('tranche_plan', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mg_round')),
    sa.UniqueConstraint('code', name=op.f('uq_mg_round_code'))
    )
    op.create_table('mg_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=15), nullable=False),
    sa.Column('own_contribution', sa.BigInteger(), nullable=False),
    sa.Column('requested', sa.BigInteger(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('eligibility_problems', sa.Text(), nullable=True),
    sa.Column('plan_code', sa.String(length=40), nullable=True),
    sa.Column('plan_version', sa.Integer(), nullable=True),
    sa.Column('plan_title', sa.String(length=200), nullable=True),
    sa.Column('plan_sector', sa.String(length=80), nullable=True),
    sa.Column('plan_score', sa.String(length=30), nullable=True),
    sa.Column('plan_status', sa.String(length=30), nullable=True),
    sa.Column('amount_approved', sa.BigInteger(), nullable=True),
    sa.Column('amount_granted', sa.BigInteger(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_mg_application_created_by_staff')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_mg_application_participant_id_participant')),
    sa.ForeignKeyConstraint(['round_id'], ['mg_round.id'], name=op.f('fk_mg_application_round_id_mg_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mg_application')),
    sa.UniqueConstraint('code', name=op.f('uq_mg_application_code')),
    sa.UniqueConstraint('round_id', 'number', name=op.f('uq_mg_application_round_id'))
    )
    with op.batch_alter_table('mg_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mg_application_participant_id'), ['participant_id'], unique=False)

    op.create_table('mg_committee_member',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['mg_round.id'], name=op.f('fk_mg_committee_member_round_id_mg_round')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_mg_committee_member_staff_id_staff')),
    sa.PrimaryKeyConstraint('round_id', 'staff_id', name=op.f('pk_mg_committee_member'))
    )
    op.create_table('mg_budget_line',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.String(length=30), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('supplier', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['mg_application.id'], name=op.f('fk_mg_budget_line_application_id_mg_application')),
    sa.PrimaryKeyConstraint('application_id', 'line_no', name=op.f('pk_mg_budget_line'))
    )
    op.create_table('mg_conflict',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['mg_application.id'], name=op.f('fk_mg_conflict_application_id_mg_application')),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff.id'], name=op.f('fk_mg_conflict_recorded_by_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_mg_conflict_staff_id_staff')),
    sa.PrimaryKeyConstraint('application_id', 'staff_id', name=op.f('pk_mg_conflict'))
    )
    op.create_table('mg_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=False),
    sa.Column('valid_votes', sa.Integer(), nullable=False),
    sa.Column('approve_votes', sa.Integer(), nullable=False),
    sa.Column('reject_votes', sa.Integer(), nullable=False),
    sa.Column('abstain_votes', sa.Integer(), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['mg_application.id'], name=op.f('fk_mg_decision_application_id_mg_application')),
    sa.ForeignKeyConstraint(['decided_by'], ['staff.id'], name=op.f('fk_mg_decision_decided_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mg_decision'))
    )
    with op.batch_alter_table('mg_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mg_decision_application_id'), ['application_id'], unique=False)

    op.create_table('mg_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_mg_event_actor_id_staff')),
    sa.ForeignKeyConstraint(['application_id'], ['mg_application.id'], name=op.f('fk_mg_event_application_id_mg_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mg_event'))
    )
    with op.batch_alter_table('mg_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mg_event_application_id'), ['application_id'], unique=False)

    op.create_table('mg_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by', sa.Integer(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['mg_application.id'], name=op.f('fk_mg_override_application_id_mg_application')),
    sa.ForeignKeyConstraint(['granted_by'], ['staff.id'], name=op.f('fk_mg_override_granted_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mg_override'))
    )
    with op.batch_alter_table('mg_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mg_override_application_id'), ['application_id'], unique=False)

    op.create_table('mg_vote',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=30), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('cast_on', sa.Date(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['mg_application.id'], name=op.f('fk_mg_vote_application_id_mg_application')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_mg_vote_staff_id_staff')),
    sa.PrimaryKeyConstraint('application_id', 'staff_id', name=op.f('pk_mg_vote'))
    )
    op.create_table('mg_tranche',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=15), nullable=False),
    sa.Column('items', sa.Text(), nullable=True),
    sa.Column('supplier', sa.String(length=200), nullable=True),
    sa.Column('receipt', sa.String(length=60), nullable=True),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('eur_rate', sa.String(length=30), nullable=True),
    sa.Column('amount_eur', sa.BigInteger(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('verification_reference', sa.String(length=200), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('verified_by', sa.String(length=60), nullable=True),
    sa.Column('verification_note', sa.Text(), nullable=True),
    sa.Column('override_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['mg_application.id'], name=op.f('fk_mg_tranche_application_id_mg_application')),
    sa.ForeignKeyConstraint(['override_id'], ['mg_override.id'], name=op.f('fk_mg_tranche_override_id_mg_override')),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff.id'], name=op.f('fk_mg_tranche_recorded_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mg_tranche')),
    sa.UniqueConstraint('application_id', 'number', name=op.f('uq_mg_tranche_application_id')),
    sa.UniqueConstraint('override_id', name=op.f('uq_mg_tranche_override_id'))
    )
    with op.batch_alter_table('mg_tranche', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mg_tranche_application_id'), ['application_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mg_tranche', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mg_tranche_application_id'))

    op.drop_table('mg_tranche')
    op.drop_table('mg_vote')
    with op.batch_alter_table('mg_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mg_override_application_id'))

    op.drop_table('mg_override')
    with op.batch_alter_table('mg_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mg_event_application_id'))

    op.drop_table('mg_event')
    with op.batch_alter_table('mg_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mg_decision_application_id'))

    op.drop_table('mg_decision')
    op.drop_table('mg_conflict')
    op.drop_table('mg_budget_line')
    op.drop_table('mg_committee_member')
    with op.batch_alter_table('mg_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mg_application_participant_id'))

    op.drop_table('mg_application')
    op.drop_table('mg_round')
