"""People saving and submitting their returns at once, each submit double-clicked, against the app served by
gunicorn on PostgreSQL with an rq worker on the test's own Redis: no request answers with an error, every return is
submitted exactly once with one audit event, and nothing is queued twice. A short run of
``python -m bench returns`` (bench/returns_under_load.py), which runs fifty people for a minute.
"""

import pytest

from bench.returns_under_load import run
from portal.extensions import db

PEOPLE = 10
SECONDS = 10


@pytest.fixture
def postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("gunicorn's processes share the database, which the suite's SQLite file per worker is not made for")


def test_people_submitting_returns_at_once_meet_no_error_and_nothing_is_doubled(
    app, postgresql_only, on_private_redis, tmp_path
):
    db.session.commit()
    report = run(app, PEOPLE, SECONDS, on_private_redis.url, tmp_path)
    print("\n".join(report.lines()))
    assert report.outcome.errors == []
    assert report.problems == []
    assert report.outcome.submitted, "no return was submitted"
    # Each person starts a return before the time is up and finishes the one they are on: none was turned away.
    assert len(report.outcome.submitted) >= PEOPLE
