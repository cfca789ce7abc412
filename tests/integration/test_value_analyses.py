"""Cost-benefit analyses: officers start one from a service's funding, add costs and outcomes (from accepted returns
or entered by hand) with their adjustments and reasons, and publish it; a published analysis never changes, and
drafts are never public."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, PublishedAnalysisChanged, ValueAnalysis, ValueCost, ValueOutcome
from portal.value import services
from tests.client import error_messages, summary_errors
from tests.factories import create_member, create_organisation
from tests.factories_assessment import create_officer
from tests.factories_monitoring import award_returns, create_award, create_measure
from tests.factories_reports import report_return
from tests.value_support import create_unit_value, draft_analysis, import_series, published_analysis


@pytest.fixture
def officer():
    return create_officer()


@pytest.fixture
def award(officer):
    import_series(officer)
    return create_award(title="Safer streets after school", officer=officer)


def events(action_prefix: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.like(f"{action_prefix}%")).order_by(AuditEvent.id)
        )
    )


def test_an_officer_starts_an_analysis_whose_costs_are_the_services_funding(client, officer, award):
    client.sign_in(officer)
    page = client.get_page("/staff/value/analyses/new")
    assert page.select_one(f"select[name=award] option[value='{award.id}']") is not None

    response = client.post_form(
        "/staff/value/analyses/new", {"award": str(award.id), "title": "Value of the service", "analysis_year": "2025"}
    )

    analysis = db.session.scalar(sa.select(ValueAnalysis))
    assert response.location == f"/staff/value/analyses/{analysis.id}"
    assert [(c.name, c.financial_year, c.amount_pence, c.from_funding) for c in analysis.costs] == [
        ("Grant, 2025/26", 2025, 40_000_00, True),
        ("Grant, 2026/27", 2026, 40_000_00, True),
    ]
    assert [e.action for e in events("value_analysis")] == ["value_analysis.created"]


def test_starting_an_analysis_with_nothing_chosen_shows_errors_beside_the_fields_and_keeps_what_was_typed(
    client, officer, award
):
    client.sign_in(officer)
    page = client.post_form(
        "/staff/value/analyses/new", {"award": "", "title": "Kept title", "analysis_year": "twenty"}, 400
    )
    assert error_messages(page) == {
        "award": "Select the service to analyse",
        "analysis_year": "Enter a year, like 2025",
    }
    assert page.select_one("input[name=title]")["value"] == "Kept title"
    assert page.select_one("input[name=analysis_year]")["value"] == "twenty"
    assert db.session.scalar(sa.select(sa.func.count(ValueAnalysis.id))) == 0


def test_the_workings_page_shows_every_step_worked_out_by_hand(client, officer, award):
    analysis = draft_analysis(award, officer)
    client.sign_in(officer)
    page = client.get_page(f"/staff/value/analyses/{analysis.id}")
    text = page.get_text(" ", strip=True)
    # Costs: £40,000 in 2025 (year 0), and £40,000 in 2026 = £39,215.69 in 2025 prices (x 100/102), ÷ 1.035.
    assert "£39,215.69" in text and "£37,889.55" in text
    assert "£77,889.55" in text  # present value of costs
    # Outcome: £14,050 in 2015 prices x 100/80 = £17,562.50; x 10 = £175,625; less 20% deadweight = £140,500.
    assert "£17,562.50" in text and "£175,625.00" in text and "£140,500.00" in text
    assert "A fifth would have happened anyway." in text
    # BCR = 140,500 / 77,889.55 = 1.80; NPV = 62,610.45.
    assert "1.80" in text and "£62,610.45" in text


def test_an_outcome_counted_from_a_measure_takes_what_its_accepted_returns_reported(client, officer, award):
    measure = create_measure(award, "Young people engaged")
    first, second, third = award_returns(award)[:3]
    report_return(first, officer, spend=10_000_00, people=30, actuals=[(measure, 30)])
    report_return(second, officer, spend=10_000_00, people=25, actuals=[(measure, 25)])
    report_return(third, officer, spend=10_000_00, people=99, actuals=[(measure, 99)], accept=False)
    unit_value = create_unit_value(officer)
    analysis = services.create_analysis(award, "By returns", 2025, officer)
    client.sign_in(officer)

    client.post_form(
        f"/staff/value/analyses/{analysis.id}/outcomes/new",
        {
            "name": "Young people kept safe",
            "unit_value": str(unit_value.id),
            "measure": str(measure.id),
            "financial_year": "2025",
            "count": "",
            "years": "2",
            "drop_off": "50",
            "drop_off_reason": "Halves each year.",
        },
    )

    outcome = db.session.scalar(sa.select(ValueOutcome))
    assert outcome.count == 55  # the two accepted returns; the submitted one is not counted
    assert outcome.count_source == "Accepted returns: 'Young people engaged' in 2025/26"
    assert (outcome.unit_value, outcome.price_year, outcome.drop_off, outcome.years) == (Decimal("14050"), 2015, 50, 2)


def test_an_adjustment_without_its_reason_is_refused_beside_its_field_and_nothing_is_saved(client, officer, award):
    unit_value = create_unit_value(officer)
    analysis = services.create_analysis(award, "Reasons", 2025, officer)
    client.sign_in(officer)
    page = client.post_form(
        f"/staff/value/analyses/{analysis.id}/outcomes/new",
        {
            "name": "Offences avoided",
            "unit_value": str(unit_value.id),
            "measure": "",
            "financial_year": "2025",
            "count": "12",
            "count_source": "",
            "years": "1",
            "deadweight": "30",
        },
        400,
    )
    assert error_messages(page) == {
        "count_source": "Say where the count comes from, such as an evaluation's estimate",
        "deadweight_reason": "Give the reason for the deadweight",
    }
    assert page.select_one("input[name=deadweight]")["value"] == "30"
    assert db.session.scalar(sa.select(sa.func.count(ValueOutcome.id))) == 0


def test_another_named_cost_is_added_and_one_can_be_removed_twice_harmlessly(client, officer, award):
    analysis = services.create_analysis(award, "Costs", 2025, officer)
    client.sign_in(officer)
    client.post_form(
        f"/staff/value/analyses/{analysis.id}/costs",
        {"name": "Council match funding", "financial_year": "2026", "amount": "5,000"},
    )
    db.session.expire_all()
    added = next(c for c in analysis.costs if c.name == "Council match funding")
    assert (added.financial_year, added.amount_pence, added.from_funding) == (2026, 5_000_00, False)
    for _ in range(2):
        client.post_form(f"/staff/value/analyses/{analysis.id}/costs/{added.id}/remove")
    db.session.expire_all()
    assert [c.name for c in analysis.costs] == ["Grant, 2025/26", "Grant, 2026/27"]
    assert [e.action for e in events("value_analysis.cost")] == [
        "value_analysis.cost_added",
        "value_analysis.cost_removed",
    ]


def test_publishing_needs_a_summary_and_lists_what_is_missing(client, officer, award):
    analysis = services.create_analysis(award, "Not ready", 2025, officer)
    client.sign_in(officer)
    response = client.post_form(f"/staff/value/analyses/{analysis.id}/publish")
    page = client.get_page(response.location)
    text = page.get_text(" ", strip=True)
    assert "Add at least one outcome before publishing" in text
    assert "Write a summary for the public before publishing" in text
    db.session.expire_all()
    assert not analysis.is_published


def test_publishing_freezes_the_deflators_so_a_later_import_changes_nothing(client, officer, award):
    analysis = published_analysis(award, officer)
    before = services.work_out(analysis)[0].central
    assert analysis.deflators == {"2015": "80", "2025": "100", "2026": "102"}
    assert [e.action for e in events("value_analysis.published")] == ["value_analysis.published"]

    import_series(officer, b"year,index\n2015,50\n2025,100\n2026,150\n")

    db.session.expire_all()
    assert services.work_out(analysis)[0].central == before
    assert before.benefit_cost_ratio == Decimal("1.80")


def test_a_published_analysis_never_changes_whatever_tries(client, officer, award):
    analysis = published_analysis(award, officer)
    client.sign_in(officer)
    # Through the pages: every change is refused and the page says why.
    for url, data in (
        (f"/staff/value/analyses/{analysis.id}/settings", {"title": "Changed", "analysis_year": "2025"}),
        (f"/staff/value/analyses/{analysis.id}/costs", {"name": "More", "financial_year": "2025", "amount": "1"}),
        (f"/staff/value/analyses/{analysis.id}/costs/{analysis.costs[0].id}/remove", {}),
        (f"/staff/value/analyses/{analysis.id}/outcomes/{analysis.outcomes[0].id}/remove", {}),
    ):
        response = client.post_form(url, data)
        assert "can never be changed" in client.get_page(response.location).get_text()
    # Through the services.
    with pytest.raises(Exception, match="can never be changed"):
        services.add_cost(analysis, "Sneaky", 2025, 100, officer)
    db.session.rollback()
    # Straight through the session, as any other code might.
    for change in (
        lambda a: setattr(a, "title", "Rewritten"),
        lambda a: setattr(a.costs[0], "amount_pence", 1),
        lambda a: a.outcomes[0].__setattr__("count", Decimal(1000)),
        lambda a: a.costs.append(ValueCost(name="Added", financial_year=2025, amount_pence=1)),
        lambda a: db.session.delete(a.outcomes[0]),
        lambda a: db.session.delete(a),
    ):
        fresh = db.session.get(ValueAnalysis, analysis.id)
        change(fresh)
        with pytest.raises(PublishedAnalysisChanged):
            db.session.commit()
        db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(ValueAnalysis, analysis.id)
    assert fresh.title == "Published analysis" and fresh.is_published
    assert [c.amount_pence for c in fresh.costs] == [40_000_00, 40_000_00]
    assert [o.count for o in fresh.outcomes] == [Decimal(10)]


def test_drafts_are_never_public_and_published_analyses_are(client, officer, award):
    draft = draft_analysis(award, officer, "SECRET-DRAFT-ANALYSIS")
    published = published_analysis(award, officer, "The published analysis")
    client.get_page(f"/value-for-money/{draft.id}", 404)
    listing = client.get_page("/value-for-money").get_text(" ", strip=True)
    assert "The published analysis" in listing and "SECRET-DRAFT" not in listing
    csv = client.get("/value-for-money.csv").get_data(as_text=True)
    assert "The published analysis" in csv and "SECRET-DRAFT" not in csv
    assert csv.splitlines()[1].split(",")[6:10] == ["77889.55", "140500.00", "62610.45", "1.80"]
    service = client.get_page(f"/services/{award.id}").get_text(" ", strip=True)
    assert "The published analysis" in service and "a benefit-cost ratio of 1.80" in service
    assert "SECRET-DRAFT" not in service
    page = client.get_page(f"/value-for-money/{published.id}").get_text(" ", strip=True)
    assert "£140,500.00" in page and "Home Office, The economic and social costs of crime" in page


def test_only_officers_reach_the_value_for_money_pages(client, officer, award):
    analysis = draft_analysis(award, officer)
    owner = create_member(create_organisation("Another charity"))
    provider = create_member(award.organisation)
    for user in (owner, provider):
        client.sign_in(user)
        for url in (
            "/staff/value",
            "/staff/value/unit-values",
            "/staff/value/deflators",
            f"/staff/value/analyses/{analysis.id}",
            f"/staff/value/analyses/{analysis.id}/outcomes/new",
        ):
            assert client.get(url).status_code == 403, url
        client.sign_out()
    assert client.get(f"/staff/value/analyses/{analysis.id}").status_code == 302  # to sign in
    client.sign_in(officer)
    client.get_page("/staff/value/analyses/999999", 404)
    summary = client.get_page("/staff/value").get_text(" ", strip=True)
    assert "Analysis of the service" in summary


def test_a_form_error_on_the_workings_page_keeps_what_was_typed(client, officer, award):
    analysis = services.create_analysis(award, "Typed", 2025, officer)
    client.sign_in(officer)
    page = client.post_form(
        f"/staff/value/analyses/{analysis.id}/costs",
        {"name": "Partner time", "financial_year": "2020", "amount": "x"},
        400,
    )
    assert error_messages(page) == {"amount": "Enter an amount in pounds, like 25000"}
    page = client.post_form(
        f"/staff/value/analyses/{analysis.id}/costs",
        {"name": "Partner time", "financial_year": "2020", "amount": "100"},
        400,
    )
    assert summary_errors(page) == ["The year must be the analysis year (2025/26) or later"]
    assert page.select_one("input[name=name]")["value"] == "Partner time"


def test_a_form_sent_twice_makes_one_analysis_one_cost_and_one_outcome(client, officer, award):
    client.sign_in(officer)
    form = {"award": str(award.id), "title": "Sent twice", "analysis_year": "2025"}
    first = client.post_form("/staff/value/analyses/new", form)
    second = client.post_form("/staff/value/analyses/new", form)
    assert first.location == second.location
    analysis = db.session.scalar(sa.select(ValueAnalysis))
    cost = {"name": "Council match funding", "financial_year": "2025", "amount": "5000"}
    for _ in range(2):
        client.post_form(f"/staff/value/analyses/{analysis.id}/costs", cost)
    unit_value = create_unit_value(officer)
    outcome = {
        "name": "Offences avoided",
        "unit_value": str(unit_value.id),
        "measure": "",
        "financial_year": "2025",
        "count": "3",
        "count_source": "Evaluation",
        "years": "1",
    }
    client.post_form(f"/staff/value/analyses/{analysis.id}/outcomes/new", outcome)
    page = client.post_form(f"/staff/value/analyses/{analysis.id}/outcomes/new", outcome, 400)
    assert error_messages(page) == {"name": "This outcome is already counted in that year: change it instead"}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(ValueAnalysis.id))) == 1
    assert [c.name for c in analysis.costs].count("Council match funding") == 1
    assert len(analysis.outcomes) == 1
