"""Mapping measures and borough projects to outcomes, the list of what is not yet mapped, and the commissioning
catalogue: written by officers, audited, public only once published, on the service page and in Open Referral."""

import pytest
import sqlalchemy as sa

from portal.errors import DomainError
from portal.extensions import db
from portal.models import AuditEvent, CatalogueEntry, OutcomeMapping, PlanStatus, StaffRole
from portal.opendata.openreferral import service_id
from portal.outcomes import catalogue, mapping
from tests.borough_projects_support import plan_in
from tests.client import error_messages
from tests.factories import create_member, create_user
from tests.factories_monitoring import create_award, create_measure
from tests.factories_outcomes import (
    catalogue_entry,
    map_measure,
    outcome_named,
    outcomes_officer,
    published_framework,
)


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_officer_maps_a_measure_from_the_awards_page_and_it_is_audited(client):
    framework = published_framework()
    award = create_award(title="Youth violence service")
    measure = create_measure(award, "Young people engaged")
    officer = outcomes_officer()
    client.sign_in(officer)
    award_page = client.get_page(f"/staff/monitoring/awards/{award.id}")
    link = award_page.find("a", href=f"/staff/outcomes/measures/{measure.id}?from=award")
    assert link is not None and "Choose an outcome" in link.get_text()
    page = client.get_page(f"/staff/outcomes/measures/{measure.id}?from=award")
    assert "Less violence, and fewer people hurt by it" in page.get_text()  # each outcome's description as a hint
    violence = outcome_named(framework, "Fewer victims of violence")
    response = client.post_form(f"/staff/outcomes/measures/{measure.id}?from=award", {"outcome": str(violence.id)})
    assert response.headers["Location"] == f"/staff/monitoring/awards/{award.id}"
    assert mapping.outcome_of_measure(measure.id).id == violence.id
    assert actions()[-1] == "measure.outcome_mapped"
    assert "Fewer victims of violence" in client.get_page(f"/staff/monitoring/awards/{award.id}").get_text()
    # The same again changes nothing, and is not audited twice.
    client.post_form(f"/staff/outcomes/measures/{measure.id}?from=award", {"outcome": str(violence.id)})
    assert actions().count("measure.outcome_mapped") == 1
    assert db.session.scalar(sa.select(sa.func.count(OutcomeMapping.id))) == 1


def test_choosing_no_outcome_or_one_of_another_version_is_refused_beside_the_field(client):
    first = published_framework()
    old_outcome = first.outcomes[0]
    from portal.outcomes import frameworks

    officer = outcomes_officer()
    frameworks.publish(frameworks.start_draft(officer).id, officer)
    measure = create_measure(create_award())
    client.sign_in(officer)
    page = client.post_form(f"/staff/outcomes/measures/{measure.id}", {}, expected_status=200)
    assert error_messages(page) == {"outcome": "Select an outcome"}
    page = client.post_form(
        f"/staff/outcomes/measures/{measure.id}", {"outcome": str(old_outcome.id)}, expected_status=200
    )
    assert "outcome" in error_messages(page)
    with pytest.raises(DomainError, match="current framework"):
        mapping.map_measure(measure, old_outcome.id, officer)
    assert mapping.outcome_of_measure(measure.id) is None


def test_nothing_can_be_mapped_before_a_framework_is_published(client):
    measure = create_measure(create_award())
    client.sign_in(outcomes_officer())
    page = client.get_page(f"/staff/outcomes/measures/{measure.id}")
    assert "There is no published outcomes framework yet" in page.get_text()


