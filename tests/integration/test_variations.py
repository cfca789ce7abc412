"""Variations: one officer proposes to extend, change the amounts or end early, with a reason; a different officer
approves or rejects it. Approval changes the award, works out the unpaid instalments again and brings the returns
into line; money already released or paid never changes."""

from datetime import date, timedelta

import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import (
    AuditEvent,
    Award,
    Instalment,
    InstalmentStatus,
    ReturnStatus,
    Variation,
    VariationStatus,
)
from portal.monitoring.measures import generate_schedule
from tests.client import error_messages, summary_errors
from tests.factories import create_member
from tests.factories_agreements import accepted_award, pay
from tests.factories_assessment import create_officer, create_reviewer
from tests.factories_monitoring import award_returns, create_award

NOW = "2025-08-15 10:00:00+01:00"


def fresh(award: Award) -> Award:
    db.session.expire_all()
    return db.session.get(Award, award.id)


def schedule(award: Award) -> list[tuple[str, int, InstalmentStatus]]:
    rows = db.session.scalars(sa.select(Instalment).where(Instalment.award_id == award.id).order_by(Instalment.due_on))
    return [(i.label, i.amount_pence, i.status) for i in rows]


def amounts(award: Award) -> dict[int, int]:
    return {y.financial_year: y.amount_pence for y in fresh(award).years}


def the_variation() -> Variation:
    db.session.expire_all()
    return db.session.scalar(sa.select(Variation).order_by(Variation.id.desc()))


def officers():
    return create_officer("Tom Brennan"), create_officer("Priya Shah")


def paid_twice():
    """An accepted award (April 2025 to March 2027, £40,000 a year) with its first two quarters paid."""
    award, owner = accepted_award()
    owner.email = "owner@example.org"
    db.session.commit()
    first, second = officers()
    for instalment in db.session.scalars(
        sa.select(Instalment).where(Instalment.award_id == award.id).order_by(Instalment.due_on).limit(2)
    ):
        pay(instalment, second)
    return award, first, second


@time_machine.travel(NOW, tick=False)
def test_an_approved_extension_changes_the_award_reschedules_unpaid_payments_and_adds_returns(
    client, mailbox, run_jobs
):
    award, proposer, approver = paid_twice()
    paid_ids = [i.id for i in fresh(award).instalments if i.status is InstalmentStatus.PAID]
    client.sign_in(proposer)
    page = client.get_page(f"/staff/awards/{award.id}/variations/new/extend")
    assert page.select_one("#amount_2025")["value"] == "40000"
    response = client.post_form(
        f"/staff/awards/{award.id}/variations/new/extend",
        {
            "end_date": ["30", "9", "2027"],
            "amount_2025": "40000",
            "amount_2026": "40000",
            "amount_2027": "20,000",
            "reason": "The borough asked for six more months while the new contract is procured.",
        },
    )
    variation = the_variation()
    assert response.location == f"/staff/awards/{award.id}/variations/{variation.id}"
    assert variation.status is VariationStatus.PROPOSED and fresh(award).end_date == date(2027, 3, 31)

    client.sign_in(approver)
    client.post_form(
        f"/staff/awards/{award.id}/variations/{variation.id}", {"decision": "approve", "decision_reason": "Agreed."}
    )
    run_jobs()

    award = fresh(award)
    assert award.end_date == date(2027, 9, 30)
    assert amounts(award) == {2025: 40_000_00, 2026: 40_000_00, 2027: 20_000_00}
    assert schedule(award) == [
        ("Q1 2025/26", 10_000_00, InstalmentStatus.PAID),
        ("Q2 2025/26", 10_000_00, InstalmentStatus.PAID),
        ("Q3 2025/26", 10_000_00, InstalmentStatus.SCHEDULED),
        ("Q4 2025/26", 10_000_00, InstalmentStatus.SCHEDULED),
        *[(f"Q{q} 2026/27", 10_000_00, InstalmentStatus.SCHEDULED) for q in range(1, 5)],
        ("Q1 2027/28", 10_000_00, InstalmentStatus.SCHEDULED),
        ("Q2 2027/28", 10_000_00, InstalmentStatus.SCHEDULED),
    ]
    assert [i.id for i in award.instalments if i.status is InstalmentStatus.PAID] == paid_ids
    assert [r.label for r in award_returns(award)][-2:] == ["Q1 2027/28", "Q2 2027/28"]
    variation = the_variation()
    assert (variation.status, variation.decided_by_id, variation.decision_reason) == (
        VariationStatus.APPROVED,
        approver.id,
        "Agreed.",
    )
    assert (variation.end_date_before, variation.end_date_after) == (date(2027, 3, 31), date(2027, 9, 30))
    assert variation.before == {2025: 40_000_00, 2026: 40_000_00}
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-7:] == [
        "variation.proposed",
        "variation.approved",
        "award.varied",
        "award.instalments_scheduled",
        "award.returns_scheduled",
        "follow_up.rescheduled",  # the follow-ups move with the new end date
        "follow_up.rescheduled",
    ]
    email = mailbox.last_to("owner@example.org")
    assert email["Subject"] == f"Award {award.reference} has changed"
    assert "30 September 2027" in email.get_content() and "£100,000" in email.get_content()

    page = client.get_page(f"/staff/awards/{award.id}")
    history = page.select_one("#variations ~ table").get_text(" ", strip=True)
    assert "Ends 30 September 2027 (was 31 March 2027)" in history
    assert "Total £100,000 (was £80,000)" in history
    assert "six more months" in history and "Approved by Priya Shah" in history


