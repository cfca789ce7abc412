"""Crime counts and borough figures without an index of their own on the import: each table's unique constraint
begins with the import, so it finds an import's rows as well, and an import of the MPS file (63,000 counts) no
longer keeps a second index up to date

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 13:00:00.000000
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lcpf_crime_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lcpf_crime_count_import_id"))
    with op.batch_alter_table("lcpf_borough_figure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lcpf_borough_figure_import_id"))


def downgrade():
    with op.batch_alter_table("lcpf_borough_figure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lcpf_borough_figure_import_id"), ["import_id"], unique=False)
    with op.batch_alter_table("lcpf_crime_count", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lcpf_crime_count_import_id"), ["import_id"], unique=False)