def test_unmapped_measures_and_borough_projects_are_listed_until_they_are_mapped(client):
    framework = published_framework()
    measure = create_measure(create_award(title="Unmapped service"), "Sessions held")
    mapped = create_measure(create_award(title="Mapped service"), "Calls answered")
    map_measure(mapped, framework, "Victims supported to cope and recover")
    project = plan_in("Lewisham", names=("Lewisham mentoring",)).projects[0]
    plan_in("Bexley", PlanStatus.DRAFT, names=("A draft project",))
    officer = outcomes_officer()
    client.sign_in(officer)
    page = client.get_page("/staff/outcomes/unmapped")
    text = page.get_text(" ", strip=True)
    assert "Sessions held" in text and "Lewisham mentoring" in text
    assert "Calls answered" not in text and "A draft project" not in text
    assert "(2)" in client.get_page("/staff/outcomes").get_text()
    reoffending = outcome_named(framework, "Reduced reoffending")
    client.post_form(f"/staff/outcomes/projects/{project.id}", {"outcome": str(reoffending.id)})
    map_measure(measure, framework, "Reduced reoffending")
    assert mapping.fetch_unmapped().count == 0
    assert "project.outcome_mapped" in actions() or "plan_project.outcome_mapped" in actions()


@pytest.mark.parametrize("who", ["reviewer", "member"])
def test_only_officers_may_map_or_write_the_catalogue(client, who):
    framework = published_framework()
    award = create_award()
    measure = create_measure(award)
    user = create_user(staff_role=StaffRole.REVIEWER) if who == "reviewer" else create_member(award.organisation)
    client.sign_in(user)
    outcome = framework.outcomes[0]
    for url, data in (
        (f"/staff/outcomes/measures/{measure.id}", {"outcome": str(outcome.id)}),
        (f"/staff/outcomes/catalogue/{award.id}", {"version": "0", "purpose": "Mine"}),
        (f"/staff/outcomes/catalogue/{award.id}/publish", {}),
    ):
        assert client.get(url).status_code in (403, 405)
        assert client.post(url, data={"csrf_token": client.csrf_token(), **data}).status_code == 403
    assert mapping.outcome_of_measure(measure.id) is None
    assert catalogue.fetch_entry(award.id) is None


def test_an_officer_writes_a_catalogue_entry_that_is_public_only_once_published(client):
    framework = published_framework()
    award = create_award(title="Southwark youth violence")
    measure = create_measure(award, "Young people engaged", target=120)
    map_measure(measure, framework, "Fewer victims of violence")
    officer = outcomes_officer()
    client.sign_in(officer)
    listing = client.get_page("/staff/outcomes/catalogue").get_text(" ", strip=True)
    assert "Southwark youth violence" in listing and "Not written" in listing
    client.post_form(
        f"/staff/outcomes/catalogue/{award.id}",
        {
            "version": "0",
            "purpose": "SECRET-DRAFT-PURPOSE",
            "need": "Young people at risk of exploitation.",
            "evidence": "Knife crime with injury among under-25s rose in 2024 (MPS).",
            "measurement": "Quarterly returns, checked by officers.",
        },
    )
    assert actions()[-1] == "catalogue_entry.saved"
    client.sign_out()
    assert "SECRET-DRAFT-PURPOSE" not in client.get(f"/services/{award.id}").get_data(as_text=True)
    client.sign_in(officer)
    client.post_form(f"/staff/outcomes/catalogue/{award.id}/publish")
    assert actions()[-1] == "catalogue_entry.published"
    client.sign_out()
    page = client.get_page(f"/services/{award.id}")
    text = page.get_text(" ", strip=True)
    assert "SECRET-DRAFT-PURPOSE" in text and "Knife crime with injury" in text
    assert "Fewer victims of violence" in text and "Young people engaged (target 120 young people a quarter)" in text
    # A later change is a draft again: the public keeps the published text until it is published.
    client.sign_in(officer)
    client.post_form(
        f"/staff/outcomes/catalogue/{award.id}",
        {"version": "1", "purpose": "SECRET-SECOND-DRAFT", "need": "", "evidence": "", "measurement": ""},
    )
    client.sign_out()
    body = client.get(f"/services/{award.id}").get_data(as_text=True)
    assert "SECRET-SECOND-DRAFT" not in body and "SECRET-DRAFT-PURPOSE" in body


