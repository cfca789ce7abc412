"""A round's scoring criteria: weights shown as shares of the whole, fixed once scoring starts."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import ReviewAssignment, Score, StaffRole
from portal.models.funding import Criterion
from tests.client import error_messages, summary_errors
from tests.factories import create_organisation, create_user
from tests.factories_funding import create_application, create_criterion, create_round
from tests.integration.rounds_support import audit_actions, count, create_officer, draft_round, last_audit


@pytest.fixture
def officer_client(client):
    client.sign_in(create_officer())
    return client


def shares(page) -> dict[str, str]:
    return {row.td.contents[0].strip(): row.select("td")[2].get_text(strip=True) for row in page.select("tbody tr")}


def test_weights_are_shown_as_percentages_of_the_total(officer_client):
    round_ = draft_round(criteria=False)
    for name, weight in (("Need", "2"), ("Delivery", "1"), ("Value for money", "1")):
        officer_client.post_form(
            f"/staff/funds/rounds/{round_.id}/criteria/new",
            {"name": name, "guidance": "", "weight": weight, "max_score": "5"},
        )

    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/criteria")

    assert shares(page) == {"Need": "50%", "Delivery": "25%", "Value for money": "25%"}
    assert page.select_one("tfoot").get_text(" ", strip=True) == "Total 4 100%"
    assert [c.name for c in db.session.scalars(sa.select(Criterion).order_by(Criterion.position))] == [
        "Need",
        "Delivery",
        "Value for money",
    ]
    assert last_audit("criterion.created").after["weight"] == 1


def test_shares_that_do_not_divide_evenly_are_shown_to_one_decimal_place(officer_client):
    round_ = draft_round(criteria=False)
    for name in ("A", "B", "C"):
        create_criterion(round_, name, weight=1)
    assert set(shares(officer_client.get_page(f"/staff/funds/rounds/{round_.id}/criteria")).values()) == {"33.3%"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the criterion's name"),
        ({"weight": "0"}, "weight", "The weight must be a whole number from 1 to 100"),
        ({"weight": "-2"}, "weight", "The weight must be a whole number from 1 to 100"),
        ({"weight": "1.5"}, "weight", "Weight must be a whole number, like 24"),
        ({"weight": ""}, "weight", "Enter the weight"),
        ({"max_score": "0"}, "max_score", "The highest score must be a whole number from 1 to 100"),
    ],
)
def test_a_criterion_needs_a_name_and_a_positive_weight(officer_client, fields, field, message):
    round_ = draft_round(criteria=False)
    page = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/criteria/new",
        {"name": "Need", "guidance": "", "weight": "1", "max_score": "5", **fields},
        expected_status=200,
    )
    assert error_messages(page)[field] == message
    assert count(Criterion) == 0


def test_a_criterion_is_changed_and_removed_with_an_audit_trail(officer_client):
    round_ = draft_round(criteria=False)
    criterion = create_criterion(round_, "Need", weight=1)

    officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/criteria/{criterion.id}",
        {"name": "Need and evidence", "guidance": "Local data.", "weight": "3", "max_score": "10"},
    )
    db.session.refresh(criterion)
    assert (criterion.name, criterion.weight, criterion.max_score) == ("Need and evidence", 3, 10)

    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/criteria/{criterion.id}/remove")

    assert count(Criterion) == 0
    assert audit_actions(criterion) == ["criterion.updated", "criterion.deleted"]


def test_criteria_move_up_and_down(officer_client):
    round_ = draft_round(criteria=False)
    first = create_criterion(round_, "First")
    second = create_criterion(round_, "Second")
    officer_client.post_form(f"/staff/funds/rounds/{round_.id}/criteria/{second.id}/move", {"direction": "up"})
    db.session.refresh(first)
    db.session.refresh(second)
    assert second.position < first.position


def scored(round_, criterion) -> None:
    application = create_application(round_, create_organisation())
    reviewer = create_user(staff_role=StaffRole.REVIEWER)
    assignment = ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id, has_conflict=False)
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Score(assignment_id=assignment.id, criterion_id=criterion.id, score=4, justification="Strong"))
    db.session.commit()


def test_criteria_are_fixed_once_reviewers_have_started_scoring(officer_client):
    round_ = create_round()
    criterion = create_criterion(round_, "Need", weight=1)
    scored(round_, criterion)
    locked = "Reviewers have started scoring bids in this round, so its criteria cannot change"

    edit = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/criteria/{criterion.id}",
        {"name": "Need", "guidance": "", "weight": "5", "max_score": "5"},
        expected_status=200,
    )
    add = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/criteria/new",
        {"name": "More", "guidance": "", "weight": "1", "max_score": "5"},
        expected_status=200,
    )
    remove = officer_client.post_form(
        f"/staff/funds/rounds/{round_.id}/criteria/{criterion.id}/remove", expected_status=200
    )

    assert summary_errors(edit) == summary_errors(add) == summary_errors(remove) == [locked]
    db.session.refresh(criterion)
    assert criterion.weight == 1
    assert count(Criterion) == 1
    assert count(Score) == 1
    page = officer_client.get_page(f"/staff/funds/rounds/{round_.id}/criteria")
    assert locked in page.text
    assert "Add a criterion" not in page.text
