"""The migrations build the schema the models describe, and the command-line loaders are safe to run again."""

from collections import Counter
from datetime import UTC

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app

from portal.extensions import db
from portal.models import (
    LocalAuthority,
    Organisation,
    OrganisationType,
    PostcodeDistrict,
    PostcodeDistrictBorough,
    StaffRole,
    User,
)
from tests.factories import create_user, local_authority


def test_the_migrated_schema_matches_the_models():
    configure_args = current_app.extensions["migrate"].configure_args
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": configure_args.get("compare_type", True),
                "compare_server_default": configure_args.get("compare_server_default", False),
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "the models and the migrations differ; run `flask db migrate` and review the result"


def test_the_database_is_at_the_latest_migration():
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    assert len(heads) == 1, f"the migrations have branched: {heads}"
    assert current == heads


def _invoke(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.remove()  # the command committed through the same session; read afresh
    return result


def test_flask_reference_load_adds_whats_missing_updates_whats_changed_and_is_then_a_no_op(app):
    city = local_authority("City of London")
    in_the_city = sa.delete(PostcodeDistrictBorough).where(PostcodeDistrictBorough.local_authority_id == city.id)
    districts_in_the_city = db.session.execute(in_the_city).rowcount
    db.session.delete(city)
    local_authority("Lewisham").residents_2021 = 1
    db.session.execute(sa.delete(PostcodeDistrict).where(PostcodeDistrict.outcode == "SE13"))
    db.session.commit()

    first = _invoke(app, "reference", "load")
    second = _invoke(app, "reference", "load")

    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "Local authorities: 1 added, 1 updated.",
        f"Postcode districts: 1 added, {districts_in_the_city} updated.",
    ]
    assert second.output.splitlines() == [
        "Local authorities: 0 added, 0 updated.",
        "Postcode districts: 0 added, 0 updated.",
    ]
    se13 = db.session.scalar(sa.select(PostcodeDistrict).where(PostcodeDistrict.outcode == "SE13"))
    assert se13.boroughs[0].name == "Lewisham"
    local_authorities = db.session.scalars(sa.select(LocalAuthority)).all()
    assert len(local_authorities) == 33
    assert sum(la.in_lcpf for la in local_authorities) == 32
    assert local_authority("City of London").in_lcpf is False
    assert local_authority("Lewisham").residents_2021 == 300553
    assert local_authority("Lewisham").gss_code == "E09000023"


def _demo_counts() -> dict[str, int]:
    tables = [
        "organisation",
        "user_account",
        "membership",
        "funding_round",
        "question",
        "application",
        "answer",
        "review_assignment",
        "decision",
        "award",
        "monitoring_return",
        "audit_event",
        "outbound_message",
    ]
    return {table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) for table in tables}


@pytest.mark.long
def test_flask_demo_load_is_idempotent_and_covers_every_kind_of_organisation(app):
    first = _invoke(app, "demo", "load")
    assert first.exit_code == 0, first.output
    counts = _demo_counts()

    second = _invoke(app, "demo", "load")

    assert second.exit_code == 0, second.output
    assert second.output.splitlines()[0] == "Demo data: 0 organisations and 0 users added."
    assert "Demo bids: 0 added" in second.output
    assert _demo_counts() == counts
    kinds = Counter(db.session.scalars(sa.select(Organisation.organisation_type)))
    assert set(kinds) == set(OrganisationType)
    assert kinds[OrganisationType.BOROUGH] == 32
    assert kinds[OrganisationType.SNB] == 32


@pytest.mark.long
def test_flask_demo_load_gives_every_demo_login_an_account(app):
    from portal.demo.seed import demo_logins

    _invoke(app, "demo", "load")
    for _role, email in demo_logins():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None, email
        assert user.email_confirmed
        assert user.is_staff or user.memberships, f"{email} is neither staff nor a member of anything"


