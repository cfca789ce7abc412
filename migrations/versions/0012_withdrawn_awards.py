"""Withdrawn awards

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 05:34:52.925157

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BEFORE = ('awaiting_approval', 'awaiting_second_approval', 'approved')
AFTER = BEFORE + ('withdrawn',)


def _status_check(values):
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    # The status is a string column checked by ck_award_awardstatus: the check is replaced to allow "withdrawn".
    # On SQLite the batch rebuilds the table; on PostgreSQL the constraint is dropped and added in place.
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', portal.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_award_withdrawn_by_id_user_account'), 'user_account', ['withdrawn_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('ck_award_awardstatus'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_award_awardstatus'), sa.text(_status_check(AFTER)))
        batch_op.create_check_constraint(
            batch_op.f('ck_award_withdrawn_with_reason'),
            sa.text("status != 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)"),
        )


def downgrade():
    # Refused while any award is withdrawn: the older schema has no way to record it.
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_award_withdrawn_with_reason'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_award_awardstatus'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_award_awardstatus'), sa.text(_status_check(BEFORE)))
        batch_op.drop_constraint(batch_op.f('fk_award_withdrawn_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
