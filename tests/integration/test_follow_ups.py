"""Follow-ups after an award ends: scheduled for every approved award, moved when the end date changes, filled in
and submitted by the organisation, queried and accepted by officers, and reminded about exactly once."""

from datetime import date

import sqlalchemy as sa
import time_machine

from portal.dialogue.follow_ups import sync_follow_ups
from portal.extensions import db
from portal.models import (
    AuditEvent,
    AwardStatus,
    MembershipRole,
    ReminderSent,
    ReturnStatus,
    StaffRole,
    Sustained,
)
from tests.client import error_messages, summary_errors
from tests.factories import create_member, create_organisation, create_user
from tests.factories_dialogue import create_ended_award, follow_ups
from workers.monitoring import generate_return_schedule, send_return_reminders

OWNER = "owner@example.org"
OFFICER = "officer@example.org"
SIX_MONTHS_OPEN = "2025-10-10 10:00:00+01:00"  # the 6-month follow-up opened on 30 September, due 30 October


def setup():
    officer = create_user(OFFICER, staff_role=StaffRole.GRANT_OFFICER, full_name="Tom Brennan")
    organisation = create_organisation("Safer Southwark")
    owner = create_member(organisation, MembershipRole.OWNER, email=OWNER)
    award = create_ended_award(organisation, officer=officer)
    return officer, owner, award


def url(award, follow_up):
    return f"/organisations/{award.organisation_id}/awards/{award.id}/follow-ups/{follow_up.id}"


def answers(follow_up, **overrides):
    return {
        "version": str(follow_up.version),
        "service_running": "partly",
        "funded_by": "A two-year grant from a local trust.",
        "people_helped_since": "85",
        "outcomes_sustained": "yes",
        "what_changed": "Most of the young people we mentored are still in education.",
        "lessons": "Keep the youth workers on through the gap between grants.",
        **overrides,
    }


def reload(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def actions(subject_type="follow_up_return"):
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject_type == subject_type).order_by(AuditEvent.id)
        )
    )


def test_every_approved_award_gets_two_follow_ups_and_syncing_again_changes_nothing():
    _, _, award = setup()
    six, twelve = follow_ups(award)
    assert (six.months_after, six.opens_on, six.due_on) == (6, date(2025, 9, 30), date(2025, 10, 30))
    assert (twelve.months_after, twelve.opens_on, twelve.due_on) == (12, date(2026, 3, 31), date(2026, 4, 30))
    assert sync_follow_ups(award) == 0
    db.session.commit()
    assert len(follow_ups(award)) == 2
    assert actions() == ["follow_up.scheduled", "follow_up.scheduled"]


def test_the_schedule_job_gives_an_approved_award_its_follow_ups_and_an_unapproved_one_none():
    organisation = create_organisation()
    approved = create_ended_award(organisation, with_schedule=False)
    waiting = create_ended_award(organisation, with_schedule=False, status=AwardStatus.AWAITING_APPROVAL)
    assert follow_ups(approved) == []
    generate_return_schedule(approved.id)
    generate_return_schedule(approved.id)
    generate_return_schedule(waiting.id)
    assert [f.months_after for f in follow_ups(approved)] == [6, 12]
    assert follow_ups(waiting) == []


def test_when_the_end_date_moves_unsubmitted_follow_ups_move_and_submitted_ones_stay():
    _, owner, award = setup()
    six, twelve = follow_ups(award)
    six.status, six.submitted_by = ReturnStatus.SUBMITTED, owner
    db.session.commit()

    award.end_date = date(2025, 8, 31)
    assert sync_follow_ups(award) == 1
    db.session.commit()
    six, twelve = follow_ups(award)
    assert (six.opens_on, six.due_on) == (date(2025, 9, 30), date(2025, 10, 30))
    assert (twelve.opens_on, twelve.due_on) == (date(2026, 8, 31), date(2026, 9, 30))
    assert actions()[-1] == "follow_up.rescheduled"
    assert sync_follow_ups(award) == 0


