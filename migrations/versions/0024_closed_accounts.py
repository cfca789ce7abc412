"""Accounts remember when they were closed

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 00:10:00

"""
import sqlalchemy as sa
from alembic import op

import portal.database

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    # A new nullable column, with no copy of the table: SQLite's copy would drop user_account, and with foreign keys
    # on that deletes every row that cascades from a user.
    op.add_column('user_account', sa.Column('closed_at', portal.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('user_account', 'closed_at')
