"""Input that cannot be stored gets a clear message, never a 500: control characters are dropped as the request
is read, out-of-range dates, numbers and money are refused beside their fields, and a double-clicked submit of a
return shows it submitted."""

import threading

import pytest
import time_machine

from portal.auth.sessions import SESSION_KEY
from portal.extensions import db
from portal.fields import WholeNumberField, date_from_parts
from portal.models import ReturnStatus
from portal.money import LARGEST_PENCE, MoneyField
from portal.text_input import clean
from tests.client import error_messages
from tests.factories_monitoring import create_measure, first_return
from tests.integration.test_returns import AFTER_Q1, full_answers, reload, return_url, setup_award


def test_control_characters_are_dropped_and_tabs_and_line_breaks_kept():
    assert clean("Safer\x00 Streets\x07\x1b[31m\x7f\x85") == "Safer Streets[31m"
    assert clean("Line one\r\nLine two\tindented") == "Line one\r\nLine two\tindented"
    assert clean("Café — 東京 🚲") == "Café — 東京 🚲"


def test_a_nul_in_every_text_box_of_a_return_is_saved_without_it(client):
    _, owner, award = setup_award()
    measure = create_measure(award, target=100)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        answers = full_answers(return_, measure, progress="We ran\x00 12 sessions\x01.", risks="\x00", save="Save")
        answers.pop("case_study_may_publish")
        client.post_form(return_url(award, return_) + "?from=%00", answers)
    saved = reload(return_)
    assert (saved.progress, saved.risks) == ("We ran 12 sessions.", None)


def test_a_control_character_in_an_address_is_not_found_rather_than_an_error(client):
    _, owner, _award = setup_award()
    client.sign_in(owner)
    assert client.get("/reset-password/abc%00def").status_code == 404


def test_dates_beyond_any_calendar_are_not_dates():
    assert date_from_parts("1", "4", "2027").isoformat() == "2027-04-01"
    for parts in (
        ("1", "4", "2147483648"),
        ("2147483648", "1", "2027"),
        ("1", "99999999999999999999", "2027"),
        ("31", "2", "2027"),
        ("1", "4", "999"),
        ("-1", "4", "2027"),
        ("\u0661", "4", "2027"),
        ("1", "4", ""),
    ):
        assert date_from_parts(*parts) is None, parts


def test_a_huge_date_part_is_refused_beside_the_field(client):
    _, owner, award = setup_award()
    measure = create_measure(award, target=100)
    return_ = first_return(award)
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        page = client.post_form(
            return_url(award, return_),
            full_answers(return_, measure, spend="1" + "0" * 30, people_helped="2147483648", save="Save"),
            expected_status=200,
        )
    messages = error_messages(page)
    assert messages["spend"] == f"Enter an amount no more than £{LARGEST_PENCE // 100:,}"
    assert messages["people_helped"] == "Enter a number no bigger than 2,147,483,647"
    assert reload(return_).status is ReturnStatus.DUE


def test_whole_numbers_and_money_refuse_what_no_column_holds(app):
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    class Numbers(FlaskForm):
        count = WholeNumberField("Count")
        amount = MoneyField("Amount")

    with app.test_request_context():
        for count, amount, errors in (
            ("2147483647", "-12.50", {}),
            ("-2147483648", "£25,000", {"count": ["Enter a number no smaller than -2,147,483,647"]}),
            (
                "9" * 5000,
                "9" * 5000,
                {
                    "count": ["Enter a number no bigger than 2,147,483,647"],
                    "amount": ["Enter an amount in pounds, like 25000"],
                },
            ),
            (
                "twelve",
                "NaN",
                {"count": ["Enter a whole number, like 120"], "amount": ["Enter an amount in pounds, like 25000"]},
            ),
        ):
            form = Numbers(MultiDict({"count": count, "amount": amount}), meta={"csrf": False})
            form.validate()
            assert form.errors == errors, (count, amount)


def test_a_double_clicked_submit_shows_the_return_submitted(app, client):
    _, owner, award = setup_award()
    measure = create_measure(award, target=100)
    return_ = first_return(award)
    url = return_url(award, return_)
    answers = full_answers(return_, measure, submit_return="Submit")
    loaded_version = return_.version
    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        first = client.post_form(url, answers)
        second = client.post_form(url, answers)  # the second click, with the form as it was loaded
        assert first.location == second.location
        page = client.get_page(second.location)
    assert "submitted" in page.select_one(".govuk-notification-banner").get_text()
    submitted = reload(return_)
    assert (submitted.status, submitted.version) == (ReturnStatus.SUBMITTED, loaded_version + 1)


@pytest.mark.commits
def test_two_submits_of_one_return_at_the_same_moment_both_show_it_submitted(app, client):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite lets one writer at a time through; concurrent submits are a PostgreSQL matter")
    _, owner, award = setup_award()
    measure = create_measure(award, target=100)
    return_ = first_return(award)
    url = return_url(award, return_)
    answers = full_answers(return_, measure, submit_return="Submit")
    owner_id = owner.get_id()
    db.session.commit()
    statuses = []

    def click(token: str):
        with app.test_client() as other:
            with other.session_transaction() as session:
                session["_user_id"], session["_fresh"] = owner_id, True
                session["csrf_token"], session[SESSION_KEY] = token, signed_in
            response = other.post(url, data={**answers, "csrf_token": client_token})
            statuses.append((response.status_code, response.location))

    with time_machine.travel(AFTER_Q1, tick=False):
        client.sign_in(owner)
        client_token = client.csrf_token()
        with client.session_transaction() as session:
            raw, signed_in = session["csrf_token"], session[SESSION_KEY]
        threads = [threading.Thread(target=click, args=(raw,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    award_page = f"/organisations/{award.organisation_id}/awards/{award.id}"
    assert statuses == [(302, award_page)] * 2
    db.session.commit()  # end this session's reading transaction, to see what the two requests wrote
    assert reload(return_).status is ReturnStatus.SUBMITTED
