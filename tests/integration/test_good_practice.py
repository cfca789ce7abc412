"""Officers publish case studies that organisations agreed to share; the public library shows those, and only
those: published, agreed, from accepted returns of approved awards."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, AwardStatus, MembershipRole, PublishedCaseStudy, ReturnStatus, ServiceArea
from tests.client import error_messages
from tests.factories import create_member, create_organisation, create_user
from tests.factories_dialogue import accepted_case_study_return
from tests.factories_funding import create_fund
from tests.factories_monitoring import create_award

STORY = "A young man referred after a stabbing went back to college. He now mentors others."


def officer():
    from portal.models import StaffRole

    return create_user(staff_role=StaffRole.GRANT_OFFICER, full_name="Priya Shah")


def reload(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def publish(client, return_, title="Back to college", summary="Mentoring after a stabbing."):
    return client.post_form(f"/staff/good-practice/returns/{return_.id}/publish", {"title": title, "summary": summary})


def library_titles(client, query=""):
    page = client.get_page(f"/good-practice{query}")
    return [a.get_text() for a in page.select("main h2 a")]


def test_an_officer_publishes_an_agreed_case_study_with_their_own_title_and_the_public_can_read_it(client):
    staff = officer()
    award = create_award(create_organisation("Peckham Street Mentors CIC"), boroughs=("Southwark", "Lambeth"))
    return_ = accepted_case_study_return(award)
    client.sign_in(staff)
    page = client.get_page(f"/staff/good-practice/returns/{return_.id}/publish")
    assert page.find("input", {"name": "title"})["value"] == award.title  # a suggestion to edit

    page = client.post_form(f"/staff/good-practice/returns/{return_.id}/publish", {"title": "", "summary": ""}, 200)
    assert error_messages(page) == {
        "title": "Enter a title for the case study",
        "summary": "Enter a short summary for the list of case studies",
    }
    publish(client, return_)
    case_study = db.session.scalar(sa.select(PublishedCaseStudy))
    assert (case_study.title, case_study.published_by_id) == ("Back to college", staff.id)

    client.sign_out()
    assert library_titles(client) == ["Back to college"]
    page = client.get_page(f"/good-practice/{case_study.id}")
    text = page.get_text(" ")
    for expected in ("Peckham Street Mentors CIC", award.title, "Lambeth, Southwark", STORY.split(".")[0]):
        assert expected in text
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.subject_type == "published_case_study"))
    assert list(actions) == ["case_study.published"]


def test_a_case_study_the_organisation_did_not_agree_to_share_can_never_be_published(client):
    award = create_award()
    return_ = accepted_case_study_return(award, agreed=False)
    client.sign_in(officer())
    client.get_page(f"/staff/good-practice/returns/{return_.id}/publish", 404)
    client.post_form(f"/staff/good-practice/returns/{return_.id}/publish", {"title": "t", "summary": "s"}, 404)
    assert client.get_page("/staff/good-practice").find("a", string="Publish") is None
    assert db.session.scalar(sa.select(sa.func.count(PublishedCaseStudy.id))) == 0


def test_a_case_study_from_a_return_not_yet_accepted_cannot_be_published(client):
    return_ = accepted_case_study_return(create_award(), status=ReturnStatus.SUBMITTED)
    client.sign_in(officer())
    client.get_page(f"/staff/good-practice/returns/{return_.id}/publish", 404)


def test_a_published_case_study_leaves_the_library_if_agreement_or_approval_is_withdrawn(client):
    award = create_award()
    return_ = accepted_case_study_return(award)
    client.sign_in(officer())
    publish(client, return_)
    case_study = db.session.scalar(sa.select(PublishedCaseStudy))
    client.sign_out()
    assert library_titles(client) == ["Back to college"]

    return_.case_study_may_publish = False
    db.session.commit()
    assert library_titles(client) == []
    client.get_page(f"/good-practice/{case_study.id}", 404)

    return_.case_study_may_publish = True
    award.status = AwardStatus.AWAITING_APPROVAL
    db.session.commit()
    assert library_titles(client) == []
    client.get_page(f"/good-practice/{case_study.id}", 404)

    award.status = AwardStatus.APPROVED
    return_.status = ReturnStatus.QUERIED
    db.session.commit()
    client.get_page(f"/good-practice/{case_study.id}", 404)


def test_an_officer_unpublishes_a_case_study_and_can_publish_it_again(client):
    staff = officer()
    return_ = accepted_case_study_return(create_award())
    client.sign_in(staff)
    publish(client, return_)
    case_study = db.session.scalar(sa.select(PublishedCaseStudy))
    client.post_form(f"/staff/good-practice/{case_study.id}/unpublish")
    assert not reload(case_study).is_published and reload(case_study).unpublished_by_id == staff.id
    client.sign_out()
    client.get_page(f"/good-practice/{case_study.id}", 404)
    assert library_titles(client) == []

    client.sign_in(staff)
    publish(client, return_, title="Back to college, and mentoring")
    client.sign_out()
    assert library_titles(client) == ["Back to college, and mentoring"]


def test_the_library_filters_by_area_of_service_and_fund_and_pages_through_many(client):
    staff = officer()
    violence = create_fund("VRU programmes", service_areas=(ServiceArea.VIOLENCE_REDUCTION,))
    victims_award = create_award(title="Support after burglary")
    victims_award.service_areas = [ServiceArea.VICTIM_SUPPORT]
    youth_award = create_award(title="Mentoring in Peckham")
    youth_award.service_areas = [ServiceArea.VIOLENCE_REDUCTION]
    youth_award.fund = violence
    db.session.commit()
    client.sign_in(staff)
    publish(client, accepted_case_study_return(victims_award), title="Feeling safe at home again")
    publish(client, accepted_case_study_return(youth_award), title="Back to college")
    client.sign_out()

    assert library_titles(client, "?area=victim_support") == ["Feeling safe at home again"]
    assert library_titles(client, f"?fund={violence.id}") == ["Back to college"]
    assert library_titles(client, "?area=hate_crime") == []
    page = client.get_page("/good-practice")
    assert [o.get_text() for o in page.select("#fund option")][1:] == sorted(
        [victims_award.fund.name, "VRU programmes"]
    )

    client.sign_in(staff)
    for number in range(10):
        award = create_award(title=f"Service {number}")
        publish(client, accepted_case_study_return(award), title=f"Story {number}")
    client.sign_out()
    first, second = library_titles(client), library_titles(client, "?page=2")
    assert len(first) == 10 and len(second) == 2
    assert set(first) | set(second) == {f"Story {n}" for n in range(10)} | {
        "Back to college",
        "Feeling safe at home again",
    }


def test_only_officers_publish_and_organisations_cannot_reach_the_staff_pages(client):
    organisation = create_organisation()
    owner = create_member(organisation, MembershipRole.OWNER)
    return_ = accepted_case_study_return(create_award(organisation))
    client.sign_in(owner)
    client.get_page("/staff/good-practice", 403)
    client.get_page(f"/staff/good-practice/returns/{return_.id}/publish", 403)
    client.post_form(f"/staff/good-practice/returns/{return_.id}/publish", {"title": "t", "summary": "s"}, 403)
    client.get_page("/good-practice")  # the library is public
