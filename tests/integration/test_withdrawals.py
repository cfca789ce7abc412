"""Withdrawing an award: allowed before any money is released, it cancels what has not happened yet, keeps what has,
tells the organisation why, and takes the award off every public page and file at once."""

import json
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from portal.agreements.services import Acceptance, accept_agreement, release_instalment
from portal.awards.withdrawal import withdraw_award
from portal.dialogue.follow_ups import FollowUpAnswers, save_follow_up
from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Award,
    AwardStatus,
    FollowUpReturn,
    Instalment,
    MembershipRole,
    Return,
    ReturnStatus,
    Variation,
    VariationKind,
    VariationStatus,
)
from portal.monitoring.returns import ReturnDetails, save_return
from portal.monitoring.review import may_fill_in
from portal.opendata import files, openreferral
from tests.client import error_messages, summary_errors
from tests.directory_support import create_service
from tests.factories import create_member, create_organisation
from tests.factories_agreements import accept, award_with_owner
from tests.factories_assessment import create_officer, create_reviewer
from tests.factories_dialogue import create_ended_award, follow_ups
from tests.factories_monitoring import create_award

NOW = "2025-08-15 10:00:00+01:00"
REASON = "The organisation has closed its Southwark project and cannot deliver the service."


def withdraw_url(award: Award) -> str:
    return f"/staff/awards/{award.id}/withdraw"


def fresh(award: Award) -> Award:
    db.session.expire_all()
    return db.session.get(Award, award.id)


def returns_of(award: Award) -> list[Return]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Return).where(Return.award_id == award.id).order_by(Return.period_start)))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def start_return(return_: Return, progress: str = "We have recruited two mentors so far.") -> None:
    return_.progress = progress
    return_.status = ReturnStatus.IN_PROGRESS
    db.session.commit()


def propose(award: Award, officer) -> Variation:
    variation = Variation(
        award=award,
        kind=VariationKind.EXTEND,
        reason="More time to recruit mentors",
        end_date_before=award.end_date,
        end_date_after=date(2027, 9, 30),
        amounts_before=Variation.amounts_json({y.financial_year: y.amount_pence for y in award.years}),
        amounts_after=Variation.amounts_json({y.financial_year: y.amount_pence for y in award.years}),
        proposed_by=officer,
    )
    db.session.add(variation)
    db.session.commit()
    return variation


