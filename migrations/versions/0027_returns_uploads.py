"""Large returns spreadsheets checked by a background job

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 00:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('returns_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'checking', 'saved', 'refused', 'failed', name='uploadstatus', native_enum=False, create_constraint=True, length=12), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=True),
    sa.Column('saved_count', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('queued_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('finished_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_returns_upload_progress_percent')),
    sa.ForeignKeyConstraint(['plan_id'], ['delivery_plan.id'], name=op.f('fk_returns_upload_plan_id_delivery_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_returns_upload_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_returns_upload'))
    )
    with op.batch_alter_table('returns_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_returns_upload_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_returns_upload_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('returns_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_returns_upload_status'))
        batch_op.drop_index(batch_op.f('ix_returns_upload_plan_id'))

    op.drop_table('returns_upload')
