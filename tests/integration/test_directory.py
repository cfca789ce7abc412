"""The public directory of funded services: filters and their combinations, postcode districts, phases, unapproved
awards, overdue returns, and what a service's page shows."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import AwardStatus, ReturnStatus, ServiceArea
from tests.directory_support import create_service, rate, today
from tests.factories import create_organisation, local_authority
from tests.factories_funding import create_fund
from tests.factories_monitoring import award_returns


def titles(page) -> list[str]:
    return sorted(h.get_text(strip=True) for h in page.select("main h2.govuk-heading-m a"))


@pytest.fixture
def services():
    """Four services: two in Southwark (one by a provider called Peckham Alpha), one in Lambeth and one London-wide."""
    alpha = create_organisation("Peckham Alpha Trust")
    victims = create_fund("Victims' services")
    violence = create_fund("VRU programmes", service_areas=(ServiceArea.VIOLENCE_REDUCTION,))
    return {
        "southwark_vawg": create_service(
            "Southwark VAWG advocates", organisation=alpha, areas=(ServiceArea.VAWG,), fund=victims
        ),
        "southwark_youth": create_service(
            "Southwark youth mentoring",
            areas=(ServiceArea.CHILDREN_AND_YOUNG_PEOPLE, ServiceArea.VIOLENCE_REDUCTION),
            fund=violence,
        ),
        "lambeth": create_service(
            "Lambeth violence interrupters",
            boroughs=("Lambeth",),
            areas=(ServiceArea.VIOLENCE_REDUCTION,),
            fund=violence,
        ),
        "london": create_service("London victims helpline", pan_london=True, fund=victims),
    }


def test_every_current_service_is_listed_without_filters(client, services):
    page = client.get_page("/services")
    assert titles(page) == sorted(award.title for award in services.values())
    assert "4 services" in page.select_one("[role=status]").get_text()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("borough=E09000028", ["London victims helpline", "Southwark VAWG advocates", "Southwark youth mentoring"]),
        ("borough=E09000022", ["Lambeth violence interrupters", "London victims helpline"]),
        ("area=violence_reduction", ["Lambeth violence interrupters", "Southwark youth mentoring"]),
        ("borough=E09000028&area=violence_reduction", ["Southwark youth mentoring"]),
        ("provider=alpha", ["Southwark VAWG advocates"]),
        ("provider=ALPHA&borough=E09000022", []),
        ("borough=E09000028&area=vawg&provider=peckham", ["Southwark VAWG advocates"]),
    ],
)
def test_filters_combine(client, services, query, expected):
    assert titles(client.get_page(f"/services?{query}")) == expected


def test_fund_filter_and_its_combination_with_borough(client, services):
    fund_id = services["lambeth"].fund_id
    assert titles(client.get_page(f"/services?fund={fund_id}")) == [
        "Lambeth violence interrupters",
        "Southwark youth mentoring",
    ]
    assert titles(client.get_page(f"/services?fund={fund_id}&borough=E09000028")) == ["Southwark youth mentoring"]


def test_rating_filter_reads_the_latest_accepted_rating(client, services):
    rate(services["southwark_vawg"], 0, 100)  # red, then green: the latest is green
    rate(services["lambeth"], 100, 0)  # green, then red
    assert titles(client.get_page("/services?rating=green")) == ["Southwark VAWG advocates"]
    assert titles(client.get_page("/services?rating=red")) == ["Lambeth violence interrupters"]
    assert titles(client.get_page("/services?rating=none")) == ["London victims helpline", "Southwark youth mentoring"]
    assert titles(client.get_page("/services?rating=red&borough=E09000028")) == []


def test_an_unaccepted_return_does_not_change_the_public_rating(client, services):
    award = services["lambeth"]
    rate(award, 100)
    second = award_returns(award)[1]
    second.status = ReturnStatus.SUBMITTED
    db.session.commit()
    assert titles(client.get_page("/services?rating=green")) == ["Lambeth violence interrupters"]


def test_filters_stay_in_the_links_so_a_search_can_be_shared(client, services):
    for index in range(30):
        create_service(f"Extra Southwark service {index:02d}")
    page = client.get_page("/services?borough=E09000028&area=victim_support")
    next_link = page.select_one(".govuk-pagination__next a")["href"]
    assert "borough=E09000028" in next_link and "area=victim_support" in next_link and "page=2" in next_link
    second = client.get_page(next_link)
    assert len(titles(second)) == 31 - 25  # 30 extra and the London-wide helpline, 25 a page


# --- Postcode districts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["se15", "SE15", " se15 3ab ", "SE153AB"])
def test_a_postcode_or_district_is_read_as_its_district(client, services, typed):
    page = client.get_page(f"/services?postcode={typed}")
    assert page.select_one("#postcode")["value"] == "SE15"
    assert "Southwark VAWG advocates" in titles(page)


def test_a_district_that_straddles_boroughs_shows_every_candidate_and_lets_you_choose(client, services):
    page = client.get_page("/services?postcode=SE5")  # Southwark, with Lambeth within a kilometre
    inset = page.select_one(".govuk-inset-text").get_text(" ", strip=True)
    assert "may be in any of these boroughs" in inset
    assert "Southwark" in inset and "Lambeth" in inset
    assert "Lambeth violence interrupters" in titles(page) and "Southwark youth mentoring" in titles(page)
    only_lambeth = next(a["href"] for a in page.select(".govuk-inset-text a") if a.get_text() == "Only Lambeth")
    narrowed = client.get_page(only_lambeth)
    assert titles(narrowed) == ["Lambeth violence interrupters", "London victims helpline"]


def test_a_district_in_one_borough_only_shows_that_borough(client, services):
    page = client.get_page("/services?postcode=SE22")
    assert page.select_one(".govuk-inset-text") is None
    assert "Lambeth violence interrupters" not in titles(page)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ZZ9", "We do not know the postcode district ZZ9"),
        ("not a postcode", "Enter a postcode district like SE15"),
    ],
)
def test_an_unknown_or_malformed_postcode_is_explained_beside_the_field(client, services, typed, message):
    page = client.get_page(f"/services?postcode={typed}", expected_status=400)
    assert message in page.select_one(".govuk-error-summary").get_text()
    assert message in page.select_one("#postcode-error").get_text()
    assert page.select_one("#postcode")["value"] == typed
    assert page.title.get_text().startswith("Error:")


def test_a_postcode_outside_the_chosen_borough_says_so(client, services):
    page = client.get_page("/services?postcode=SE22&borough=E09000033", expected_status=400)
    assert "SE22 is not in Westminster" in page.select_one("#postcode-error").get_text()


# --- Phases and approval ----------------------------------------------------------------------------------------


@pytest.fixture
def phased():
    return {
        "ended": create_service("Ended service", start=today() - timedelta(days=800), end=today() - timedelta(days=1)),
        "active": create_service("Active service"),
        "soon": create_service("Starting soon", start=today() + timedelta(days=30), end=today() + timedelta(days=700)),
        "unapproved": create_service("Awaiting approval service", status=AwardStatus.AWAITING_APPROVAL),
        "second": create_service("Awaiting second approval", status=AwardStatus.AWAITING_SECOND_APPROVAL),
    }


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("", ["Active service", "Starting soon"]),
        ("active", ["Active service"]),
        ("not_started", ["Starting soon"]),
        ("ended", ["Ended service"]),
        ("all", ["Active service", "Ended service", "Starting soon"]),
    ],
)
def test_phases_filter_and_unapproved_awards_never_show(client, phased, phase, expected):
    assert titles(client.get_page(f"/services?phase={phase}")) == expected


def test_each_phase_is_shown_in_words_on_the_service_page(client, phased):
    ended = client.get_page(f"/services/{phased['ended'].id}").select_one("main").get_text(" ", strip=True)
    assert "Ended Ended" in ended  # the tag, then "Ended <date>."
    soon = client.get_page(f"/services/{phased['soon'].id}").select_one("main").get_text(" ", strip=True)
    assert "Not started yet Starts" in soon
    active = client.get_page(f"/services/{phased['active'].id}").select_one("main").get_text(" ", strip=True)
    assert "Active Runs until" in active


def test_an_unapproved_award_has_no_public_page(client, phased):
    client.get_page(f"/services/{phased['unapproved'].id}", expected_status=404)
    client.get_page(f"/services/{phased['second'].id}", expected_status=404)
    client.get_page("/services/999999", expected_status=404)


# --- A service's page -------------------------------------------------------------------------------------------


def test_the_service_page_shows_provider_funding_rating_trend_and_outcomes(client):
    provider = create_organisation("Camberwell Safe Spaces", charity_number="1234567")
    award = create_service("Camberwell safe spaces", organisation=provider, boroughs=("Southwark", "Lambeth"))
    rate(award, 0, 100)  # red, then green
    for later in award_returns(award)[2:]:
        if later.due_on < today():
            later.status = ReturnStatus.SUBMITTED  # in, but not yet accepted: neither overdue nor public
    db.session.commit()
    page = client.get_page(f"/services/{award.id}")
    text = page.select_one("main").get_text(" ", strip=True)
    assert "Charity number 1234567" in text
    assert "Lambeth, Southwark" in text
    assert "£80,000" in text and award.fund.name in text
    assert "Latest rating Green" in text
    assert "Better than the period before" in text
    assert "Last updated" in text
    outcomes = page.select_one("table caption:-soup-contains('Outcomes against targets')").find_parent("table")
    assert "People supported" in outcomes.get_text() and "100%" in outcomes.get_text()
    assert "overdue" not in text


def test_a_service_with_an_overdue_return_says_so(client):
    award = create_service("Late returns service")
    first = award_returns(award)[0]
    assert first.due_on < today() and first.status is ReturnStatus.DUE
    text = client.get_page(f"/services/{award.id}").select_one("main").get_text(" ", strip=True)
    assert "monitoring return is overdue" in text or "returns are overdue" in text
    listing = client.get_page("/services")
    assert "Returns overdue" in listing.select_one(".portal-service-card").get_text()


def test_a_service_without_accepted_returns_has_no_rating_yet(client):
    award = create_service("New service", start=today() - timedelta(days=10))
    text = client.get_page(f"/services/{award.id}").select_one("main").get_text(" ", strip=True)
    assert "No monitoring return has been accepted yet" in text


def test_districts_are_loaded_with_their_candidate_boroughs():
    from portal.directory.postcodes import find_district

    se5 = find_district("se5 9rs")
    assert se5.outcode == "SE5"
    assert se5.boroughs[0].name == "Southwark"
    assert local_authority("Lambeth") in se5.boroughs
