"""The outcomes framework: drafts are edited, publishing makes a version current and supersedes the one before,
and a published version never changes, whether through the services, the pages or the session directly."""

import pytest
import sqlalchemy as sa

from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    AuditEvent,
    FrameworkStatus,
    Outcome,
    OutcomeFramework,
    OutcomeMapping,
    StaffRole,
)
from portal.models.outcomes import PublishedFrameworkChanged
from portal.outcomes import frameworks
from tests.client import error_messages
from tests.factories import create_member, create_organisation, create_user
from tests.factories_monitoring import create_award, create_measure
from tests.factories_outcomes import (
    draft_framework,
    map_measure,
    outcome_named,
    outcomes_officer,
    published_framework,
)


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_officer_starts_the_framework_adds_outcomes_and_publishes_it(client):
    officer = outcomes_officer()
    client.sign_in(officer)
    page = client.get_page("/staff/outcomes")
    assert "No version is published yet" in page.get_text()
    response = client.post_form("/staff/outcomes/frameworks/new")
    framework = db.session.scalar(sa.select(OutcomeFramework))
    assert response.headers["Location"] == f"/staff/outcomes/frameworks/{framework.id}"
    client.post_form(
        f"/staff/outcomes/frameworks/{framework.id}",
        {"title": "Police and Crime Plan outcomes", "introduction": "What we fund, and why."},
    )
    client.post_form(
        f"/staff/outcomes/frameworks/{framework.id}/outcomes/new",
        {"name": "Fewer victims of violence", "description": "Less violence in every borough."},
    )
    page = client.get_page(f"/staff/outcomes/frameworks/{framework.id}")
    assert "Fewer victims of violence" in page.get_text() and "Less violence in every borough." in page.get_text()
    client.post_form(f"/staff/outcomes/frameworks/{framework.id}/publish")
    db.session.expire_all()
    framework = db.session.get(OutcomeFramework, framework.id)
    assert framework.status is FrameworkStatus.PUBLISHED and framework.published_by_id == officer.id
    assert [o.code for o in framework.outcomes] == ["fewer-victims-of-violence"]
    assert actions()[-1] == "outcome_framework.published"
    public = client.get_page("/outcomes").get_text()
    assert "Police and Crime Plan outcomes" in public and "Less violence in every borough." in public


def test_an_outcome_needs_a_name_and_a_description_and_keeps_what_was_typed(client):
    framework = draft_framework(outcomes=())
    client.sign_in(outcomes_officer())
    page = client.post_form(
        f"/staff/outcomes/frameworks/{framework.id}/outcomes/new", {"name": "Safer streets"}, expected_status=200
    )
    assert error_messages(page) == {"description": "Describe the outcome in plain words"}
    assert page.select_one(".govuk-error-summary") is not None
    assert page.find("input", attrs={"name": "name"})["value"] == "Safer streets"


def test_two_outcomes_of_one_version_cannot_share_a_name(client):
    framework = draft_framework()
    client.sign_in(outcomes_officer())
    page = client.post_form(
        f"/staff/outcomes/frameworks/{framework.id}/outcomes/new",
        {"name": "reduced reoffending", "description": "Again"},
        expected_status=200,
    )
    assert error_messages(page) == {"name": "The framework already has an outcome with this name"}


def test_a_framework_with_no_outcomes_cannot_be_published():
    framework = draft_framework(outcomes=())
    with pytest.raises(DomainError, match="at least one outcome"):
        frameworks.publish(framework.id, outcomes_officer())
    assert db.session.get(OutcomeFramework, framework.id).status is FrameworkStatus.DRAFT


def test_publishing_twice_is_harmless():
    officer = outcomes_officer()
    framework = published_framework(officer)
    first = framework.published_at
    again = frameworks.publish(framework.id, officer)
    assert again.published_at == first
    assert actions().count("outcome_framework.published") == 1


def test_the_services_refuse_to_change_a_published_framework():
    officer = outcomes_officer()
    framework = published_framework(officer)
    outcome = framework.outcomes[0]
    with pytest.raises(DomainError, match="published and cannot be changed"):
        frameworks.update_framework(framework, frameworks.FrameworkDetails("Renamed", ""), officer)
    with pytest.raises(DomainError, match="published and cannot be changed"):
        frameworks.add_outcome(framework, frameworks.OutcomeDetails("New", "New outcome"), officer)
    with pytest.raises(DomainError, match="published and cannot be changed"):
        frameworks.update_outcome(outcome, frameworks.OutcomeDetails("Renamed", "Changed"), officer)
    with pytest.raises(DomainError, match="published and cannot be changed"):
        frameworks.remove_outcome(outcome, officer)
    db.session.rollback()
    db.session.expire_all()
    assert [o.name for o in db.session.get(OutcomeFramework, framework.id).outcomes] == [
        "Fewer victims of violence",
        "Victims supported to cope and recover",
        "Reduced reoffending",
    ]
    assert db.session.get(OutcomeFramework, framework.id).title == "Police and Crime Plan outcomes"


