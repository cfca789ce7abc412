"""Grant agreements: the owner accepts the terms once; that schedules the payments, which officers release and
record as paid. Nothing is paid before acceptance, and an organisation never sees another's."""

from datetime import date

import sqlalchemy as sa
import time_machine

from portal.agreements.services import release_instalment
from portal.errors import DomainError
from portal.extensions import db
from portal.models import AuditEvent, GrantAgreement, Instalment, InstalmentStatus, MembershipRole, OrganisationType
from tests.client import error_messages
from tests.factories import create_borough_user, create_member, create_organisation
from tests.factories_agreements import accepted_award, award_with_owner, pay
from tests.factories_assessment import create_officer, create_reviewer
from tests.factories_monitoring import create_award

NOW = "2025-08-15 10:00:00+01:00"
ACCEPTANCE = {"signatory_name": "Helen Price", "signatory_job_title": "Chief executive", "confirm": "y"}


def agreement_url(award) -> str:
    return f"/organisations/{award.organisation_id}/awards/{award.id}/agreement"


def instalments(award) -> list[Instalment]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(Instalment).where(Instalment.award_id == award.id).order_by(Instalment.due_on))
    )


def actions() -> list[str]:
    query = sa.select(AuditEvent.action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


@time_machine.travel(NOW, tick=False)
def test_the_owner_reads_the_terms_and_accepts_them_which_schedules_the_payments(client, mailbox):
    approver = create_officer("Tom Brennan", email="tom.brennan@example.org")
    award, owner = award_with_owner(boroughs=("Southwark", "Lambeth"), officer=approver)
    owner.email = "owner@example.org"
    db.session.commit()
    client.sign_in(owner)
    page = client.get_page(f"/organisations/{award.organisation_id}/awards/{award.id}")
    assert page.select_one("#accept-agreement")["href"] == agreement_url(award)

    page = client.get_page(agreement_url(award))
    assert page.h1.get_text() == "Accept your grant agreement"
    terms = page.select_one("#agreement-text").get_text()
    for expected in (
        "2025/26: £40,000",
        "2026/27: £40,000",
        "Total: £80,000",
        "1 April 2025 to 31 March 2027",
        "Where: Lambeth, Southwark",
        "1 April 2025 (Q1 2025/26): £10,000",
        "1 January 2027 (Q4 2026/27): £10,000",
        "a monitoring return every quarter",
        "Safeguarding",
    ):
        assert expected in terms, expected

    client.post_form(agreement_url(award), ACCEPTANCE)

    agreement = db.session.scalar(sa.select(GrantAgreement))
    assert (agreement.signatory_name, agreement.signatory_job_title, agreement.accepted_by_id) == (
        "Helen Price",
        "Chief executive",
        owner.id,
    )
    assert agreement.accepted_at.date() == date(2025, 8, 15)
    assert "Where: Lambeth, Southwark" in agreement.terms_text
    paid = instalments(award)
    assert len(paid) == 8 and sum(i.amount_pence for i in paid) == 80_000_00
    assert {i.status for i in paid} == {InstalmentStatus.SCHEDULED}
    assert [a for a in actions() if a.startswith(("agreement", "award.instalments"))] == [
        "agreement.accepted",
        "award.instalments_scheduled",
    ]
    assert (
        mailbox.last_to("owner@example.org")["Subject"]
        == f"You have accepted the grant agreement for {award.reference}"
    )
    told = mailbox.last_to("tom.brennan@example.org")  # the officer who approved the award
    assert told["Subject"] == f"Grant agreement accepted for {award.reference}"
    assert "Helen Price, Chief executive" in told.get_content()
    page = client.get_page(agreement_url(award))
    assert page.h1.get_text() == "Your grant agreement"
    assert "Helen Price, Chief executive" in page.get_text()
    page = client.get_page(f"/organisations/{award.organisation_id}/awards/{award.id}")
    assert not page.select("#accept-agreement")
    assert len(page.select("#payments ~ table tbody tr")) >= 8

    client.sign_in(create_officer())
    page = client.get_page(f"/staff/awards/{award.id}")
    assert "Helen Price, Chief executive" in page.get_text()
    client.get_page(f"/staff/awards/{award.id}/agreement")


@time_machine.travel(NOW, tick=False)
def test_accepting_twice_changes_nothing_the_second_time(client):
    award, owner = award_with_owner()
    client.sign_in(owner)
    client.post_form(agreement_url(award), ACCEPTANCE)
    first = [(i.id, i.amount_pence) for i in instalments(award)]
    client.post_form(agreement_url(award), {**ACCEPTANCE, "signatory_name": "Someone Else"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GrantAgreement)) == 1
    assert db.session.scalar(sa.select(GrantAgreement.signatory_name)) == "Helen Price"
    assert [(i.id, i.amount_pence) for i in instalments(award)] == first
    assert actions().count("agreement.accepted") == 1


@time_machine.travel(NOW, tick=False)
def test_the_name_job_title_and_confirmation_are_needed_and_what_was_typed_stays(client):
    award, owner = award_with_owner()
    client.sign_in(owner)
    page = client.post_form(agreement_url(award), {"signatory_name": "Helen Price"}, expected_status=200)
    errors = error_messages(page)
    assert errors == {
        "signatory_job_title": "Enter their job title",
        "confirm": "Confirm that you accept the agreement and may do so for your organisation",
    }
    assert page.select_one("#signatory_name")["value"] == "Helen Price"
    assert not db.session.scalar(sa.select(GrantAgreement)) and not instalments(award)


@time_machine.travel(NOW, tick=False)
def test_only_an_owner_may_accept_an_editor_may_read(client):
    award = create_award()
    editor = create_member(award.organisation, MembershipRole.EDITOR)
    client.sign_in(editor)
    page = client.get_page(agreement_url(award))
    assert "Only an owner of" in page.get_text() and not page.select("main form")
    client.post_form(agreement_url(award), ACCEPTANCE, expected_status=403)
    client.sign_in(create_officer())
    client.post_form(agreement_url(award), ACCEPTANCE, expected_status=403)
    assert not db.session.scalar(sa.select(GrantAgreement))


@time_machine.travel(NOW, tick=False)
def test_another_organisation_never_sees_or_accepts_an_agreement_or_payments(client):
    award, _ = accepted_award()
    stranger_org = create_organisation("Lambeth Youth Trust")
    stranger = create_member(stranger_org)
    client.sign_in(stranger)
    client.get_page(agreement_url(award), expected_status=403)
    client.post_form(agreement_url(award), ACCEPTANCE, expected_status=403)
    client.get_page(f"/organisations/{stranger_org.id}/awards/{award.id}/agreement", expected_status=404)
    for user in (stranger, create_reviewer(), create_borough_user("Southwark", OrganisationType.BOROUGH)):
        client.sign_in(user)
        client.get_page("/staff/payments", expected_status=403)
        instalment = instalments(award)[0]
        client.post_form(f"/staff/awards/{award.id}/payments/{instalment.id}/release", expected_status=403)
        client.get_page(f"/staff/awards/{award.id}/payments/{instalment.id}/paid", expected_status=403)


@time_machine.travel(NOW, tick=False)
def test_an_award_awaiting_approval_has_no_agreement_to_accept(client):
    from portal.models import AwardStatus

    award = create_award(status=AwardStatus.AWAITING_SECOND_APPROVAL, with_schedule=False)
    owner = create_member(award.organisation)
    client.sign_in(owner)
    client.get_page(agreement_url(award), expected_status=404)
    client.post_form(agreement_url(award), ACCEPTANCE, expected_status=404)


@time_machine.travel(NOW, tick=False)
def test_no_payment_is_released_before_the_agreement_is_accepted():
    award, officer = create_award(), create_officer()
    instalment = Instalment(
        award=award,
        financial_year=2025,
        label="Q1 2025/26",
        period_start=date(2025, 4, 1),
        due_on=date(2025, 4, 1),
        amount_pence=100,
    )
    db.session.add(instalment)
    db.session.commit()
    try:
        release_instalment(instalment, officer)
    except DomainError as error:
        assert "accepted its grant agreement" in error.message
    else:
        raise AssertionError("the payment was released before the agreement was accepted")
    db.session.expire_all()
    assert instalment.status is InstalmentStatus.SCHEDULED


@time_machine.travel(NOW, tick=False)
def test_an_officer_releases_a_payment_then_records_it_paid_once(client, mailbox):
    award, owner = accepted_award()
    mailbox.clear()
    officer = create_officer()
    first = instalments(award)[0]
    client.sign_in(officer)
    page = client.post_form(
        f"/staff/awards/{award.id}/payments/{first.id}/paid",
        {"paid_on": ["1", "8", "2025"], "reference": "X"},
        expected_status=200,
    )
    assert "Release this payment before recording it as paid." in page.get_text()
    assert instalments(award)[0].status is InstalmentStatus.SCHEDULED  # not released: refused

    client.post_form(f"/staff/awards/{award.id}/payments/{first.id}/release")
    client.post_form(f"/staff/awards/{award.id}/payments/{first.id}/release")  # a double click
    released = instalments(award)[0]
    assert released.status is InstalmentStatus.RELEASED and released.released_by_id == officer.id
    assert actions().count("instalment.released") == 1

    url = f"/staff/awards/{award.id}/payments/{first.id}/paid"
    page = client.post_form(url, {"paid_on": ["1", "9", "2025"], "reference": ""}, expected_status=200)
    assert error_messages(page) == {
        "paid_on": "The date it was paid must be today or in the past",
        "reference": "Enter the payment reference from the finance system",
    }
    page = client.post_form(url, {"paid_on": ["31", "7", "2025"], "reference": "BACS-1"}, expected_status=200)
    assert error_messages(page)["paid_on"] == "The date it was paid cannot be before it was released, on 15 August 2025"
    client.post_form(url, {"paid_on": ["15", "8", "2025"], "reference": "BACS-2025-0042"})
    client.post_form(url, {"paid_on": ["15", "8", "2025"], "reference": "CHANGED"})
    paid = instalments(award)[0]
    assert (paid.status, paid.paid_on, paid.payment_reference) == (
        InstalmentStatus.PAID,
        date(2025, 8, 15),
        "BACS-2025-0042",
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "instalment.paid"))
    assert event.after["amount_pence"] == 10_000_00 and event.after["reference"] == "BACS-2025-0042"
    assert event.organisation_id == award.organisation_id
    assert actions().count("instalment.paid") == 1
    [paid_email] = [m for m in mailbox.messages if m["To"] == owner.email]  # once, despite the second submit
    assert paid_email["Subject"] == f"Payment made for {award.reference}: £10,000"
    assert "Payment reference: BACS-2025-0042" in paid_email.get_content()
    assert "Paid on: 15 August 2025" in paid_email.get_content()


