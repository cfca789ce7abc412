"""The one definition of funding in a borough for a financial year, and the map and dashboards giving the same
figure for the same borough and year."""

import csv
import io
import json
from datetime import date

import sqlalchemy as sa

from portal.database import utcnow
from portal.directory import borough_funding
from portal.directory.borough_funding import Borough, Reach, share_by_residents
from portal.extensions import db
from portal.models import AwardStatus, LocalAuthority, PlanStatus
from portal.periods import financial_year_start
from tests.directory_support import create_service, today
from tests.factories_boroughs import create_council, create_plan

HACKNEY, CAMDEN, CITY = "E09000012", "E09000007", "E09000001"


def borough(id_: int, name: str, residents: int) -> Borough:
    return Borough(id_, f"E0900000{id_}", name, residents, True)


def test_a_share_follows_residents_and_the_pence_left_over_go_to_the_largest_fractions():
    assert share_by_residents(1000, [borough(1, "A", 100), borough(2, "B", 300)]) == {1: 250, 2: 750}
    # 10p by 1:2 is 3.33p and 6.67p: the penny left over goes to the larger fraction.
    assert share_by_residents(10, [borough(1, "A", 1), borough(2, "B", 2)]) == {1: 3, 2: 7}
    # Equal fractions: the first boroughs by name get the pence over, so the result never changes.
    assert share_by_residents(10, [borough(1, "A", 5), borough(2, "B", 5), borough(3, "C", 5)]) == {1: 4, 2: 3, 3: 3}
    assert share_by_residents(0, [borough(1, "A", 5)]) == {1: 0}
    assert share_by_residents(500, []) == {}


def this_year() -> int:
    return financial_year_start(today())


def id_of(gss_code: str) -> int:
    return db.session.scalar(sa.select(LocalAuthority.id).where(LocalAuthority.gss_code == gss_code))


def create_services() -> dict:
    year = this_year()
    start = date(year, 4, 1)
    services = {
        # £100,000 this year and £60,000 next: it spans two financial years.
        "two": create_service(
            "Two boroughs", boroughs=("Hackney", "Camden"), start=start, amounts_pence=(100_000_00, 60_000_00)
        ),
        "own": create_service("Hackney only", boroughs=("Hackney",), start=start, amounts_pence=(12_345_67,)),
        "london": create_service("Everywhere", pan_london=True, start=start, amounts_pence=(500_000_00,)),
        # Ran last year and ended: it counts in last year only.
        "ended": create_service(
            "Ended last year",
            boroughs=("Hackney",),
            start=date(year - 1, 4, 1),
            end=date(year, 3, 31),
            amounts_pence=(7_000_00,),
        ),
    }
    withdrawn = create_service(
        "Withdrawn",
        boroughs=("Hackney",),
        start=start,
        amounts_pence=(900_000_00,),
        status=AwardStatus.AWAITING_APPROVAL,
    )
    withdrawn.status = AwardStatus.WITHDRAWN
    withdrawn.withdrawn_at = utcnow()
    withdrawn.withdrawal_reason = "The provider closed."
    db.session.commit()
    return services