@time_machine.travel(NOW, tick=False)
def test_withdrawing_an_award_through_the_pages_takes_it_off_every_public_page_and_file(client, mailbox):
    officer, colleague = create_officer(), create_officer("Amara Okafor")
    provider = create_organisation("Southwark Youth Mentoring Trust")
    award = create_service(
        "Knife crime mentoring in Southwark", organisation=provider, start=date(2025, 4, 1), end=date(2027, 3, 31)
    )
    owner = create_member(provider, MembershipRole.OWNER, full_name="Helen Price", email="helen@example.org")
    accept(award, owner)
    started, *untouched = returns_of(award)
    start_return(started)
    variation = propose(award, colleague)
    files.regenerate()
    mailbox.messages.clear()
    service_id = openreferral.service_id(award.id)

    # Before: the service is public everywhere, so the checks after are not vacuous.
    assert award.title in client.get("/services").get_data(as_text=True)
    assert client.get(f"/services/{award.id}").status_code == 200
    assert json.loads(client.get("/map/data.json?shade=services").data)["boroughs"]["E09000028"]["services"] == 1
    assert "£80,000" in client.get("/dashboards").get_data(as_text=True)
    assert award.title in client.get("/data/360giving.json").get_data(as_text=True)
    assert award.title in client.get("/openreferral/services").get_data(as_text=True)
    assert client.get(f"/openreferral/services/{service_id}").status_code == 200

    client.sign_in(officer)
    staff_returns = client.get_page("/staff/monitoring/returns?show=all").get_text()
    assert untouched[0].label in staff_returns
    page = client.get_page(f"/staff/awards/{award.id}")
    button = page.find("a", string=lambda text: text and "Withdraw this award" in text)
    assert button["href"] == withdraw_url(award)
    page = client.get_page(withdraw_url(award))
    effects = page.select_one("#withdrawal-effects").get_text(" ", strip=True)
    assert "cancels 8 scheduled payments of £80,000 in all" in effects
    assert f"removes {len(untouched)} returns and 2 follow-ups that nobody has started" in effects
    assert "keeps 1 return and 0 follow-ups already started" in effects
    assert "rejects the variation waiting for a decision (extend)" in effects

    response = client.post_form(withdraw_url(award), {"reason": REASON})
    assert response.headers["Location"] == f"/staff/awards/{award.id}"

    award = fresh(award)
    assert award.status is AwardStatus.WITHDRAWN
    assert (award.withdrawn_by_id, award.withdrawal_reason) == (officer.id, REASON)
    assert award.withdrawn_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Instalment)) == 0
    assert [r.id for r in returns_of(award)] == [started.id]
    assert follow_ups(award) == []
    variation = db.session.get(Variation, variation.id)
    assert variation.status is VariationStatus.REJECTED
    assert variation.decided_by_id == officer.id
    assert variation.decision_reason == f"The award was withdrawn: {REASON}"
    (event,) = events("award.withdrawn")
    assert event.actor_id == officer.id
    assert event.after["reason"] == REASON
    assert event.after["instalments_cancelled"].startswith("Q1 2025/26 (2025-04-01): 1000000; ")
    assert event.after["instalments_cancelled_pence"] == 80_000_00
    assert event.after["returns_kept"] == started.label
    assert event.after["returns_removed"] == "; ".join(r.label for r in untouched)
    email = mailbox.last_to("helen@example.org")
    assert email["Subject"] == f"Award {award.reference} has been withdrawn"
    assert REASON in email.get_content()

    page = client.get_page(f"/staff/awards/{award.id}")
    assert "Status: Withdrawn" in page.get_text(" ", strip=True)
    banner = page.select_one("#withdrawn").find_parent(class_="govuk-notification-banner").get_text(" ", strip=True)
    assert "Withdrawn on 15 August 2025" in banner and REASON in banner and "Tom Brennan" in banner
    assert not page.find("a", string=lambda text: text and "Withdraw this award" in text)
    staff_returns = client.get_page("/staff/monitoring/returns?show=all").get_text()
    assert not any(r.label in staff_returns for r in untouched)

    # After: it is nowhere in public.
    for url in ("/services", "/services?phase=all", "/openreferral/services", "/map/data.json?shade=services"):
        assert award.title not in client.get(url).get_data(as_text=True), url
    assert client.get(f"/services/{award.id}").status_code == 404
    assert client.get(f"/openreferral/services/{service_id}").status_code == 404
    assert json.loads(client.get("/map/data.json?shade=services").data)["boroughs"]["E09000028"]["services"] == 0
    assert "£80,000" not in client.get("/dashboards").get_data(as_text=True)
    threesixty = client.get("/data/360giving.json")
    assert threesixty.status_code == 404 or award.title not in threesixty.get_data(as_text=True)
    assert award.title not in client.get("/data/360giving.csv").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_a_reason_is_required_and_nothing_changes_without_one(client, mailbox):
    officer = create_officer()
    award, _owner = award_with_owner()
    client.sign_in(officer)

    page = client.post_form(withdraw_url(award), {"reason": "   "}, expected_status=200)

    assert summary_errors(page) == ["Enter why the award is being withdrawn"]
    assert error_messages(page) == {"reason": "Enter why the award is being withdrawn"}
    assert page.title.get_text().startswith("Error: ")
    assert fresh(award).status is AwardStatus.APPROVED
    assert len(returns_of(award)) == 8
    assert events("award.withdrawn") == [] and mailbox.messages == []


@time_machine.travel(NOW, tick=False)
def test_a_second_submit_changes_nothing_and_sends_nothing_more(client, mailbox):
    officer = create_officer()
    award, owner = award_with_owner()
    owner.email = "helen@example.org"
    db.session.commit()
    client.sign_in(officer)

    client.post_form(withdraw_url(award), {"reason": REASON})
    again = client.post_form(withdraw_url(award), {"reason": "Another reason"})

    assert again.headers["Location"] == f"/staff/awards/{award.id}"
    assert fresh(award).withdrawal_reason == REASON
    assert len(events("award.withdrawn")) == 1
    assert len([m for m in mailbox.messages if "withdrawn" in m["Subject"]]) == 1
    assert withdraw_award(fresh(award), "Yet another", officer) is False


@time_machine.travel(NOW, tick=False)
def test_an_award_with_money_released_cannot_be_withdrawn_and_the_officer_is_pointed_to_end_it_early(client):
    officer = create_officer()
    award, owner = award_with_owner()
    accept(award, owner)
    release_instalment(award.instalments[0], officer)
    client.sign_in(officer)

    with pytest.raises(DomainError) as refused:
        withdraw_award(fresh(award), REASON, officer)
    assert refused.value.message == (
        "£10,000 of this award has already been released or paid, so it cannot be withdrawn. "
        "To stop it, propose a variation to end it early instead."
    )
    page = client.get_page(withdraw_url(award))
    assert not page.select("textarea[name=reason]")
    link = page.find("a", string="Propose a variation to end the award early")
    assert link["href"] == f"/staff/awards/{award.id}/variations/new/end-early"
    assert "end it early" in client.get_page(f"/staff/awards/{award.id}").select_one("#withdraw ~ p").get_text()

    page = client.post_form(withdraw_url(award), {"reason": REASON}, expected_status=200)
    award = fresh(award)
    assert award.status is AwardStatus.APPROVED
    assert len(award.instalments) == 8


