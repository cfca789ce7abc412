"""Reminders before a return is due, on the day, when it is overdue, and to the officer when it stays overdue.
Never the same reminder twice, however often the job runs."""

from datetime import date

import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import MembershipRole, ReminderKind, ReminderSent, ReturnStatus, StaffRole
from portal.monitoring.reminders import kinds_due
from tests.factories import create_member, create_organisation, create_user
from tests.factories_monitoring import create_award, first_return
from workers.monitoring import send_return_reminders

OWNER = "owner@example.org"
OFFICER = "officer@example.org"


def setup():
    officer = create_user(OFFICER, staff_role=StaffRole.GRANT_OFFICER)
    organisation = create_organisation("Safer Southwark")
    create_member(organisation, MembershipRole.OWNER, email=OWNER)
    create_member(organisation, MembershipRole.EDITOR, email="unconfirmed@example.org", confirmed=False)
    return create_award(organisation, officer=officer)  # Q1 2025/26 is due on 30 July 2025


def subjects(mailbox, address):
    return [message["Subject"] for message in mailbox.to(address)]


def run_on(day: str, run_jobs, times: int = 2) -> None:
    with time_machine.travel(f"{day} 07:00:00+01:00", tick=False):
        for _ in range(times):
            send_return_reminders()
            run_jobs()


def test_the_reminders_go_a_week_before_on_the_day_and_after_the_due_date_and_each_only_once(mailbox, run_jobs):
    award = setup()
    run_on("2025-07-22", run_jobs)  # eight days before: nothing yet
    assert mailbox.to(OWNER) == []

    run_on("2025-07-23", run_jobs)
    run_on("2025-07-25", run_jobs)
    run_on("2025-07-30", run_jobs)
    run_on("2025-07-31", run_jobs)
    run_on("2025-08-02", run_jobs)
    reference = award.reference
    assert subjects(mailbox, OWNER) == [
        f"Return Q1 2025/26 for {reference} is due on 30 July 2025",
        f"Return Q1 2025/26 for {reference} is due today",
        f"Return Q1 2025/26 for {reference} is overdue",
    ]
    assert mailbox.to("unconfirmed@example.org") == []
    assert mailbox.to(OFFICER) == []

    run_on("2025-08-06", run_jobs)
    run_on("2025-08-20", run_jobs)
    assert subjects(mailbox, OFFICER) == [f"Overdue return: Safer Southwark, {reference} Q1 2025/26"]
    assert len(mailbox.to(OWNER)) == 3
    # The officer is taken to the return itself, as for follow-ups and borough project returns.
    assert (
        f"/staff/monitoring/awards/{award.id}/returns/{first_return(award).id}"
        in mailbox.last_to(OFFICER).get_content()
    )


def test_a_submitted_return_gets_no_more_reminders(mailbox, run_jobs):
    award = setup()
    return_ = first_return(award)
    return_.status = ReturnStatus.SUBMITTED
    db.session.commit()
    run_on("2025-07-30", run_jobs)
    run_on("2025-08-20", run_jobs)
    assert mailbox.to(OWNER) == [] and mailbox.to(OFFICER) == []


def test_a_reminder_already_recorded_by_another_worker_is_not_sent_again(mailbox, run_jobs):
    award = setup()
    return_ = first_return(award)
    db.session.add(ReminderSent(return_id=return_.id, kind=ReminderKind.DUE_TODAY, due_on=return_.due_on))
    db.session.commit()
    run_on("2025-07-30", run_jobs, times=1)
    assert mailbox.to(OWNER) == []
    assert db.session.scalar(sa.select(sa.func.count(ReminderSent.id))) == 1


def test_the_daily_command_sends_the_reminders(app, mailbox, run_jobs):
    setup()
    with time_machine.travel("2025-07-30 07:00:00+01:00", tick=False):
        output = app.test_cli_runner().invoke(args=["monitoring", "remind"]).output
        run_jobs()
    assert output.strip() == "Reminders sent: 1."
    assert len(mailbox.to(OWNER)) == 1


def test_a_job_that_missed_days_sends_only_the_reminder_that_fits_today():
    due = date(2025, 7, 30)
    assert kinds_due(due, date(2025, 7, 22)) == []
    assert kinds_due(due, date(2025, 7, 23)) == [ReminderKind.UPCOMING]
    assert kinds_due(due, date(2025, 7, 30)) == [ReminderKind.DUE_TODAY]
    assert kinds_due(due, date(2025, 8, 5)) == [ReminderKind.OVERDUE]
    assert kinds_due(due, date(2025, 8, 6)) == [ReminderKind.OVERDUE, ReminderKind.ESCALATED]


def test_when_a_due_date_moves_the_reminders_are_sent_again_for_the_new_date_once_each(mailbox, run_jobs):
    award = setup()
    run_on("2025-07-23", run_jobs)
    return_ = first_return(award)
    return_.due_on = date(2025, 8, 29)  # given more time after the first reminder
    db.session.commit()
    run_on("2025-08-22", run_jobs)
    run_on("2025-08-29", run_jobs)
    reference = award.reference
    assert subjects(mailbox, OWNER) == [
        f"Return Q1 2025/26 for {reference} is due on 30 July 2025",
        f"Return Q1 2025/26 for {reference} is due on 29 August 2025",
        f"Return Q1 2025/26 for {reference} is due today",
    ]
    assert db.session.scalar(sa.select(sa.func.count(ReminderSent.id))) == 3


def test_a_return_removed_after_the_work_list_was_made_is_skipped_and_the_others_are_reminded(
    mailbox, run_jobs, monkeypatch
):
    from portal.monitoring import reminders

    gone = first_return(setup())
    other_organisation = create_organisation("Safer Lambeth")
    create_member(other_organisation, MembershipRole.OWNER, email="owner@lambeth.example.org")
    other = create_award(other_organisation)
    gone_id = gone.id
    make_list = reminders.fetch_open_due_by

    def list_then_remove(kind, day):
        ids = make_list(kind, day)
        # The award's schedule shrinks and takes one of them (written on this session's own connection, as SQLite
        # allows only one writer; on PostgreSQL it would be another transaction).
        db.session.execute(sa.text("DELETE FROM monitoring_return WHERE id = :id"), {"id": gone_id})
        db.session.expire_all()
        return ids

    monkeypatch.setattr(reminders, "fetch_open_due_by", list_then_remove)
    run_on("2025-07-23", run_jobs, times=1)
    assert mailbox.to(OWNER) == []
    assert subjects(mailbox, "owner@lambeth.example.org") == [
        f"Return Q1 2025/26 for {other.reference} is due on 30 July 2025"
    ]
