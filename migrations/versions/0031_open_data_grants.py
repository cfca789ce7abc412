"""Each grant's part of the open-data files, kept so that a change makes only its own part again, and the changes
the open-data job has still to make

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 00:00:00.000000

Both empty to begin with: the first time the files are made (the job, every night, ``flask opendata
regenerate``), every grant's part is made and kept.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "open_data_grant",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=24), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.String(length=200), nullable=False),
        sa.Column("grant_json", sa.Text(), nullable=False),
        sa.Column("locations", sa.Integer(), nullable=False),
        sa.Column("classifications", sa.Integer(), nullable=False),
        sa.Column("csv_row", sa.Text(), nullable=False),
        sa.Column("csv_width", sa.String(length=20), nullable=False),
        sa.Column("performance_csv", sa.Text(), nullable=False),
        sa.Column("performance_rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_open_data_grant")),
        sa.UniqueConstraint("award_id", name=op.f("uq_open_data_grant_award_id")),
    )
    op.create_table(
        "open_data_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_data_change")),
    )


def downgrade():
    op.drop_table("open_data_change")
    op.drop_table("open_data_grant")
