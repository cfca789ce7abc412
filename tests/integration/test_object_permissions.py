"""Object-level permissions: holding a permission somewhere is not holding it over every record."""

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from portal.extensions import db
from portal.models import (
    AuditEvent,
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    StaffRole,
    User,
)
from portal.permissions import Permission, can, has_permission
from tests.factories import (
    create_borough_user,
    create_member,
    create_organisation,
    create_user,
    local_authority,
)

LEWISHAM = "E09000023"
LAMBETH = "E09000022"

# The permissions over organisations, boroughs and the staff area that this file is about. (Other areas, such as
# bids and awards, test their own.)
ORGANISATION_PERMISSIONS = (
    Permission.USE_ACCOUNT,
    Permission.USE_STAFF_AREA,
    Permission.VIEW_ORGANISATION,
    Permission.EDIT_ORGANISATION,
    Permission.MANAGE_MEMBERS,
    Permission.VIEW_ANY_ORGANISATION,
    Permission.VERIFY_ORGANISATIONS,
    Permission.VIEW_BOROUGH,
    Permission.MANAGE_STAFF,
    Permission.VIEW_OUTBOX,
    Permission.VIEW_AUDIT_LOG,
)


@pytest.fixture
def two_organisations():
    """Organisation A, whose editor and owner we act as, and organisation B with an owner and an editor."""
    a = create_organisation("Organisation A")
    b = create_organisation("Organisation B")
    return {
        "a": a,
        "b": b,
        "a_editor": create_member(a, MembershipRole.EDITOR),
        "a_owner": create_member(a, MembershipRole.OWNER),
        "b_owner": create_member(b, MembershipRole.OWNER),
        "b_editor": create_member(b, MembershipRole.EDITOR),
    }


def _membership(user, organisation) -> Membership:
    return db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.organisation_id == organisation.id)
    )


def _pages_of(organisation, membership) -> list[str]:
    base = f"/organisations/{organisation.id}"
    return [base, f"{base}/profile", f"{base}/members", f"{base}/members/invite", f"{base}/members/{membership.id}"]


@pytest.mark.parametrize("member_of_a", ["a_editor", "a_owner"])
def test_a_member_of_one_organisation_is_refused_every_page_of_another(client, two_organisations, member_of_a):
    a, b = two_organisations["a"], two_organisations["b"]
    client.sign_in(two_organisations[member_of_a])
    for url in _pages_of(a, _membership(two_organisations[member_of_a], a))[:3]:
        client.get_page(url, 200)  # their own organisation is open to them
    for url in _pages_of(b, _membership(two_organisations["b_editor"], b)):
        client.get_page(url, 403)


