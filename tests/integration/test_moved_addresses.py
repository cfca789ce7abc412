"""Pages that moved under their owner: the old address redirects permanently to the new one, for anyone who may see
the page, and shows nothing to anyone else."""

from portal.extensions import db
from portal.models import ApplicationStatus, Drawdown, DrawdownStatus, Membership, MembershipRole, UploadedFile
from tests.bids import bidding_setup, start_bid
from tests.borough_projects_support import plan_in
from tests.borough_projects_support import returns_of as borough_returns_of
from tests.factories import create_member, create_organisation
from tests.factories_assessment import create_officer
from tests.factories_dialogue import create_ended_award, follow_ups
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown
from tests.factories_monitoring import create_award, first_return


def test_a_returns_old_address_redirects_permanently_to_the_return_under_its_award(client):
    award = create_award(create_organisation())
    return_ = first_return(award)
    client.sign_in(create_officer())
    new = f"/staff/monitoring/awards/{award.id}/returns/{return_.id}"

    moved = client.get(f"/staff/monitoring/returns/{return_.id}")
    assert moved.status_code == 308
    assert moved.headers["Location"] == new
    assert client.get(new).status_code == 200
    # The review's forms posted to the old addresses are sent on, still as POSTs (308), to the new ones.
    for action in ("accept", "query"):
        moved = client.post(
            f"/staff/monitoring/returns/{return_.id}/{action}", data={"csrf_token": client.csrf_token()}
        )
        assert moved.status_code == 308
        assert moved.headers["Location"] == f"{new}/{action}"


def test_a_returns_old_address_shows_nothing_to_others_and_nothing_that_does_not_exist(client):
    organisation = create_organisation()
    award = create_award(organisation)
    return_ = first_return(award)
    old = f"/staff/monitoring/returns/{return_.id}"
    assert client.get(old).headers["Location"].startswith("/sign-in?next=")
    client.sign_in(create_member(organisation))
    client.get_page(old, expected_status=403)
    client.sign_in(create_officer())
    client.get_page(f"/staff/monitoring/returns/{return_.id + 1000}", expected_status=404)


def test_the_new_address_needs_the_returns_own_award(client):
    award, other = create_award(create_organisation()), create_award(create_organisation())
    return_ = first_return(award)
    client.sign_in(create_officer())
    client.get_page(f"/staff/monitoring/awards/{other.id}/returns/{return_.id}", expected_status=404)
    client.post_form(f"/staff/monitoring/awards/{other.id}/returns/{return_.id}/accept", expected_status=404)
    client.get_page(f"/staff/monitoring/awards/{award.id}/returns/{return_.id}")


def test_a_follow_ups_old_address_redirects_permanently_to_the_follow_up_under_its_award(client):
    award = create_ended_award(create_organisation())
    six = follow_ups(award)[0]
    client.sign_in(create_officer())
    new = f"/staff/monitoring/awards/{award.id}/follow-ups/{six.id}"

    moved = client.get(f"/staff/monitoring/follow-ups/{six.id}")
    assert moved.status_code == 308
    assert moved.headers["Location"] == new
    assert client.get(new).status_code == 200
    for action in ("accept", "query"):
        moved = client.post(f"/staff/monitoring/follow-ups/{six.id}/{action}", data={"csrf_token": client.csrf_token()})
        assert moved.status_code == 308
        assert moved.headers["Location"] == f"{new}/{action}"


def test_a_follow_ups_old_address_shows_nothing_to_others_and_nothing_that_does_not_exist(client):
    organisation = create_organisation()
    six = follow_ups(create_ended_award(organisation))[0]
    old = f"/staff/monitoring/follow-ups/{six.id}"
    assert client.get(old).headers["Location"].startswith("/sign-in?next=")
    client.sign_in(create_member(organisation))
    client.get_page(old, expected_status=403)
    client.sign_in(create_officer())
    client.get_page(f"/staff/monitoring/follow-ups/{six.id + 1000}", expected_status=404)


def test_the_follow_ups_new_address_needs_its_own_award(client):
    award, other = create_ended_award(create_organisation()), create_ended_award(create_organisation())
    six = follow_ups(award)[0]
    client.sign_in(create_officer())
    client.get_page(f"/staff/monitoring/awards/{other.id}/follow-ups/{six.id}", expected_status=404)
    client.post_form(f"/staff/monitoring/awards/{other.id}/follow-ups/{six.id}/accept", expected_status=404)
    client.post_form(f"/staff/monitoring/awards/{other.id}/follow-ups/{six.id}/query", expected_status=404)
    client.get_page(f"/staff/monitoring/awards/{award.id}/follow-ups/{six.id}")


