"""Open-data files are kept gzipped as well

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 00:30:00

"""
import gzip

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    # A new column with no copy of the table (see 0020).
    op.add_column('open_data_file', sa.Column('body_gzip', sa.LargeBinary(), nullable=True))
    table = sa.table('open_data_file', sa.column('id', sa.Integer), sa.column('body', sa.Text),
                     sa.column('body_gzip', sa.LargeBinary))
    connection = op.get_bind()
    for file_id in list(connection.scalars(sa.select(table.c.id))):  # a handful of files
        body = connection.scalar(sa.select(table.c.body).where(table.c.id == file_id))
        connection.execute(
            table.update().where(table.c.id == file_id).values(body_gzip=gzip.compress(body.encode(), mtime=0))
        )


def downgrade():
    op.drop_column('open_data_file', 'body_gzip')
