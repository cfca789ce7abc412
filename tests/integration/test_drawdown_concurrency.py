"""Two requests at the same moment can never draw more than remains.

Each request runs in its own thread with its own app context, so its own database session and connection, as two
web processes would. Both are held just after working out what remains, so without the lock on the allocation
both would see the whole amount and both would be written. Runs on PostgreSQL when DATABASE_URL is set; on
SQLite, which lets one writer at a time, it checks that the second request waits for the first rather than
failing or overspending.
"""

import contextlib
import threading

import pytest
import sqlalchemy as sa

from portal.drawdowns import queries, requests
from portal.drawdowns.requests import DrawdownDetails, ProjectDetails, request_drawdown
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Drawdown, User
from tests.factories_drawdowns import create_allocation, create_board


def details(amount_pence: int) -> DrawdownDetails:
    return DrawdownDetails(amount_pence, "Safer streets week", [ProjectDetails("Audits", "Walkabouts", amount_pence)])


@pytest.mark.commits
def test_two_requests_at_once_never_draw_more_than_remains(app, monkeypatch):
    board, owner = create_board("Lambeth")
    allocation = create_allocation(board, amount_pence=10_000_00)
    allocation_id, owner_id = allocation.id, owner.id
    db.session.commit()

    both_read = threading.Barrier(2, timeout=2)
    read_remaining = queries.fetch_amounts_of

    def slow_read(allocation):
        amounts = read_remaining(allocation)
        # Both get past this together only if nothing stops the second from reading too; with the lock, the
        # wait times out because the other request is held until this one commits.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return amounts

    monkeypatch.setattr(requests.queries, "fetch_amounts_of", slow_read)
    outcomes: list[str] = []
    lock = threading.Lock()

    def make_request():
        with app.app_context():
            try:
                actor = db.session.get(User, owner_id)
                request_drawdown(allocation_id, details(6_000_00), actor)
                result = "requested"
            except DomainError as error:
                result = error.message
            except Exception as error:
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=make_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == sorted(
        ["requested", "You can ask for at most £4,000, what remains of this allocation"]
    ), outcomes
    db.session.expire_all()
    total = db.session.scalar(
        sa.select(sa.func.sum(Drawdown.amount_pence)).where(Drawdown.allocation_id == allocation_id)
    )
    assert total == 6_000_00