@time_machine.travel(NOW, tick=False)
def test_the_payments_list_filters_by_what_needs_doing_and_by_fund(client):
    officer = create_officer()
    award, _ = accepted_award(title="Safer streets after school")
    other, _ = accepted_award(
        title="Another", start=date(2025, 10, 1), end=date(2026, 9, 30), amounts_pence=(5_000_00, 5_000_00)
    )
    q1, q2 = instalments(award)[:2]
    pay(q1, officer)
    release_instalment(q2, officer)
    client.sign_in(officer)

    def rows(query: str) -> list[tuple[str, str]]:
        page = client.get_page(f"/staff/payments?{query}")
        return [
            (row.select("td")[2].get_text(strip=True), row.select("td")[3].get_text(strip=True))
            for row in page.select("tbody tr")
        ]

    assert rows("show=to_release") == []  # Q1 paid, Q2 released; Q3 is due in October
    assert len(rows("show=released")) == 1 and rows("show=released")[0][1] == "Q2 2025/26"
    assert rows("show=paid") == [(award.organisation.name, "Q1 2025/26")]
    upcoming = rows("show=upcoming")
    assert len(upcoming) == 6 + 4
    assert len(rows(f"show=upcoming&fund={other.fund_id}")) == 4
    with time_machine.travel("2025-10-02 09:00:00+01:00", tick=False):
        client.sign_in(officer)
        assert sorted(r[1] for r in rows("show=to_release")) == ["Q3 2025/26", "Q3 2025/26"]
    client.sign_in(officer)
    page = client.get_page("/staff/payments?show=paid&fund=999999")
    assert "No payments match" in page.get_text()