def test_flask_demo_load_is_refused_where_demo_data_is_not_allowed(app):
    saved = app.config["DEMO_DATA_ALLOWED"]
    app.config["DEMO_DATA_ALLOWED"] = False
    try:
        result = _invoke(app, "demo", "load")
    finally:
        app.config["DEMO_DATA_ALLOWED"] = saved
    assert result.exit_code != 0
    assert "Demo data is not allowed in this configuration" in result.output
    assert not any(_demo_counts().values())


def test_flask_staff_create_makes_a_staff_account_and_emails_a_link_to_choose_a_password(app, mailbox, run_jobs):
    result = _invoke(
        app, "staff", "create", "Priya.Shah@Example.org", "--name", "Priya Shah", "--role", "grant_officer"
    )
    run_jobs()

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Created grant officer priya.shah@example.org."
    user = db.session.scalar(sa.select(User).where(User.email == "priya.shah@example.org"))
    assert user.staff_role is StaffRole.GRANT_OFFICER
    assert user.full_name == "Priya Shah"
    assert user.password_hash is None
    assert user.email_confirmed
    email = mailbox.last_to("priya.shah@example.org")
    assert email["Subject"] == "Your staff account for London crime prevention funding"
    assert "http://portal.test/reset-password/" in email.get_content()
    event = db.session.scalar(sa.text("SELECT action FROM audit_event WHERE subject_id = :id"), {"id": user.id})
    assert event == "staff.created"


def test_the_link_in_the_staff_welcome_email_lets_them_choose_a_password(app, client, mailbox, run_jobs):
    _invoke(app, "staff", "create", "priya@example.org", "--name", "Priya Shah", "--role", "admin")
    run_jobs()
    link = next(
        line for line in mailbox.last_to("priya@example.org").get_content().splitlines() if "/reset-password/" in line
    )
    client.get_page(link.strip().removeprefix("http://portal.test"), 200)


def test_flask_staff_create_with_a_password_sends_no_email(app, mailbox, run_jobs):
    result = _invoke(
        app, "staff", "create", "ops@example.org", "--name", "Ops", "--role", "admin", "--password", "plum-tractor-9x"
    )
    run_jobs()
    assert result.exit_code == 0, result.output
    assert mailbox.messages == []
    assert db.session.scalar(sa.select(User).where(User.email == "ops@example.org")).password_hash


def test_flask_staff_create_refuses_an_email_address_already_in_use(app, mailbox, run_jobs):
    create_user("taken@example.org")
    result = _invoke(app, "staff", "create", "Taken@example.org", "--name", "Someone Else", "--role", "reviewer")
    run_jobs()
    assert result.exit_code != 0
    assert "Error: An account already exists with this email address" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert mailbox.messages == []


def test_flask_staff_create_refuses_a_weak_password(app):
    result = _invoke(
        app, "staff", "create", "ops@example.org", "--name", "Ops", "--role", "admin", "--password", "short"
    )
    assert result.exit_code != 0
    assert "Password must be 10 characters or more" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "ops@example.org")) is None


def test_no_table_has_two_checks_of_the_same_name_which_postgresql_would_refuse():
    import collections
    import re

    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    for table in db.metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
        names = collections.Counter(re.findall(r"CONSTRAINT (\w+) CHECK", ddl))
        assert all(count == 1 for count in names.values()), f"{table.name}: {names}"


