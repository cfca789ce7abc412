"""Several members of an organisation working on one bid at once: nobody's answer is overwritten unseen."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Answer
from tests.bids import bidding_setup, fill_project, form_data, start_bid
from tests.client import parsed
from tests.factories_funding import create_question


@pytest.fixture
def shared_bid(client, app):
    setup = bidding_setup()
    second = create_question(setup.round, "Who will you work with?", section="Your plan")
    application = start_bid(client, setup)
    fill_project(client, application)
    owner = client
    editor = app.test_client()
    editor.sign_in(setup.editor)
    return (
        setup,
        application,
        second,
        owner,
        editor,
        f"/organisations/{application.organisation_id}/applications/{application.id}/sections/1",
    )


def stored(application, question):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Answer.value).where(Answer.application_id == application.id, Answer.question_id == question.id)
    )


def post(client, url, page, changes, action="later"):
    data = form_data(page) | {name: [value] for name, value in changes.items()} | {"action": [action]}
    return client.post(url, data=data)


def test_two_members_editing_different_answers_on_one_page_both_keep_their_work(shared_bid):
    setup, application, second, owner, editor, url = shared_bid
    owners_page, editors_page = owner.get_page(url), editor.get_page(url)

    assert post(owner, url, owners_page, {f"q{setup.plan.id}": "Owner's plan"}).status_code == 302
    # The editor's page still carries the empty plan it loaded: unchanged, so it is not written back.
    assert post(editor, url, editors_page, {f"q{second.id}": "Editor's partners"}).status_code == 302

    assert stored(application, setup.plan) == "Owner's plan"
    assert stored(application, second) == "Editor's partners"


def test_a_colleagues_change_to_the_same_answer_is_shown_not_overwritten_and_the_user_chooses(shared_bid):
    setup, application, _second, owner, editor, url = shared_bid
    owners_page, editors_page = owner.get_page(url), editor.get_page(url)
    assert post(editor, url, editors_page, {f"q{setup.plan.id}": "Editor's plan"}).status_code == 302

    response = post(owner, url, owners_page, {f"q{setup.plan.id}": "Owner's plan"})

    assert response.status_code == 200
    page = parsed(response.data)
    conflict = page.select_one(f"#conflict-q{setup.plan.id}")
    assert "Sam Taylor changed this answer" in conflict.get_text()
    assert conflict.select_one(".portal-their-answer").get_text(strip=True) == "Editor's plan"
    assert page.select_one(f"textarea[name=q{setup.plan.id}]").get_text().strip() == "Owner's plan"
    summary = page.select_one(".govuk-error-summary a")
    assert summary["href"] == f"#conflict-q{setup.plan.id}"
    assert stored(application, setup.plan) == "Editor's plan"

    # Saving again keeps the owner's answer over the editor's, knowingly.
    assert "To keep your answer, save this page again." in conflict.get_text()
    assert post(owner, url, page, {}, action="later").status_code == 302
    assert stored(application, setup.plan) == "Owner's plan"


def test_choosing_their_answer_shows_it_in_the_box(shared_bid):
    setup, _application, _second, owner, editor, url = shared_bid
    owners_page = owner.get_page(url)
    post(editor, url, editor.get_page(url), {f"q{setup.plan.id}": "Editor's plan"})
    page = parsed(post(owner, url, owners_page, {f"q{setup.plan.id}": "Owner's plan"}).data)
    use_theirs = page.find("a", string="Use their answer instead")["href"]
    again = owner.get_page(use_theirs.split("#")[0])
    assert again.select_one(f"textarea[name=q{setup.plan.id}]").get_text().strip() == "Editor's plan"


def test_autosave_reports_a_conflict_and_leaves_the_colleagues_answer_alone(shared_bid):
    setup, application, _second, owner, editor, url = shared_bid
    owners_page = owner.get_page(url)
    post(editor, url, editor.get_page(url), {f"q{setup.plan.id}": "Editor's plan"})

    data = form_data(owners_page) | {f"q{setup.plan.id}": ["Owner typing"]}
    body = owner.post(url + "/autosave", data=data).get_json()

    assert body["conflicts"] == [
        "Sam Taylor changed “What will you do?” after you opened this page. Select “Save and come back later” "
        "to see both answers and choose."
    ]
    assert f"v{setup.plan.id}" not in body["versions"]
    assert stored(application, setup.plan) == "Editor's plan"


def test_a_persons_own_earlier_save_in_another_tab_is_not_a_conflict(shared_bid):
    setup, application, _second, owner, _editor, url = shared_bid
    first_tab, second_tab = owner.get_page(url), owner.get_page(url)
    post(owner, url, first_tab, {f"q{setup.plan.id}": "First tab"})
    assert post(owner, url, second_tab, {f"q{setup.plan.id}": "Second tab"}).status_code == 302
    assert stored(application, setup.plan) == "Second tab"


def test_an_editor_can_work_on_the_bid_but_only_an_owner_can_withdraw_it(shared_bid):
    _setup, application, _second, owner, editor, _url = shared_bid
    assert editor.get(f"/organisations/{application.organisation_id}/applications/{application.id}").status_code == 200
    assert (
        editor.get(f"/organisations/{application.organisation_id}/applications/{application.id}/withdraw").status_code
        == 403
    )
    assert (
        owner.get(f"/organisations/{application.organisation_id}/applications/{application.id}/withdraw").status_code
        == 200
    )
