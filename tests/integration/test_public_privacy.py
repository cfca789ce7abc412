"""Nothing private reaches any public page, download or API response.

Private data is planted everywhere it can live (draft and submitted bids, decision feedback, reviewers' scores,
awards not yet approved, returns not accepted, case studies not published, people's names, emails and addresses).
Then every public page is crawled from the public starting points, following every link to another public page,
and every body is searched. The crawl has to find the approved services too, so the check can fail."""

from collections import deque
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AwardStatus,
    ContactStatus,
    DrawdownStatus,
    EvaluationKind,
    EvaluationStatus,
    PlanStatus,
    ReturnStatus,
)
from portal.opendata import files
from portal.periods import financial_year_start
from tests.borough_projects_support import plan_in, report_two_quarters
from tests.client import parsed
from tests.factories_assessment import (
    assign,
    bid_in_review,
    create_assessed_round,
    create_officer,
    create_reviewer,
    score,
)
from tests.factories_contacts import create_contact
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown
from tests.factories_evaluations import create_evaluation
from tests.factories_monitoring import award_returns, create_award
from tests.integration.test_opendata_privacy import MARKERS, UNACCEPTED_PEOPLE, UNACCEPTED_SPEND, plant_private_data
from tests.integration.test_route_conventions import PUBLIC_ENDPOINTS
from tests.value_support import draft_analysis, import_series, published_analysis

