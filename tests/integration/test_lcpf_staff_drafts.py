"""Officers draft a formula version from a form that starts from the published one, see every mistake beside its
field with nothing typed lost, and change a draft (worked out again) until it is published; a published version
is never changed."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf import versions
from portal.models import (
    AuditEvent,
    LcpfAllocation,
    LcpfVersion,
    LcpfVersionStatus,
    MembershipRole,
    OrganisationType,
    StaffRole,
)
from tests.client import error_messages, summary_errors
from tests.factories import create_borough_user, create_member, create_organisation, create_user
from tests.factories_assessment import create_officer
from tests.lcpf_support import import_real_files, parameters


@pytest.fixture
def published():
    import_real_files()
    return versions.publish(versions.create_draft("Published formula", parameters(13_000_000), None), None)


def form_fields(page) -> dict[str, str]:
    """What the form would send as it stands: text inputs, ticked boxes and radios, text areas."""
    data = {}
    for element in page.select("form input, form textarea"):
        name = element.get("name")
        if not name or element.get("type") == "submit":
            continue
        if element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data[name] = element["value"]
        elif element.name == "textarea":
            data[name] = element.get_text()
        else:
            data[name] = element.get("value", "")
    data.pop("csrf_token", None)
    return data


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_form_starts_from_the_published_versions_choices(client, published):
    page = client.sign_in(create_officer()).get_page("/staff/lcpf/versions/new")
    fields = form_fields(page)
    assert fields["title"] == "Copy of Published formula"
    assert (fields["first_year"], fields["last_year"]) == ("2026", "2026")
    assert fields["pot-2026-boroughs"] == "13000000"
    assert fields["pot-2026-vru"] == "1600000"
    assert fields["pot-2026-co_commissioning"] == "3000000"
    assert (fields["crime_weight"], fields["population_weight"], fields["deprivation_weight"]) == ("50", "25", "25")
    assert (fields["crime_from"], fields["crime_to"]) == ("2022-12", "2023-11")
    assert fields["crime_scope"] == "all"
    assert fields["deprivation_measure"] == "imd_average_score"
    assert fields["deprivation_per_resident"] == "yes"


def test_an_officer_drafts_a_version_with_chosen_categories_and_a_floor(client, published):
    officer = create_officer()
    client.sign_in(officer)
    fields = form_fields(client.get_page("/staff/lcpf/versions/new"))
    fields.update(
        {
            "title": "Two years, violence and robbery",
            "last_year": "2027",
            "pot-2027-boroughs": "13,250,000",
            "pot-2027-vru": "1600000",
            "pot-2027-co_commissioning": "3000000",
            "crime_scope": "categories",
            "category-VIOLENCE AGAINST THE PERSON": "2",
            "category-ROBBERY": "1",
            "floor_percent": "97",
            "explanation": "Weights violence twice as heavily as robbery.",
        }
    )
    response = client.post_form("/staff/lcpf/versions/new", fields)
    version = db.session.scalar(sa.select(LcpfVersion).where(LcpfVersion.title == "Two years, violence and robbery"))
    assert response.headers["Location"] == f"/staff/lcpf/versions/{version.id}"
    assert version.status is LcpfVersionStatus.DRAFT and version.created_by_id == officer.id
    assert version.parameters["crime_categories"] == [["ROBBERY", "1"], ["VIOLENCE AGAINST THE PERSON", "2"]]
    assert version.parameters["floor_percent"] == "97"
    assert version.previous_version_id == published.id
    totals = dict(
        db.session.execute(
            sa.select(LcpfAllocation.financial_year, sa.func.sum(LcpfAllocation.amount_pounds))
            .where(LcpfAllocation.version_id == version.id)
            .group_by(LcpfAllocation.financial_year)
        ).all()
    )
    assert totals == {2026: 13_000_000, 2027: 13_250_000}
    assert (
        db.session.scalar(
            sa.select(AuditEvent.action)
            .where(AuditEvent.subject_id == version.id, AuditEvent.subject_type == "lcpf_version")
            .order_by(AuditEvent.id)
        )
        == "lcpf_version_drafted"
    )


def test_mistakes_are_shown_beside_their_fields_and_nothing_typed_is_lost(client, published):
    client.sign_in(create_officer())
    fields = form_fields(client.get_page("/staff/lcpf/versions/new"))
    before = count(LcpfVersion)
    fields.update(
        {
            "title": "",
            "pot-2026-boroughs": "lots",
            "crime_weight": "-3",
            "crime_from": "2023-13",
            "crime_to": "2023-11",
            "floor_percent": "95",
            "cap_percent": "90",
            "explanation": "Kept as typed",
        }
    )
    page = client.post_form("/staff/lcpf/versions/new", fields, expected_status=400)
    messages = error_messages(page)
    assert messages["title"] == "Enter a title for the version"
    assert messages["pot-2026-boroughs"] == "The 2026/27 to boroughs must be a whole number of pounds, like 13000000"
    assert messages["crime_weight"] == "Enter the weight for recorded crime as a number from 0 to 1000"
    assert messages["crime_from"] == "Enter the first month of the crime window as a year and month, like 2023-11"
    assert len(summary_errors(page)) == 4
    kept = form_fields(page)
    assert kept["pot-2026-boroughs"] == "lots" and kept["crime_weight"] == "-3" and kept["crime_from"] == "2023-13"
    assert kept["explanation"] == "Kept as typed" and kept["cap_percent"] == "90"
    assert page.title.get_text().startswith("Error: ")
    assert count(LcpfVersion) == before


def test_the_formulas_own_rules_are_shown_beside_the_fields_they_are_about(client, published):
    client.sign_in(create_officer())
    fields = form_fields(client.get_page("/staff/lcpf/versions/new"))
    fields.update(
        {
            "crime_weight": "0",
            "population_weight": "0",
            "deprivation_weight": "0",
            "floor_percent": "95",
            "cap_percent": "90",
        }
    )
    messages = error_messages(client.post_form("/staff/lcpf/versions/new", fields, expected_status=400))
    assert messages["crime_weight"] == "Give at least one indicator a weight above zero"
    assert messages["cap_percent"] == "The cap cannot be below the floor"
    fields.update({"crime_weight": "1", "crime_scope": "categories", "cap_percent": ""})
    messages = error_messages(client.post_form("/staff/lcpf/versions/new", fields, expected_status=400))
    assert messages["crime_scope"] == "Give a weight to at least one crime category, or choose all recorded crime"


def test_a_crime_window_beyond_the_imported_months_is_refused_and_nothing_is_written(client, published):
    client.sign_in(create_officer())
    fields = form_fields(client.get_page("/staff/lcpf/versions/new"))
    fields.update({"crime_from": "2023-06", "crime_to": "2024-05"})
    before = (count(LcpfVersion), count(LcpfAllocation), count(AuditEvent))
    page = client.post_form("/staff/lcpf/versions/new", fields, expected_status=400)
    assert "No recorded crime has been imported for 202312" in " ".join(summary_errors(page))
    assert (count(LcpfVersion), count(LcpfAllocation), count(AuditEvent)) == before


def test_a_longer_period_shows_rows_for_the_new_years_to_fill_in(client, published):
    client.sign_in(create_officer())
    fields = form_fields(client.get_page("/staff/lcpf/versions/new"))
    fields["last_year"] = "2028"
    page = client.post_form("/staff/lcpf/versions/new", fields, expected_status=400)
    messages = error_messages(page)
    assert messages["pot-2027-boroughs"] == "Enter the 2027/28 to boroughs in pounds, or 0"
    assert "pot-2028-vru" in messages
    assert form_fields(page)["pot-2026-boroughs"] == "13000000"
    fields["last_year"] = "2031"
    assert error_messages(client.post_form("/staff/lcpf/versions/new", fields, expected_status=400))["last_year"] == (
        "A version covers at most 5 financial years"
    )


def test_without_a_published_version_the_form_starts_empty_and_a_copy_can_start_from_any_version(client):
    import_real_files()
    client.sign_in(create_officer())
    page = client.get_page("/staff/lcpf/versions/new")
    assert "No version is published yet" in page.get_text()
    assert form_fields(page)["title"] == ""
    draft = versions.create_draft("Someone's draft", parameters(12_000_000), None)
    assert (
        form_fields(client.get_page(f"/staff/lcpf/versions/new?from={draft.id}"))["title"] == "Copy of Someone's draft"
    )
    client.get_page("/staff/lcpf/versions/new?from=999999", expected_status=404)


def test_a_draft_is_changed_and_worked_out_again(client, published):
    draft = versions.create_draft("Draft", parameters(13_000_000), None)
    officer = create_officer()
    client.sign_in(officer)
    fields = form_fields(client.get_page(f"/staff/lcpf/versions/{draft.id}/edit"))
    assert fields["title"] == "Draft"
    fields.update({"title": "Draft, more money", "pot-2026-boroughs": "14000000", "deprivation_weight": "50"})
    response = client.post_form(f"/staff/lcpf/versions/{draft.id}/edit", fields)
    assert response.headers["Location"] == f"/staff/lcpf/versions/{draft.id}"
    db.session.expire_all()
    version = db.session.get(LcpfVersion, draft.id)
    assert version.title == "Draft, more money"
    assert version.parameters["deprivation_weight"] == "50"
    amounts = db.session.scalars(
        sa.select(LcpfAllocation.amount_pounds).where(LcpfAllocation.version_id == draft.id)
    ).all()
    assert len(amounts) == 32 and sum(amounts) == 14_000_000
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lcpf_version_redrafted"))
    assert event.actor_id == officer.id and event.subject_id == draft.id


def test_a_published_version_can_never_be_changed(client, published):
    client.sign_in(create_officer())
    response = client.get(f"/staff/lcpf/versions/{published.id}/edit", follow_redirects=True)
    assert "is published and can never be changed. Draft a new version instead." in response.get_data(as_text=True)
    before = published.parameters
    client.post_form(f"/staff/lcpf/versions/{published.id}/edit", {"title": "Changed", "first_year": "2026"})
    db.session.expire_all()
    unchanged = db.session.get(LcpfVersion, published.id)
    assert unchanged.title == "Published formula" and unchanged.parameters == before
    assert not db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lcpf_version_redrafted"))


EXPECTED = {
    "anonymous": 302,
    "organisation owner": 403,
    "borough user": 403,
    "reviewer": 403,
    "admin": 403,
    "officer": 200,
}


def persona(name: str):
    return {
        "anonymous": lambda: None,
        "organisation owner": lambda: create_member(create_organisation(), MembershipRole.OWNER),
        "borough user": lambda: create_borough_user("Lewisham", OrganisationType.BOROUGH),
        "reviewer": lambda: create_user(staff_role=StaffRole.REVIEWER),
        "admin": lambda: create_user(staff_role=StaffRole.ADMIN),
        "officer": create_officer,
    }[name]()


@pytest.mark.parametrize("who", list(EXPECTED))
def test_only_officers_may_draft_or_change_a_draft(client, published, who):
    draft = versions.create_draft("Draft", parameters(13_000_000), None)
    user = persona(who)
    if user is not None:
        client.sign_in(user)
    for url in ("/staff/lcpf/versions/new", f"/staff/lcpf/versions/{draft.id}/edit"):
        assert client.get(url).status_code == EXPECTED[who], url
    if who != "officer":
        before = count(LcpfVersion)
        response = client.post(
            f"/staff/lcpf/versions/{draft.id}/edit", data={"csrf_token": client.csrf_token(), "title": "Taken over"}
        )
        assert response.status_code == EXPECTED[who]
        assert count(LcpfVersion) == before and db.session.get(LcpfVersion, draft.id).title == "Draft"


def test_numbers_that_are_not_plain_numbers_are_refused_beside_their_fields(client, published):
    client.sign_in(create_officer())
    fields = form_fields(client.get_page("/staff/lcpf/versions/new"))
    fields.update(
        {
            "first_year": "²⁰²⁶",
            "pot-2026-vru": "²",
            "population_weight": "1e-400",
            "crime_to": "\N{ARABIC-INDIC DIGIT TWO}023-11",
        }
    )
    messages = error_messages(client.post_form("/staff/lcpf/versions/new", fields, expected_status=400))
    assert messages["first_year"].startswith("Enter the first financial year")
    assert messages["population_weight"] == "Enter the weight for residents with at most 6 decimal places"
    assert messages["crime_to"].startswith("Enter the last month of the crime window")