@time_machine.travel(NOW, tick=False)
def test_the_officer_who_proposed_a_variation_cannot_decide_it(client):
    award, proposer, _ = paid_twice()
    client.sign_in(proposer)
    client.post_form(
        f"/staff/awards/{award.id}/variations/new/change-amount",
        {"amount_2025": "40000", "amount_2026": "50000", "reason": "More referrals than expected."},
    )
    variation = the_variation()
    page = client.get_page(f"/staff/awards/{award.id}/variations/{variation.id}")
    assert "a different grant officer must approve or reject it" in page.get_text()
    page = client.post_form(
        f"/staff/awards/{award.id}/variations/{variation.id}", {"decision": "approve"}, expected_status=200
    )
    assert "a different grant officer must approve or reject it" in " ".join(summary_errors(page))
    assert the_variation().status is VariationStatus.PROPOSED
    assert amounts(award) == {2025: 40_000_00, 2026: 40_000_00}


@time_machine.travel(NOW, tick=False)
def test_a_rejection_needs_a_reason_and_leaves_the_award_as_it_was(client, mailbox):
    award, proposer, approver = paid_twice()
    client.sign_in(proposer)
    client.post_form(
        f"/staff/awards/{award.id}/variations/new/end-early",
        {"end_date": ["31", "12", "2025"], "amount_2025": "30000", "amount_2026": "", "reason": "Service closing."},
    )
    variation = the_variation()
    mailbox.clear()
    client.sign_in(approver)
    url = f"/staff/awards/{award.id}/variations/{variation.id}"
    page = client.post_form(url, {"decision": "reject"}, expected_status=200)
    assert error_messages(page)["decision_reason"] == "Give the reason for rejecting this variation"
    client.post_form(url, {"decision": "reject", "decision_reason": "The provider has found other funding."})
    client.post_form(url, {"decision": "approve"})  # a second submit changes nothing
    variation = the_variation()
    assert variation.status is VariationStatus.REJECTED
    assert variation.decision_reason == "The provider has found other funding."
    assert fresh(award).end_date == date(2027, 3, 31) and amounts(award) == {2025: 40_000_00, 2026: 40_000_00}
    assert not mailbox.to("owner@example.org")


@time_machine.travel(NOW, tick=False)
def test_a_variation_that_cuts_below_what_has_been_paid_is_refused(client):
    award, proposer, _ = paid_twice()
    client.sign_in(proposer)
    page = client.post_form(
        f"/staff/awards/{award.id}/variations/new/change-amount",
        {"amount_2025": "15000", "amount_2026": "40000", "reason": "Underspend."},
        expected_status=200,
    )
    assert error_messages(page)["amount_2025"] == (
        "£20,000 has already been released or paid for 2025/26, so the amount cannot be less than that"
    )
    assert page.select_one("#amount_2025")["value"] == "15000"
    assert not the_variation()


@time_machine.travel(NOW, tick=False)
def test_approval_is_refused_if_payments_made_since_the_proposal_would_be_cut(client):
    award, proposer, approver = paid_twice()
    client.sign_in(proposer)
    client.post_form(
        f"/staff/awards/{award.id}/variations/new/change-amount",
        {"amount_2025": "25000", "amount_2026": "40000", "reason": "Underspend in the first year."},
    )
    third = next(i for i in fresh(award).instalments if i.label == "Q3 2025/26")
    pay(third, approver)
    client.sign_in(approver)
    page = client.post_form(
        f"/staff/awards/{award.id}/variations/{the_variation().id}", {"decision": "approve"}, expected_status=200
    )
    assert any("£30,000 has already been released or paid for 2025/26" in e for e in summary_errors(page))
    assert the_variation().status is VariationStatus.PROPOSED
    assert amounts(award)[2025] == 40_000_00


