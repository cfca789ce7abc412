"""One mechanism for every kind of return: follow-ups' queries and reminders join returns' tables, and reminders
are keyed by due date for all of them

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 03:55:00.000000

Every row is kept: follow-up queries move into ``return_query`` (with ``follow_up_id``), follow-up reminders into
``reminder_sent`` (with ``follow_up_id``); returns' reminders, keyed by kind alone until now, take the due date
their return has today, so none of them is sent again.
"""

from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

QUERY_COLUMNS = "question, asked_by_id, asked_at, answer, answered_by_id, answered_at"


def upgrade():
    with op.batch_alter_table("return_query", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_id", sa.Integer(), nullable=True))
        batch_op.alter_column("return_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_return_query_follow_up_id_follow_up_return"),
            "follow_up_return",
            ["follow_up_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint("return_or_follow_up", "(return_id IS NULL) != (follow_up_id IS NULL)")
        batch_op.create_index(batch_op.f("ix_return_query_follow_up_id"), ["follow_up_id"], unique=False)
    op.execute(
        f"INSERT INTO return_query (follow_up_id, {QUERY_COLUMNS}) "
        f"SELECT follow_up_id, {QUERY_COLUMNS} FROM follow_up_query ORDER BY id"
    )

    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.alter_column("return_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint("uq_reminder_sent_return_id", type_="unique")
    op.execute(
        "UPDATE reminder_sent SET due_on = "
        "(SELECT monitoring_return.due_on FROM monitoring_return WHERE monitoring_return.id = reminder_sent.return_id)"
    )
    op.execute(
        "INSERT INTO reminder_sent (follow_up_id, kind, due_on, sent_at) "
        "SELECT follow_up_id, kind, due_on, sent_at FROM follow_up_reminder_sent ORDER BY id"
    )
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.alter_column("due_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_reminder_sent_follow_up_id_follow_up_return"),
            "follow_up_return",
            ["follow_up_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_reminder_sent_return_id"), ["return_id", "kind", "due_on"])
        batch_op.create_unique_constraint(
            batch_op.f("uq_reminder_sent_follow_up_id"), ["follow_up_id", "kind", "due_on"]
        )
        batch_op.create_check_constraint("return_or_follow_up", "(return_id IS NULL) != (follow_up_id IS NULL)")

    op.drop_table("follow_up_reminder_sent")
    with op.batch_alter_table("follow_up_query", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_query_follow_up_id"))
    op.drop_table("follow_up_query")


def downgrade():
    op.create_table(
        "follow_up_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", portal.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", portal.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_query_answered_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_query_asked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_up_return.id"],
            name=op.f("fk_follow_up_query_follow_up_id_follow_up_return"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_query")),
    )
    with op.batch_alter_table("follow_up_query", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_query_follow_up_id"), ["follow_up_id"], unique=False)
    op.create_table(
        "follow_up_reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "upcoming",
                "due_today",
                "overdue",
                "escalated",
                name="follow_up_reminder_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", portal.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_up_return.id"],
            name=op.f("fk_follow_up_reminder_sent_follow_up_id_follow_up_return"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_reminder_sent")),
        sa.UniqueConstraint("follow_up_id", "kind", "due_on", name=op.f("uq_follow_up_reminder_sent_follow_up_id")),
    )
    op.execute(
        f"INSERT INTO follow_up_query (follow_up_id, {QUERY_COLUMNS}) "
        f"SELECT follow_up_id, {QUERY_COLUMNS} FROM return_query WHERE follow_up_id IS NOT NULL ORDER BY id"
    )
    op.execute("DELETE FROM return_query WHERE follow_up_id IS NOT NULL")
    op.execute(
        "INSERT INTO follow_up_reminder_sent (follow_up_id, kind, due_on, sent_at) "
        "SELECT follow_up_id, kind, due_on, sent_at FROM reminder_sent WHERE follow_up_id IS NOT NULL ORDER BY id"
    )
    op.execute("DELETE FROM reminder_sent WHERE follow_up_id IS NOT NULL")
    # Keyed by kind alone again: of a return's reminders of one kind for several due dates, the first is kept.
    op.execute("DELETE FROM reminder_sent WHERE id NOT IN (SELECT min(id) FROM reminder_sent GROUP BY return_id, kind)")

    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_constraint("return_or_follow_up", type_="check")
        batch_op.drop_constraint(batch_op.f("uq_reminder_sent_follow_up_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_reminder_sent_return_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_reminder_sent_follow_up_id_follow_up_return"), type_="foreignkey")
        batch_op.alter_column("return_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("due_on")
        batch_op.drop_column("follow_up_id")
        batch_op.create_unique_constraint(batch_op.f("uq_reminder_sent_return_id"), ["return_id", "kind"])

    with op.batch_alter_table("return_query", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_query_follow_up_id"))
        batch_op.drop_constraint("return_or_follow_up", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_return_query_follow_up_id_follow_up_return"), type_="foreignkey")
        batch_op.alter_column("return_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("follow_up_id")