def test_a_stale_save_loses_nothing_typed_and_changes_nothing(client):
    award = create_award()
    entry = catalogue_entry(award, purpose="The first officer's words")
    client.sign_in(outcomes_officer())
    page = client.post_form(
        f"/staff/outcomes/catalogue/{award.id}",
        {"version": str(entry.version - 1), "purpose": "The second officer's words"},
        expected_status=200,
    )
    assert "Another officer saved this entry" in page.get_text()
    assert page.find("textarea", attrs={"name": "purpose"}).get_text() == "The second officer's words"
    db.session.expire_all()
    assert db.session.scalar(sa.select(CatalogueEntry)).purpose == "The first officer's words"


def test_an_empty_entry_is_refused_and_saving_the_same_twice_is_harmless(client):
    award = create_award()
    client.sign_in(outcomes_officer())
    page = client.post_form(f"/staff/outcomes/catalogue/{award.id}", {"version": "0"}, expected_status=200)
    assert error_messages(page) == {"purpose": "Write at least why the service exists before saving"}
    assert catalogue.fetch_entry(award.id) is None
    entry = catalogue_entry(award, publish=False)
    details = catalogue.EntryDetails(version=entry.version, **entry.draft)
    catalogue.save_draft(award, details, outcomes_officer())
    assert catalogue.fetch_entry(award.id).version == entry.version
    assert actions().count("catalogue_entry.saved") == 1


def test_an_award_not_approved_has_no_catalogue_page(client):
    from portal.models import AwardStatus

    award = create_award(status=AwardStatus.AWAITING_APPROVAL)
    client.sign_in(outcomes_officer())
    assert client.get(f"/staff/outcomes/catalogue/{award.id}").status_code == 404


def test_the_open_referral_record_carries_the_published_entry_in_the_standards_fields(client):
    framework = published_framework()
    award = create_award(title="Southwark youth violence")
    measure = create_measure(award, "Young people engaged")
    map_measure(measure, framework, "Fewer victims of violence")
    catalogue_entry(award, need="Young people aged 10 to 17.")
    entry = catalogue.fetch_entry(award.id)
    catalogue.save_draft(
        award,
        catalogue.EntryDetails(version=entry.version, **{**entry.draft, "need": "SECRET-UNPUBLISHED"}),
        outcomes_officer(),
    )
    record = client.get(f"/openreferral/services/{service_id(award.id)}").get_json()
    assert "A service for tests." in record["description"]
    assert "The need it answers: Young people aged 10 to 17." in record["description"]
    assert (
        "The outcomes it seeks: Fewer victims of violence (measured by Young people engaged)." in record["description"]
    )
    assert "SECRET-UNPUBLISHED" not in str(record)
    assert record["assured_date"] == entry.published_on.isoformat()
    outcome_terms = [
        a["taxonomy_term"] for a in record["attributes"] if "outcomes framework" in a["taxonomy_term"]["taxonomy"]
    ]
    assert [t["name"] for t in outcome_terms] == ["Fewer victims of violence"]
    listed = client.get("/openreferral/services?per_page=50").get_json()["contents"]
    assert "The need it answers" in next(s for s in listed if s["name"] == "Southwark youth violence")["description"]


def test_open_referral_records_with_a_catalogue_entry_are_valid_against_the_uk_profile(client):
    from tests.integration.test_openreferral import assert_valid

    framework = published_framework()
    award = create_award(title="Southwark youth violence")
    map_measure(create_measure(award, "Young people engaged"), framework, "Fewer victims of violence")
    catalogue_entry(award)
    listing = client.get("/openreferral/services").get_json()
    assert_valid("service_list", listing, page=True)
    assert_valid("service", client.get(f"/openreferral/services/{service_id(award.id)}").get_json())
