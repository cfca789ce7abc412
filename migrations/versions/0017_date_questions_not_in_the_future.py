"""Date questions that take no date in the future

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# The demo's question about a date that has happened, created before questions could say so.
LAST_REVIEWED = "When was your safeguarding policy last reviewed?"


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_not_in_future', sa.Boolean(), server_default=sa.false(), nullable=False))
    question = sa.table('question', sa.column('text', sa.String), sa.column('kind', sa.String),
                        sa.column('date_not_in_future', sa.Boolean))
    op.execute(
        question.update()
        .where(question.c.text == LAST_REVIEWED, question.c.kind == 'date')
        .values(date_not_in_future=True)
    )


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('date_not_in_future')
