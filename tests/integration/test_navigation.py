"""The header's navigation: each person sees the links to their own work."""

from portal.extensions import db
from portal.models import Membership, MembershipRole
from tests.factories import create_member, create_organisation


def nav_links(page) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in page.select(".govuk-service-navigation__link")}


def test_a_member_of_organisations_has_a_link_to_each_in_the_header(client):
    trust = create_organisation("Lewisham Youth Trust")
    member = create_member(trust, MembershipRole.OWNER, email="owner@lewisham.example.org")
    other = create_organisation("Deptford Mothers")
    db.session.add(Membership(user=member, organisation=other, role=MembershipRole.EDITOR))
    db.session.commit()
    client.sign_in(member)
    links = nav_links(client.get_page("/account"))
    assert links["Lewisham Youth Trust"] == f"/organisations/{trust.id}"
    assert links["Deptford Mothers"] == f"/organisations/{other.id}"
