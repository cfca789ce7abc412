"""The public dashboards' figures, worked out when published data changes rather than when someone asks

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 00:00:00.000000

Empty to begin with: each choice of filters is worked out and kept the first time someone asks for it.
"""

from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filters", sa.String(length=60), nullable=False),
        sa.Column("charts", sa.Text(), nullable=False),
        sa.Column("shape", sa.String(length=64), nullable=False),
        sa.Column("made_at", portal.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_figures")),
        sa.UniqueConstraint("filters", name=op.f("uq_dashboard_figures_filters")),
    )


def downgrade():
    op.drop_table("dashboard_figures")
