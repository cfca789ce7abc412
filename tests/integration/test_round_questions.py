"""Officers edit questions as data: every kind of answer, conditions on earlier answers, eligibility, order, and
archiving rather than deleting what bids have answered."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Answer
from portal.models.funding import FormVariant, Question, QuestionKind
from portal.rounds.questions import ROUND_SECTION_OFFSET
from tests.client import error_messages, summary_errors
from tests.factories import create_organisation
from tests.factories_funding import create_application, create_question, create_round
from tests.integration.rounds_support import audit_actions, closed_round, count, create_officer, draft_round


def question_form(**overrides) -> dict:
    data = {
        "text": "Describe your project",
        "hint": "",
        "section": "Your project",
        "kind": "text",
        "word_limit": "",
        "options": "",
        "required": "y",
        "form_variant": "both",
        "show_if": "",
        "eligible_values": "",
        "ineligible_reason": "",
    }
    data.update(overrides)
    return data


def only_question() -> Question:
    return db.session.scalar(sa.select(Question))


@pytest.fixture
def officer_client(client):
    client.sign_in(create_officer())
    return client


KINDS = [
    ({"kind": "text", "word_limit": "250"}, {"word_limit": 250, "options": None}),
    ({"kind": "number"}, {"word_limit": None}),
    ({"kind": "money"}, {"options": None}),
    ({"kind": "yes_no"}, {"options": None}),
    (
        {"kind": "single_choice", "options": "Under 10\n10 to 17\n\n18 to 24 "},
        {"options": ["Under 10", "10 to 17", "18 to 24"]},
    ),
    ({"kind": "multiple_choice", "options": "Schools\r\nParents"}, {"options": ["Schools", "Parents"]}),
    ({"kind": "date"}, {"date_not_in_future": False}),
    ({"kind": "date", "date_not_in_future": "y"}, {"date_not_in_future": True}),
    ({"kind": "text", "date_not_in_future": "y"}, {"date_not_in_future": False}),
    ({"kind": "file", "required": ""}, {"required": False}),
]


@pytest.mark.parametrize(("fields", "expected"), KINDS)
def test_an_officer_adds_a_question_of_every_kind(officer_client, fields, expected):
    round_ = draft_round()

    response = officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/new", question_form(**fields))

    question = only_question()
    assert response.location == f"/staff/funds/rounds/{round_.id}/questions#question-{question.id}"
    assert question.round_id == round_.id
    assert question.kind is QuestionKind(fields["kind"])
    for name, value in expected.items():
        assert getattr(question, name) == value, name
    assert question.section_position == ROUND_SECTION_OFFSET
    assert audit_actions(question) == ["question.created"]
    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions")
    assert page.find(id=f"question-{question.id}").td.get_text(strip=True) == "1.1 Describe your project"


def test_a_word_limit_is_shown_and_kept_only_for_text_answers(officer_client):
    round_ = draft_round()
    officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new", question_form(kind="number", word_limit="100")
    )
    assert only_question().word_limit is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": ""}, "text", "Enter the question"),
        ({"section": ""}, "section", "Enter the section the question belongs to"),
        ({"kind": ""}, "kind", "Select the kind of answer"),
        ({"word_limit": "0"}, "word_limit", "The word limit must be a whole number from 1 to 5000"),
        ({"word_limit": "-5"}, "word_limit", "The word limit must be a whole number from 1 to 5000"),
        ({"word_limit": "lots"}, "word_limit", "Word limit (text answers only) must be a whole number, like 24"),
        ({"kind": "single_choice", "options": "Only one"}, "options", "Give at least two options, one on each line"),
        ({"kind": "multiple_choice", "options": ""}, "options", "Give at least two options, one on each line"),
        ({"kind": "single_choice", "options": "Yes\nyes"}, "options", "Each option must be different"),
    ],
)
def test_a_question_with_a_mistake_is_not_saved(officer_client, fields, field, message):
    round_ = draft_round()

    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new", question_form(**fields), expected_status=200
    )

    assert error_messages(page)[field] == message
    assert summary_errors(page)[0] == message
    assert count(Question) == 0


def test_a_question_can_be_asked_only_after_a_given_answer_to_an_earlier_one(officer_client):
    round_ = draft_round()
    policy = create_question(round_, "Do you have a safeguarding policy?", kind=QuestionKind.YES_NO)
    form = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions/new")
    offered = [option["value"] for option in form.find("select", {"name": "show_if"}).find_all("option")]
    assert offered == ["", f"{policy.id}:yes", f"{policy.id}:no"]

    officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new",
        question_form(text="When was it last reviewed?", kind="date", show_if=f"{policy.id}:yes"),
    )

    follow_up = db.session.scalar(sa.select(Question).where(Question.text == "When was it last reviewed?"))
    assert (follow_up.show_if_question_id, follow_up.show_if_value) == (policy.id, "yes")
    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions")
    assert "Asked only if “Do you have a safeguarding policy?” is answered “Yes”" in page.text


def test_a_condition_must_be_on_a_question_with_a_fixed_list_of_answers(officer_client):
    round_ = draft_round()
    text = create_question(round_, "Describe your project")
    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new",
        question_form(text="Follow up", show_if=f"{text.id}:anything"),
        expected_status=200,
    )
    assert error_messages(page)["show_if"] == "Choose a question with a fixed list of answers"
    assert count(Question) == 1


def test_a_condition_must_name_one_of_the_earlier_questions_answers(officer_client):
    round_ = draft_round()
    choice = create_question(round_, "Where?", kind=QuestionKind.SINGLE_CHOICE, options=["North", "South"])
    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new",
        question_form(text="Follow up", show_if=f"{choice.id}:East"),
        expected_status=200,
    )
    assert error_messages(page)["show_if"] == "Choose one of the answers to “Where?”"


def test_a_condition_cannot_be_on_another_rounds_question(officer_client):
    round_ = draft_round()
    elsewhere = create_question(draft_round(), "Elsewhere?", kind=QuestionKind.YES_NO)
    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new",
        question_form(text="Follow up", show_if=f"{elsewhere.id}:yes"),
        expected_status=200,
    )
    assert error_messages(page)["show_if"] == "Choose an earlier question of this form"


def test_a_condition_cannot_be_on_a_later_question(officer_client):
    round_ = draft_round()
    first = create_question(round_, "First", kind=QuestionKind.TEXT, section="A", position=1)
    later = create_question(round_, "Later?", kind=QuestionKind.YES_NO, section="A", position=2)

    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/{first.id}",
        question_form(text="First", section="A", show_if=f"{later.id}:yes"),
        expected_status=200,
    )

    assert error_messages(page)["show_if"] == (
        "“First” is asked only after an answer to “Later?”, so it must come after that question"
    )
    db.session.refresh(first)
    assert first.show_if_question_id is None


def test_moving_a_question_above_the_one_it_depends_on_is_refused(officer_client):
    round_ = draft_round()
    policy = create_question(round_, "Policy?", kind=QuestionKind.YES_NO, section="A", position=1)
    follow_up = create_question(
        round_, "When?", kind=QuestionKind.DATE, section="A", position=2, show_if=(policy, "yes")
    )

    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/{follow_up.id}/move", {"direction": "up"})

    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions")
    assert "“When?” is asked only after an answer to “Policy?”, so it must come after that question" in page.text
    db.session.refresh(follow_up)
    assert follow_up.position == 2


def test_questions_move_up_and_down_within_their_section(officer_client):
    round_ = draft_round()
    one = create_question(round_, "One", section="A", position=1)
    two = create_question(round_, "Two", section="A", position=2)

    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/{two.id}/move", {"direction": "up"})

    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions")
    assert [row.td.get_text(strip=True) for row in page.select("tbody tr")] == ["1.1 Two", "1.2 One"]
    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/{two.id}/move", {"direction": "down"})
    db.session.refresh(one)
    db.session.refresh(two)
    assert one.position < two.position


def test_sections_move_with_all_their_questions(officer_client):
    round_ = draft_round()
    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/new", question_form(text="A1", section="A"))
    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/new", question_form(text="B1", section="B"))
    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/new", question_form(text="A2", section="A"))

    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/sections/move", {"section": "B", "direction": "up"})

    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions")
    assert [h2.get_text(strip=True) for h2 in page.select("main h2")][:2] == ["1. B", "2. A"]
    assert [row.td.get_text(strip=True) for row in page.select("tbody tr")] == ["1.1 B1", "2.1 A1", "2.2 A2"]


def test_a_move_with_an_unknown_direction_is_a_bad_request(officer_client):
    round_ = draft_round()
    question = create_question(round_, "One")
    officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/{question.id}/move", {"direction": "sideways"}, expected_status=400
    )


def test_an_eligibility_question_stores_the_answers_that_pass_and_the_reason(officer_client):
    round_ = draft_round()

    officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new",
        question_form(
            text="Is your organisation based in or working in London?",
            section="Eligibility",
            kind="yes_no",
            required="",
            is_eligibility="y",
            eligible_values="Yes",
            ineligible_reason="This fund is for services in London.",
        ),
    )

    question = only_question()
    assert question.is_eligibility
    assert question.eligible_values == ["yes"]
    assert question.ineligible_reason == "This fund is for services in London."
    assert question.required, "everyone answers an eligibility question"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "text"}, "is_eligibility", "Only yes or no and single-choice questions can decide eligibility"),
        ({"eligible_values": "Maybe"}, "eligible_values", "“Maybe” is not one of this question's answers"),
        ({"eligible_values": ""}, "eligible_values", "Enter the answers that make an organisation eligible"),
        (
            {"eligible_values": "Yes\nNo"},
            "eligible_values",
            "At least one answer must make an organisation ineligible, or the question cannot rule anyone out",
        ),
        (
            {"ineligible_reason": ""},
            "ineligible_reason",
            "Explain why an organisation that gives another answer cannot apply",
        ),
    ],
)
def test_an_eligibility_question_needs_passing_answers_and_a_reason(officer_client, fields, field, message):
    round_ = draft_round()
    valid = {
        "kind": "yes_no",
        "is_eligibility": "y",
        "eligible_values": "yes",
        "ineligible_reason": "Only London.",
    }
    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new", question_form(**{**valid, **fields}), expected_status=200
    )
    assert error_messages(page)[field] == message
    assert count(Question) == 0


def test_a_single_choice_eligibility_question_passes_on_chosen_options(officer_client):
    round_ = draft_round()
    officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new",
        question_form(
            kind="single_choice",
            options="A charity\nA CIC\nA company",
            is_eligibility="y",
            eligible_values="a charity\nA CIC",
            ineligible_reason="Companies cannot apply.",
        ),
    )
    assert only_question().eligible_values == ["A charity", "A CIC"]


def answered(question: Question) -> None:
    application = create_application(question.round or create_round(), create_organisation())
    db.session.add(Answer(application_id=application.id, question_id=question.id, value="yes"))
    db.session.commit()


def test_a_question_nobody_has_answered_is_deleted(officer_client):
    round_ = draft_round()
    question = create_question(round_, "Unused")
    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions/{question.id}/remove")
    assert "No bid has answered this question, so it will be deleted." in page.text

    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/{question.id}/remove")

    assert count(Question) == 0


def test_a_question_bids_have_answered_is_archived_not_deleted_and_can_be_restored(officer_client):
    round_ = create_round()
    question = create_question(round_, "Do you work with schools?", kind=QuestionKind.YES_NO)
    answered(question)
    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions/{question.id}/remove")
    assert "it will be archived rather than deleted" in page.text

    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/{question.id}/remove")

    db.session.refresh(question)
    assert question.archived_at is not None
    assert count(Answer) == 1
    assert audit_actions(question) == ["question.archived"]
    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions")
    archived = page.find("h2", string="Archived questions").find_next("table")
    assert "Do you work with schools?" in archived.text

    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/questions/{question.id}/restore")

    db.session.refresh(question)
    assert question.archived_at is None


def test_a_question_another_depends_on_cannot_be_removed(officer_client):
    round_ = draft_round()
    policy = create_question(round_, "Policy?", kind=QuestionKind.YES_NO)
    create_question(round_, "When?", kind=QuestionKind.DATE, show_if=(policy, "yes"))

    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/{policy.id}/remove", expected_status=200
    )

    assert summary_errors(page) == [
        "“When?” is asked only after an answer to this question. Change or remove that question first"
    ]
    assert count(Question) == 2


def test_an_answered_questions_kind_cannot_change_nor_its_options_be_removed(officer_client):
    round_ = create_round()
    question = create_question(round_, "Where?", kind=QuestionKind.SINGLE_CHOICE, options=["North", "South"])
    answered(question)

    kind = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/{question.id}",
        question_form(text="Where?", kind="text"),
        expected_status=200,
    )
    options = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/{question.id}",
        question_form(text="Where?", kind="single_choice", options="North\nEast"),
        expected_status=200,
    )
    officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/{question.id}",
        question_form(text="Where?", kind="single_choice", options="North\nSouth\nEast"),
    )

    assert (
        error_messages(kind)["kind"] == "Bids have already answered this question, so its kind of answer cannot change"
    )
    assert error_messages(options)["options"] == (
        "Bids have already answered this question, so the option “South” cannot be removed"
    )
    db.session.refresh(question)
    assert question.options == ["North", "South", "East"]


def test_an_option_a_later_question_depends_on_cannot_be_removed(officer_client):
    round_ = draft_round()
    where = create_question(round_, "Where?", kind=QuestionKind.SINGLE_CHOICE, options=["North", "South"])
    create_question(round_, "Which street?", show_if=(where, "South"))

    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/{where.id}",
        question_form(text="Where?", kind="single_choice", options="North\nEast"),
        expected_status=200,
    )

    assert error_messages(page)["options"] == (
        "“Which street?” is asked only when this question is answered “South”. Change that question first"
    )


def test_editing_a_question_is_audited_and_keeps_its_place(officer_client):
    round_ = draft_round()
    question = create_question(round_, "Old wording", section="A", position=3)
    officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/{question.id}", question_form(text="New wording", section="A")
    )
    db.session.refresh(question)
    assert (question.text, question.position) == ("New wording", 3)
    assert audit_actions(question) == ["question.updated"]


def test_a_closed_rounds_questions_cannot_change(officer_client):
    round_ = closed_round()
    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/questions/new", question_form(), expected_status=200
    )
    assert summary_errors(page) == ["This round has closed, so its questions cannot change"]
    assert "Add a question" not in officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions").text


def test_a_question_is_only_reachable_through_its_own_round(officer_client):
    round_ = draft_round()
    question = create_question(draft_round(), "Someone else's")
    officer_client.get_page(f"/staff/funds/rounds/{round_.id}/questions/{question.id}", 404)
    officer_client.get_page(f"/staff/funds/questions/{question.id}", 404)


def test_standard_questions_have_no_round_and_come_before_every_rounds_own(officer_client):
    officer_client.post_form("/staff/funds/questions/new", question_form(text="Tell us about your organisation"))

    question = only_question()
    assert question.round_id is None
    assert question.section_position < ROUND_SECTION_OFFSET
    page = officer_client.get_page("/staff/funds/questions")
    assert page.h1.get_text(strip=True) == "Standard questions"
    assert "Tell us about your organisation" in page.text
    officer_client.post_form(f"/staff/funds/questions/{question.id}", question_form(text="Tell us who you are"))
    officer_client.post_form(f"/staff/funds/questions/{question.id}/remove")
    assert count(Question) == 0


def test_the_preview_shows_each_form_with_only_the_questions_it_asks(officer_client):
    round_ = draft_round()
    create_question(None, "Standard for both")
    create_question(
        round_,
        "In London?",
        kind=QuestionKind.YES_NO,
        section="Eligibility",
        is_eligibility=True,
        eligible_values=["yes"],
        ineligible_reason="London only.",
    )
    create_question(round_, "Light only", form_variant=FormVariant.LIGHT, word_limit=150)
    create_question(round_, "Full only", form_variant=FormVariant.FULL, kind=QuestionKind.FILE)

    light = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/preview/light").text
    full = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/preview/full").text

    assert "Standard for both" in light and "Standard for both" in full
    assert "In London?" in light and "In London?" in full
    assert "Light only" in light and "Light only" not in full
    assert "You can enter up to 150 words." in light
    assert "Full only" in full and "Full only" not in light
    assert "Any other answer is told: London only." in full
