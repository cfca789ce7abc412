"""What the directory and map may show, and their cache: private data never reaches a public page, and a change
shows up once the cache has expired."""

import json
import time
from datetime import date

import pytest

from portal.extensions import db
from portal.models import ApplicationStatus, AwardStatus, MeasureActual, Membership, MembershipRole, ReturnStatus
from portal.periods import financial_year_start
from tests.directory_support import create_service, rate, today
from tests.factories import create_organisation, create_user
from tests.factories_assessment import (
    assign,
    bid_in_review,
    create_assessed_round,
    create_bid,
    create_officer,
    create_reviewer,
    score,
)
from tests.factories_funding import create_round
from tests.factories_monitoring import award_returns, create_measure

SECRETS = [
    "Secret draft bid about Peckham",  # a draft bid's title
    "Bid in review about Brixton",  # a bid being assessed
    "Unapproved award over the limit",  # an award awaiting approval
    "Awaiting second sign-off",  # an award awaiting its second approval
    "£987,654.32",  # an unaccepted return's spend
    "987654",  # ... in pence, or in a JSON body
    "7319",  # its people helped and measure actual
    "Unaccepted progress narrative",
    "Reviewer thought the need was thin",  # a reviewer's justification for a score
    "secret.officer@example.org",  # people's email addresses
    "provider.owner@example.org",
    "contact@example.org",
    "Draft round not yet published",
]


@pytest.fixture
def private_data():
    officer = create_officer(email="secret.officer@example.org")
    reviewer = create_reviewer()
    round_ = create_assessed_round("Public round")
    create_bid(round_, status=ApplicationStatus.DRAFT, title="Secret draft bid about Peckham")
    in_review = bid_in_review(round_, officer, title="Bid in review about Brixton", boroughs=("Lambeth",))
    score(assign(in_review, reviewer, officer), {"Need": 2, "Delivery": 3}, note="Reviewer thought the need was thin")
    create_round(title="Draft round not yet published", published=False)

    provider = create_organisation("Public Provider Trust")
    owner = create_user("provider.owner@example.org")
    db.session.add(Membership(user=owner, organisation=provider, role=MembershipRole.OWNER))
    public = create_service("Public approved service", organisation=provider, boroughs=("Southwark", "Lambeth"))
    public.approved_by = officer
    measure = create_measure(public, "People supported", target=100)
    rate(public, 100)
    unaccepted = award_returns(public)[1]
    unaccepted.status = ReturnStatus.SUBMITTED
    unaccepted.spend_pence = 987_654_32
    unaccepted.people_helped = 7319
    unaccepted.progress = "Unaccepted progress narrative"
    unaccepted.actuals.append(MeasureActual(measure_id=measure.id, actual=7319))
    create_service("Unapproved award over the limit", status=AwardStatus.AWAITING_APPROVAL)
    create_service("Awaiting second sign-off", status=AwardStatus.AWAITING_SECOND_APPROVAL, boroughs=("Lambeth",))
    db.session.commit()
    return public