def test_an_organisation_saves_then_submits_a_follow_up_and_an_officer_queries_and_accepts_it(client, mailbox):
    officer, owner, award = setup()
    six, _ = follow_ups(award)
    with time_machine.travel(SIX_MONTHS_OPEN, tick=False):
        client.sign_in(owner)
        page = client.get_page(f"/organisations/{award.organisation_id}/awards/{award.id}")
        assert page.find("a", string="6-month follow-up")["href"] == url(award, six)
        client.post_form(url(award, six), {"version": "1", "people_helped_since": "40", "save": "Save"})
        assert (reload(six).status, reload(six).people_helped_since) == (ReturnStatus.IN_PROGRESS, 40)

        client.post_form(url(award, six), answers(reload(six), submit_follow_up="Submit"))
        submitted = reload(six)
        assert submitted.status is ReturnStatus.SUBMITTED
        assert (submitted.service_running, submitted.outcomes_sustained) == (Sustained.PARTLY, Sustained.YES)

        client.sign_in(officer)
        page = client.get_page("/staff/monitoring/follow-ups?show=awaiting_review")
        assert page.find("a", href=f"/staff/monitoring/awards/{award.id}/follow-ups/{six.id}") is not None
        page = client.post_form(f"/staff/monitoring/awards/{award.id}/follow-ups/{six.id}/query", {"question": ""}, 200)
        assert error_messages(page)["question"] == "Enter what the organisation needs to answer or change"
        client.post_form(
            f"/staff/monitoring/awards/{award.id}/follow-ups/{six.id}/query", {"question": "Which trust funds it now?"}
        )
        assert "Which trust funds it now?" in mailbox.last_to(OWNER).get_content()

        client.sign_in(owner)
        queried = reload(six)
        page = client.post_form(url(award, six), answers(queried, submit_follow_up="Submit"), 200)
        assert error_messages(page)["answer"] == "Answer the officer's query before you resubmit"
        client.post_form(url(award, six), answers(queried, answer="The Walworth Trust.", submit_follow_up="S"))
        assert reload(six).status is ReturnStatus.SUBMITTED
        assert reload(six).queries[0].answer == "The Walworth Trust."

        client.sign_in(officer)
        client.post_form(f"/staff/monitoring/awards/{award.id}/follow-ups/{six.id}/accept")
    assert reload(six).status is ReturnStatus.ACCEPTED
    assert reload(six).accepted_by_id == officer.id
    assert "accepted" in mailbox.last_to(OWNER)["Subject"]
    assert actions()[2:] == [
        "follow_up.started",
        "follow_up.submitted",
        "follow_up.queried",
        "follow_up.resubmitted",
        "follow_up.accepted",
    ]


def test_submitting_an_incomplete_follow_up_shows_each_problem_and_keeps_what_was_typed(client):
    _, owner, award = setup()
    six, _ = follow_ups(award)
    with time_machine.travel(SIX_MONTHS_OPEN, tick=False):
        client.sign_in(owner)
        page = client.post_form(
            url(award, six),
            {"version": "1", "service_running": "yes", "people_helped_since": "lots", "submit_follow_up": "Submit"},
            200,
        )
    errors = error_messages(page)
    assert errors["people_helped_since"] == "Enter a whole number, like 120"
    assert page.find("input", {"name": "people_helped_since"})["value"] == "lots"
    assert page.find("input", {"name": "service_running", "value": "yes"}).has_attr("checked")
    with time_machine.travel(SIX_MONTHS_OPEN, tick=False):
        page = client.post_form(
            url(award, six), {"version": "1", "service_running": "yes", "submit_follow_up": "S"}, 200
        )
    errors = error_messages(page)
    assert errors["funded_by"] == "Say how the service is funded now"
    assert errors["outcomes_sustained"] == "Select whether the outcomes have lasted"
    assert errors["what_changed"] == "Describe what has changed for the people the service helped"
    assert "Enter how many people the service has helped since the award ended" in summary_errors(page)
    assert reload(six).status is ReturnStatus.DUE


def test_a_follow_up_cannot_be_filled_in_before_it_opens(client):
    _, owner, award = setup()
    six, _ = follow_ups(award)
    with time_machine.travel("2025-09-01 10:00:00+01:00", tick=False):
        client.sign_in(owner)
        page = client.get_page(url(award, six))
        assert page.find("form", {"method": "post", "novalidate": True}) is None
        assert "You can fill in this follow-up from 30 September 2025" in page.get_text()
        page = client.post_form(url(award, six), answers(six, submit_follow_up="Submit"), 200)
    assert "You can fill in this follow-up from 30 September 2025" in summary_errors(page)
    assert reload(six).status is ReturnStatus.DUE