def test_a_drawdowns_old_address_redirects_permanently_to_the_drawdown_under_its_allocation(client):
    board, _ = create_board("Lambeth")
    allocation = create_allocation(board)
    drawdown = create_drawdown(allocation)
    client.sign_in(create_officer())
    new = f"/staff/drawdowns/allocations/{allocation.id}/drawdowns/{drawdown.id}"

    moved = client.get(f"/staff/drawdowns/{drawdown.id}")
    assert moved.status_code == 308
    assert moved.headers["Location"] == new
    assert client.get(new).status_code == 200
    for old, action in (("decision", "decision"), ("payment", "payment")):
        moved = client.post(f"/staff/drawdowns/{drawdown.id}/{old}", data={"csrf_token": client.csrf_token()})
        assert moved.status_code == 308
        assert moved.headers["Location"] == f"{new}/{action}"


def test_a_drawdowns_old_address_shows_nothing_to_others_and_nothing_that_does_not_exist(client):
    board, owner = create_board("Lambeth")
    drawdown = create_drawdown(create_allocation(board))
    old = f"/staff/drawdowns/{drawdown.id}"
    assert client.get(old).headers["Location"].startswith("/sign-in?next=")
    client.sign_in(owner)
    client.get_page(old, expected_status=403)
    client.sign_in(create_officer())
    client.get_page(f"/staff/drawdowns/{drawdown.id + 1000}", expected_status=404)


def test_the_drawdowns_new_address_needs_its_own_allocation(client):
    board, _ = create_board("Lambeth")
    allocation = create_allocation(board)
    other = create_allocation(create_board("Hackney")[0], fund=allocation.fund)
    drawdown = create_drawdown(allocation)
    client.sign_in(create_officer())
    wrong = f"/staff/drawdowns/allocations/{other.id}/drawdowns/{drawdown.id}"
    client.get_page(wrong, expected_status=404)
    client.post_form(f"{wrong}/decision", {"decision": "approve"}, expected_status=404)
    client.post_form(f"{wrong}/payment", expected_status=404)
    client.get_page(f"/staff/drawdowns/allocations/{allocation.id}/drawdowns/{drawdown.id}")
    db.session.expire_all()
    assert db.session.get(Drawdown, drawdown.id).status is DrawdownStatus.REQUESTED


def test_a_borough_returns_old_address_redirects_permanently_to_the_return_under_its_plan(client):
    plan = plan_in("Lewisham")
    return_ = borough_returns_of(plan.projects[0])[0]
    client.sign_in(create_officer())
    new = f"/staff/boroughs/plans/{plan.id}/returns/{return_.id}"

    moved = client.get(f"/staff/boroughs/returns/{return_.id}")
    assert moved.status_code == 308
    assert moved.headers["Location"] == new
    assert client.get(new).status_code == 200
    for action in ("accept", "query"):
        moved = client.post(f"/staff/boroughs/returns/{return_.id}/{action}", data={"csrf_token": client.csrf_token()})
        assert moved.status_code == 308
        assert moved.headers["Location"] == f"{new}/{action}"


def test_a_borough_returns_old_address_shows_nothing_to_others_and_nothing_that_is_not_a_borough_return(client):
    plan = plan_in("Lewisham")
    return_ = borough_returns_of(plan.projects[0])[0]
    old = f"/staff/boroughs/returns/{return_.id}"
    assert client.get(old).headers["Location"].startswith("/sign-in?next=")
    client.sign_in(create_member(plan.organisation))
    client.get_page(old, expected_status=403)
    client.sign_in(create_officer())
    client.get_page(f"/staff/boroughs/returns/{return_.id + 1000}", expected_status=404)
    award_return = first_return(create_award(create_organisation()))
    client.get_page(f"/staff/boroughs/returns/{award_return.id}", expected_status=404)


def test_the_borough_returns_new_address_needs_its_own_plan(client):
    plan, other = plan_in("Lewisham"), plan_in("Hackney")
    return_ = borough_returns_of(plan.projects[0])[0]
    client.sign_in(create_officer())
    wrong = f"/staff/boroughs/plans/{other.id}/returns/{return_.id}"
    client.get_page(wrong, expected_status=404)
    client.post_form(f"{wrong}/accept", expected_status=404)
    client.post_form(f"{wrong}/query", {"question": "Which schools?"}, expected_status=404)
    client.get_page(f"/staff/boroughs/plans/{plan.id}/returns/{return_.id}")