@pytest.mark.commits
def test_one_return_mechanism_keeps_every_query_and_reminder_of_returns_and_follow_ups():
    """Built at the revision before it (follow-ups with their own queries and reminders, returns' reminders keyed
    by kind alone), then upgraded: every row is found again, in the one queries table and the one reminders
    table, each return's reminders keyed by the due date it has."""
    from datetime import date, datetime

    from flask_migrate import downgrade, upgrade

    from portal.models import FollowUpReturn, ReminderKind, ReminderSent, ReturnQuery
    from tests.factories_dialogue import create_ended_award, follow_ups
    from tests.factories_monitoring import award_returns

    officer = create_user("officer@example.org", staff_role=StaffRole.GRANT_OFFICER)
    award = create_ended_award(officer=officer)
    first, second = award_returns(award)[:2]
    six, twelve = follow_ups(award)
    ids = {"first": first.id, "second": second.id, "six": six.id, "twelve": twelve.id, "officer": officer.id}
    due = {"first": first.due_on, "six": six.due_on}
    db.session.remove()

    downgrade(revision="0028")
    sent = datetime(2025, 7, 23, 6, tzinfo=UTC)
    with db.engine.begin() as connection:
        insert = sa.text(
            "INSERT INTO return_query (return_id, question, asked_by_id, asked_at, answer, answered_at) "
            "VALUES (:id, :question, :officer, :at, :answer, :answered)"
        )
        connection.execute(
            insert,
            [
                {
                    "id": ids["first"],
                    "question": "Which schools?",
                    "officer": ids["officer"],
                    "at": sent,
                    "answer": "Two in Peckham",
                    "answered": sent,
                },
                {
                    "id": ids["second"],
                    "question": "Why the underspend?",
                    "officer": ids["officer"],
                    "at": sent,
                    "answer": None,
                    "answered": None,
                },
            ],
        )
        connection.execute(
            sa.text(
                "INSERT INTO follow_up_query (follow_up_id, question, asked_by_id, asked_at, answer, answered_at) "
                "VALUES (:id, :question, :officer, :at, :answer, :answered)"
            ),
            [
                {
                    "id": ids["six"],
                    "question": "Who funds it now?",
                    "officer": ids["officer"],
                    "at": sent,
                    "answer": "The council",
                    "answered": sent,
                },
                {
                    "id": ids["twelve"],
                    "question": "Is it still running?",
                    "officer": ids["officer"],
                    "at": sent,
                    "answer": None,
                    "answered": None,
                },
            ],
        )
        connection.execute(
            sa.text("INSERT INTO reminder_sent (return_id, kind, sent_at) VALUES (:id, :kind, :at)"),
            [{"id": ids["first"], "kind": kind, "at": sent} for kind in ("upcoming", "due_today", "overdue")],
        )
        connection.execute(
            sa.text(
                "INSERT INTO follow_up_reminder_sent (follow_up_id, kind, due_on, sent_at) "
                "VALUES (:id, :kind, :due_on, :at)"
            ),
            [
                {"id": ids["six"], "kind": "upcoming", "due_on": date(2025, 10, 1), "at": sent},  # before it moved
                {"id": ids["six"], "kind": "upcoming", "due_on": due["six"], "at": sent},
                {"id": ids["six"], "kind": "escalated", "due_on": due["six"], "at": sent},
            ],
        )
    upgrade()

    questions = {
        (q.return_id, q.follow_up_id, q.question, q.answer, q.asked_by_id)
        for q in db.session.scalars(sa.select(ReturnQuery))
    }
    assert questions == {
        (ids["first"], None, "Which schools?", "Two in Peckham", ids["officer"]),
        (ids["second"], None, "Why the underspend?", None, ids["officer"]),
        (None, ids["six"], "Who funds it now?", "The council", ids["officer"]),
        (None, ids["twelve"], "Is it still running?", None, ids["officer"]),
    }
    reminders = {(r.return_id, r.follow_up_id, r.kind, r.due_on) for r in db.session.scalars(sa.select(ReminderSent))}
    assert reminders == {
        (ids["first"], None, ReminderKind.UPCOMING, due["first"]),
        (ids["first"], None, ReminderKind.DUE_TODAY, due["first"]),
        (ids["first"], None, ReminderKind.OVERDUE, due["first"]),
        (None, ids["six"], ReminderKind.UPCOMING, date(2025, 10, 1)),
        (None, ids["six"], ReminderKind.UPCOMING, due["six"]),
        (None, ids["six"], ReminderKind.ESCALATED, due["six"]),
    }
    six = db.session.get(FollowUpReturn, ids["six"])
    assert [q.question for q in six.queries] == ["Who funds it now?"] and six.open_query is None
    assert db.session.get(FollowUpReturn, ids["twelve"]).open_query.question == "Is it still running?"