def test_funding_in_a_borough_for_a_year(app):
    services = create_services()
    year = this_year()
    hackney, camden, city = id_of(HACKNEY), id_of(CAMDEN), id_of(CITY)

    funding = borough_funding.funding_for_year(year)
    by_title = {service.title: service for service in funding.services}
    assert set(by_title) == {"Two boroughs", "Hackney only", "Everywhere"}  # not the ended or withdrawn awards

    # Hackney (259,146 residents) and Camden (210,136) share £100,000: £55,221.80 and £44,778.19, and the penny
    # left over goes to Hackney's larger fraction.
    assert by_title["Two boroughs"].reach is Reach.MULTI
    assert by_title["Two boroughs"].shares == {hackney: 5_522_181, camden: 4_477_819}
    assert by_title["Hackney only"].reach is Reach.OWN
    assert by_title["Hackney only"].shares == {hackney: 12_345_67}
    everywhere = by_title["Everywhere"]
    assert everywhere.reach is Reach.LONDON_WIDE
    assert len(everywhere.shares) == 32 and city not in everywhere.shares  # the 32 LCPF boroughs, not the City
    assert sum(everywhere.shares.values()) == 500_000_00
    assert abs(everywhere.shares[hackney] - 500_000_00 * 259_146 / 8_791_144) < 1

    assert funding.pence(hackney) == 5_522_181 + 12_345_67 + everywhere.shares[hackney]
    assert funding.pence(city) == 0
    assert sum(funding.by_borough.values()) == funding.total_pence == 100_000_00 + 12_345_67 + 500_000_00
    assert [s.title for s in funding.services_in(hackney)] == ["Everywhere", "Hackney only", "Two boroughs"]

    # Next year only the second year of the two-borough service; last year only the ended service.
    next_year = borough_funding.funding_for_year(year + 1)
    assert next_year.by_borough == {hackney: 3_313_308, camden: 2_686_692}
    last_year = borough_funding.funding_for_year(year - 1)
    assert last_year.by_borough == {hackney: 7_000_00}
    assert services["ended"].id in {s.award_id for s in last_year.services}


def test_a_london_wide_service_that_names_the_city_is_shared_with_it_too(app):
    service = create_service("Everywhere and the City", boroughs=("City of London",), start=date(this_year(), 4, 1))
    service.works_pan_london = True
    db.session.commit()
    shares = borough_funding.funding_for_year(this_year()).services[0].shares
    assert len(shares) == 33 and id_of(CITY) in shares


def test_the_map_and_the_dashboard_give_every_borough_the_same_figure_for_the_same_year(client):
    create_services()
    year = this_year()
    # A borough's own LCPF projects count in their borough on both, in each year of the approved plan.
    council, _ = create_council("Hackney")
    create_plan(council, years=(year, year + 1), status=PlanStatus.APPROVED, projects=2, amount_pence=50_000_00)
    for asked in (year, year + 1, year - 1):
        figures = json.loads(client.get(f"/map/data.json?year={asked}").data)
        assert figures["year"] == asked
        response = client.get(f"/dashboards/spend-by-borough.csv?year={asked}")
        dashboard = {row["Local authority"]: row for row in csv.DictReader(io.StringIO(response.data.decode()))}
        assert len(dashboard) == len(figures["boroughs"]) == 33
        for mapped in figures["boroughs"].values():
            pounds = dashboard[mapped["name"]]["Awarded (£)"]
            assert int(pounds.replace(".", "")) == mapped["funding"], (asked, mapped["name"])
        assert figures["boroughs"][HACKNEY]["funding"] > 0
        if asked != year - 1:
            assert figures["boroughs"][HACKNEY]["funding"] > 100_000_00


def test_the_map_names_its_year_counts_london_wide_services_in_every_borough_and_links_to_borough_pages(client):
    create_services()
    year = this_year()
    label = f"{year}/{(year + 1) % 100:02d}"
    figures = json.loads(client.get("/map/data.json").data)  # the current financial year unless asked
    assert figures["year"] == year and figures["period"] == f"Financial year {label}"
    assert figures["boroughs"][HACKNEY]["services"] == 3
    assert figures["boroughs"]["E09000006"]["services"] == 1  # Bromley: the London-wide service
    assert figures["boroughs"]["E09000006"]["funding"] > 0
    assert figures["boroughs"][CITY]["services"] == 0
    assert figures["panLondonServices"] == 1
    assert figures["boroughs"][HACKNEY]["boroughUrl"] == f"/boroughs/{HACKNEY}?year={year}"

    page = client.get_page("/map")
    assert label in page.h1.get_text()
    assert label in page.select_one("table caption").get_text()
    hackney = next(tr for tr in page.select("tbody tr") if tr.select_one("th").get_text(strip=True) == "Hackney")
    assert hackney.a["href"] == f"/boroughs/{HACKNEY}?year={year}"
    # A year with no funding is not on offer: the current year is shown instead.
    assert json.loads(client.get("/map/data.json?year=1999").data)["year"] == year
