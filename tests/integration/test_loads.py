"""``permissions.loads``, the one way a view gets the object its URL names: what each of its rules answers."""

import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden, NotFound

from portal.models import Membership, MembershipRole, Organisation
from portal.permissions import Permission, loads
from tests.factories import create_member, create_organisation


def shown(**objects):
    return {name: getattr(value, "id", value) for name, value in objects.items()}


@pytest.fixture
def signed_in(app):
    """Run a view as a member (an editor) of the first of two organisations."""
    ours, theirs = create_organisation("Safer Southwark"), create_organisation("Lambeth Youth Trust")
    member = create_member(ours, MembershipRole.EDITOR)
    with app.test_request_context("/"):
        login_user(member)
        yield ours, theirs, member


def test_the_view_gets_the_object_and_not_its_id(signed_in):
    ours, _, _ = signed_in
    view = loads("organisation", Organisation, permission=Permission.VIEW_ORGANISATION)(shown)
    assert view(organisation_id=ours.id) == {"organisation": ours.id}
    assert view.loaded_parameters == ("organisation_id",)


def test_nothing_found_is_404_and_another_organisations_record_is_403(signed_in):
    ours, theirs, _ = signed_in
    view = loads("organisation", Organisation, permission=Permission.VIEW_ORGANISATION)(shown)
    with pytest.raises(NotFound):
        view(organisation_id=theirs.id + 1000)
    with pytest.raises(Forbidden):
        view(organisation_id=theirs.id)
    # A permission the member's role does not give (an editor manages no members): 403 on their own too.
    with pytest.raises(Forbidden):
        loads("organisation", Organisation, permission=Permission.MANAGE_MEMBERS)(shown)(organisation_id=ours.id)


def test_hidden_unless_makes_another_organisations_record_404_not_403(signed_in):
    _, theirs, _ = signed_in
    view = loads(
        "organisation",
        Organisation,
        permission=Permission.EDIT_ORGANISATION,
        hidden_unless=Permission.VIEW_ORGANISATION,
    )(shown)
    with pytest.raises(NotFound):
        view(organisation_id=theirs.id)


def test_where_and_allowed_answer_404_and_403(signed_in):
    ours, _, _ = signed_in
    with pytest.raises(NotFound):
        loads("organisation", Organisation, permission=None, where=lambda o: o.name == "Elsewhere")(shown)(
            organisation_id=ours.id
        )
    with pytest.raises(Forbidden):
        loads("organisation", Organisation, permission=None, allowed=lambda o: False)(shown)(organisation_id=ours.id)


def test_an_object_within_another_must_belong_to_it(signed_in):
    ours, theirs, member = signed_in
    their_membership = create_member(theirs).memberships[0]
    ours_membership = member.memberships[0]
    view = loads("organisation", Organisation, permission=Permission.VIEW_ORGANISATION)(
        loads("membership", Membership, within="organisation")(shown)
    )
    assert view(organisation_id=ours.id, membership_id=ours_membership.id) == {
        "organisation": ours.id,
        "membership": ours_membership.id,
    }
    with pytest.raises(NotFound):
        view(organisation_id=ours.id, membership_id=their_membership.id)
    # With no parent loaded, the URL's own id of the parent is what the object must belong to.
    alone = loads("membership", Membership, within="organisation")(shown)
    assert alone(organisation_id=ours.id, membership_id=ours_membership.id) == {"membership": ours_membership.id}
    with pytest.raises(NotFound):
        alone(organisation_id=theirs.id, membership_id=ours_membership.id)
    assert alone.loaded_parameters == ("membership_id", "organisation_id")


def test_missing_ok_and_an_absent_parameter_pass_none(signed_in):
    view = loads("organisation", Organisation, permission=None, missing_ok=True)(shown)
    assert view(organisation_id=10_000_000) == {"organisation": None}
    assert view() == {"organisation": None}  # a "new" route sharing the view of an "edit" route