def test_the_database_session_refuses_to_change_a_published_framework_whatever_the_code():
    framework = published_framework()
    framework_id, outcome_id = framework.id, framework.outcomes[0].id
    attempts = [
        lambda: setattr(db.session.get(Outcome, outcome_id), "description", "Quietly changed"),
        lambda: setattr(db.session.get(OutcomeFramework, framework_id), "title", "Quietly renamed"),
        lambda: db.session.get(OutcomeFramework, framework_id).outcomes.append(
            Outcome(code="extra", name="Extra", description="Slipped in")
        ),
        lambda: db.session.delete(db.session.get(Outcome, outcome_id)),
        lambda: setattr(db.session.get(OutcomeFramework, framework_id), "status", FrameworkStatus.DRAFT),
    ]
    for attempt in attempts:
        attempt()
        with pytest.raises(PublishedFrameworkChanged):
            db.session.commit()
        db.session.rollback()
    db.session.expire_all()
    framework = db.session.get(OutcomeFramework, framework_id)
    assert framework.title == "Police and Crime Plan outcomes" and framework.status is FrameworkStatus.PUBLISHED
    assert len(framework.outcomes) == 3
    assert db.session.get(Outcome, outcome_id).description.startswith("Less violence, and fewer people hurt")


def test_the_pages_refuse_to_change_a_published_framework(client):
    framework = published_framework()
    outcome = framework.outcomes[0]
    client.sign_in(outcomes_officer())
    page = client.get_page(f"/staff/outcomes/frameworks/{framework.id}")
    assert page.find("input", attrs={"name": "title"}) is None
    assert page.find("a", string="Add an outcome") is None
    assert "never changes" in page.get_text()
    page = client.post_form(
        f"/staff/outcomes/frameworks/{framework.id}", {"title": "Renamed", "introduction": ""}, expected_status=200
    )
    assert "published and cannot be changed" in page.get_text()
    page = client.post_form(
        f"/staff/outcomes/frameworks/{framework.id}/outcomes/{outcome.id}",
        {"name": "Renamed", "description": "Changed"},
        expected_status=200,
    )
    client.post_form(
        f"/staff/outcomes/frameworks/{framework.id}/outcomes/new",
        {"name": "New", "description": "New"},
        expected_status=200,
    )
    client.post_form(f"/staff/outcomes/frameworks/{framework.id}/outcomes/{outcome.id}/remove")
    db.session.expire_all()
    framework = db.session.get(OutcomeFramework, framework.id)
    assert framework.title == "Police and Crime Plan outcomes"
    assert framework.outcomes[0].name == "Fewer victims of violence" and len(framework.outcomes) == 3


def test_a_new_version_starts_as_a_copy_and_supersedes_the_old_carrying_mappings_over_by_code():
    officer = outcomes_officer()
    first = published_framework(officer)
    measure_kept = create_measure(create_award(title="Violence service"), "Incidents prevented")
    measure_dropped = create_measure(create_award(title="Reoffending service"), "People mentored")
    map_measure(measure_kept, first, "Fewer victims of violence")
    map_measure(measure_dropped, first, "Reduced reoffending")
    second = frameworks.start_draft(officer)
    assert frameworks.start_draft(officer).id == second.id  # only one draft at a time
    assert [(o.code, o.name) for o in second.outcomes] == [(o.code, o.name) for o in first.outcomes]
    renamed = outcome_named(second, "Fewer victims of violence")
    frameworks.update_outcome(renamed, frameworks.OutcomeDetails("Fewer people hurt by violence", "Renamed"), officer)
    frameworks.remove_outcome(outcome_named(second, "Reduced reoffending"), officer)
    frameworks.publish(second.id, officer)
    db.session.expire_all()
    assert db.session.get(OutcomeFramework, first.id).status is FrameworkStatus.SUPERSEDED
    assert db.session.get(OutcomeFramework, second.id).status is FrameworkStatus.PUBLISHED
    assert frameworks.fetch_current().id == second.id
    kept = db.session.scalar(sa.select(OutcomeMapping).where(OutcomeMapping.measure_id == measure_kept.id))
    dropped = db.session.scalar(sa.select(OutcomeMapping).where(OutcomeMapping.measure_id == measure_dropped.id))
    assert kept.outcome.name == "Fewer people hurt by violence" and kept.outcome.framework_id == second.id
    assert dropped.outcome.framework_id == first.id  # still says what it was, but needs mapping again
    from portal.outcomes.mapping import fetch_unmapped

    assert [m.id for m in fetch_unmapped().measures] == [measure_dropped.id]
    # The superseded version is public as it was published, and never changes.
    assert db.session.get(OutcomeFramework, first.id).outcomes[0].name == "Fewer victims of violence"


def test_the_public_sees_published_and_superseded_versions_never_a_draft(client):
    officer = outcomes_officer()
    published_framework(officer)
    draft = frameworks.start_draft(officer)
    frameworks.add_outcome(draft, frameworks.OutcomeDetails("SECRET-DRAFT-OUTCOME", "Not yet"), officer)
    assert "SECRET-DRAFT-OUTCOME" not in client.get("/outcomes").get_data(as_text=True)
    assert client.get(f"/outcomes/versions/{draft.number}").status_code == 404
    assert client.get("/outcomes/versions/1").status_code == 200


@pytest.mark.parametrize("who", ["reviewer", "admin", "member", "anonymous"])
def test_only_officers_reach_the_framework_pages(client, who):
    framework = draft_framework()
    if who == "reviewer":
        client.sign_in(create_user(staff_role=StaffRole.REVIEWER))
    elif who == "admin":
        client.sign_in(create_user(staff_role=StaffRole.ADMIN))
    elif who == "member":
        client.sign_in(create_member(create_organisation()))
    for url in ("/staff/outcomes", f"/staff/outcomes/frameworks/{framework.id}", "/staff/outcomes/unmapped"):
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 403), url
    response = client.post(f"/staff/outcomes/frameworks/{framework.id}/publish")
    assert response.status_code in (302, 400, 403)
    db.session.expire_all()
    assert db.session.get(OutcomeFramework, framework.id).status is FrameworkStatus.DRAFT