@pytest.mark.parametrize("member_of_a", ["a_editor", "a_owner"])
def test_a_member_of_one_organisation_cannot_post_to_another_organisations_forms(
    client, mailbox, two_organisations, member_of_a
):
    b = two_organisations["b"]
    b_editor_membership = _membership(two_organisations["b_editor"], b)
    open_invitation = _invite(b, two_organisations["b_owner"], "pending@example.org")
    client.sign_in(two_organisations[member_of_a])
    mailbox.clear()
    audit_events_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    base = f"/organisations/{b.id}"

    client.post_form(
        f"{base}/profile",
        {"name": "Taken over", "address_line_1": "1 Test Street", "town": "London", "postcode": "SE1 1AA"},
        expected_status=403,
    )
    client.post_form(f"{base}/members/invite", {"email": "intruder@example.org", "role": "owner"}, 403)
    client.post_form(f"{base}/members/{b_editor_membership.id}", {"role": "owner"}, 403)
    client.post_form(f"{base}/members/{b_editor_membership.id}/remove", {}, 403)
    client.post_form(f"{base}/invitations/{open_invitation.id}/revoke", {}, 403)

    db.session.expire_all()
    assert db.session.get(Organisation, b.id).name == "Organisation B"
    assert db.session.get(Membership, b_editor_membership.id).role is MembershipRole.EDITOR
    assert db.session.get(Invitation, open_invitation.id).revoked_at is None
    assert not db.session.scalar(sa.select(Invitation).where(Invitation.email == "intruder@example.org"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == audit_events_before
    assert mailbox.messages == []


def _invite(organisation, owner, email) -> Invitation:
    from portal.organisations.services import invite_member

    return invite_member(organisation, email, MembershipRole.EDITOR, owner)


def test_an_owner_can_post_to_their_own_organisations_forms(client, two_organisations):
    """The other side of the test above: the same POSTs work for the organisation's own owner."""
    b = two_organisations["b"]
    client.sign_in(two_organisations["b_owner"])
    client.post_form(f"/organisations/{b.id}/members/invite", {"email": "new.member@example.org", "role": "editor"})
    assert db.session.scalar(sa.select(Invitation).where(Invitation.email == "new.member@example.org"))


def test_an_editor_may_edit_the_profile_but_not_manage_members_of_their_own_organisation(client, two_organisations):
    a = two_organisations["a"]
    client.sign_in(two_organisations["a_editor"])
    client.get_page(f"/organisations/{a.id}/profile", 200)
    client.get_page(f"/organisations/{a.id}/members/invite", 403)
    membership = _membership(two_organisations["a_owner"], a)
    client.get_page(f"/organisations/{a.id}/members/{membership.id}", 403)


ORGANISATIONS_SECTION = "Organisations working here"


def test_a_borough_user_sees_what_only_their_own_borough_may_see_and_not_another_boroughs(client):
    lewisham_user = create_borough_user("Lewisham")
    client.sign_in(lewisham_user)
    page = client.get_page(f"/boroughs/{LEWISHAM}", 200)
    assert "Lewisham" in page.get_text() and ORGANISATIONS_SECTION in page.get_text()
    assert ORGANISATIONS_SECTION in client.get_page(f"/boroughs/{LEWISHAM.lower()}", 200).get_text()
    # Another borough's page is public: they see it as anyone does, without that borough's own section.
    assert ORGANISATIONS_SECTION not in client.get_page(f"/boroughs/{LAMBETH}", 200).get_text()


def test_a_safer_neighbourhood_board_sees_its_own_borough_too(client):
    client.sign_in(create_borough_user("Lambeth", OrganisationType.SNB))
    assert ORGANISATIONS_SECTION in client.get_page(f"/boroughs/{LAMBETH}", 200).get_text()
    assert ORGANISATIONS_SECTION not in client.get_page(f"/boroughs/{LEWISHAM}", 200).get_text()


def test_the_public_sees_a_borough_page_without_the_boroughs_own_section(client):
    assert ORGANISATIONS_SECTION not in client.get_page(f"/boroughs/{LEWISHAM}", 200).get_text()


def test_an_unverified_borough_member_is_refused_until_an_admin_verifies_the_organisation(client, mailbox, run_jobs):
    borough_user = create_borough_user("Lewisham", verified=False)
    council = borough_user.memberships[0].organisation
    colleague = create_member(council, MembershipRole.EDITOR)
    admin = create_user(staff_role=StaffRole.ADMIN)
    # Ids and strings only after run_jobs: with Redis, running jobs ends the session.
    council_id, council_name, admin_id = council.id, council.name, admin.id
    member_emails = [borough_user.email, colleague.email]
    borough_user_id = borough_user.id

    client.sign_in(borough_user)
    assert ORGANISATIONS_SECTION not in client.get_page(f"/boroughs/{LEWISHAM}").get_text()

    client.sign_in(admin)
    response = client.post_form(f"/staff/organisations/{council_id}/verify")
    assert response.headers["Location"] == f"/organisations/{council_id}"
    run_jobs()

    council = db.session.get(Organisation, council_id)
    assert council.status is OrganisationStatus.ACTIVE
    assert council.verified_at is not None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organisation.verified"))
    assert event is not None
    assert (event.subject_type, event.subject_id) == ("organisation", council_id)
    assert event.organisation_id == council_id
    assert event.actor_id == admin_id
    assert event.before == {"status": "awaiting_verification"}
    assert event.after == {"status": "active"}
    for email_address in member_emails:
        email = mailbox.last_to(email_address)
        assert email["Subject"] == f"{council_name} has been verified"
        assert "Lewisham" in email.get_content()

    client.sign_in(db.session.get(User, borough_user_id))
    assert ORGANISATIONS_SECTION in client.get_page(f"/boroughs/{LEWISHAM}").get_text()
    assert ORGANISATIONS_SECTION not in client.get_page(f"/boroughs/{LAMBETH}").get_text()


def test_verifying_an_organisation_twice_changes_nothing_the_second_time(client, mailbox, run_jobs):
    council = create_borough_user("Lewisham", verified=False).memberships[0].organisation
    client.sign_in(create_user(staff_role=StaffRole.ADMIN))
    client.post_form(f"/staff/organisations/{council.id}/verify")
    client.post_form(f"/staff/organisations/{council.id}/verify")
    run_jobs()
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "organisation.verified")).all()
    assert len(events) == 1
    assert len(mailbox.messages) == 1


