"""The public list of funding opportunities: open and upcoming published rounds, filtered in the URL."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.database import utcnow
from portal.demo.rounds import CLOSED_ROUND_TITLE, SHORT_WINDOW_ROUND_TITLE, load
from portal.extensions import db
from portal.models.funding import Criterion, Fund, Question, QuestionKind, Round, RoundStatus, ServiceArea
from portal.rounds.services import window_check_for
from tests.factories import local_authority
from tests.factories_funding import create_criterion, create_fund, create_question, create_round
from tests.integration.rounds_support import closed_round, draft_round, today, upcoming_round


def titles(page) -> list[str]:
    return [h2.get_text(strip=True) for h2 in page.select("main h2 a")]


def test_the_list_shows_open_rounds_closing_soonest_then_upcoming_ones(client):
    fund = create_fund()
    create_round(
        fund, title="Closes later", closes_at=create_round(fund, title="Closes sooner").closes_at + timedelta(1)
    )
    upcoming_round(fund, title="Opens soon")
    draft_round(fund, title="A draft")
    closed_round(fund, title="Closed")

    page = client.get_page("/funding/")

    assert titles(page) == ["Closes sooner", "Closes later", "Opens soon"]
    assert page.select_one("[role=status]").get_text(strip=True) == "3 funding rounds"
    assert page.find("a", string="rounds that closed recently")["href"] == "/funding/closed"


def test_drafts_are_never_public(client):
    round_ = draft_round(title="Secret plans", opens=today() - timedelta(days=5), closes=today() + timedelta(days=50))
    assert "Secret plans" not in client.get_page("/funding/").text
    assert "Secret plans" not in client.get_page("/funding/closed").text
    client.get_page(f"/funding/{round_.id}", 404)
    round_.closes_at = round_.opens_at + timedelta(days=1)  # a draft whose dates have passed
    db.session.commit()
    assert "Secret plans" not in client.get_page("/funding/closed").text


def test_recently_closed_rounds_are_listed_separately_for_a_year(client):
    closed_round(title="Closed last month", days_ago=30)
    closed_round(title="Closed two years ago", days_ago=730)
    create_round(title="Still open")

    page = client.get_page("/funding/closed")

    assert titles(page) == ["Closed last month"]
    assert "Closed" in page.select_one("main .govuk-tag").text


def test_rounds_are_filtered_by_the_service_areas_of_their_fund(client):
    create_round(create_fund(service_areas=(ServiceArea.HATE_CRIME, ServiceArea.VICTIM_SUPPORT)), title="Hate crime")
    create_round(create_fund(service_areas=(ServiceArea.VIOLENCE_REDUCTION,)), title="Violence")

    page = client.get_page("/funding/?area=hate_crime")

    assert titles(page) == ["Hate crime"]
    assert page.find("select", {"name": "area"}).find("option", selected=True)["value"] == "hate_crime"
    assert page.select_one("[role=status]").get_text(" ", strip=True) == "1 funding round for hate crime"


def test_the_borough_filter_shows_london_wide_rounds_and_that_boroughs_own(client):
    create_round(title="London-wide")
    lambeth_round = create_round(title="Lambeth and Southwark")
    lambeth_round.boroughs = [local_authority("Lambeth"), local_authority("Southwark")]
    croydon_round = create_round(title="Croydon")
    croydon_round.boroughs = [local_authority("Croydon")]
    db.session.commit()

    lambeth = client.get_page("/funding/?borough=" + local_authority("Lambeth").gss_code)
    hackney = client.get_page("/funding/?borough=" + local_authority("Hackney").gss_code)
    everyone = client.get_page("/funding/")

    assert sorted(titles(lambeth)) == ["Lambeth and Southwark", "London-wide"]
    assert titles(hackney) == ["London-wide"]
    assert sorted(titles(everyone)) == ["Croydon", "Lambeth and Southwark", "London-wide"]
    assert "Lambeth, Southwark" in lambeth.text


def test_filters_combine(client):
    vawg = create_fund(service_areas=(ServiceArea.VAWG,))
    other = create_fund(service_areas=(ServiceArea.CRIME_PREVENTION,))
    create_round(vawg, title="VAWG London-wide")
    in_croydon = create_round(vawg, title="VAWG in Croydon")
    in_croydon.boroughs = [local_authority("Croydon")]
    create_round(other, title="Crime prevention London-wide")
    db.session.commit()

    page = client.get_page(f"/funding/?area=vawg&borough={local_authority('Lambeth').gss_code}")

    assert titles(page) == ["VAWG London-wide"]
    assert page.find("a", string="Clear filters")["href"] == "/funding/"


def test_unknown_filter_values_are_ignored(client):
    create_round(title="Any round")
    assert titles(client.get_page("/funding/?area=nonsense&borough=E00000000&page=abc")) == ["Any round"]


def test_with_nothing_matching_the_list_says_so_and_offers_to_clear_the_filters(client):
    page = client.get_page("/funding/?area=hate_crime")
    assert "There are no open or upcoming rounds that match your filters." in page.text
    assert "0 funding rounds" in page.text


def test_pages_of_results_keep_the_filters(client):
    fund = create_fund(service_areas=(ServiceArea.HATE_CRIME,))
    for number in range(21):
        create_round(fund, title=f"Round {number:02d}")

    first = client.get_page("/funding/?area=hate_crime")
    next_link = first.select_one(".govuk-pagination__next a")["href"]
    second = client.get_page(next_link)

    assert len(titles(first)) == 20
    assert "area=hate_crime" in next_link
    assert len(titles(second)) == 1


def test_a_rounds_page_tells_applicants_what_they_need_to_know(client):
    fund = create_fund("Victims' services", service_areas=(ServiceArea.VICTIM_SUPPORT, ServiceArea.VAWG))
    round_ = create_round(fund, title="Winter support", min_request_pence=5_000_00, max_request_pence=60_000_00)
    round_.short_window_reason = "The grant must be spent by March."
    db.session.commit()
    create_question(
        round_, "Are you in London?", kind=QuestionKind.YES_NO, is_eligibility=True, eligible_values=["yes"]
    )
    create_criterion(round_, "Need", weight=3)
    create_criterion(round_, "Value for money", weight=1)

    page = client.get_page(f"/funding/{round_.id}")
    text = page.get_text(" ", strip=True)

    assert page.h1.get_text(strip=True) == "Winter support"
    assert "Open now. Closes" in text
    assert "Why: The grant must be spent by March." in text
    assert f"{window_check_for(round_).working_days} working days, not counting weekends and bank holidays" in text
    assert "£5,000 to £60,000" in text
    assert "Bids of £25,000 or less use a shorter form. Bids over £25,000 use the full form." in text
    assert "24 to 48 months (2 to 4 years)" in text
    assert "Victim support, Violence against women and girls" in text
    assert "Anywhere in London" in text
    assert "Are you in London?" in text
    assert "Need 75%" in text and "Value for money 25%" in text
    assert page.select_one("a.govuk-button--start")["href"] == f"/funding/{round_.id}/apply"


def test_only_an_open_round_offers_to_start_a_bid(client):
    upcoming = upcoming_round()
    closed = closed_round()
    assert client.get_page(f"/funding/{upcoming.id}").select_one("a.govuk-button--start") is None
    assert "You can start your bid from" in client.get_page(f"/funding/{upcoming.id}").text
    closed_page = client.get_page(f"/funding/{closed.id}")
    assert closed_page.select_one("a.govuk-button--start") is None
    assert "This round closed on" in closed_page.text


@pytest.mark.parametrize(
    ("threshold", "sentence"),
    [
        (0, "Every bid in this round uses the full application form."),
        (500_000_00, "Every bid in this round uses the shorter, light-touch application form."),
    ],
)
def test_the_threshold_is_explained_when_every_bid_uses_one_form(client, threshold, sentence):
    round_ = create_round(small_bid_threshold_pence=threshold)
    assert sentence in client.get_page(f"/funding/{round_.id}").get_text(" ", strip=True)


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Fund, Round, Question, Criterion)
    )


def test_the_demo_loader_is_idempotent_and_covers_every_kind_of_round():
    first = load()
    counts = _counts()
    second = load()

    assert first.startswith("Demo funding: 5 funds, 5 rounds and")
    assert second == "Demo funding: 0 funds, 0 rounds and 0 questions added."
    assert _counts() == counts
    rounds = {r.title: r for r in db.session.scalars(sa.select(Round))}
    statuses = sorted(r.status(utcnow()) for r in rounds.values())
    assert statuses == sorted(
        [RoundStatus.OPEN, RoundStatus.OPEN, RoundStatus.UPCOMING, RoundStatus.CLOSED, RoundStatus.DRAFT]
    )
    short = rounds[SHORT_WINDOW_ROUND_TITLE]
    assert window_check_for(short).needs_reason and short.short_window_reason
    assert all(not window_check_for(r).needs_reason for r in rounds.values() if r.title != SHORT_WINDOW_ROUND_TITLE)
    assert rounds[CLOSED_ROUND_TITLE].closes_at < utcnow() - timedelta(days=14)
    for round_ in rounds.values():
        assert 3 <= len(round_.criteria) <= 4
        assert any(q.is_eligibility and q.eligible_values == ["yes"] for q in round_.questions)
    standard = db.session.scalars(sa.select(Question).where(Question.round_id.is_(None))).all()
    follow_ups = [q for q in standard if q.show_if_question_id]
    assert follow_ups and all(q.show_if_question.text.startswith("Does your organisation have") for q in follow_ups)
