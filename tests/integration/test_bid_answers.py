"""Pages of questions: every kind of question, show-if, word limits, files, save and return, and autosave."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.directory.published import london_today
from portal.extensions import db
from portal.models import Answer, QuestionKind, UploadedFile
from tests.bids import answer_questions, bidding_setup, fill, fill_project, form_data, start_bid
from tests.client import error_messages, parsed, summary_errors
from tests.factories_funding import create_question

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ALLOWED = "a PDF, Word document (DOCX), Excel spreadsheet (XLSX), OpenDocument text (ODT), PNG or JPG"


@pytest.fixture
def bid(client):
    """A started bid with the project page done, so that questions can be answered, and every kind of question."""
    setup = bidding_setup()
    section = "About the work"
    q = {
        "text": create_question(setup.round, "Describe the need", section=section, word_limit=10),
        "number": create_question(
            setup.round, "How many people will you help?", kind=QuestionKind.NUMBER, section=section
        ),
        "money": create_question(
            setup.round, "How much match funding do you have?", kind=QuestionKind.MONEY, section=section, required=False
        ),
        "schools": create_question(setup.round, "Do you work with schools?", kind=QuestionKind.YES_NO, section=section),
        "single": create_question(
            setup.round,
            "How big is your team?",
            kind=QuestionKind.SINGLE_CHOICE,
            options=["1 to 5", "6 to 20", "More than 20"],
            section=section,
        ),
        "multiple": create_question(
            setup.round,
            "Who do you work with?",
            kind=QuestionKind.MULTIPLE_CHOICE,
            options=["Young people", "Parents", "Schools"],
            section=section,
        ),
        "date": create_question(
            setup.round, "When was your organisation set up?", kind=QuestionKind.DATE, section=section
        ),
        "file": create_question(
            setup.round, "Upload your latest accounts", kind=QuestionKind.FILE, section=section, required=False
        ),
    }
    q["which"] = create_question(setup.round, "Which schools?", section=section, show_if=(q["schools"], "yes"))
    application = start_bid(client, setup)
    fill_project(client, application)
    sections = [
        a["href"]
        for a in client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}").select(
            ".govuk-task-list__link"
        )
    ]
    url = next(href for href in sections if href.endswith("/sections/2"))
    return setup, application, q, url


def saved(application, question):
    db.session.expire_all()
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.application_id == application.id, Answer.question_id == question.id)
    )
    return answer.value if answer else None


def complete_answers(q) -> dict:
    return {
        f"q{q['text'].id}": "We help young people home safely.",
        f"q{q['number'].id}": "1,200",
        f"q{q['money'].id}": "£2,500.50",
        f"q{q['schools'].id}": "yes",
        f"q{q['which'].id}": "Harris Academy Peckham",
        f"q{q['single'].id}": "6 to 20",
        f"q{q['multiple'].id}": ["Young people", "Schools"],
        f"q{q['date'].id}": ["3", "9", "2015"],
    }


def test_each_kind_of_question_uses_its_govuk_component(client, bid):
    _setup, _application, q, url = bid
    page = client.get_page(url)
    count = page.select_one(f"textarea[name=q{q['text'].id}]").find_parent(class_="govuk-character-count")
    assert count["data-maxwords"] == "10"
    assert page.select_one(f"input[name=q{q['number'].id}]")["inputmode"] == "numeric"
    money = page.select_one(f"input[name=q{q['money'].id}]")
    assert money.find_previous_sibling(class_="govuk-input__prefix").get_text(strip=True) == "£"
    assert [i["value"] for i in page.select(f"input[name=q{q['schools'].id}]")] == ["yes", "no"]
    assert len(page.select(f"input[type=radio][name=q{q['single'].id}]")) == 3
    assert len(page.select(f"input[type=checkbox][name=q{q['multiple'].id}]")) == 3
    assert len(page.select(f"input[name=q{q['date'].id}]")) == 3
    upload = page.select_one(f"input[type=file][name=q{q['file'].id}]")
    assert ".pdf" in upload["accept"] and ".docx" in upload["accept"]
    form = page.select_one("main form[method=post]")
    assert form["enctype"] == "multipart/form-data"
    assert form["data-autosave-url"] == url + "/autosave"


def test_a_question_shown_only_after_a_yes_appears_once_the_yes_is_saved_and_is_asked_for_there(client, bid):
    _setup, application, q, url = bid
    assert client.get_page(url).select_one(f"textarea[name=q{q['which'].id}]") is None

    answers = complete_answers(q)
    del answers[f"q{q['which'].id}"]
    page = answer_questions(client, application, 2, answers, expected_status=200)

    assert summary_errors(page) == []  # a question never seen is not an error
    banner = page.select_one("#revealed")
    assert "Your answers mean there is more to answer on this page" in banner.get_text()
    assert banner.select_one("a")["href"] == f"#question-{q['which'].id}"
    assert page.select_one(f"textarea[name=q{q['which'].id}]") is not None
    assert saved(application, q["schools"]) == "yes"

    response = answer_questions(client, application, 2, {f"q{q['which'].id}": "Harris Academy Peckham"})
    assert response.headers["Location"] == f"/organisations/{application.organisation_id}/applications/{application.id}"


def test_answering_no_hides_the_follow_up_question_again(client, bid):
    _setup, application, q, url = bid
    answer_questions(client, application, 2, {f"q{q['schools'].id}": "yes"}, action="later")
    assert client.get_page(url).select_one(f"textarea[name=q{q['which'].id}]") is not None
    answer_questions(client, application, 2, {f"q{q['schools'].id}": "no"}, action="later")
    assert client.get_page(url).select_one(f"textarea[name=q{q['which'].id}]") is None


def test_answers_of_every_kind_are_saved_and_shown_again(client, bid):
    _setup, application, q, url = bid
    answer_questions(client, application, 2, {f"q{q['schools'].id}": "yes"}, action="later")
    response = answer_questions(client, application, 2, complete_answers(q))
    assert response.headers["Location"] == f"/organisations/{application.organisation_id}/applications/{application.id}"
    assert saved(application, q["text"]) == "We help young people home safely."
    assert saved(application, q["number"]) == 1200
    assert saved(application, q["money"]) == 2500_50
    assert saved(application, q["schools"]) == "yes"
    assert saved(application, q["which"]) == "Harris Academy Peckham"
    assert saved(application, q["single"]) == "6 to 20"
    assert saved(application, q["multiple"]) == ["Young people", "Schools"]
    assert saved(application, q["date"]) == "2015-09-03"

    page = client.get_page(url)
    assert page.select_one(f"input[name=q{q['number'].id}]")["value"] == "1200"
    assert page.select_one(f"input[name=q{q['money'].id}]")["value"] == "2500.50"
    assert page.select_one(f"input[name=q{q['date'].id}]")["value"] == "03"
    assert page.select_one(f"input[name=q{q['single'].id}][value='6 to 20']").has_attr("checked")
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert task_list.select_one("#sections-2-status").get_text(strip=True) == "Completed"


def test_save_and_continue_lists_required_answers_still_missing_but_keeps_what_was_given(client, bid):
    _setup, application, q, _url = bid
    page = answer_questions(client, application, 2, {f"q{q['text'].id}": "Just this."}, expected_status=200)
    errors = summary_errors(page)
    assert "Enter a number for “How many people will you help?”" in errors
    assert "Select yes or no for “Do you work with schools?”" in errors
    assert not any("match funding" in message for message in errors)  # optional
    assert not any("Which schools" in message for message in errors)  # not shown: schools not answered yes
    assert saved(application, q["text"]) == "Just this."


def test_save_and_come_back_later_saves_partial_answers_without_blocking(client, bid):
    _setup, application, q, _url = bid
    response = answer_questions(client, application, 2, {f"q{q['text'].id}": "Half"}, action="later")
    assert response.headers["Location"] == f"/organisations/{application.organisation_id}/applications/{application.id}"
    assert saved(application, q["text"]) == "Half"
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert task_list.select_one("#sections-2-status").get_text(strip=True) == "In progress"


def test_an_answer_over_its_word_limit_is_refused_but_kept_in_the_box(client, bid):
    _setup, application, q, _url = bid
    answer_questions(client, application, 2, {f"q{q['schools'].id}": "yes"}, action="later")
    eleven = "one two three four five six seven eight nine ten eleven"
    page = answer_questions(
        client, application, 2, complete_answers(q) | {f"q{q['text'].id}": eleven}, expected_status=200
    )
    message = "Your answer to “Describe the need” must be 10 words or fewer (it is 11 words)"
    assert summary_errors(page) == [message]
    assert error_messages(page)[f"q{q['text'].id}"] == message
    assert page.select_one(f"textarea[name=q{q['text'].id}]").get_text().strip() == eleven
    assert saved(application, q["text"]) == eleven  # saved, as typed, but not complete
    check = client.get_page(
        f"/organisations/{application.organisation_id}/applications/{application.id}/check-your-answers"
    )
    assert message in summary_errors(check)


def test_format_errors_are_shown_beside_the_field_keep_what_was_typed_and_do_not_stop_the_rest_saving(client, bid):
    _setup, application, q, _url = bid
    page = answer_questions(
        client,
        application,
        2,
        {
            f"q{q['text'].id}": "Saved anyway.",
            f"q{q['number'].id}": "about fifty",
            f"q{q['money'].id}": "£2.5k",
            f"q{q['date'].id}": ["31", "2", "2015"],
        },
        action="later",
        expected_status=200,
    )
    messages = error_messages(page)
    assert messages[f"q{q['number'].id}"] == "Enter a whole number, like 120"
    assert messages[f"q{q['money'].id}"] == "Enter an amount in pounds, like 25000"
    assert page.select_one(f"input[name=q{q['number'].id}]")["value"] == "about fifty"
    assert page.select_one(f"input[name=q{q['money'].id}]")["value"] == "£2.5k"
    assert "The date must be a real date, like 1 4 2027" in summary_errors(page)
    assert page.select_one(".govuk-error-summary a[href$='-day']") is not None
    assert saved(application, q["text"]) == "Saved anyway."
    assert saved(application, q["number"]) is None


def test_a_choice_that_is_not_offered_is_refused(client, bid):
    _setup, application, q, _url = bid
    page = answer_questions(
        client, application, 2, {f"q{q['single'].id}": "A hundred"}, action="later", expected_status=200
    )
    assert error_messages(page)[f"q{q['single'].id}"] == "Select one of the options"
    assert saved(application, q["single"]) is None


def test_a_question_shown_only_after_an_answer_on_an_earlier_page_appears_when_that_answer_is_given(client, bid):
    setup, application, q, url = bid
    later = create_question(
        setup.round, "Tell us about your school partners", section="Partners", show_if=(q["schools"], "yes")
    )
    partners_url = url.replace("/sections/2", "/sections/3")
    assert "Tell us about your school partners" not in client.get_page(partners_url).get_text()
    answer_questions(client, application, 2, {f"q{q['schools'].id}": "yes"}, action="later")
    assert "Tell us about your school partners" in client.get_page(partners_url).get_text()
    answer_questions(client, application, 2, {f"q{q['schools'].id}": "no"}, action="later")
    page = client.get_page(partners_url)
    assert "Tell us about your school partners" not in page.get_text()
    assert later.id


def test_a_hidden_question_is_not_required_and_not_shown_in_check_your_answers(client, bid):
    _setup, application, q, _url = bid
    answers = complete_answers(q) | {f"q{q['schools'].id}": "no"}
    del answers[f"q{q['which'].id}"]
    assert answer_questions(client, application, 2, answers).status_code == 302
    check = client.get_page(
        f"/organisations/{application.organisation_id}/applications/{application.id}/check-your-answers"
    )
    assert "Which schools?" not in check.get_text()


def upload(client, application, q, url, filename, content, action="later", expected_status=302):
    page = client.get_page(url)
    data = form_data(page) | {"action": ["later" if action == "later" else action]}
    data[f"q{q['file'].id}"] = (io.BytesIO(content), filename)
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == expected_status, response.data.decode()[:3000]
    return parsed(response.data) if expected_status == 200 else response


def test_a_pdf_can_be_uploaded_downloaded_and_removed(client, bid):
    _setup, application, q, url = bid
    upload(client, application, q, url, "Accounts 2025.pdf", PDF)
    value = saved(application, q["file"])
    assert value["filename"] == "Accounts 2025.pdf"
    stored = db.session.get(UploadedFile, value["file_id"])
    assert stored.content_type == "application/pdf"
    assert stored.size_bytes == len(PDF)

    download = client.get(
        f"/organisations/{application.organisation_id}/applications/{application.id}/files/{value['file_id']}"
    )
    assert download.status_code == 200
    assert download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]

    page = client.get_page(url)
    assert page.select_one(f"#current-file-{q['file'].id} a").get_text(strip=True) == "Accounts 2025.pdf"
    remove = page.select(f"#current-file-{q['file'].id} a")[1]
    assert remove.get_text(" ", strip=True) == "Remove Accounts 2025.pdf"
    confirm = client.get_page(remove["href"])
    assert confirm.h1.get_text(strip=True) == "Are you sure you want to remove Accounts 2025.pdf?"
    response = client.post(remove["href"], data=form_data(confirm))
    assert response.headers["Location"] == url
    assert saved(application, q["file"]) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UploadedFile)) == 0


def test_uploading_a_new_file_replaces_the_old_one(client, bid):
    _setup, application, q, url = bid
    upload(client, application, q, url, "old.pdf", PDF)
    upload(client, application, q, url, "logo.png", PNG)
    assert saved(application, q["file"])["filename"] == "logo.png"
    assert db.session.scalars(sa.select(UploadedFile.filename)).all() == ["logo.png"]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "virus.exe",
            b"MZ" + b"\x00" * 10,
            f"The selected file must be {ALLOWED}",
        ),
        (
            "fake.pdf",
            b"not really a pdf",
            f"The selected file is not a real PDF file. It must be {ALLOWED}",
        ),
        ("empty.pdf", b"", "The selected file is empty"),
        ("huge.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "The selected file must be smaller than 10MB"),
    ],
)
def test_a_file_of_the_wrong_type_or_size_is_refused_with_a_clear_error(client, bid, filename, content, message):
    _setup, application, q, url = bid
    page = upload(client, application, q, url, filename, content, expected_status=200)
    assert error_messages(page)[f"q{q['file'].id}"] == message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UploadedFile)) == 0


def test_someone_from_another_organisation_cannot_download_a_bids_file(client, app, bid):
    _setup, application, q, url = bid
    upload(client, application, q, url, "Accounts.pdf", PDF)
    file_id = saved(application, q["file"])["file_id"]
    from tests.factories import create_member, create_organisation

    stranger = app.test_client()
    stranger.sign_in(create_member(create_organisation("Elsewhere")))
    assert (
        stranger.get(
            f"/organisations/{application.organisation_id}/applications/{application.id}/files/{file_id}"
        ).status_code
        == 404
    )


def test_autosave_saves_through_the_same_rules_and_returns_the_new_versions(client, bid):
    _setup, application, q, url = bid
    data = form_data(client.get_page(url)) | {
        f"q{q['text'].id}": ["Typed, then saved in the background"],
        f"q{q['number'].id}": ["many"],
    }
    response = client.post(url + "/autosave", data=data, headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["saved_at"]
    assert body["versions"][f"v{q['text'].id}"].startswith("1:")
    assert list(body["versions"]) == [f"v{q['text'].id}"]
    assert body["problems"] == {f"q{q['number'].id}": "Enter a whole number, like 120"}
    assert saved(application, q["text"]) == "Typed, then saved in the background"


def test_autosave_never_uploads_a_file(client, bid):
    _setup, _application, q, url = bid
    data = form_data(client.get_page(url))
    data[f"q{q['file'].id}"] = (io.BytesIO(PDF), "accounts.pdf")
    response = client.post(url + "/autosave", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UploadedFile)) == 0


def test_autosave_without_a_csrf_token_is_refused(client, bid):
    _setup, application, q, url = bid
    response = client.post(url + "/autosave", data={f"q{q['text'].id}": "sneaky", f"v{q['text'].id}": "0"})
    assert response.status_code == 400
    assert saved(application, q["text"]) is None


def test_question_pages_wait_until_the_amount_is_known(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    response = client.get(f"/organisations/{application.organisation_id}/applications/{application.id}/sections/1")
    assert response.headers["Location"] == f"/organisations/{application.organisation_id}/applications/{application.id}"
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert task_list.select_one("#sections-1-status").get_text(strip=True) == "Cannot start yet"


def test_fill_helper_works(client, bid):
    _setup, _application, _q, url = bid
    assert fill(client, url, {}, action="later").status_code == 302


def test_a_date_that_has_happened_cannot_be_in_the_future(client):
    setup = bidding_setup()
    reviewed = create_question(
        setup.round,
        "When was your safeguarding policy last reviewed?",
        kind=QuestionKind.DATE,
        section="Safeguarding",
        date_not_in_future=True,
    )
    application = start_bid(client, setup)
    fill_project(client, application)
    tomorrow = london_today() + timedelta(days=1)
    page = answer_questions(
        client,
        application,
        2,
        {f"q{reviewed.id}": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]},
        expected_status=200,
    )
    assert "The date must be today or in the past" in summary_errors(page)
    assert saved(application, reviewed) is None
    today = london_today()
    answer_questions(client, application, 2, {f"q{reviewed.id}": [str(today.day), str(today.month), str(today.year)]})
    assert saved(application, reviewed) == today.isoformat()
