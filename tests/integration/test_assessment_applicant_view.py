"""What an applicant sees of the assessment: the decision, its feedback and any conditions, and nothing else."""

import pytest
from flask import render_template, url_for

from portal.extensions import db
from portal.models import (
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    Moderation,
    ScreeningCheck,
    ScreeningCheckKind,
    ScreeningOutcome,
)
from tests.client import parsed
from tests.factories_assessment import (
    assign,
    create_assessed_round,
    create_bid,
    create_officer,
    create_reviewer,
    score,
)

SECRETS = (
    "Grace Mensah",
    "Daniel Kowalski",
    "Conrad Conflicted",
    "Private justification",
    "Private screening note",
    "Private moderation note",
    "Private conflict note",
    "82.3",
    "73.3",
    "93.3",
)


def decided_bid_with_private_assessment(outcome=DecisionOutcome.FUND_WITH_CHANGES):
    officer = create_officer("Tom Brennan")
    round_ = create_assessed_round()
    application = create_bid(round_, status=ApplicationStatus.IN_REVIEW, organisation_name="Peckham Street Mentors")
    db.session.add(
        ScreeningCheck(
            application_id=application.id,
            kind=ScreeningCheckKind.ELIGIBILITY,
            outcome=ScreeningOutcome.PASSED,
            note="Private screening note",
            recorded_by=officer,
        )
    )
    score(
        assign(application, create_reviewer("Grace Mensah"), officer),
        {"Need": 4, "Delivery": 3},
        note="Private justification",
    )
    score(
        assign(application, create_reviewer("Daniel Kowalski"), officer),
        {"Need": 5, "Delivery": 4},
        note="Private justification",
    )
    conflicted = assign(application, create_reviewer("Conrad Conflicted"), officer, declared=True)
    conflicted.conflict_note = "Private conflict note"
    db.session.add(
        Moderation(
            application_id=application.id, agreed_score_tenths=823, note="Private moderation note", moderated_by=officer
        )
    )
    db.session.add(
        Decision(
            application_id=application.id,
            outcome=outcome,
            feedback="Your evidence of need was strong.",
            conditions="Name a safeguarding lead before the grant starts."
            if outcome.value == "fund_with_changes"
            else None,
            decided_by=officer,
        )
    )
    application.status = ApplicationStatus.DECIDED
    db.session.commit()
    return application


def applicant_pages(app, application) -> list[str]:
    """Every page in the applicant's areas whose address needs only the bid or the organisation."""
    values = {"application_id": application.id, "organisation_id": application.organisation_id}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in {"applications", "organisations"} or "GET" not in rule.methods:
            continue
        if rule.arguments <= set(values):
            with app.test_request_context():
                urls.append(url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}))
        elif rule.arguments - set(values) == {"section_number"}:
            with app.test_request_context():
                urls.extend(
                    url_for(
                        rule.endpoint, **{k: values[k] for k in rule.arguments - {"section_number"}}, section_number=n
                    )
                    for n in range(1, 4)
                )
    return urls


def test_no_applicant_page_shows_reviewers_scores_conflicts_screening_notes_or_moderation(app, client):
    application = decided_bid_with_private_assessment()
    client.sign_in(application.organisation.memberships[0].user)

    shown = {}
    for url in applicant_pages(app, application):
        response = client.get(url)
        if response.status_code == 200:
            shown[url] = parsed(response.data).get_text(" ", strip=True)

    assert f"/organisations/{application.organisation_id}" in shown
    if "applications.view" in app.view_functions:  # the applicant's own page about the bid includes the decision
        view = shown[f"/organisations/{application.organisation_id}/applications/{application.id}/view"]
        assert "Your evidence of need was strong." in view
        assert "Name a safeguarding lead before the grant starts." in view
    for url, text in shown.items():
        for secret in SECRETS:
            assert secret not in text, f"{url} shows {secret!r}"


def render_decision(app, application, **context) -> str:
    with app.test_request_context():
        html = render_template("applications/_decision.html", application=application, **context)
    return parsed(html).get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("outcome", "headline"),
    [
        (DecisionOutcome.FUND, "Your bid has been successful"),
        (DecisionOutcome.FUND_WITH_CHANGES, "We will fund your bid if you make the changes below"),
        (DecisionOutcome.RESERVE, "Your bid is on the reserve list"),
        (DecisionOutcome.DECLINE, "Your bid has not been successful this time"),
    ],
)
def test_the_decision_block_shows_the_outcome_feedback_and_conditions_and_nothing_private(app, outcome, headline):
    application = decided_bid_with_private_assessment(outcome)

    text = render_decision(app, application)

    assert headline in text
    assert outcome.label in text
    assert "Your evidence of need was strong." in text
    assert ("Name a safeguarding lead" in text) is (outcome is DecisionOutcome.FUND_WITH_CHANGES)
    for secret in SECRETS:
        assert secret not in text


def test_the_decision_block_shows_nothing_before_the_bid_is_decided(app):
    application = create_bid(create_assessed_round(), status=ApplicationStatus.MODERATED)
    assert render_decision(app, application) == ""


def test_a_funded_bid_links_to_its_award_and_agreement_and_the_list_says_funded_or_not(client):
    from tests.factories_agreements import accept
    from tests.factories_funding import create_application
    from tests.factories_monitoring import create_award

    funded = decided_bid_with_private_assessment(DecisionOutcome.FUND)
    owner = funded.organisation.memberships[0].user
    declined = create_application(
        create_assessed_round("Another round"), funded.organisation, status=ApplicationStatus.DECIDED, title="Later"
    )
    db.session.add(Decision(application_id=declined.id, outcome=DecisionOutcome.DECLINE, feedback="Not this time."))
    db.session.commit()
    client.sign_in(owner)

    page = client.get_page(f"/organisations/{funded.organisation_id}/applications/{funded.id}/view")
    assert "An officer will set up your award" in page.get_text()  # no award yet

    award = create_award(funded.organisation, title=funded.project_title or "Funded bid")
    award.application_id = funded.id
    db.session.commit()
    award_url = f"/organisations/{award.organisation_id}/awards/{award.id}"
    page = client.get_page(f"/organisations/{funded.organisation_id}/applications/{funded.id}/view")
    text = page.get_text(" ", strip=True)
    assert "An officer will set up your award" not in text
    assert f"award {award.reference} is approved" in text
    assert page.find("a", string="See your award")["href"] == award_url
    button = page.select_one("main a.govuk-button")
    assert (button.get_text(strip=True), button["href"]) == ("Accept your grant agreement", f"{award_url}/agreement")
    assert page.select_one("main .govuk-tag").get_text(strip=True) == "Funded"

    accept(award, owner)
    page = client.get_page(f"/organisations/{funded.organisation_id}/applications/{funded.id}/view")
    assert page.find("a", string="read the grant agreement you accepted")["href"] == f"{award_url}/agreement"

    listing = client.get_page(f"/organisations/{funded.organisation_id}/applications")
    tags = {
        row.select_one("a").get_text(strip=True): row.select_one(".govuk-tag").get_text(strip=True)
        for row in listing.select("tbody tr")
    }
    assert sorted(tags.values()) == ["Funded", "Not funded"]
