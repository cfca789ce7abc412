import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, Invitation, Membership, MembershipRole, Organisation, User
from tests.client import error_messages, summary_errors
from tests.factories import PASSWORD, create_member, create_organisation, create_user

OWNER = "owner@brixtonyouth.org.uk"
COLLEAGUE = "jo@brixtonyouth.org.uk"
LAST_OWNER = "An organisation needs at least one owner. Make someone else an owner first"


@pytest.fixture
def organisation() -> int:
    """The organisation's id. Tests keep ids and email addresses, not records: with Redis, run_jobs() ends the
    database session, which detaches every record loaded before it."""
    return create_organisation("Brixton Youth Forum").id


@pytest.fixture
def owner(organisation):
    return member(organisation, MembershipRole.OWNER, email=OWNER, full_name="Priya Shah")


def member(organisation: int, role: MembershipRole, **fields) -> User:
    return create_member(db.session.get(Organisation, organisation), role, **fields)


@pytest.fixture
def newcomer(app, client):
    """A second browser, for the person who receives the invitation."""
    return app.test_client()


def invite(client, organisation: int, email=COLLEAGUE, role=MembershipRole.EDITOR, **kwargs):
    return client.post_form(
        f"/organisations/{organisation}/members/invite", {"email": email, "role": role.value}, **kwargs
    )


def invitation_link(mailbox, run_jobs, email: str = COLLEAGUE) -> str:
    run_jobs()
    match = re.search(r"http://portal\.test(/invitations/\S+)", mailbox.last_to(email).get_content())
    assert match
    return match.group(1)


def membership_of(email: str, organisation: int) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).join(User).where(User.email == email, Membership.organisation_id == organisation)
    )


def role_of(email: str, organisation: int) -> MembershipRole | None:
    membership = membership_of(email, organisation)
    return membership.role if membership else None


def member_url(email: str, organisation: int) -> str:
    return f"/organisations/{organisation}/members/{membership_of(email, organisation).id}"


def audit_actions(organisation: int) -> list[str]:
    query = sa.select(AuditEvent.action).where(AuditEvent.organisation_id == organisation).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_owner_can_invite_a_colleague_by_email(client, mailbox, run_jobs, organisation, owner):
    client.sign_in(owner)

    response = invite(client, organisation)
    run_jobs()

    assert response.headers["Location"] == f"/organisations/{organisation}/members"
    message = mailbox.last_to(COLLEAGUE)
    assert message["Subject"] == "You have been invited to join Brixton Youth Forum"
    assert "Priya Shah has invited you to join Brixton Youth Forum" in message.get_content()
    assert re.search(r"http://portal\.test/invitations/\S+", message.get_content())
    assert audit_actions(organisation) == ["invitation.created"]
    assert COLLEAGUE in client.get_page(f"/organisations/{organisation}/members").get_text()


@pytest.mark.parametrize("role", [MembershipRole.EDITOR, MembershipRole.OWNER])
def test_a_new_person_accepts_an_invitation_by_creating_an_account(
    client, newcomer, mailbox, run_jobs, organisation, owner, role
):
    client.sign_in(owner)
    invite(client, organisation, role=role)
    link = invitation_link(mailbox, run_jobs)
    assert newcomer.get_page(link).h1.get_text() == "Join Brixton Youth Forum"

    response = newcomer.post_form(link, {"full_name": "Jo Bloggs", "password": PASSWORD, "confirm_password": PASSWORD})

    assert response.headers["Location"] == f"/organisations/{organisation}"
    user = db.session.scalar(sa.select(User).where(User.email == COLLEAGUE))
    assert user.full_name == "Jo Bloggs"
    assert user.email_confirmed_at is not None  # the invitation reached this address
    assert role_of(COLLEAGUE, organisation) is role
    assert audit_actions(organisation) == ["invitation.created", "membership.created"]
    assert newcomer.get(f"/organisations/{organisation}").status_code == 200