@pytest.mark.parametrize("status", [AwardStatus.AWAITING_APPROVAL, AwardStatus.AWAITING_SECOND_APPROVAL])
@time_machine.travel(NOW, tick=False)
def test_an_award_still_awaiting_approval_can_be_withdrawn(client, status):
    officer = create_officer()
    award = create_award(status=status, with_schedule=False)
    client.sign_in(officer)

    client.post_form(withdraw_url(award), {"reason": REASON})

    award = fresh(award)
    assert award.status is AwardStatus.WITHDRAWN
    assert events("award.withdrawn")[0].before == {"status": status.value}


@time_machine.travel(NOW, tick=False)
def test_a_variation_proposed_by_the_withdrawing_officer_is_rejected_by_the_withdrawal_itself():
    officer = create_officer()
    award = create_award()
    variation = propose(award, officer)

    withdraw_award(award, REASON, officer)

    variation = db.session.get(Variation, variation.id)
    assert variation.status is VariationStatus.REJECTED
    assert variation.decided_by_id is None  # nobody decides their own proposal
    assert variation.decided_at is not None


@time_machine.travel(NOW, tick=False)
def test_the_organisation_sees_why_and_can_neither_accept_the_agreement_nor_fill_in_returns(client):
    officer = create_officer()
    award, owner = award_with_owner()
    started = returns_of(award)[0]
    start_return(started)
    withdraw_award(award, REASON, officer)
    client.sign_in(owner)
    award_url = f"/organisations/{award.organisation_id}/awards/{award.id}"

    listing = client.get_page(f"/organisations/{award.organisation_id}/awards").get_text()
    assert "Withdrawn on 15 August 2025" in listing
    page = client.get_page(award_url)
    text = page.get_text(" ", strip=True)
    assert "Withdrawn on 15 August 2025" in text and REASON in text
    assert not page.select("#accept-agreement")
    assert "No payments will be made: the award was withdrawn." in text
    assert "Send feedback or a lesson learned" not in text

    page = client.get_page(f"{award_url}/agreement")
    assert not page.select("input[name=signatory_name]")
    assert "This award was withdrawn on 15 August 2025" in page.get_text()
    acceptance = {"signatory_name": "Helen Price", "signatory_job_title": "Chief executive", "confirm": "y"}
    page = client.post_form(f"{award_url}/agreement", acceptance, expected_status=200)
    assert "This award has been withdrawn, so its agreement cannot be accepted." in summary_errors(page)
    with pytest.raises(DomainError, match="withdrawn, so its agreement cannot be accepted"):
        accept_agreement(fresh(award), Acceptance("Helen Price", "Chief executive", True), owner)

    page = client.get_page(f"{award_url}/returns/{started.id}")
    assert not page.select("button[name=submit_return], input[name=submit_return]")
    with pytest.raises(DomainError, match="withdrawn, so its returns cannot be changed"):
        save_return(started, ReturnDetails(version=started.version), [], owner, submit=False)
    assert returns_of(award)[0].progress == "We have recruited two mentors so far."