# A bid's pages: from /applications/<bid>/… to /organisations/<organisation>/applications/<bid>/….
BID_GETS = (
    "",
    "/view",
    "/organisation-details",
    "/project",
    "/sections/1",
    "/check-your-answers",
    "/submitted",
    "/withdraw",
)
BID_POSTS = (
    "/organisation-details/update",
    "/organisation-details",
    "/organisation-details/autosave",
    "/project",
    "/project/autosave",
    "/sections/1",
    "/sections/1/autosave",
    "/submit",
    "/withdraw",
)


def a_bid_with_a_file(client):
    """A draft started by its owner (signed in), with a file uploaded as the answer to its plan."""
    setup = bidding_setup()
    application = start_bid(client, setup)
    uploaded = UploadedFile(
        application_id=application.id,
        question_id=setup.plan.id,
        filename="plan.pdf",
        content_type="application/pdf",
        size_bytes=5,
        content=b"%PDF-",
    )
    db.session.add(uploaded)
    db.session.commit()
    return setup, application, uploaded


def test_a_bids_old_addresses_redirect_permanently_to_the_bid_under_its_organisation(client):
    setup, application, uploaded = a_bid_with_a_file(client)
    old = f"/applications/{application.id}"
    new = f"/organisations/{setup.organisation.id}/applications/{application.id}"
    remove = f"/sections/1/files/{setup.plan.id}/remove"
    for rest in (*BID_GETS, f"/files/{uploaded.id}", remove):
        moved = client.get(f"{old}{rest}")
        assert moved.status_code == 308, rest
        assert moved.headers["Location"] == f"{new}{rest}"
    # Forms and autosaves posted from pages opened before the move are sent on, still as POSTs (308).
    for rest in (*BID_POSTS, remove):
        moved = client.post(f"{old}{rest}", data={"csrf_token": client.csrf_token()})
        assert moved.status_code == 308, rest
        assert moved.headers["Location"] == f"{new}{rest}"
    assert client.get(new).status_code == 200
    assert client.get(f"{old}/files/{uploaded.id}", follow_redirects=True).data == b"%PDF-"


def test_a_bids_old_addresses_show_nothing_to_others_and_nothing_that_does_not_exist(client):
    setup, application, uploaded = a_bid_with_a_file(client)
    old = f"/applications/{application.id}"
    client.sign_out()
    for rest in (*BID_GETS, f"/files/{uploaded.id}"):
        assert client.get(f"{old}{rest}").headers["Location"].startswith("/sign-in?next="), rest
    token = client.csrf_token()
    for rest in BID_POSTS:
        moved = client.post(f"{old}{rest}", data={"csrf_token": token})
        assert moved.headers["Location"].startswith("/sign-in?next="), rest

    # Another organisation's owner finds no such bid, as before the move, and is never told where it lives.
    client.sign_in(create_member(create_organisation("St Giles Trust"), email="stgiles@example.org"))
    for rest in (*BID_GETS, f"/files/{uploaded.id}"):
        moved = client.get(f"{old}{rest}")
        assert moved.status_code == 404, rest
        assert "Location" not in moved.headers
    for rest in BID_POSTS:
        assert client.post(f"{old}{rest}", data={"csrf_token": client.csrf_token()}).status_code == 404, rest
    db.session.expire_all()
    assert application.status is ApplicationStatus.DRAFT

    client.sign_in(setup.owner)
    client.get_page(f"/applications/{application.id + 1000}", expected_status=404)
    client.get_page(f"{old}/files/{uploaded.id + 1000}", expected_status=404)


def test_the_bids_new_address_needs_its_own_organisation(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    # The owner belongs to a second organisation too: the bid is still not found under that one.
    other = create_organisation("St Giles Trust")
    db.session.add(Membership(user=setup.owner, organisation=other, role=MembershipRole.OWNER))
    db.session.commit()
    wrong = f"/organisations/{other.id}/applications/{application.id}"
    for rest in BID_GETS:
        client.get_page(f"{wrong}{rest}", expected_status=404)
    for rest in BID_POSTS:
        assert client.post(f"{wrong}{rest}", data={"csrf_token": client.csrf_token()}).status_code == 404, rest
    assert (
        client.post(f"{wrong}/project", data={"csrf_token": client.csrf_token(), "project_title": "No"}).status_code
        == 404
    )
    db.session.expire_all()
    assert application.project_title is None
    client.get_page(f"/organisations/{setup.organisation.id}/applications/{application.id}")

    # Someone of the other organisation only finds it under neither.
    client.sign_in(create_member(other, email="stgiles@example.org"))
    client.get_page(wrong, expected_status=404)
    client.get_page(f"/organisations/{setup.organisation.id}/applications/{application.id}", expected_status=404)
