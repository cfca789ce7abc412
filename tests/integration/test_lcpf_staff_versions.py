"""Officers' formula pages: every version by status, and one version with every borough's workings and the change
against the version before. Only officers see them."""

import pytest

from portal.lcpf import versions
from portal.models import MembershipRole, OrganisationType, StaffRole
from tests.factories import create_borough_user, create_member, create_organisation, create_user
from tests.factories_assessment import create_officer
from tests.lcpf_support import import_real_files, parameters


@pytest.fixture
def formula_versions():
    import_real_files()
    first = versions.publish(versions.create_draft("First formula", parameters(13_000_000), None), None)
    second = versions.publish(
        versions.create_draft("Second formula", parameters(13_500_000, years=(2026, 2027)), None), None
    )
    draft = versions.create_draft("Outer London draft", parameters(14_000_000, years=(2026, 2027)), create_officer())
    return first, second, draft


def persona(name: str):
    return {
        "anonymous": lambda: None,
        "unconfirmed officer": lambda: create_user(staff_role=StaffRole.GRANT_OFFICER, confirmed=False),
        "organisation owner": lambda: create_member(create_organisation(), MembershipRole.OWNER),
        "borough user": lambda: create_borough_user("Lewisham", OrganisationType.BOROUGH),
        "board user": lambda: create_borough_user("Lewisham", OrganisationType.SNB),
        "reviewer": lambda: create_user(staff_role=StaffRole.REVIEWER),
        "admin": lambda: create_user(staff_role=StaffRole.ADMIN),
        "officer": create_officer,
    }[name]()


EXPECTED = {
    "anonymous": 302,
    "unconfirmed officer": 403,
    "organisation owner": 403,
    "borough user": 403,
    "board user": 403,
    "reviewer": 403,
    "admin": 403,
    "officer": 200,
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_only_officers_see_the_versions_and_a_version_page(client, formula_versions, who):
    _first, _second, draft = formula_versions
    user = persona(who)
    if user is not None:
        client.sign_in(user)
    for url in ("/staff/lcpf/versions", f"/staff/lcpf/versions/{draft.id}"):
        response = client.get(url)
        assert response.status_code == EXPECTED[who], url
        if who == "anonymous":
            assert response.headers["Location"].startswith("/sign-in?next=")


def test_the_versions_list_groups_drafts_published_and_superseded(client, formula_versions):
    _first, _second, draft = formula_versions
    page = client.sign_in(create_officer()).get_page("/staff/lcpf/versions")

    def titles(section: str) -> list[str]:
        return [a.get_text(strip=True) for a in page.find(id=f"versions-{section}").select("a")]

    assert titles("draft") == ["Outer London draft"]
    assert titles("consultation") == []
    assert titles("published") == ["Second formula"]
    assert titles("superseded") == ["First formula"]
    assert page.find("a", string="Outer London draft")["href"] == f"/staff/lcpf/versions/{draft.id}"


def test_the_staff_home_and_navigation_lead_officers_to_the_formula(client):
    officer = create_officer()
    page = client.sign_in(officer).get_page("/staff/")
    assert page.find("a", string="Funding formula versions (London Crime Prevention Fund)")["href"] == (
        "/staff/lcpf/versions"
    )
    nav = {a.get_text(strip=True): a["href"] for a in page.select(".govuk-service-navigation__link")}
    assert nav["Funding formula"] == "/staff/lcpf/versions"
    reviewer_page = client.sign_in(create_user(staff_role=StaffRole.REVIEWER)).get_page("/staff/")
    assert "Funding formula" not in reviewer_page.get_text()


def test_the_versions_list_says_when_there_is_nothing_yet(client):
    page = client.sign_in(create_officer()).get_page("/staff/lcpf/versions")
    assert "No version is published yet." in page.get_text()
    assert page.find(id="versions-draft").get_text(strip=True) == "None."


def test_a_draft_shows_every_boroughs_workings_and_the_change_against_the_published_version(client, formula_versions):
    _first, second, draft = formula_versions
    page = client.sign_in(create_officer()).get_page(f"/staff/lcpf/versions/{draft.id}")
    assert page.h1.get_text(strip=True) == "Outer London draft"
    assert "Draft" in page.select_one("main .govuk-tag").get_text()
    table = page.find("caption", string="Every borough's allocation and its workings").find_parent("table")
    rows = table.select("tbody tr")
    assert len(rows) == 32
    assert "City of London" not in table.get_text()
    amounts = [int(row.strong.get_text().strip("£").replace(",", "")) for row in rows]
    assert sum(amounts) == 14_000_000
    pot = page.find("caption", string=lambda s: s and s.startswith("Per financial year")).find_parent("table")
    first_year = pot.select("tbody tr")[0].get_text(" ", strip=True)
    assert "£13,500,000" in first_year and "+£500,000" in first_year
    assert page.find("a", string="Second formula")["href"] == f"/staff/lcpf/versions/{second.id}"


def test_each_year_of_a_version_can_be_shown(client, formula_versions):
    _first, _second, draft = formula_versions
    page = client.sign_in(create_officer()).get_page(f"/staff/lcpf/versions/{draft.id}?year=2027")
    assert page.find(id="allocations").get_text(strip=True) == "Every borough's workings, 2027/28"
    assert page.find("a", string="Show 2026/27")


def test_an_unknown_version_is_not_found(client):
    client.sign_in(create_officer()).get_page("/staff/lcpf/versions/999999", expected_status=404)


def test_a_published_version_says_it_cannot_change_and_links_to_the_public_page(client, formula_versions):
    _first, second, _draft = formula_versions
    page = client.sign_in(create_officer()).get_page(f"/staff/lcpf/versions/{second.id}")
    assert "can no longer be changed" in page.get_text()
    assert (
        page.find("a", string="See this version as the public does")["href"] == f"/funding-formula/versions/{second.id}"
    )