@time_machine.travel(NOW, tick=False)
def test_the_organisation_sees_its_payment_schedule_and_what_has_been_paid(client):
    award, owner = accepted_award()
    pay(instalments(award)[0], create_officer(), reference="BACS-77")
    client.sign_in(owner)
    page = client.get_page(f"/organisations/{award.organisation_id}/awards/{award.id}")
    table = page.select_one("#payments ~ table")
    first = [cell.get_text(" ", strip=True) for cell in table.select("tbody tr")[0].select("td, th")]
    assert first == ["Q1 2025/26", "1 April 2025", "£10,000", "Paid", "Paid 15 August 2025, reference BACS-77"]
    assert "Accepted by Helen Price, Chief executive" in page.get_text()


def test_the_agreement_is_shown_with_its_parts_as_headings_and_its_clauses_numbered(client):
    award, owner = award_with_owner()
    client.sign_in(owner)
    page = client.get_page(agreement_url(award))
    document = page.select_one("#agreement-text")
    assert [h.get_text() for h in document.select("h3")] == [
        "Part 1: The particulars of this award",
        "Part 2: Standard conditions (version 2026-1)",
    ]
    clauses = [h.get_text() for h in document.select("h4")]
    assert clauses[:2] == ["1. Use of the grant", "2. Payments"] and clauses[-1] == "10. Ending the award"
    assert [li.get_text() for li in document.select("ul")[0].select("li")][-1] == "Total: £80,000"
    assert document.find("strong", string="Fund:").parent.get_text() == f"Fund: {award.fund.name}"