def test_two_people_saving_one_follow_up_at_once_do_not_silently_overwrite_each_other(client):
    _, owner, award = setup()
    editor = create_member(award.organisation, MembershipRole.EDITOR)
    six, _ = follow_ups(award)
    with time_machine.travel(SIX_MONTHS_OPEN, tick=False):
        client.sign_in(owner)
        client.post_form(url(award, six), {"version": "1", "people_helped_since": "10", "save": "Save"})
        client.sign_in(editor)
        page = client.post_form(url(award, six), {"version": "1", "people_helped_since": "99", "save": "Save"}, 200)
        assert any("Someone else saved this follow-up" in message for message in summary_errors(page))
        assert page.find("input", {"name": "people_helped_since"})["value"] == "99"
        assert reload(six).people_helped_since == 10


def test_a_double_clicked_submit_of_a_follow_up_is_answered_as_the_first_click_was_as_for_returns(client):
    _, owner, award = setup()
    six, _ = follow_ups(award)
    with time_machine.travel(SIX_MONTHS_OPEN, tick=False):
        client.sign_in(owner)
        data = answers(six, submit_follow_up="Submit")
        client.post_form(url(award, six), data)
        client.post_form(url(award, six), data)  # the second click carries the version the first one loaded
    assert reload(six).status is ReturnStatus.SUBMITTED
    assert actions().count("follow_up.submitted") == 1


def test_another_organisation_cannot_see_or_change_a_follow_up(client):
    _, _, award = setup()
    six, _ = follow_ups(award)
    stranger_organisation = create_organisation("Elsewhere")
    stranger = create_member(stranger_organisation, MembershipRole.OWNER)
    other_award = create_ended_award(stranger_organisation)
    with time_machine.travel(SIX_MONTHS_OPEN, tick=False):
        client.sign_in(stranger)
        client.get_page(url(award, six), 403)
        client.get_page(f"/organisations/{stranger_organisation.id}/awards/{award.id}/follow-ups/{six.id}", 404)
        client.get_page(f"/organisations/{stranger_organisation.id}/awards/{other_award.id}/follow-ups/{six.id}", 404)
        client.post_form(url(award, six), answers(six, submit_follow_up="Submit"), 403)
        client.get_page(f"/staff/monitoring/awards/{award.id}/follow-ups/{six.id}", 403)
        client.get_page("/staff/monitoring/follow-ups", 403)
    assert reload(six).status is ReturnStatus.DUE


def run_on(day: str, times: int = 2) -> None:
    with time_machine.travel(f"{day} 07:00:00+01:00", tick=False):
        for _ in range(times):
            send_return_reminders()


def subjects(mailbox, address):
    return [m["Subject"] for m in mailbox.to(address) if "follow-up" in m["Subject"]]


def test_follow_up_reminders_go_once_each_and_again_for_a_new_due_date(mailbox):
    _, _, award = setup()
    six, _ = follow_ups(award)
    for day in ("2025-10-22", "2025-10-23", "2025-10-30", "2025-10-31", "2025-11-03"):
        run_on(day)
    reference = award.reference
    assert subjects(mailbox, OWNER) == [
        f"The 6-month follow-up for {reference} is due on 30 October 2025",
        f"The 6-month follow-up for {reference} is due today",
        f"The 6-month follow-up for {reference} is overdue",
    ]
    run_on("2025-11-06")
    run_on("2025-11-20")
    assert subjects(mailbox, OFFICER) == [f"Overdue follow-up: Safer Southwark, {reference} 6-month follow-up"]
    assert f"/staff/monitoring/awards/{award.id}/follow-ups/{six.id}" in mailbox.last_to(OFFICER).get_content()

    # The award is extended: the follow-up falls due later, and its reminders are for the new date.
    award.end_date = date(2025, 6, 30)
    sync_follow_ups(award)
    db.session.commit()
    mailbox.clear()
    run_on("2026-01-23")
    run_on("2026-01-24")
    assert subjects(mailbox, OWNER) == [f"The 6-month follow-up for {reference} is due on 30 January 2026"]
    sent = db.session.scalar(sa.select(sa.func.count(ReminderSent.id)).where(ReminderSent.follow_up_id.is_not(None)))
    assert sent == 5


def test_a_submitted_follow_up_gets_no_reminders(mailbox):
    _, owner, award = setup()
    six, _ = follow_ups(award)
    six.status, six.submitted_by = ReturnStatus.SUBMITTED, owner
    db.session.commit()
    run_on("2025-10-30")
    run_on("2025-11-20")
    assert subjects(mailbox, OWNER) == [] and subjects(mailbox, OFFICER) == []