def test_a_weak_password_is_refused_when_accepting_as_a_new_person(
    client, newcomer, mailbox, run_jobs, organisation, owner
):
    client.sign_in(owner)
    invite(client, organisation)
    link = invitation_link(mailbox, run_jobs)

    page = newcomer.post_form(
        link,
        {"full_name": "Jo Bloggs", "password": "password123", "confirm_password": "password123"},
        expected_status=200,
    )

    assert error_messages(page)["password"].startswith("Choose a stronger password")
    assert page.find("input", attrs={"name": "full_name"})["value"] == "Jo Bloggs"
    assert db.session.scalar(sa.select(User).where(User.email == COLLEAGUE)) is None


def test_someone_with_an_account_signs_in_and_then_accepts(client, newcomer, mailbox, run_jobs, organisation, owner):
    create_member(create_organisation("Another charity"), email=COLLEAGUE)
    client.sign_in(owner)
    invite(client, organisation)
    link = invitation_link(mailbox, run_jobs)

    response = newcomer.get(link)
    assert response.headers["Location"] == f"/sign-in?next={link}"
    response = newcomer.post_form(response.headers["Location"], {"email": COLLEAGUE, "password": PASSWORD})
    assert response.headers["Location"] == link
    assert newcomer.get_page(link).main.find("button").get_text(strip=True) == "Accept invitation"

    response = newcomer.post_form(link)

    assert response.headers["Location"] == f"/organisations/{organisation}"
    assert role_of(COLLEAGUE, organisation) is MembershipRole.EDITOR
    assert audit_actions(organisation) == ["invitation.created", "membership.created"]


def test_an_invitation_is_refused_to_someone_signed_in_with_another_address(
    client, newcomer, mailbox, run_jobs, organisation, owner
):
    newcomer.sign_in(create_user("pat@example.org"))
    client.sign_in(owner)
    invite(client, organisation)
    link = invitation_link(mailbox, run_jobs)

    page = newcomer.post_form(link, expected_status=200)

    assert summary_errors(page) == [
        f"This invitation was sent to {COLLEAGUE}. Sign in with that email address to accept it"
    ]
    assert role_of("pat@example.org", organisation) is None


def test_a_withdrawn_invitation_link_no_longer_works(client, newcomer, mailbox, run_jobs, organisation, owner):
    client.sign_in(owner)
    invite(client, organisation)
    link = invitation_link(mailbox, run_jobs)
    invitation_id = db.session.scalar(sa.select(Invitation.id))

    response = client.post_form(f"/organisations/{organisation}/invitations/{invitation_id}/revoke")

    assert response.headers["Location"] == f"/organisations/{organisation}/members"
    assert audit_actions(organisation) == ["invitation.created", "invitation.revoked"]
    page = newcomer.get_page(link, expected_status=400)
    assert "This invitation has expired, been withdrawn or already been used" in page.main.get_text()


def test_an_invitation_link_works_only_once(client, newcomer, mailbox, run_jobs, organisation, owner):
    client.sign_in(owner)
    invite(client, organisation)
    link = invitation_link(mailbox, run_jobs)
    newcomer.post_form(link, {"full_name": "Jo Bloggs", "password": PASSWORD, "confirm_password": PASSWORD})
    newcomer.sign_out()

    page = newcomer.get_page(link, expected_status=400)

    assert "This invitation has expired, been withdrawn or already been used" in page.main.get_text()


def test_a_new_invitation_replaces_an_open_one_to_the_same_address(client, mailbox, run_jobs, organisation, owner):
    client.sign_in(owner)
    invite(client, organisation)
    first_link = invitation_link(mailbox, run_jobs)

    invite(client, organisation, role=MembershipRole.OWNER)

    assert client.get(first_link).status_code == 400
    assert client.get(invitation_link(mailbox, run_jobs)).status_code == 200


def test_an_editor_cannot_invite_colleagues(client, organisation):
    client.sign_in(member(organisation, MembershipRole.EDITOR))

    client.get_page(f"/organisations/{organisation}/members/invite", expected_status=403)
    invite(client, organisation, expected_status=403)

    assert db.session.scalar(sa.select(Invitation)) is None


