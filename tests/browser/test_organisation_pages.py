"""Organisation pages in a real browser, for owners, editors and people who have been invited, and the whole
registration journey filled in through labels alone, as a screen reader or keyboard user would."""

import re

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Membership, MembershipRole
from portal.organisations import services
from tests.browser.conftest import sign_in, sign_in_as
from tests.factories import PASSWORD, create_member, create_organisation, create_user

NEW_PASSWORD = "violet-harbour-cobble-42"


def link_path(message) -> str:
    """The path of the link in an email the service sent."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.get_content())
    assert match, f"no link in: {message.get_content()}"
    return match.group(1)


def invite(app, mailbox, organisation, email: str, role: MembershipRole = MembershipRole.EDITOR) -> str:
    """Invite someone as the service does and return the path of the link they are emailed."""
    inviter = organisation.memberships[0].user
    with app.test_request_context():
        services.invite_member(organisation, email, role, inviter)
    return link_path(mailbox.last_to(email))


def create_owned_organisation():
    organisation = create_organisation(
        "Brixton Youth Forum", boroughs=("Lambeth", "Southwark"), charity_number="1123456"
    )
    owner = create_member(organisation, email="owner@example.org", full_name="Olu Adeyemi")
    return organisation, owner


def test_organisation_overview_is_accessible_to_its_owner(page, assert_accessible):
    organisation, owner = create_owned_organisation()
    sign_in_as(page, owner)
    assert page.url.endswith(f"/organisations/{organisation.id}")
    expect(page.locator("h1")).to_have_text("Brixton Youth Forum")
    expect(page.get_by_role("link", name="Change organisation details")).to_be_visible()
    assert_accessible(page)


def test_choosing_between_organisations_is_accessible(page, assert_accessible):
    first = create_organisation("Brixton Youth Forum")
    second = create_organisation("Croydon Mediation")
    user = create_member(first, email="both@example.org")
    db.session.add(Membership(user=user, organisation=second, role=MembershipRole.EDITOR))
    db.session.commit()
    sign_in(page, user.email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Your organisations")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Croydon Mediation").click()
    expect(page.locator("h1")).to_have_text("Croydon Mediation")


def test_someone_in_no_organisation_is_told_how_to_join_accessibly(page, assert_accessible):
    user = create_user("nobody@example.org")
    sign_in_as(page, user)
    expect(page.locator("h1")).to_have_text("Your organisations")
    expect(page.get_by_text("You are not a member of any organisation yet.")).to_be_visible()
    assert_accessible(page)


def test_change_details_page_is_accessible(page, assert_accessible):
    _, owner = create_owned_organisation()
    sign_in_as(page, owner)
    page.get_by_role("link", name="Change organisation details").click()
    expect(page.locator("h1")).to_have_text("Change your organisation's details")
    assert page.get_by_label("Lambeth", exact=True).is_checked()
    assert_accessible(page)


def test_change_details_errors_are_accessible_and_saving_works(page, assert_accessible):
    organisation, owner = create_owned_organisation()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{organisation.id}/profile")
    page.get_by_label("Organisation name").fill("")
    page.get_by_label("Postcode").fill("nowhere")
    page.get_by_role("button", name="Save changes").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your organisation's name")).to_be_visible()
    assert_accessible(page)

    summary.get_by_role("link", name="Enter your organisation's name").click()
    assert page.evaluate("document.activeElement.id") == "name"
    page.keyboard.type("Brixton Young People's Forum")
    page.get_by_label("Postcode").fill("sw2 1rw")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("h1")).to_have_text("Brixton Young People's Forum")
    expect(page.get_by_text("Your organisation's details have been saved.")).to_be_visible()
    expect(page.get_by_text("SW2 1RW")).to_be_visible()


def test_people_page_with_members_and_invitations_is_accessible_to_an_owner(app, mailbox, page, assert_accessible):
    organisation, owner = create_owned_organisation()
    create_member(organisation, MembershipRole.EDITOR, email="editor@example.org", full_name="Sam Lee")
    invite(app, mailbox, organisation, "new.colleague@example.org")
    sign_in_as(page, owner)
    page.get_by_role("link", name="See who can use this account and invite colleagues").click()
    expect(page.locator("h1")).to_have_text("People")
    members = page.get_by_role("table", name="Members")
    expect(members.get_by_role("link", name="Change Sam Lee")).to_be_visible()
    invitations = page.get_by_role("table", name="Open invitations")
    expect(invitations.get_by_role("cell", name="new.colleague@example.org", exact=True)).to_be_visible()
    assert_accessible(page)

    invitations.get_by_role("button", name="Withdraw invitation to new.colleague@example.org").click()
    expect(page.get_by_text("The invitation has been withdrawn.")).to_be_visible()
    expect(page.get_by_text("There are no invitations waiting.")).to_be_visible()
    assert_accessible(page)


def test_people_page_is_accessible_to_an_editor_who_cannot_change_anyone(page, assert_accessible):
    organisation = create_organisation("Brixton Youth Forum")
    create_member(organisation, email="owner@example.org", full_name="Olu Adeyemi")
    editor = create_member(organisation, MembershipRole.EDITOR, email="editor@example.org")
    sign_in(page, editor.email, PASSWORD)
    page.goto(f"/organisations/{organisation.id}/members")
    assert page.get_by_role("link", name=re.compile("^Change")).count() == 0
    assert page.get_by_role("link", name="Invite a colleague").count() == 0
    assert_accessible(page)


def test_invite_a_colleague_page_is_accessible_and_sends_an_invitation(mailbox, page, assert_accessible):
    organisation, owner = create_owned_organisation()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{organisation.id}/members")
    page.get_by_role("button", name="Invite a colleague").click()
    expect(page.locator("h1")).to_have_text("Invite a colleague")
    assert page.get_by_label("Editor: can edit the profile, bids and returns").is_checked()
    assert_accessible(page)

    page.get_by_label("Their email address").fill("new.colleague@example.org")
    page.get_by_label("Owner: can also invite and remove members").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("We have sent an invitation to new.colleague@example.org.")).to_be_visible()
    assert mailbox.last_to("new.colleague@example.org")


def test_invite_a_colleague_errors_are_accessible(page, assert_accessible):
    organisation, owner = create_owned_organisation()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{organisation.id}/members/invite")
    page.get_by_role("button", name="Send invitation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your email address")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Their email address").fill(owner.email)
    page.get_by_role("button", name="Send invitation").click()
    expect(summary.get_by_role("link", name="This person is already a member of your organisation")).to_be_visible()
    assert_accessible(page)


def test_changing_a_members_role_is_accessible_and_works(page, assert_accessible):
    organisation, owner = create_owned_organisation()
    create_member(organisation, MembershipRole.EDITOR, email="editor@example.org", full_name="Sam Lee")
    sign_in_as(page, owner)
    page.goto(f"/organisations/{organisation.id}/members")
    page.get_by_role("link", name="Change Sam Lee").click()
    expect(page.locator("h1")).to_have_text("Sam Lee")
    assert page.get_by_role("group", name="Role").get_by_label("Editor").is_checked()
    assert_accessible(page)

    page.get_by_label("Owner", exact=True).check()
    page.get_by_role("button", name="Save role").click()
    expect(page.get_by_text("Sam Lee is now an owner.")).to_be_visible()
    sam = page.get_by_role("table", name="Members").get_by_role("row", name=re.compile("Sam Lee"))
    expect(sam.get_by_role("cell", name="Owner")).to_be_visible()
    assert_accessible(page)


def test_removing_the_last_owner_is_refused_with_an_accessible_message(page, assert_accessible):
    organisation, owner = create_owned_organisation()
    path = f"/organisations/{organisation.id}/members/{owner.memberships[0].id}"
    sign_in_as(page, owner)
    page.goto(path)
    page.get_by_role("button", name="Remove Olu Adeyemi").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Olu Adeyemi")
    assert_accessible(page)


def test_accepting_an_invitation_as_a_new_user_is_accessible_and_works(app, mailbox, page, assert_accessible):
    organisation = create_organisation("Brixton Youth Forum")
    create_member(organisation, email="owner@example.org")
    link = invite(app, mailbox, organisation, "new.colleague@example.org")

    page.goto(link)
    expect(page.locator("h1")).to_have_text("Join Brixton Youth Forum")
    assert_accessible(page)

    page.get_by_role("button", name="Create account and join").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your full name")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Full name").fill("Nia Campbell")
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_text("Welcome. You are now a member of Brixton Youth Forum.")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Brixton Youth Forum")
    assert_accessible(page)


def test_accepting_an_invitation_when_signed_in_is_accessible_and_works(app, mailbox, page, assert_accessible):
    organisation = create_organisation("Brixton Youth Forum")
    create_member(organisation, email="owner@example.org")
    colleague = create_member(create_organisation("Lambeth Mediation"), email="colleague@example.org")
    link = invite(app, mailbox, organisation, colleague.email)

    page.goto(link)
    expect(page.get_by_text("Sign in to accept your invitation.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email address", exact=True).fill(colleague.email)
    page.get_by_label("Password", exact=True).and_(page.locator("input")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("h1")).to_have_text("Join Brixton Youth Forum")
    expect(page.get_by_text("You have been invited to join as an editor.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_text("You are now a member of Brixton Youth Forum.")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Brixton Youth Forum")


def test_an_invitation_for_someone_else_is_refused_accessibly(app, mailbox, page, assert_accessible):
    organisation = create_organisation("Brixton Youth Forum")
    create_member(organisation, email="owner@example.org")
    stranger = create_user("stranger@example.org")
    link = invite(app, mailbox, organisation, "intended@example.org")
    sign_in(page, stranger.email, PASSWORD)
    page.goto(link)
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_a_used_invitation_link_shows_an_accessible_invalid_link_page(page, assert_accessible):
    response = page.goto("/invitations/no-such-invitation")
    assert response.status == 400
    expect(page.get_by_text("This invitation has expired, been withdrawn or already been used.")).to_be_visible()
    assert_accessible(page)


def test_registering_an_organisation_through_labels_alone_works_and_is_accessible(mailbox, page, assert_accessible):
    page.goto("/")
    page.get_by_role("link", name="Register your organisation").first.click()
    expect(page.locator("h1")).to_have_text("Register your organisation")

    page.get_by_label("Organisation name").fill("Walworth Community Kitchen")
    page.get_by_role("group", name="Type of organisation").get_by_label("Registered charity").check()
    page.get_by_label("Charity number").fill("1123456")
    page.get_by_label("Company number").fill("")
    page.get_by_label("Borough (councils and Safer Neighbourhood Boards only)").select_option(
        label="Not a council or board"
    )
    page.get_by_label("Address line 1").fill("12 East Street")
    page.get_by_label("Address line 2 (optional)").fill("Walworth")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("se17 2dn")
    boroughs = page.get_by_role("group", name="Boroughs you work in")
    boroughs.get_by_label("Southwark").check()
    boroughs.get_by_label("Lambeth").check()
    page.get_by_label("Full name").fill("Grace Okafor")
    page.get_by_label("Your email address").fill("grace@walworthkitchen.org.uk")
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Register").focus()
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Check your email")
    expect(page.get_by_text("grace@walworthkitchen.org.uk")).to_be_visible()
    assert_accessible(page)

    page.goto(link_path(mailbox.last_to("grace@walworthkitchen.org.uk")))
    expect(page.get_by_text("Your email address is confirmed. Sign in to continue.")).to_be_visible()
    sign_in(page, "grace@walworthkitchen.org.uk", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Walworth Community Kitchen")
    expect(page.get_by_text("Lambeth, Southwark")).to_be_visible()
    address = page.locator(".govuk-summary-list__row", has_text="Address").locator("dd").first
    assert address.inner_text().splitlines() == ["12 East Street", "Walworth", "London", "SE17 2DN"]
    assert_accessible(page)