# A measure (what a service promised) is public on the service's page, with its results from accepted returns.
PRIVATE = {
    **{what: marker for what, marker in MARKERS.items() if what != "measure name"},
    "reviewer's justification": "SECRET-JUSTIFICATION",
    "bid in review": "SECRET-BID-IN-REVIEW",
    "agreed but unpublished case study": "SECRET-UNPUBLISHED-CASE",
    "withdrawn award": "SECRET-WITHDRAWN-AWARD",
    "project of a drawdown not paid": "SECRET-UNPAID-PROJECT",
    "project of a refused drawdown": "SECRET-REFUSED-PROJECT",
    "board's refused request": "Not in the board's plan",
    "project of a draft delivery plan": "SECRET-DRAFT-PLAN-PROJECT",
    "project of a delivery plan awaiting review": "SECRET-SUBMITTED-PLAN-PROJECT",
    "project of a queried delivery plan": "SECRET-QUERIED-PLAN-PROJECT",
    "project of an approved plan while a variation is prepared": "SECRET-VARYING-PLAN-PROJECT",
    "a borough project's unaccepted return": "SECRET-UNACCEPTED-PROJECT-PROGRESS",
    "draft cost-benefit analysis": "SECRET-DRAFT-ANALYSIS",
    "draft cost-benefit analysis's outcome": "SECRET-DRAFT-OUTCOME",
    "contact details waiting for approval": "SECRET-CONTACT-CHANGE",
    "a phone number not yet approved": "020 7946 9999",
    "draft contact details": "SECRET-DRAFT-CONTACT",
    "contact details returned to the provider": "SECRET-RETURNED-CONTACT",
    "a planned evaluation's question": "SECRET-PLANNED-EVALUATION",
    "a done but unpublished evaluation's findings": "SECRET-UNPUBLISHED-FINDINGS",
    "the evaluator of an evaluation not published": "SECRET-EVALUATOR",
}
# The approved contact details of a service are public: the crawl must find them.
PUBLIC_PHONE = "020 7946 5555"
START = (
    "/",
    "/funding/",
    "/services",
    "/services?phase=all",
    "/map",
    "/map/data.json",
    "/boroughs",
    "/dashboards",
    "/data",
    "/good-practice",
    "/reports",
    "/performance/rules",
    "/value-for-money",
    "/openreferral/services?per_page=200",
    "/openreferral/organizations?per_page=200",
    "/openreferral/service_at_locations?per_page=200",
    "/openreferral/service_at_locations?postcode=SE5&per_page=200",
    "/openreferral/taxonomies",
    "/openreferral/taxonomy_terms?per_page=200",
    "/evaluations",
    "/evaluations.csv",
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
    board, _ = create_board("Lambeth")
    allocation = create_allocation(board, financial_year=financial_year_start(utcnow().date()))
    paid = create_drawdown(allocation, status=DrawdownStatus.PAID, decided_on=utcnow().date(), paid_on=utcnow().date())
    paid.projects[0].name = "Lambeth estate walkabouts"
    create_drawdown(allocation).projects[0].name = PRIVATE["project of a drawdown not paid"]
    refused = create_drawdown(allocation, status=DrawdownStatus.REFUSED, decided_on=utcnow().date())
    refused.projects[0].name = PRIVATE["project of a refused drawdown"]
    for borough, status, marker in (
        ("Bexley", PlanStatus.DRAFT, "project of a draft delivery plan"),
        ("Barnet", PlanStatus.SUBMITTED, "project of a delivery plan awaiting review"),
        ("Brent", PlanStatus.QUERIED, "project of a queried delivery plan"),
        ("Croydon", PlanStatus.VARYING, "project of an approved plan while a variation is prepared"),
    ):
        plan_in(borough, status, names=(PRIVATE[marker],))
    create_contact(london.witness_care, phone=PUBLIC_PHONE, districts=("SE5",))
    create_contact(
        london.witness_care,
        status=ContactStatus.SUBMITTED,
        phone=PRIVATE["a phone number not yet approved"],
        referral=PRIVATE["contact details waiting for approval"],
    )
    create_contact(london.streets, status=ContactStatus.DRAFT, eligibility=PRIVATE["draft contact details"])
    returned = PRIVATE["contact details returned to the provider"]
    create_contact(london.council_award, status=ContactStatus.RETURNED, referral=returned)
    approved = plan_in("Ealing", names=("Ealing youth outreach",)).projects[0]
    _, unaccepted = report_two_quarters(approved)
    unaccepted.progress = PRIVATE["a borough project's unaccepted return"]
    db.session.commit()
    import_series()
    analyst = create_officer("Ann Alyst", email="ann.alyst@example.org")
    draft_outcome = PRIVATE["draft cost-benefit analysis's outcome"]
    draft_analysis(london.witness_care, analyst, PRIVATE["draft cost-benefit analysis"], name=draft_outcome)
    published_analysis(london.witness_care, analyst, "Witness care: what it is worth")
    plant_evaluations(london.witness_care)
    files.regenerate()
    return london


def plant_evaluations(award):
    create_evaluation(
        award,
        question=PRIVATE["a planned evaluation's question"],
        evaluator=PRIVATE["the evaluator of an evaluation not published"],
    )
    create_evaluation(
        award,
        kind=EvaluationKind.FINAL,
        status=EvaluationStatus.DONE,
        findings=PRIVATE["a done but unpublished evaluation's findings"],
        with_pdf=True,
    )
    create_evaluation(
        award,
        kind=EvaluationKind.PROCESS,
        status=EvaluationStatus.PUBLISHED,
        findings="Published findings: referrals came faster",
        with_pdf=True,
    )


def crawl(client, app) -> dict[str, str]:
    adapter = app.url_map.bind("portal.test")
    seen, bodies, queue = set(START), {}, deque(START)
    while queue and len(bodies) < 400:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code in (200, 304), f"{path} answered {response.status_code}"
        body = response.get_data(as_text=True)
        bodies[path] = body
        if response.mimetype == "application/json" and path.startswith("/openreferral/") and "taxonom" not in path:
            # Each service and organisation listed in the API, in full.
            for item in response.get_json().get("contents", []):
                item = item.get("service", item)  # a service at a location
                kind = "services" if "organization_id" in item else "organizations"
                address = f"/openreferral/{kind}/{item['id']}"
                if address not in seen:
                    seen.add(address)
                    queue.append(address)
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
    return [a["href"] for a in parsed(html).select("a[href]")]


@pytest.mark.long
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
    assert any(PUBLIC_PHONE in body for where, body in bodies.items() if where.startswith("/services/"))
    assert any(PUBLIC_PHONE in body for where, body in bodies.items() if where.startswith("/openreferral/"))
    assert any(PUBLIC_PHONE in body for where, body in bodies.items() if where.startswith("/services.csv"))
    assert any(PUBLIC_PHONE in body for where, body in bodies.items() if where.startswith("/services.json"))
    assert any(where.startswith("/data/360giving") for where in bodies)
    assert any("Lambeth estate walkabouts" in body for where, body in bodies.items() if where.startswith("/boroughs/"))
    assert any(where.startswith("/value-for-money/") for where in bodies)
    services_pages = [body for where, body in bodies.items() if where.startswith("/services/")]
    assert any("Witness care: what it is worth" in body for body in services_pages)
    assert any("Ealing youth outreach" in body for where, body in bodies.items() if "/borough-projects/" in where)
    # ... and the published evaluation: in the library, as a report, and in the 360Giving file.
    evaluation_pages = [body for where, body in bodies.items() if where.startswith("/evaluations/")]
    assert any("Published findings: referrals came faster" in body for body in evaluation_pages)
    assert any(where.endswith("/report.pdf") for where in bodies)
    assert any("Evaluation report" in body for where, body in bodies.items() if where.startswith("/data/360giving"))
    assert all("77,777" not in body and "7777777" not in body for body in bodies.values())  # Q2's unaccepted spend


@pytest.mark.long
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