def test_private_data_never_reaches_a_public_page_or_the_map_data(client, private_data):
    pages = [
        "/services",
        "/services?phase=all",
        "/services?borough=E09000022",
        "/services?postcode=SE5",
        "/services?rating=none",
        f"/services/{private_data.id}",
        "/map",
        "/map?shade=services",
        "/map/data.json",
        "/map/data.json?shade=services",
        "/funding/",
        "/alerts",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in body, f"{secret!r} appears on {url}"
    # ...while the public service itself is there, so the check above is not vacuous.
    assert "Public approved service" in client.get("/services").get_data(as_text=True)
    service_page = client.get(f"/services/{private_data.id}").get_data(as_text=True)
    assert "Public Provider Trust" in service_page and "Green" in service_page


def test_signed_in_staff_see_the_same_public_directory(client, private_data):
    from portal.models import User

    officer = db.session.query(User).filter_by(email="secret.officer@example.org").one()
    client.sign_in(officer)
    body = client.get("/services?phase=all").get_data(as_text=True)
    for secret in SECRETS[:4]:
        assert secret not in body


def test_a_new_service_appears_once_the_cache_expires(app, client):
    create_service("First service", boroughs=("Hackney",))
    # The cache keeps expiry times in whole seconds, so an entry lasts between two and three seconds here.
    app.config["PUBLIC_CACHE_SECONDS"] = 3
    try:
        assert "First service" in client.get("/services").get_data(as_text=True)
        before = json.loads(client.get("/map/data.json?shade=services").data)
        assert before["boroughs"]["E09000012"]["services"] == 1  # Hackney

        create_service("Second service", boroughs=("Hackney",))
        # Within the cache's lifetime the shared figures are reused, not recomputed per request...
        assert "Second service" not in client.get("/services").get_data(as_text=True)
        assert json.loads(client.get("/map/data.json?shade=services").data)["boroughs"]["E09000012"]["services"] == 1

        time.sleep(3.2)
        # ...and once it expires, the change shows.
        assert "Second service" in client.get("/services").get_data(as_text=True)
        after = json.loads(client.get("/map/data.json?shade=services").data)
        assert after["boroughs"]["E09000012"]["services"] == 2
    finally:
        app.config["PUBLIC_CACHE_SECONDS"] = 300


def test_a_change_to_published_data_shows_as_soon_as_the_open_data_job_has_run(client):
    from workers.opendata import regenerate

    create_service("First service", boroughs=("Hackney",))
    assert "First service" in client.get("/services").get_data(as_text=True)
    create_service("Second service", boroughs=("Hackney",))
    assert "Second service" not in client.get("/services").get_data(as_text=True)  # the cached figures
    regenerate()  # queued by every change to published data
    assert "Second service" in client.get("/services").get_data(as_text=True)
    assert json.loads(client.get("/map/data.json?shade=services").data)["boroughs"]["E09000012"]["services"] == 2


def test_the_cache_is_keyed_by_the_whole_query(client):
    create_service("Hackney service", boroughs=("Hackney",))
    create_service("Camden service", boroughs=("Camden",))
    assert "Camden service" not in client.get("/services?borough=E09000012").get_data(as_text=True)
    assert "Hackney service" not in client.get("/services?borough=E09000007").get_data(as_text=True)


def test_map_figures_share_funding_among_boroughs_and_count_london_wide_services_in_every_borough(client):
    start = date(financial_year_start(today()), 4, 1)
    create_service("Two boroughs", boroughs=("Hackney", "Camden"), start=start, amounts_pence=(100_000_00,))
    create_service("Everywhere", pan_london=True, start=start, amounts_pence=(500_000_00,))
    data = json.loads(client.get("/map/data.json").data)
    # By residents: Hackney 259,146 and Camden 210,136, plus each one's share of the London-wide service.
    assert data["boroughs"]["E09000012"]["funding"] == 5_522_181 + 1_473_904
    assert data["boroughs"]["E09000007"]["funding"] == 4_477_819 + 1_195_157
    assert data["boroughs"]["E09000012"]["titles"][0]["title"] == "Everywhere"
    assert data["panLondonServices"] == 1
    assert data["boroughs"]["E09000001"]["band"] == 0 and data["legend"][0] == "None"
    assert data["boroughs"]["E09000012"]["band"] > 0
    page = client.get_page("/map")
    row = next(tr for tr in page.select("tbody tr") if tr.select_one("th").get_text(strip=True) == "Hackney")
    assert "£69,960.85" in row.get_text()
    assert "1 service works across the whole of London" in page.get_text(" ", strip=True)


def test_map_counts_open_and_upcoming_rounds_for_each_borough(client):
    create_round(title="London-wide round")
    create_round(title="Draft round", published=False)
    data = json.loads(client.get("/map/data.json").data)
    assert {b["rounds"] for b in data["boroughs"].values()} == {1}


def test_the_boundaries_are_served_with_their_properties(client):
    response = client.get("/map/boroughs.geojson")
    assert response.mimetype == "application/geo+json"
    assert "max-age" in response.headers["Cache-Control"]
    features = json.loads(response.data)["features"]
    assert len(features) == 33
    assert {"gss_code", "name"} <= set(features[0]["properties"])
