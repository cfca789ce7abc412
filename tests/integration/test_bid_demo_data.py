"""The demonstration bids: realistic, complete where submitted, and safe to load twice."""

import sqlalchemy as sa

from portal.applications.submission import review_application
from portal.database import utcnow
from portal.demo import applications as demo_applications
from portal.demo import rounds as demo_rounds
from portal.demo.seed import load_demo_data
from portal.extensions import db
from portal.models import Answer, Application, ApplicationStatus, FormVariant, Round, UploadedFile


def counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Application, Answer, UploadedFile)
    )


def load_everything() -> str:
    load_demo_data()
    demo_rounds.load()
    return demo_applications.load()


def test_loading_the_demo_bids_twice_adds_nothing_the_second_time():
    first = load_everything()
    after_first = counts()
    second = demo_applications.load()
    assert first == "Demo bids: 14 added, 11 of them submitted."
    assert second == "Demo bids: 0 added, 0 of them submitted."
    assert counts() == after_first


def test_without_demo_rounds_the_loader_does_nothing():
    load_demo_data()
    assert demo_applications.load() == "Demo bids: no demo rounds to bid for (load the demo rounds first)."
    assert counts() == (0, 0, 0)


def test_every_submitted_demo_bid_is_complete_and_has_a_reference():
    load_everything()
    submitted = db.session.scalars(sa.select(Application).where(Application.status == ApplicationStatus.SUBMITTED))
    for application in submitted:
        assert application.reference and application.reference.startswith(application.round.fund.code + "-")
        assert review_application(application).problems == [], application.project_title
        assert application.submitted_at <= application.round.closes_at


def test_the_demo_has_light_and_full_bids_multi_borough_and_london_wide_and_several_to_assess():
    load_everything()
    bids = db.session.scalars(sa.select(Application)).all()
    assert {bid.form_variant for bid in bids} == {FormVariant.LIGHT, FormVariant.FULL}
    assert any(bid.works_pan_london for bid in bids)
    assert any(len(bid.boroughs) >= 4 for bid in bids)
    closed = [bid for bid in bids if bid.round.has_closed(utcnow())]
    assert sum(bid.status is ApplicationStatus.SUBMITTED for bid in closed) >= 5
    assert any(bid.status is ApplicationStatus.DRAFT for bid in closed)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) >= 3


def test_a_demo_applicant_can_open_their_draft_and_a_submitted_bid(client):
    load_everything()
    from portal.models import User

    owner = db.session.scalar(sa.select(User).where(User.email == "cic@demo.example.org"))
    client.sign_in(owner)
    drafts = db.session.scalars(
        sa.select(Application).where(
            Application.organisation_id == owner.memberships[0].organisation_id,
            Application.status == ApplicationStatus.DRAFT,
        )
    ).all()
    assert drafts
    page = client.get_page(f"/organisations/{drafts[0].organisation_id}/applications/{drafts[0].id}")
    assert "Walk and talk mentoring" in page.get_text() or page.h1
    listing = client.get_page(f"/organisations/{owner.memberships[0].organisation_id}/applications")
    assert len(listing.select("tbody tr")) == 2
