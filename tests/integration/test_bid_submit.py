"""Check your answers, submitting once and only while the round is open, and withdrawing."""

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from portal.applications import submission
from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, ApplicationStatus, AuditEvent, OutboundMessage, User
from tests.bids import answer_questions, bidding_setup, confirm_organisation, fill, fill_project, start_bid
from tests.client import parsed, summary_errors
from tests.factories_funding import create_application


def complete_bid(client, setup=None, **round_fields):
    setup = setup or bidding_setup(**round_fields)
    application = start_bid(client, setup)
    assert fill_project(client, application).status_code == 302
    confirm_organisation(client, application)
    answer_questions(client, application, 1, {f"q{setup.plan.id}": "Walk pupils home from school."})
    return setup, application


def closing_soon():
    """A round that closes in an hour, so that travelling past its close keeps the test's session alive."""
    return utcnow() + timedelta(hours=1)


def submit(client, application, expected_status=302):
    return client.post_form(
        f"/organisations/{application.organisation_id}/applications/{application.id}/submit",
        {},
        expected_status=expected_status,
    )


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def emails() -> list[OutboundMessage]:
    return db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id)).all()


def reload(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def test_the_task_list_shows_each_section_and_its_status(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    titles = [a.get_text(strip=True) for a in page.select(".govuk-task-list__link")]
    assert titles == ["Your organisation's details", "Project, boroughs and funding"]
    assert page.select_one("#about-1-status").get_text(strip=True) == "Not started"
    assert page.select_one("#sections-1-status").get_text(strip=True) == "Cannot start yet"
    assert page.select_one("#submit-1-status").get_text(strip=True) == "Cannot start yet"

    fill_project(client, application)
    confirm_organisation(client, application)
    answer_questions(client, application, 1, {f"q{setup.plan.id}": "Walk pupils home."})
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert [s.get_text(strip=True) for s in page.select(".govuk-task-list__status")][:3] == ["Completed"] * 3
    assert page.find("a", string=lambda s: s and "Check your answers and submit" in s)["href"] == (
        f"/organisations/{application.organisation_id}/applications/{application.id}/check-your-answers"
    )
    assert page.select_one("#progress").get_text(strip=True) == "You have completed 3 of 3 sections."


def test_check_your_answers_shows_every_answer_with_change_links(client):
    _setup, application = complete_bid(client)
    page = client.get_page(
        f"/organisations/{application.organisation_id}/applications/{application.id}/check-your-answers"
    )
    cards = [title.get_text(strip=True) for title in page.select(".govuk-summary-card__title")]
    assert cards == ["Eligibility", "Your organisation's details", "Project, boroughs and funding", "Your plan"]
    assert "Walk pupils home from school." in page.get_text()
    change = next(a for a in page.select("a") if a.get_text(" ", strip=True) == "Change What will you do? (Your plan)")
    assert change["href"].startswith(
        f"/organisations/{application.organisation_id}/applications/{application.id}/sections/1#question-"
    )
    assert page.find("button", string=lambda s: s and "Submit bid" in s) is not None


def test_submitting_an_incomplete_bid_lists_what_is_missing_with_links_and_keeps_it_a_draft(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    fill_project(client, application)
    page = submit(client, application, expected_status=400)
    problems = page.select(".govuk-error-summary__list a")
    assert [(a.get_text(strip=True), a["href"].split("#")[0]) for a in problems] == [
        (
            "Confirm your organisation's details and who we should contact",
            f"/organisations/{application.organisation_id}/applications/{application.id}/organisation-details",
        ),
        (
            "Enter your answer to “What will you do?”",
            f"/organisations/{application.organisation_id}/applications/{application.id}/sections/1",
        ),
    ]
    assert reload(application).status is ApplicationStatus.DRAFT
    assert events("application.submitted") == []


def test_submitting_gives_a_reference_emails_the_submitter_and_contact_and_shows_a_confirmation(
    client, mailbox, run_jobs
):
    setup = bidding_setup()
    application = start_bid(client, setup)
    fill_project(client, application)
    fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/organisation-details",
        {"contact_email": "bids@peckhammentors.org.uk"},
    )
    answer_questions(client, application, 1, {f"q{setup.plan.id}": "Walk pupils home from school."})

    response = submit(client, application)
    run_jobs()

    assert (
        response.headers["Location"]
        == f"/organisations/{application.organisation_id}/applications/{application.id}/submitted"
    )
    application = reload(application)
    year = utcnow().year
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.reference == f"LCPF-{year}-0001"
    assert application.submitted_by_id == setup.owner.id
    assert application.submitted_at is not None
    [event] = events("application.submitted")
    assert event.after["reference"] == f"LCPF-{year}-0001"
    assert sorted(m.to_address for m in emails()) == ["bids@peckhammentors.org.uk", "owner@example.org"]
    email = mailbox.last_to("bids@peckhammentors.org.uk")
    assert email["Subject"] == f"Bid received: LCPF-{year}-0001 \N{EN DASH} Safer Streets 2027"
    assert (
        f"http://portal.test/organisations/{application.organisation_id}/applications/{application.id}/view"
        in email.get_content()
    )

    page = client.get_page(response.headers["Location"])
    assert page.select_one(".govuk-panel__title").get_text(strip=True) == "Bid submitted"
    assert page.select_one(".govuk-panel__body strong").get_text(strip=True) == f"LCPF-{year}-0001"


def test_a_double_clicked_submit_makes_exactly_one_submission(client):
    _setup, application = complete_bid(client)
    first = submit(client, application)
    second = submit(client, application)
    assert (
        first.headers["Location"]
        == second.headers["Location"]
        == f"/organisations/{application.organisation_id}/applications/{application.id}/submitted"
    )
    assert len(events("application.submitted")) == 1
    assert len(emails()) == 1
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(Application.reference.is_not(None)))
        == 1
    )