@time_machine.travel("2025-10-10 10:00:00+01:00", tick=False)
def test_follow_ups_never_started_are_removed_and_started_ones_are_kept_but_closed():
    officer = create_officer()
    award = create_ended_award()
    owner = create_member(award.organisation, MembershipRole.OWNER)
    six_months, *later = follow_ups(award)
    six_months.funded_by = "The borough's youth service"
    six_months.status = ReturnStatus.IN_PROGRESS
    db.session.commit()

    withdraw_award(award, REASON, officer)

    db.session.expire_all()
    assert [f.id for f in follow_ups(award)] == [six_months.id]
    assert events("award.withdrawn")[0].after["follow_ups_removed"] == "; ".join(f.label for f in later)
    follow_up = db.session.get(FollowUpReturn, six_months.id)
    assert not may_fill_in(follow_up, date(2025, 10, 10))
    with pytest.raises(DomainError, match="withdrawn, so its follow-ups cannot be changed"):
        save_follow_up(follow_up, FollowUpAnswers(version=follow_up.version), owner, submit=False)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2023, 4, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2027, 3, 31)),
        (date(2026, 4, 1), date(2028, 3, 31)),
    ],
    ids=["ended", "active", "not-yet-started"],
)
def test_a_withdrawn_award_is_left_out_of_the_directory_whatever_its_phase(client, start, end):
    officer = create_officer()
    award = create_service("Withdrawn mentoring service", start=start, end=end)
    create_service("Another mentoring service", start=start, end=end)
    assert "Withdrawn mentoring service" in client.get("/services?phase=all").get_data(as_text=True)

    withdraw_award(award, REASON, officer)

    body = client.get("/services?phase=all").get_data(as_text=True)
    assert "Withdrawn mentoring service" not in body and "Another mentoring service" in body
    assert client.get(f"/services/{award.id}").status_code == 404
    assert client.get(f"/openreferral/services/{openreferral.service_id(award.id)}").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_only_grant_officers_may_withdraw(client):
    award, owner = award_with_owner()
    other = create_member(create_organisation("Another Trust"), MembershipRole.OWNER)
    for user in (owner, other, create_reviewer()):
        client.sign_in(user)
        assert client.get(withdraw_url(award)).status_code == 403
        client.post_form(withdraw_url(award), {"reason": REASON}, expected_status=403)
    assert fresh(award).status is AwardStatus.APPROVED
    client.sign_in(create_officer())
    assert client.get(f"/staff/awards/{uuid.uuid4().int % 10**6 + 10**6}/withdraw").status_code == 404


def test_a_withdrawn_award_needs_its_reason_and_date_in_the_database():
    award = create_award(with_schedule=False)
    award.status = AwardStatus.WITHDRAWN
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


@time_machine.travel("2026-11-22 10:00:00+00:00", tick=False)
def test_the_demo_withdraws_one_award_that_victim_support_sees_and_the_public_does_not(client):
    from portal.demo import monitoring as demo_monitoring
    from portal.demo import rounds as demo_rounds
    from portal.demo import withdrawals as demo_withdrawals
    from portal.demo.seed import DEMO_DOMAIN, load_demo_data
    from portal.models import User

    load_demo_data()
    demo_rounds.load(date(2026, 11, 22))
    demo_monitoring.load(date(2026, 11, 22))
    assert demo_withdrawals.load() == "Withdrawals demo: 1 award withdrawn."
    assert demo_withdrawals.load() == "Withdrawals demo: 0 awards withdrawn."

    award = db.session.scalar(sa.select(Award).where(Award.title == demo_withdrawals.WITHDRAWN_TITLE))
    assert award.status is AwardStatus.WITHDRAWN
    assert returns_of(award) == [] and follow_ups(award) == []
    owner = db.session.scalar(sa.select(User).where(User.email == f"victimsupport@{DEMO_DOMAIN}"))
    client.sign_in(owner)
    page = client.get_page(f"/organisations/{award.organisation_id}/awards/{award.id}")
    assert "community centre that was to host the caseworkers closed" in page.get_text()
    assert award.title not in client.get("/services?phase=all").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_no_reminder_is_sent_for_a_started_return_kept_on_a_withdrawn_award(mailbox):
    from portal.monitoring.reminders import send_return_reminders

    award, _owner = award_with_owner()
    start_return(returns_of(award)[0])  # Q1 2025/26, due in July: overdue on 15 August
    other, _ = award_with_owner()
    start_return(returns_of(other)[0])
    withdraw_award(award, REASON, create_officer())

    # Only the other award's overdue return is reminded about.
    assert send_return_reminders(date(2025, 8, 15)) == 1
    reminders = [m for m in mailbox.messages if "has been withdrawn" not in m["Subject"]]
    assert all(award.reference not in message.get_content() for message in reminders)


def test_officers_can_still_read_a_withdrawn_awards_kept_returns_but_change_nothing(client):
    officer = create_officer()
    award, _ = award_with_owner()
    started = returns_of(award)[0]
    start_return(started)
    started.status = ReturnStatus.SUBMITTED
    db.session.commit()
    withdraw_award(award, REASON, officer)
    client.sign_in(officer)

    page = client.get_page(f"/staff/monitoring/awards/{award.id}")
    text = page.get_text(" ", strip=True)
    assert f"The reason given: {REASON}" in text
    assert not page.select("input[name=name]")  # no form to add a measure
    client.post_form(f"/staff/monitoring/awards/{award.id}", {"name": "More"}, expected_status=404)

    review = client.get_page(f"/staff/monitoring/awards/{started.award_id}/returns/{started.id}")
    assert "We have recruited two mentors so far." in review.get_text()
    assert not review.select("form[action$='/accept']")
    client.post_form(f"/staff/monitoring/awards/{started.award_id}/returns/{started.id}/accept", expected_status=404)
    assert returns_of(award)[0].status is ReturnStatus.SUBMITTED
