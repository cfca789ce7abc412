"""An approved award of three years or more must have an interim and a final evaluation planned: one missing, or a
planned evaluation past its date, shows on the officers' home and in the committee report. Dates are relative to
today, so the tests mean the same whenever they run."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal import work
from portal.awards.services import add_months
from portal.evaluations import rules
from portal.extensions import db
from portal.models import Award, AwardStatus, EvaluationKind, EvaluationStatus, StaffRole
from portal.periods import today_in_london
from portal.reports.content import HalfYear
from tests.factories import create_user
from tests.factories_evaluations import create_evaluation
from tests.factories_monitoring import create_award
from tests.integration.test_committee_reports import build, pdf_text
from tests.integration.test_staff_home import counting_queries, rows_in_table, work_items


def three_years_from(start: date, days_short: int = 0) -> date:
    return add_months(start, 36) - timedelta(days=1 + days_short)


def long_award(title="Three-year mentoring", start=None, **fields):
    start = start or today_in_london() - timedelta(days=200)
    return create_award(title=title, start=start, end=three_years_from(start), with_schedule=False, **fields)


def officer():
    return create_user(staff_role=StaffRole.GRANT_OFFICER, full_name="Priya Shah", email="priya@example.org")


@pytest.mark.parametrize(
    ("start", "days_short", "is_long"),
    [
        (date(2025, 4, 1), 0, True),  # 1 April 2025 to 31 March 2028: three years exactly
        (date(2025, 4, 1), 1, False),  # a day short
        (date(2025, 4, 2), 0, True),
        (date(2024, 2, 29), 0, True),  # from a leap day: to 27 February 2027
        (date(2024, 2, 29), 1, False),
        (date(2023, 3, 1), 0, True),  # over a leap day: to 29 February 2026
        (date(2023, 3, 1), 1, False),
    ],
)
def test_the_rule_and_its_sql_agree_on_which_awards_are_three_years_or_more(app, start, days_short, is_long):
    award = create_award(start=start, end=three_years_from(start, days_short), with_schedule=False)
    assert rules.is_long(award) is is_long
    in_sql = db.session.scalar(sa.select(Award.id).where(Award.id == award.id, rules.long_award()))
    assert (in_sql is not None) is is_long


def test_a_long_award_misses_evaluations_until_it_has_both_an_interim_and_a_final(app):
    award = long_award()
    short = create_award(start=today_in_london(), end=today_in_london() + timedelta(days=700), with_schedule=False)
    waiting = long_award(title="Not approved", status=AwardStatus.AWAITING_APPROVAL)

    def missing():
        return set(db.session.scalars(sa.select(Award.id).where(rules.missing_evaluation())))

    assert missing() == {award.id}
    assert short.id not in missing() and waiting.id not in missing()
    create_evaluation(award, kind=EvaluationKind.INTERIM)
    assert missing() == {award.id}
    create_evaluation(award, kind=EvaluationKind.PROCESS)
    assert missing() == {award.id}
    create_evaluation(award, kind=EvaluationKind.FINAL)
    assert missing() == set()


def test_a_planned_evaluation_is_overdue_only_after_its_date_and_until_it_is_done(app):
    today = today_in_london()
    award = long_award()
    yesterday = create_evaluation(award, planned_on=today - timedelta(days=1))
    create_evaluation(award, kind=EvaluationKind.FINAL, planned_on=today)
    create_evaluation(
        award, kind=EvaluationKind.PROCESS, planned_on=today - timedelta(days=30), status=EvaluationStatus.DONE
    )
    from portal.models import Evaluation

    overdue = set(db.session.scalars(sa.select(Evaluation.id).where(rules.overdue(today))))
    assert overdue == {yesterday.id}
    assert yesterday.overdue_on(today) and not yesterday.overdue_on(today - timedelta(days=1))


def test_the_officers_home_counts_missing_and_overdue_evaluations_in_its_one_query_and_links_to_them(client):
    today = today_in_london()
    staff = officer()
    missing_both = long_award(title="Missing both")
    has_interim = long_award(title="Missing the final")
    create_evaluation(has_interim, planned_on=today - timedelta(days=5))  # and this interim is overdue
    complete = long_award(title="Complete")
    create_evaluation(complete, kind=EvaluationKind.INTERIM, planned_on=today + timedelta(days=5))
    create_evaluation(complete, kind=EvaluationKind.FINAL, planned_on=today + timedelta(days=500))
    assert missing_both.id and staff.id

    with counting_queries() as statements:
        counts = work.fetch_officer_work(staff, today)
    assert len(statements) == 1
    assert (counts.evaluations_missing, counts.evaluations_overdue) == (2, 1)

    client.sign_in(staff)
    items = work_items(client.get_page("/staff/"))
    missing_link = items["2 services of 3 years or more missing an interim or final evaluation"]
    overdue_link = items["1 evaluation overdue"]
    assert rows_in_table(client, missing_link) == 2
    assert rows_in_table(client, overdue_link) == 1
    page = client.get_page(missing_link)
    assert {a.get_text(" ", strip=True) for a in page.select("main table a")} == {
        "Plan the interim evaluation of Missing both",
        "Plan the final evaluation of Missing both",
        "Plan the final evaluation of Missing the final",
    }


def test_the_committee_report_shows_each_long_services_evaluations_with_missing_and_overdue_ones(run_jobs, client):
    today = today_in_london()
    period = HalfYear.last_completed(today)
    start = period.start - timedelta(days=400)
    missing = long_award(title="Mentoring with no evaluations", start=start)
    overdue = long_award(title="Advocacy with an overdue interim", start=start)
    create_evaluation(overdue, planned_on=period.end - timedelta(days=20), question="SECRET-QUESTION")
    create_evaluation(overdue, kind=EvaluationKind.FINAL, planned_on=period.end + timedelta(days=600))
    create_award(title="Two-year service", start=period.start, end=period.start + timedelta(days=700))
    staff = officer()
    run = build(staff, run_jobs, period)

    sheet = load_workbook(io.BytesIO(run.xlsx))["Evaluations"]
    rows = {row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[2]}
    assert set(rows) == {"Mentoring with no evaluations", "Advocacy with an overdue interim"}
    assert rows["Mentoring with no evaluations"][5:7] == ("Missing: none planned", "Missing: none planned")
    assert rows["Advocacy with an overdue interim"][5].startswith("Overdue: planned for")
    assert rows["Advocacy with an overdue interim"][6].startswith("Planned for")
    text = pdf_text(run.pdf)
    assert "Evaluations of services of three years or more" in text
    assert "Mentoring with no evaluations" in text and "Overdue: planned for" in text
    assert "SECRET-QUESTION" not in text + str(list(sheet.values))
    assert missing.id

    client.sign_in(staff)
    page = client.get_page(f"/staff/reports/{run.id}")
    table = page.select_one("main table").get_text(" ")
    assert "Mentoring with no evaluations" in table and "Overdue: planned for" in table


def test_an_awards_page_warns_of_a_missing_evaluation_and_links_to_plan_it(client):
    award = long_award()
    create_evaluation(award, kind=EvaluationKind.FINAL)
    client.sign_in(officer())
    page = client.get_page(f"/staff/awards/{award.id}")
    section = page.find("h2", id="evaluations").find_parent("div").get_text(" ")
    assert "has no interim evaluation planned" in section
    link = page.find("a", string="Plan an evaluation of this service")["href"]
    assert link.endswith(f"award={award.id}&kind=interim")
    assert page.find("a", string="Final evaluation") is not None