def test_inviting_someone_who_is_already_a_member_is_explained_beside_the_email(client, organisation, owner):
    member(organisation, MembershipRole.EDITOR, email=COLLEAGUE)
    client.sign_in(owner)

    page = invite(client, organisation, email=COLLEAGUE.upper(), expected_status=200)

    assert error_messages(page) == {"email": "This person is already a member of your organisation"}
    assert page.find("input", attrs={"name": "email"})["value"] == COLLEAGUE.upper()
    assert db.session.scalar(sa.select(Invitation)) is None


def test_owner_can_make_an_editor_an_owner(client, organisation, owner):
    member(organisation, MembershipRole.EDITOR, email=COLLEAGUE)
    client.sign_in(owner)

    response = client.post_form(member_url(COLLEAGUE, organisation), {"role": "owner"})

    assert response.headers["Location"] == f"/organisations/{organisation}/members"
    assert role_of(COLLEAGUE, organisation) is MembershipRole.OWNER
    assert audit_actions(organisation) == ["membership.role_changed"]


def test_owner_can_step_down_once_there_is_another_owner(client, organisation, owner):
    member(organisation, MembershipRole.OWNER, email=COLLEAGUE)
    client.sign_in(owner)

    client.post_form(member_url(OWNER, organisation), {"role": "editor"})

    assert role_of(OWNER, organisation) is MembershipRole.EDITOR
    assert audit_actions(organisation) == ["membership.role_changed"]


def test_owner_can_remove_a_member(client, organisation, owner):
    editor = member(organisation, MembershipRole.EDITOR, email=COLLEAGUE)
    client.sign_in(owner)

    response = client.post_form(member_url(COLLEAGUE, organisation) + "/remove")

    assert response.headers["Location"] == f"/organisations/{organisation}/members"
    assert role_of(COLLEAGUE, organisation) is None
    assert audit_actions(organisation) == ["membership.removed"]
    client.sign_in(editor)
    client.get_page(f"/organisations/{organisation}", expected_status=403)


def test_the_last_owner_cannot_be_made_an_editor(client, organisation, owner):
    client.sign_in(owner)

    page = client.post_form(member_url(OWNER, organisation), {"role": "editor"}, expected_status=200)

    assert error_messages(page) == {"role": LAST_OWNER}
    assert role_of(OWNER, organisation) is MembershipRole.OWNER
    assert audit_actions(organisation) == []


def test_the_last_owner_cannot_be_removed(client, organisation, owner):
    client.sign_in(owner)

    page = client.post_form(member_url(OWNER, organisation) + "/remove", expected_status=200, follow=True)

    assert LAST_OWNER in page.select_one(".govuk-notification-banner").get_text()
    assert role_of(OWNER, organisation) is MembershipRole.OWNER
    assert audit_actions(organisation) == []


def test_each_change_to_the_organisations_people_is_audited_under_the_owner_who_made_it(
    client, mailbox, run_jobs, organisation, owner
):
    member(organisation, MembershipRole.EDITOR, email=COLLEAGUE)
    owner_id = owner.id
    client.sign_in(owner)
    invite(client, organisation, email="sam@example.org")
    invitation_id = db.session.scalar(sa.select(Invitation.id))
    client.post_form(f"/organisations/{organisation}/invitations/{invitation_id}/revoke")
    client.post_form(member_url(COLLEAGUE, organisation), {"role": "owner"})
    client.post_form(member_url(COLLEAGUE, organisation) + "/remove")

    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.actor_id)
        .where(AuditEvent.organisation_id == organisation)
        .order_by(AuditEvent.id)
    ).all()
    assert [action for action, _ in events] == [
        "invitation.created",
        "invitation.revoked",
        "membership.role_changed",
        "membership.removed",
    ]
    assert {actor for _, actor in events} == {owner_id}