@time_machine.travel(NOW, tick=False)
def test_ending_early_drops_later_payments_and_the_returns_nobody_started(client, run_jobs):
    award, proposer, approver = paid_twice()
    started = next(r for r in award_returns(award) if r.label == "Q2 2026/27")
    started.progress, started.status = "Planning ahead.", ReturnStatus.IN_PROGRESS
    db.session.commit()
    client.sign_in(proposer)
    page = client.post_form(
        f"/staff/awards/{award.id}/variations/new/end-early",
        {"end_date": ["15", "1", "2026"], "amount_2025": "30000", "amount_2026": "40000", "reason": "Closing."},
        expected_status=200,
    )
    assert error_messages(page)["amount_2026"] == "2026/27 is outside the award's new dates: leave it empty"
    client.post_form(
        f"/staff/awards/{award.id}/variations/new/end-early",
        {"end_date": ["15", "1", "2026"], "amount_2025": "30000", "amount_2026": "", "reason": "Closing."},
    )
    client.sign_in(approver)
    client.post_form(f"/staff/awards/{award.id}/variations/{the_variation().id}", {"decision": "approve"})
    run_jobs()

    award = fresh(award)
    assert award.end_date == date(2026, 1, 15) and amounts(award) == {2025: 30_000_00}
    rest = [(label, pence) for label, pence, status in schedule(award) if status is InstalmentStatus.SCHEDULED]
    assert [label for label, _ in rest] == ["Q3 2025/26", "Q4 2025/26"]
    assert sum(pence for _, pence in rest) == 10_000_00 and rest[0][1] > rest[1][1]
    returns = {r.label: r for r in award_returns(award)}
    assert list(returns) == ["Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26", "Q2 2026/27"]
    assert returns["Q4 2025/26"].period_end == date(2026, 1, 15)
    assert returns["Q4 2025/26"].due_on == date(2026, 1, 15) + timedelta(days=30)


def test_the_return_schedule_follows_an_extension_of_an_award_ending_mid_quarter():
    award = create_award(start=date(2025, 4, 1), end=date(2026, 2, 15), amounts_pence=(40_000_00,))
    assert award_returns(award)[-1].period_end == date(2026, 2, 15)
    award.end_date = date(2026, 6, 30)
    assert generate_schedule(award) == 1
    db.session.commit()
    returns = award_returns(award)
    assert [(r.label, r.period_end) for r in returns[-2:]] == [
        ("Q4 2025/26", date(2026, 3, 31)),
        ("Q1 2026/27", date(2026, 6, 30)),
    ]
    assert generate_schedule(award) == 0


@time_machine.travel(NOW, tick=False)
def test_proposals_are_checked_field_by_field_and_one_waits_at_a_time(client):
    award, proposer, _ = paid_twice()
    client.sign_in(proposer)
    url = f"/staff/awards/{award.id}/variations/new/extend"
    page = client.post_form(url, {"end_date": ["1", "1", "2027"], "amount_2025": "40000"}, expected_status=200)
    errors = error_messages(page)
    assert errors["end_date"] == "The new end date must be after the current end date, 31 March 2027"
    assert errors["reason"] == "Give the reason for this variation"
    page = client.post_form(
        f"/staff/awards/{award.id}/variations/new/change-amount",
        {"amount_2025": "40000", "amount_2026": "40000", "reason": "No change really."},
        expected_status=200,
    )
    assert summary_errors(page) == ["This variation changes nothing: change the end date or an amount"]
    client.post_form(
        f"/staff/awards/{award.id}/variations/new/change-amount",
        {"amount_2025": "40000", "amount_2026": "45000", "reason": "More referrals."},
    )
    page = client.get_page(url)
    assert "already has a variation waiting for approval" in page.get_text() and not page.select("main form")
    client.post_form(url, {"end_date": ["1", "1", "2028"], "amount_2025": "40000", "reason": "x"}, expected_status=200)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Variation)) == 1


@time_machine.travel(NOW, tick=False)
def test_only_grant_officers_may_propose_or_decide_variations(client):
    award, proposer, _ = paid_twice()
    client.sign_in(proposer)
    client.post_form(
        f"/staff/awards/{award.id}/variations/new/change-amount",
        {"amount_2025": "40000", "amount_2026": "45000", "reason": "More referrals."},
    )
    variation = the_variation()
    for user in (create_member(award.organisation), create_reviewer()):
        client.sign_in(user)
        client.get_page(f"/staff/awards/{award.id}/variations/new/extend", expected_status=403)
        client.get_page(f"/staff/awards/{award.id}/variations/{variation.id}", expected_status=403)
        client.post_form(
            f"/staff/awards/{award.id}/variations/{variation.id}", {"decision": "approve"}, expected_status=403
        )
    other = create_award(title="Another award")
    client.sign_in(proposer)
    client.get_page(f"/staff/awards/{other.id}/variations/{variation.id}", expected_status=404)
    assert the_variation().status is VariationStatus.PROPOSED