@pytest.mark.parametrize("role", [StaffRole.GRANT_OFFICER, StaffRole.REVIEWER])
def test_only_an_admin_may_verify_an_organisation(client, role):
    council = create_borough_user("Lewisham", verified=False).memberships[0].organisation
    client.sign_in(create_user(staff_role=role))
    client.post_form(f"/staff/organisations/{council.id}/verify", expected_status=403)
    db.session.expire_all()
    assert db.session.get(Organisation, council.id).status is OrganisationStatus.AWAITING_VERIFICATION


def test_a_borough_owner_cannot_verify_their_own_organisation(client):
    borough_user = create_borough_user("Lewisham", verified=False)
    council = borough_user.memberships[0].organisation
    client.sign_in(borough_user)
    client.post_form(f"/staff/organisations/{council.id}/verify", expected_status=403)


def test_grant_officers_can_view_any_organisation_but_not_edit_it(client, two_organisations):
    b = two_organisations["b"]
    client.sign_in(create_user(staff_role=StaffRole.GRANT_OFFICER))
    page = client.get_page(f"/organisations/{b.id}", 200)
    assert "Organisation B" in page.get_text()
    client.get_page(f"/organisations/{b.id}/members", 200)
    client.get_page(f"/organisations/{b.id}/profile", 403)
    client.get_page(f"/organisations/{b.id}/members/invite", 403)


def test_reviewers_cannot_view_organisations(client, two_organisations):
    b = two_organisations["b"]
    client.sign_in(create_user(staff_role=StaffRole.REVIEWER))
    client.get_page(f"/organisations/{b.id}", 403)
    client.get_page(f"/organisations/{b.id}/members", 403)


def test_unknown_ids_and_codes_are_not_found(client, two_organisations):
    a = two_organisations["a"]
    client.sign_in(create_user(staff_role=StaffRole.ADMIN))
    client.get_page("/organisations/999999", 404)
    client.get_page("/organisations/999999/members", 404)
    client.get_page("/staff/users/999999", 404)
    client.get_page(f"/organisations/{a.id}/members/999999", 403)  # admins do not manage members
    client.post_form("/staff/organisations/999999/verify", expected_status=404)
    client.get_page("/boroughs/E09999999", 404)

    client.sign_in(two_organisations["a_owner"])
    client.get_page(f"/organisations/{a.id}/members/999999", 404)
    client.get_page("/organisations/not-a-number", 404)


def test_a_membership_of_another_organisation_is_not_found_through_ones_own(client, two_organisations):
    a, b = two_organisations["a"], two_organisations["b"]
    client.sign_in(two_organisations["a_owner"])
    someone_elses = _membership(two_organisations["b_editor"], b)
    client.get_page(f"/organisations/{a.id}/members/{someone_elses.id}", 404)
    client.post_form(f"/organisations/{a.id}/members/{someone_elses.id}", {"role": "owner"}, 404)
    db.session.expire_all()
    assert db.session.get(Membership, someone_elses.id).role is MembershipRole.EDITOR


# Unit-level checks of the permission functions, with real users.


def test_members_hold_their_roles_permissions_over_their_own_organisation_only(two_organisations):
    a, b = two_organisations["a"], two_organisations["b"]
    editor, owner = two_organisations["a_editor"], two_organisations["a_owner"]

    assert can(editor, Permission.VIEW_ORGANISATION, a)
    assert can(editor, Permission.EDIT_ORGANISATION, a)
    assert not can(editor, Permission.MANAGE_MEMBERS, a)
    assert can(owner, Permission.MANAGE_MEMBERS, a)
    for permission in (Permission.VIEW_ORGANISATION, Permission.EDIT_ORGANISATION, Permission.MANAGE_MEMBERS):
        assert not can(editor, permission, b)
        assert not can(owner, permission, b)


