"""Officers' queues stay paginated and cheap however long they get: the bids in a round, the returns awaiting
review and the payments each run at most 15 SQL statements, and the same number with ten times the rows."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import Return, ReturnStatus
from tests.factories_agreements import accepted_award
from tests.factories_assessment import create_assessed_round, create_bid, create_officer, create_reviewer

MOST_STATEMENTS = 15


@contextmanager
def counting_queries():
    statements: list[str] = []

    def note(_connection, _cursor, statement, _parameters, _context, _executemany):
        if "job_handover" not in statement:  # each web process looks for jobs kept while Redis was down, now and then
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def statements_for(client, url: str) -> list[str]:
    client.get(url)  # whatever is done once (a session's first page, jobs left from setting up) happens here
    with counting_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


def rows_shown(client, url: str) -> int:
    return len(client.get_page(url).select("main table tbody tr"))


def _bids(round_, count: int) -> None:
    for number in range(count):
        create_bid(round_, title=f"Bid {number}")


def _returns_awaiting_review(count: int) -> None:
    for number in range(count):
        accepted_award(title=f"Service {number}")
    db.session.execute(
        sa.update(Return).values(status=ReturnStatus.SUBMITTED, submitted_at=utcnow(), first_submitted_at=utcnow())
    )
    db.session.commit()


def _payments(count: int) -> None:
    for number in range(count):
        accepted_award(title=f"Paid service {number}")


QUEUES = {
    "bids in a round": ("/staff/rounds/{round_id}/applications", 3, 30),
    "returns awaiting review": ("/staff/monitoring/returns?show=awaiting_review", 1, 10),
    "payments": ("/staff/payments?show=all", 1, 10),
}


@pytest.mark.parametrize("queue", QUEUES)
def test_an_officers_queue_runs_the_same_few_statements_at_ten_times_the_rows(client, queue):
    path, few, more = QUEUES[queue]
    officer = create_officer()
    create_reviewer("Grace Mensah"), create_reviewer("Ade Bello")  # offered in the queue's assign form
    round_ = create_assessed_round()
    grow = {
        "bids in a round": lambda n: _bids(round_, n),
        "returns awaiting review": _returns_awaiting_review,
        "payments": _payments,
    }[queue]
    url = path.format(round_id=round_.id)
    client.sign_in(officer)

    grow(few)
    at_first = statements_for(client, url)
    shown_at_first = rows_shown(client, url)
    grow(more - few)
    at_ten_times = statements_for(client, url)

    assert len(at_first) <= MOST_STATEMENTS, at_first
    assert len(at_ten_times) == len(at_first), "a statement per row has crept in"
    assert 0 < shown_at_first < rows_shown(client, url) <= 50  # one page at most, however many there are
