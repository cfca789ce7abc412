"""Awards keep their Open Referral UK service id in an indexed column

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 23:59:00

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# portal.opendata.openreferral.NAMESPACE, frozen here: the ids already published are derived from it.
NAMESPACE = uuid.UUID("6f1f5a3e-2c4b-5d8e-9a71-3b0c4e6d2f10")
BATCH = 1000


def upgrade():
    # A new column and an index, with no copy of the table: SQLite's copy would drop the award table, and with
    # foreign keys on that deletes every row that cascades from an award.
    op.add_column('award', sa.Column('oruk_id', sa.String(length=36), nullable=True))
    backfill(op.get_bind())
    op.create_index(op.f('ix_award_oruk_id'), 'award', ['oruk_id'], unique=True)


def backfill(connection) -> None:
    """Every existing award's id, a thousand at a time."""
    award = sa.table('award', sa.column('id', sa.Integer), sa.column('oruk_id', sa.String))
    last = 0
    while True:
        ids = list(
            connection.scalars(sa.select(award.c.id).where(award.c.id > last).order_by(award.c.id).limit(BATCH))
        )
        if not ids:
            break
        connection.execute(
            award.update().where(award.c.id == sa.bindparam('award_id')).values(oruk_id=sa.bindparam('value')),
            [{'award_id': id_, 'value': str(uuid.uuid5(NAMESPACE, f'service/{id_}'))} for id_ in ids],
        )
        last = ids[-1]


def downgrade():
    op.drop_index(op.f('ix_award_oruk_id'), table_name='award')
    op.drop_column('award', 'oruk_id')
