"""Nothing private reaches any public page, download or API response.

Private data is planted everywhere it can live (draft and submitted bids, decision feedback, reviewers' scores,
awards not yet approved, returns not accepted, case studies not published, people's names, emails and addresses).
Then every public page is crawled from the public starting points, following every link to another public page,
and every body is searched. The crawl has to find the approved services too, so the check can fail."""

from collections import deque
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from portal.database import utcnow
from portal.extensions import db
from portal.models import AwardStatus, ReturnStatus
from portal.opendata import files
from tests.factories_assessment import assign, bid_in_review, create_assessed_round, create_reviewer, score
from tests.factories_monitoring import award_returns, create_award
from tests.integration.test_opendata_privacy import MARKERS, UNACCEPTED_PEOPLE, UNACCEPTED_SPEND, plant_private_data
from tests.integration.test_route_conventions import PUBLIC_ENDPOINTS

# A measure (what a service promised) is public on the service's page, with its results from accepted returns.
PRIVATE = {
    **{what: marker for what, marker in MARKERS.items() if what != "measure name"},
    "reviewer's justification": "SECRET-JUSTIFICATION",
    "bid in review": "SECRET-BID-IN-REVIEW",
    "agreed but unpublished case study": "SECRET-UNPUBLISHED-CASE",
    "withdrawn award": "SECRET-WITHDRAWN-AWARD",
}
START = (
    "/",
    "/funding/",
    "/services",
    "/services?phase=all",
    "/map",
    "/map/data.json",
    "/dashboards",
    "/data",
    "/good-practice",
    "/reports",
    "/performance/rules",
    "/openreferral/services?per_page=200",
    "/openreferral/organizations?per_page=200",
)
# Public, but they act on a token or the session rather than show anything.
NOT_CRAWLED = {"auth.sign_out", "directory.confirm_alerts", "directory.unsubscribe_alerts", "main.healthcheck"}


def plant_everything():
    london = plant_private_data()
    officer = create_reviewer("Rev Iewer", email="rev.iewer@example.org")
    round_ = create_assessed_round()
    application = bid_in_review(round_, officer, title=PRIVATE["bid in review"])
    score(assign(application, officer), {"Need": 4}, note=PRIVATE["reviewer's justification"])
    accepted = award_returns(london.witness_care)[5]
    accepted.status = ReturnStatus.ACCEPTED
    accepted.spend_pence, accepted.people_helped = 1_000_00, 12
    accepted.case_study = PRIVATE["agreed but unpublished case study"]
    accepted.case_study_may_publish = True
    withdrawn = create_award(title=PRIVATE["withdrawn award"], boroughs=("Lambeth",))
    withdrawn.status = AwardStatus.WITHDRAWN
    withdrawn.withdrawn_at, withdrawn.withdrawal_reason = utcnow(), "The provider closed"
    db.session.commit()
    files.regenerate()
    return london


def crawl(client, app) -> dict[str, str]:
    adapter = app.url_map.bind("portal.test")
    seen, bodies, queue = set(START), {}, deque(START)
    while queue and len(bodies) < 400:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code in (200, 304), f"{path} answered {response.status_code}"
        body = response.get_data(as_text=True)
        bodies[path] = body
        if response.mimetype != "text/html":
            continue
        for link in _links(body):
            target = urlsplit(link)
            if target.netloc or not target.path.startswith("/") or target.path.startswith("/assets/"):
                continue
            try:
                endpoint, _ = adapter.match(target.path, method="GET")
            except HTTPException:
                continue
            address = target.path + (f"?{target.query}" if target.query else "")
            if endpoint in PUBLIC_ENDPOINTS and endpoint not in NOT_CRAWLED and address not in seen:
                seen.add(address)
                queue.append(address)
    return bodies


def _links(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    return [a["href"] for a in BeautifulSoup(html, "html.parser").select("a[href]")]


def test_no_public_page_file_or_api_response_shows_anything_private(client, app):
    plant_everything()
    bodies = crawl(client, app)
    assert len(bodies) > 30
    leaks = [
        f"{what} ({marker}) at {where}"
        for where, body in bodies.items()
        for what, marker in PRIVATE.items()
        if marker.lower() in body.lower()
    ]
    assert leaks == []
    for where, body in bodies.items():
        assert UNACCEPTED_SPEND not in body and UNACCEPTED_PEOPLE not in body, where
        assert "SE1 7TP" not in body, where
    # The crawl reached the published services, their pages and the open data.
    assert any(where.startswith("/services/") for where in bodies)
    assert any("Witness care in south London" in body for body in bodies.values())
    assert any(where.startswith("/data/360giving") for where in bodies)


def test_the_crawl_would_notice_a_leak(client, app):
    london = plant_everything()
    marker = PRIVATE["reviewer's justification"]
    london.witness_care.description = f"Includes {marker}"
    db.session.commit()
    files.regenerate()
    bodies = crawl(client, app)
    found = {where for where, body in bodies.items() if marker in body}
    assert any(where.startswith("/services/") for where in found)
    assert any(where.startswith("/data/360giving") for where in found)