def test_two_requests_racing_to_submit_make_one_submission(client, app):
    setup, application = complete_bid(client)
    owner_id = setup.owner.id
    stale = db.session.get(Application, application.id)
    loaded_version = stale.version
    db.session.expunge(stale)  # this "request" read the draft before the other one submitted it
    db.session.commit()  # (on SQLite a transaction that read before another's commit cannot write at all)

    with app.app_context():
        submission.submit_application(db.session.get(Application, application.id), db.session.get(User, owner_id))
        db.session.remove()

    db.session.add(stale)
    assert stale.status is ApplicationStatus.DRAFT
    result = submission.submit_application(stale, db.session.get(User, owner_id))

    assert result.status is ApplicationStatus.SUBMITTED
    assert len(events("application.submitted")) == 1
    assert len(emails()) == 1
    assert reload(application).version == loaded_version + 2  # the reference and the status: one request's work


def test_a_submission_a_second_after_the_round_closes_is_refused_and_the_bid_stays_a_draft(client):
    setup, application = complete_bid(client, closes_at=closing_soon())
    with time_machine.travel(setup.round.closes_at + timedelta(seconds=1), tick=False):
        page = submit(client, application, expected_status=409)
    assert "This round closed on" in page.select_one("#refusal").get_text()
    assert "can no longer be changed or submitted" not in page.get_text()
    assert reload(application).status is ApplicationStatus.DRAFT
    assert reload(application).reference is None
    assert emails() == []


def test_a_submission_a_second_before_the_round_closes_is_accepted(client):
    setup, application = complete_bid(client, closes_at=closing_soon())
    with time_machine.travel(setup.round.closes_at - timedelta(seconds=1), tick=False):
        submit(client, application)
    assert reload(application).status is ApplicationStatus.SUBMITTED


def test_after_closing_no_page_of_the_bid_can_be_changed(client):
    setup, application = complete_bid(client, closes_at=closing_soon())
    base = f"/organisations/{application.organisation_id}/applications/{application.id}"
    with time_machine.travel(setup.round.closes_at + timedelta(minutes=5), tick=False):
        for path in ("/organisation-details", "/project", "/sections/1", "/check-your-answers"):
            page = client.get_page(base + path, 409)
            assert "This round closed on" in page.select_one("#refusal").get_text()
        response = client.post_form(base + "/sections/1", {f"q{setup.plan.id}": "Too late", "action": "later"}, 409)
        assert response.select_one("#refusal") is not None
        autosave = client.post(base + "/sections/1/autosave", data={"csrf_token": client.csrf_token()})
        assert autosave.status_code == 409
        assert "This round closed on" in autosave.get_json()["error"]
        assert client.get(base).headers["Location"] == base + "/view"


def test_a_submitted_bid_cannot_be_changed_and_its_owner_sees_it_read_only(client):
    _setup, application = complete_bid(client)
    submit(client, application)
    base = f"/organisations/{application.organisation_id}/applications/{application.id}"
    page = client.get_page(base + "/project", 409)
    assert (
        page.select_one("#refusal").get_text(strip=True)
        == "This bid has been submitted, so it can no longer be changed."
    )
    response = client.post_form(base + "/project", {"project_title": "Changed"}, 409)
    assert response.select_one("#refusal") is not None
    assert reload(application).project_title == "Safer journeys home"

    view = client.get_page(base + "/view")
    assert view.h1.get_text(strip=True) == "Safer journeys home"
    assert "Submitted" in view.select_one("main .govuk-tag").get_text()
    assert "Walk pupils home from school." in view.get_text()
    assert view.select("textarea, input[type=text]") == []


