"""An organisation fills in, saves and submits its returns; an officer queries and accepts them."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import (
    AuditEvent,
    MembershipRole,
    PerformanceRecord,
    Rag,
    Return,
    ReturnFrequency,
    ReturnStatus,
    StaffRole,
)
from tests.client import error_messages, summary_errors
from tests.factories import create_member, create_organisation, create_user
from tests.factories_monitoring import award_returns, create_award, create_measure, first_return

# The first quarter of the test award (April to June 2025) is due on 30 July 2025.
AFTER_Q1 = "2025-07-10 10:00:00+01:00"
LATE = "2025-08-05 10:00:00+01:00"


def setup_award(**fields):
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER, full_name="Tom Brennan")
    organisation = create_organisation("Safer Southwark")
    owner = create_member(organisation, MembershipRole.OWNER, email="owner@example.org")
    award = create_award(organisation, officer=officer, **fields)
    return officer, owner, award


def return_url(award, return_):
    return f"/organisations/{award.organisation_id}/awards/{award.id}/returns/{return_.id}"


def full_answers(return_, measure, **overrides):
    return {
        "version": str(return_.version),
        "spend": "10,000",
        "people_helped": "42",
        f"measure_{measure.id}": "95",
        "progress": "We ran 12 sessions after school.",
        "risks": "A youth worker is leaving.",
        "issues": "None",
        "case_study": "A young person returned to school.",
        "case_study_may_publish": "y",
        **overrides,
    }


def reload(return_):
    db.session.expire_all()
    return db.session.get(type(return_), return_.id)


def test_an_organisation_saves_a_return_comes_back_and_submits_it(client):
    _, owner, award = setup_award()
    measure = create_measure(award, target=100)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        client.post_form(return_url(award, return_), {"version": "1", "spend": "2500.50", "save": "Save"})
        saved = reload(return_)
        assert (saved.status, saved.spend_pence, saved.version) == (ReturnStatus.IN_PROGRESS, 2_500_50, 2)

        page = client.get_page(return_url(award, return_))
        assert page.find("input", {"name": "spend"})["value"] == "2500.50"

        client.post_form(return_url(award, return_), full_answers(saved, measure, submit_return="Submit"))
    submitted = reload(return_)
    assert submitted.status is ReturnStatus.SUBMITTED
    assert (submitted.spend_pence, submitted.people_helped, submitted.actual_for(measure.id)) == (10_000_00, 42, 95)
    assert submitted.case_study_may_publish is True
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.subject_type == "monitoring_return").order_by(AuditEvent.id)
    )
    assert list(actions) == ["return.started", "return.submitted"]


def test_submitting_an_incomplete_return_shows_each_problem_beside_its_field_and_keeps_what_was_typed(client):
    _, owner, award = setup_award()
    measure = create_measure(award)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        page = client.post_form(
            return_url(award, return_),
            {"version": "1", "spend": "12,000", "people_helped": "lots", "submit_return": "Submit"},
            expected_status=200,
        )
    errors = error_messages(page)
    assert errors["people_helped"] == "Enter a whole number, like 120"
    assert page.find("input", {"name": "spend"})["value"] == "12,000"
    assert page.find("input", {"name": "people_helped"})["value"] == "lots"
    assert reload(return_).status is ReturnStatus.DUE

    with time_machine.travel(AFTER_Q1, tick=False):
        page = client.post_form(
            return_url(award, return_), {"version": "1", "spend": "12,000", "submit_return": "Submit"}, 200
        )
    errors = error_messages(page)
    assert errors["people_helped"] == "Enter how many people you helped in the period"
    assert errors[f"measure_{measure.id}"] == "Enter the number of young people for Young people engaged"
    assert errors["progress"] == "Describe the progress the service made in the period"
    assert "Enter how many people you helped in the period" in summary_errors(page)


def test_a_return_cannot_be_submitted_before_its_period_ends(client):
    _, owner, award = setup_award()
    measure = create_measure(award)
    return_ = first_return(award)
    with time_machine.travel("2025-06-15 10:00:00+01:00", tick=False):
        client.sign_in(owner)
        page = client.post_form(return_url(award, return_), full_answers(return_, measure, submit_return="S"), 200)
    assert "You can submit this return once its period ends on 30 June 2025" in summary_errors(page)


def test_the_current_periods_return_says_when_it_can_be_submitted_and_saves_a_draft(client):
    _, owner, award = setup_award()
    measure = create_measure(award)
    return_ = first_return(award)
    with time_machine.travel("2025-06-15 10:00:00+01:00", tick=False):
        client.sign_in(owner)
        page = client.get_page(return_url(award, return_))
        buttons = [button.get_text(strip=True) for button in page.select("main form button")]
        assert buttons == ["Save draft"]
        assert "You can submit this return once its period ends on 30 June 2025" in page.select_one("#submit-from").text
        client.post_form(return_url(award, return_), full_answers(return_, measure, save="S"))
    assert reload(return_).status is ReturnStatus.IN_PROGRESS
    assert reload(return_).progress == "We ran 12 sessions after school."
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        page = client.get_page(return_url(award, return_))
        assert [b.get_text(strip=True) for b in page.select("main form button")] == [
            "Submit return",
            "Save and come back later",
        ]


def test_two_people_saving_one_return_at_once_do_not_silently_overwrite_each_other(client):
    _, owner, award = setup_award()
    editor = create_member(award.organisation, MembershipRole.EDITOR)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        client.post_form(return_url(award, return_), {"version": "1", "spend": "100", "save": "Save"})
        client.sign_in(editor)
        page = client.post_form(
            return_url(award, return_), {"version": "1", "spend": "999", "save": "Save"}, expected_status=200
        )
        assert any("Someone else saved this return" in message for message in summary_errors(page))
        assert page.find("input", {"name": "spend"})["value"] == "999"
        assert reload(return_).spend_pence == 100_00

        # Saving again from the page shown is a deliberate choice to replace the other version.
        version = page.find("input", {"name": "version"})["value"]
        client.post_form(return_url(award, return_), {"version": version, "spend": "999", "save": "Save"})
    assert reload(return_).spend_pence == 999_00


def test_an_officer_queries_a_return_and_the_organisation_answers_and_resubmits(client, mailbox, run_jobs):
    officer, owner, award = setup_award()
    measure = create_measure(award)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        client.post_form(return_url(award, return_), full_answers(return_, measure, submit_return="Submit"))
        client.sign_in(officer)
        page = client.post_form(
            f"/staff/monitoring/awards/{return_.award_id}/returns/{return_.id}/query", {"question": ""}, 200
        )
        assert error_messages(page)["question"] == "Enter what the organisation needs to answer or change"
        client.post_form(
            f"/staff/monitoring/awards/{return_.award_id}/returns/{return_.id}/query",
            {"question": "Why so little spend?"},
        )
        run_jobs()
        assert "Why so little spend?" in mailbox.last_to("owner@example.org").get_content()
        assert reload(return_).status is ReturnStatus.QUERIED

        client.sign_in(owner)
        queried = reload(return_)
        page = client.post_form(return_url(award, queried), full_answers(queried, measure, submit_return="S"), 200)
        assert error_messages(page)["answer"] == "Answer the officer's query before you resubmit"
        client.post_form(
            return_url(award, queried),
            full_answers(queried, measure, answer="A worker was off sick.", submit_return="S"),
        )
    resubmitted = reload(return_)
    assert resubmitted.status is ReturnStatus.SUBMITTED
    assert resubmitted.queries[0].answer == "A worker was off sick."


def test_accepting_a_return_rates_the_period_by_the_published_rules(client, mailbox, run_jobs):
    officer, owner, award = setup_award(amounts_pence=(40_000_00, 40_000_00))
    measure = create_measure(award, target=100)
    return_ = first_return(award)
    # Submitted six days late, spending £8,000 against a £10,000 profile (a quarter of £40,000), 95 of 100 engaged.
    with time_machine.travel(LATE, tick=False):
        client.sign_in(owner)
        client.post_form(return_url(award, return_), full_answers(return_, measure, spend="8000", submit_return="S"))
        client.sign_in(officer)
        client.post_form(f"/staff/monitoring/awards/{return_.award_id}/returns/{return_.id}/accept")
    run_jobs()
    record = db.session.scalar(sa.select(PerformanceRecord))
    assert (record.delivery, record.spend, record.timeliness, record.overall) == (
        Rag.GREEN,
        Rag.AMBER,
        Rag.AMBER,
        Rag.AMBER,
    )
    assert (record.profile_pence, record.days_late, record.delivery_percent) == (10_000_00, 6, 95)
    assert reload(return_).status is ReturnStatus.ACCEPTED
    assert "overall performance rating is Amber" in mailbox.last_to("owner@example.org").get_content()

    with time_machine.travel(LATE, tick=False):
        client.sign_in(officer)
        page = client.get_page(f"/staff/monitoring/awards/{return_.award_id}/returns/{return_.id}")
        client.sign_in(owner)
        own_page = client.get_page(return_url(award, return_))
    tags = [tag.get_text(strip=True) for tag in page.select(".govuk-table .govuk-tag")]
    assert tags[:4] == ["Green", "Amber", "Amber", "Amber"]
    own_tags = [tag.get_text(strip=True) for tag in own_page.select(".govuk-table .govuk-tag")]
    assert own_tags[:4] == ["Green", "Amber", "Amber", "Amber"]
    assert "£8,000 against a profile of £10,000" in own_page.get_text(" ", strip=True)
    assert own_page.find("a", string="Change") is None


def test_a_return_that_is_accepted_cannot_be_accepted_again_or_changed(client):
    officer, owner, award = setup_award()
    measure = create_measure(award)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        client.post_form(return_url(award, return_), full_answers(return_, measure, submit_return="S"))
        client.sign_in(officer)
        client.post_form(f"/staff/monitoring/awards/{return_.award_id}/returns/{return_.id}/accept")
        page = client.post_form(
            f"/staff/monitoring/awards/{return_.award_id}/returns/{return_.id}/accept", follow=True, expected_status=200
        )
        assert "A return that is accepted cannot become accepted" in page.get_text()
        client.sign_in(owner)
        page = client.post_form(return_url(award, return_), full_answers(return_, measure, save="S"), 200)
    assert "This return has been submitted, so it cannot be changed now" in summary_errors(page)
    assert db.session.scalar(sa.select(sa.func.count(PerformanceRecord.id))) == 1


def test_a_small_award_reports_every_six_months_on_the_shorter_form(client):
    _, owner, award = setup_award(amounts_pence=(12_000_00, 13_000_00))
    returns = award_returns(award)
    assert [r.label for r in returns] == ["H1 2025/26", "H2 2025/26", "H1 2026/27", "H2 2026/27"]
    assert {r.frequency for r in returns} == {ReturnFrequency.SIX_MONTHLY}
    with time_machine.travel("2025-10-10 10:00:00+01:00", tick=False):
        client.sign_in(owner)
        page = client.get_page(return_url(award, returns[0]))
    assert page.find("textarea", {"name": "progress"}) is not None
    assert page.find("textarea", {"name": "risks"}) is None
    assert page.find("textarea", {"name": "case_study"}) is None


def test_a_readonly_view_of_a_submitted_return_shows_the_answers(client):
    _, owner, award = setup_award()
    measure = create_measure(award)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        client.post_form(return_url(award, return_), full_answers(return_, measure, submit_return="S"))
        page = client.get_page(return_url(award, return_))
    assert page.find("form", {"novalidate": True}) is None
    assert "We ran 12 sessions after school." in page.get_text()
    assert "May be published as good practice." in page.get_text()


def test_the_schedule_is_generated_once_however_often_the_job_runs(app):
    from workers.monitoring import generate_return_schedule

    _, _, award = setup_award(with_schedule=False, start=date(2027, 2, 15), end=date(2029, 2, 28))
    assert generate_return_schedule(award.id) == 9
    assert generate_return_schedule(award.id) == 0
    assert len(award_returns(award)) == 9
    runner = app.test_cli_runner()
    assert "Returns added: 0." in runner.invoke(args=["monitoring", "schedule", str(award.id)]).output


def test_a_save_that_loses_a_race_with_another_save_is_refused_by_the_database_too(app):
    from portal.monitoring.returns import ReturnConflict, ReturnDetails, save_return

    _, owner, award = setup_award()
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        loaded = reload(return_)
        # Another save lands between this one's check of the version and its write. (Written on this session's own
        # connection, as SQLite allows only one writer; on PostgreSQL it would be another transaction.)
        db.session.execute(sa.text("UPDATE monitoring_return SET version = 2 WHERE id = :id"), {"id": return_.id})
        with pytest.raises(ReturnConflict):
            save_return(loaded, ReturnDetails(version=1, spend_pence=999_00), [], owner, submit=False)
    assert reload(return_).spend_pence is None


@pytest.mark.commits
def test_a_save_of_a_return_removed_since_it_was_loaded_is_refused_with_the_reason(app):
    from portal.errors import DomainError
    from portal.monitoring.returns import ReturnDetails, save_return

    _, owner, award = setup_award()
    return_ = first_return(award)
    return_id = return_.id
    with time_machine.travel(AFTER_Q1, tick=False):
        loaded = reload(return_)
        # End the read (SQLite's lock would keep the other transaction waiting), keeping what was loaded.
        db.session().expire_on_commit = False
        db.session.commit()
        db.session().expire_on_commit = True
        # The award's schedule shrinks and takes this untouched return with it, committed by another transaction
        # between this save's load and its write.
        with db.engine.begin() as other:
            other.execute(sa.text("DELETE FROM monitoring_return WHERE id = :id"), {"id": return_id})
        with pytest.raises(DomainError, match="This return has been removed"):
            save_return(loaded, ReturnDetails(version=1, spend_pence=999_00), [], owner, submit=False)
    db.session.rollback()
    assert db.session.get(Return, return_id) is None


def test_accepting_leaves_nothing_half_written_when_rating_fails(client, monkeypatch):
    from portal.monitoring import returns as returns_service

    officer, owner, award = setup_award()
    measure = create_measure(award)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        client.post_form(return_url(award, return_), full_answers(return_, measure, submit_return="S"))

        def broken(*_args):
            raise RuntimeError("rating failed")

        monkeypatch.setattr(returns_service, "record_performance", broken)
        client.sign_in(officer)
        with pytest.raises(RuntimeError):
            client.post(
                f"/staff/monitoring/awards/{return_.award_id}/returns/{return_.id}/accept",
                data={"csrf_token": client.csrf_token()},
            )
    db.session.rollback()
    assert reload(return_).status is ReturnStatus.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "return.accepted")) == 0
