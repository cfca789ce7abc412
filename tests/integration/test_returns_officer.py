"""Officers: measures on an award, one table of every return, and overriding a rating with a reason."""

from datetime import date

import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import AuditEvent, Measure, MeasureBasis, PerformanceRecord, Rag, RatingAspect, ReturnStatus
from portal.monitoring.performance import record_performance
from tests.client import error_messages
from tests.factories import create_organisation
from tests.factories_assessment import create_officer
from tests.factories_monitoring import award_returns, create_award, first_return

TODAY = "2025-08-10 10:00:00+01:00"


def page_rows(page):
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in page.select("tbody tr")]


def test_an_officer_adds_and_changes_a_measure_with_errors_shown_beside_the_fields(client):
    officer = create_officer()
    award = create_award()
    client.sign_in(officer)
    url = f"/staff/monitoring/awards/{award.id}"
    page = client.post_form(url, {"name": "", "unit": "young people", "target": "many", "basis": "quarter"}, 200)
    errors = error_messages(page)
    assert errors["name"] == "Enter what the service promised"
    assert errors["target"] == "Enter a whole number, like 120"
    assert page.find("input", {"name": "target"})["value"] == "many"

    client.post_form(url, {"name": "Young people engaged", "unit": "young people", "target": "480", "basis": "year"})
    measure = db.session.scalar(sa.select(Measure))
    assert (measure.target, measure.basis, measure.target_for(1), measure.target_for(2)) == (
        480,
        MeasureBasis.YEAR,
        120,
        240,
    )
    page = client.get_page(f"{url}/measures/{measure.id}")
    assert page.find("input", {"name": "name"})["value"] == "Young people engaged"
    client.post_form(
        f"{url}/measures/{measure.id}", {"name": "Mentored", "unit": "people", "target": "30", "basis": "quarter"}
    )
    db.session.expire_all()
    assert (measure.name, measure.target, measure.basis) == ("Mentored", 30, MeasureBasis.QUARTER)
    actions = list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject_type == "measure").order_by(AuditEvent.id)
        )
    )
    assert actions == ["measure.created", "measure.updated"]


def test_the_returns_table_filters_by_what_needs_attention_sorts_and_pages(client):
    officer = create_officer()
    award = create_award(create_organisation("Bravo Trust"))  # Q1 due 30 July 2025, Q2 due 30 October
    other = create_award(create_organisation("Alpha Project"))
    submitted = first_return(other)
    submitted.status = ReturnStatus.SUBMITTED
    db.session.commit()
    with time_machine.travel(TODAY, tick=False):
        client.sign_in(officer)
        overdue = page_rows(client.get_page("/staff/monitoring/returns?show=overdue"))
        waiting = page_rows(client.get_page("/staff/monitoring/returns?show=awaiting_review"))
        due = page_rows(client.get_page("/staff/monitoring/returns?show=due&sort=organisation"))
        everything = client.get_page("/staff/monitoring/returns")
        second_page = client.get_page("/staff/monitoring/returns?page=2")
        by_fund = page_rows(client.get_page(f"/staff/monitoring/returns?fund={award.fund_id}&sort=due_on&order=desc"))
    assert [(row[1], row[2], row[4]) for row in overdue] == [(award.reference, "Bravo Trust", "Overdue")]
    assert [(row[1], row[4]) for row in waiting] == [(other.reference, "Submitted")]
    assert [row[2] for row in due] == ["Alpha Project"] * 7 + ["Bravo Trust"] * 7
    assert "Showing 1 to 16 of 16 returns" in everything.get_text(" ", strip=True)
    assert page_rows(second_page) == []
    assert by_fund[0][0].startswith("Q4 2026/27")
    assert len(by_fund) == 8


def test_the_returns_table_has_pages_of_25(client):
    officer = create_officer()
    for _ in range(4):
        create_award()  # 8 returns each
    client.sign_in(officer)
    first = client.get_page("/staff/monitoring/returns")
    second = client.get_page("/staff/monitoring/returns?page=2")
    assert len(page_rows(first)) == 25 and len(page_rows(second)) == 7
    assert second.select_one(".govuk-pagination") is not None


def accepted_record(award):
    return_ = first_return(award)
    return_.status, return_.spend_pence = ReturnStatus.ACCEPTED, 10_000_00
    return_.first_submitted_at = return_.submitted_at = None
    with time_machine.travel("2025-07-20 10:00:00+01:00", tick=False):
        record = record_performance(return_, None)
    db.session.commit()
    return record


def test_an_officer_overrides_a_rating_only_with_a_reason_and_the_history_is_kept(client):
    officer = create_officer("Priya Shah")
    award = create_award()
    record = accepted_record(award)
    assert (record.spend, record.timeliness, record.overall) == (Rag.GREEN, Rag.GREEN, Rag.GREEN)
    client.sign_in(officer)
    url = f"/staff/monitoring/records/{record.id}/override"
    page = client.get_page(f"{url}?aspect=spend")
    assert page.find("input", {"name": "aspect", "value": "spend"}).has_attr("checked")

    page = client.post_form(url, {"aspect": "spend", "rating": "red", "reason": "  "}, 200)
    assert error_messages(page)["reason"] == "Enter the reason for changing the rating"
    db.session.expire_all()
    assert record.spend is Rag.GREEN

    client.post_form(url, {"aspect": "spend", "rating": "red", "reason": "Spend was moved to next year."})
    db.session.expire_all()
    record = db.session.get(PerformanceRecord, record.id)
    assert (record.spend, record.overall) == (Rag.RED, Rag.RED)
    history = [(c.aspect, c.rating, c.overridden, c.reason) for c in record.changes[-2:]]
    assert history == [
        (RatingAspect.SPEND, Rag.RED, True, "Spend was moved to next year."),
        (RatingAspect.OVERALL, Rag.RED, False, None),
    ]
    client.post_form(url, {"aspect": "overall", "rating": "amber", "reason": "Agreed with the fund manager."})
    client.post_form(url, {"aspect": "delivery", "rating": "green", "reason": "Measures were agreed late."})
    db.session.expire_all()
    assert db.session.get(PerformanceRecord, record.id).overall is Rag.AMBER  # an overridden overall stands

    page = client.get_page(f"/staff/monitoring/awards/{record.award_id}/returns/{record.return_id}")
    text = page.get_text(" ", strip=True)
    assert "Changed by Priya Shah: Spend was moved to next year." in text
    assert "Worked out by the published rules" in text


def test_an_award_awaiting_approval_has_no_schedule_and_no_monitoring_page(client):
    from portal.models import AwardStatus
    from portal.monitoring.measures import generate_schedule

    officer = create_officer()
    award = create_award(status=AwardStatus.AWAITING_APPROVAL)
    assert award_returns(award) == []
    assert generate_schedule(award) == 0
    client.sign_in(officer)
    client.get_page(f"/staff/monitoring/awards/{award.id}", expected_status=404)


def test_a_schedule_follows_the_awards_dates_across_financial_years(client):
    award = create_award(
        start=date(2027, 2, 15), end=date(2029, 2, 28), amounts_pence=(10_000_00, 60_000_00, 50_000_00)
    )
    labels = [r.label for r in award_returns(award)]
    assert labels[0] == "Q4 2026/27" and labels[-1] == "Q4 2028/29" and len(labels) == 9