def test_holding_a_permission_anywhere_is_what_has_permission_reports(two_organisations):
    editor, owner = two_organisations["a_editor"], two_organisations["a_owner"]
    assert has_permission(editor, Permission.EDIT_ORGANISATION)
    assert not has_permission(editor, Permission.MANAGE_MEMBERS)
    assert has_permission(owner, Permission.MANAGE_MEMBERS)
    assert has_permission(editor, Permission.USE_ACCOUNT)
    assert not has_permission(owner, Permission.USE_STAFF_AREA)
    assert not has_permission(owner, Permission.VIEW_BOROUGH)


def test_a_user_without_any_organisation_holds_only_their_account():
    loner = create_user()
    assert [p for p in ORGANISATION_PERMISSIONS if has_permission(loner, p)] == [Permission.USE_ACCOUNT]


def test_anonymous_visitors_hold_nothing(two_organisations):
    anonymous = AnonymousUserMixin()
    for permission in Permission:
        assert not has_permission(anonymous, permission)
        assert not can(anonymous, permission, two_organisations["a"])


STAFF_HOLD = {
    StaffRole.REVIEWER: {Permission.USE_ACCOUNT, Permission.USE_STAFF_AREA},
    StaffRole.GRANT_OFFICER: {
        Permission.USE_ACCOUNT,
        Permission.USE_STAFF_AREA,
        Permission.VIEW_ORGANISATION,
        Permission.VIEW_ANY_ORGANISATION,
        Permission.VIEW_BOROUGH,
        Permission.VIEW_AUDIT_LOG,
    },
    # Everything except acting for an organisation.
    StaffRole.ADMIN: set(ORGANISATION_PERMISSIONS) - {Permission.EDIT_ORGANISATION, Permission.MANAGE_MEMBERS},
}


@pytest.mark.parametrize("role", list(STAFF_HOLD))
def test_staff_hold_their_roles_permissions_over_every_record(two_organisations, role):
    staff = create_user(staff_role=role)
    lambeth = local_authority("Lambeth")
    for permission in ORGANISATION_PERMISSIONS:
        expected = permission in STAFF_HOLD[role]
        assert has_permission(staff, permission) is expected, permission
        assert can(staff, permission, two_organisations["b"]) is expected, permission
        assert can(staff, permission, lambeth) is expected, permission


def test_a_verified_borough_member_may_view_their_borough_and_no_other():
    lewisham_user = create_borough_user("Lewisham")
    assert has_permission(lewisham_user, Permission.VIEW_BOROUGH)
    assert can(lewisham_user, Permission.VIEW_BOROUGH, local_authority("Lewisham"))
    assert not can(lewisham_user, Permission.VIEW_BOROUGH, local_authority("Lambeth"))
    assert not can(lewisham_user, Permission.VIEW_ANY_ORGANISATION, local_authority("Lewisham"))


def test_an_unverified_borough_member_may_not_view_their_borough():
    waiting = create_borough_user("Lewisham", verified=False)
    assert not has_permission(waiting, Permission.VIEW_BOROUGH)
    assert not can(waiting, Permission.VIEW_BOROUGH, local_authority("Lewisham"))


def test_a_borough_that_an_ordinary_organisation_serves_gives_its_members_no_borough_view():
    charity = create_organisation(boroughs=("Lewisham",))
    owner = create_member(charity)
    assert not has_permission(owner, Permission.VIEW_BOROUGH)
    assert not can(owner, Permission.VIEW_BOROUGH, local_authority("Lewisham"))


def test_a_statutory_body_does_not_stand_for_a_borough_even_when_verified():
    body = create_organisation("Probation", organisation_type=OrganisationType.STATUTORY_BODY, borough="Lewisham")
    officer = create_member(body)
    assert not can(officer, Permission.VIEW_BOROUGH, local_authority("Lewisham"))