def test_references_count_up_within_a_fund_and_year(client):
    setup, first = complete_bid(client)
    submit(client, first)
    from tests.factories import create_member, create_organisation

    other_org = create_organisation("Tottenham Mothers Against Violence", boroughs=("Haringey",))
    other_owner = create_member(other_org, email="tmav@example.org")
    setup.organisation, setup.owner = other_org, other_owner
    _setup, second = complete_bid(client, setup=setup)
    submit(client, second)
    year = utcnow().year
    assert [reload(first).reference, reload(second).reference] == [f"LCPF-{year}-0001", f"LCPF-{year}-0002"]


def test_a_reference_taken_by_another_bid_at_the_same_moment_is_retried(client, monkeypatch):
    setup, application = complete_bid(client)
    year = utcnow().year
    taken = create_application(setup.round, create_organisation_for_test(), status=ApplicationStatus.SUBMITTED)
    taken.reference = f"LCPF-{year}-0001"
    db.session.commit()
    calls = []
    real = submission.next_reference

    def racing(model, code, year_):
        calls.append(code)
        return f"LCPF-{year}-0001" if len(calls) == 1 else real(model, code, year_)

    monkeypatch.setattr(submission, "next_reference", racing)
    submit(client, application)
    assert reload(application).reference == f"LCPF-{year}-0002"
    assert len(calls) == 2


def create_organisation_for_test():
    from tests.factories import create_organisation

    return create_organisation("St Giles Trust", boroughs=("Southwark",))


def test_an_owner_withdraws_a_submitted_bid_with_a_reason_and_everyone_is_told(client, mailbox, run_jobs):
    _setup, application = complete_bid(client)
    submit(client, application)
    mailbox.clear()
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/withdraw")
    assert page.h1.get_text(strip=True) == "Are you sure you want to withdraw this bid?"

    response = client.post_form(
        f"/organisations/{application.organisation_id}/applications/{application.id}/withdraw",
        {"reason": "We merged with another charity."},
    )
    run_jobs()

    assert (
        response.headers["Location"]
        == f"/organisations/{application.organisation_id}/applications/{application.id}/view"
    )
    application = reload(application)
    assert application.status is ApplicationStatus.WITHDRAWN
    assert application.withdrawal_reason == "We merged with another charity."
    [event] = events("application.withdrawn")
    assert event.before["status"] == "submitted"
    assert event.after["reason"] == "We merged with another charity."
    email = mailbox.last_to("owner@example.org")
    assert email["Subject"].startswith("Bid withdrawn: LCPF-")
    assert "We merged with another charity." in email.get_content()
    view = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/view")
    assert "Withdrawn" in view.select_one("main .govuk-tag").get_text()


def test_a_draft_can_be_withdrawn_without_a_reason(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    client.post_form(
        f"/organisations/{application.organisation_id}/applications/{application.id}/withdraw", {"reason": ""}
    )
    application = reload(application)
    assert application.status is ApplicationStatus.WITHDRAWN
    assert application.withdrawal_reason is None
    assert (
        client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/project", 409)
        .select_one("#refusal")
        .get_text(strip=True)
        == "This bid has been withdrawn, so it can no longer be changed."
    )


def test_withdrawing_after_the_round_closes_is_refused(client):
    setup, application = complete_bid(client, closes_at=closing_soon())
    submit(client, application)
    with time_machine.travel(setup.round.closes_at + timedelta(seconds=1), tick=False):
        page = client.post_form(
            f"/organisations/{application.organisation_id}/applications/{application.id}/withdraw",
            {"reason": "Late"},
            expected_status=409,
        )
    assert "bids can no longer be withdrawn here" in page.select_one("#refusal").get_text()
    assert reload(application).status is ApplicationStatus.SUBMITTED


def test_an_editor_cannot_withdraw(client, app):
    setup = bidding_setup()
    application = start_bid(client, setup)
    editor = app.test_client()
    editor.sign_in(setup.editor)
    assert (
        editor.post(
            f"/organisations/{application.organisation_id}/applications/{application.id}/withdraw",
            data={"csrf_token": editor.csrf_token()},
        ).status_code
        == 403
    )
    assert reload(application).status is ApplicationStatus.DRAFT
    view = editor.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/view")
    assert view.find("a", string=lambda s: s and "Withdraw" in s) is None


def test_the_confirmation_page_of_a_draft_sends_you_to_the_bid(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    assert client.get(f"/organisations/{application.organisation_id}/applications/{application.id}/submitted").headers[
        "Location"
    ] == (f"/organisations/{application.organisation_id}/applications/{application.id}/view")
    assert summary_errors(parsed("")) == []
