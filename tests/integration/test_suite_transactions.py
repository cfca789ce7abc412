"""The suite's own isolation: a test not marked ``commits`` runs inside one transaction that is rolled back after it.
These tests commit for real themselves, so that they can look at such a transaction from outside it."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import User
from tests.conftest import _one_transaction_rolled_back
from tests.factories import create_user

pytestmark = pytest.mark.commits


def users_named(connection_or_session, email: str) -> int:
    return connection_or_session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == email))


def test_what_a_test_commits_is_seen_by_every_session_in_it_by_no_other_connection_and_not_after_it(app):
    email = "in-one-transaction@example.org"
    with _one_transaction_rolled_back():
        create_user(email)
        db.session.remove()
        assert users_named(db.session, email) == 1  # a new session, as the next request's
        with app.app_context():  # another app context's session, as a burst worker's
            assert users_named(db.session, email) == 1
        with db.engine.connect() as other:
            assert users_named(other, email) == 0
    assert users_named(db.session, email) == 0
    with db.engine.connect() as other:
        assert users_named(other, email) == 0


def test_a_commit_that_fails_inside_it_undoes_only_its_own_part(app):
    with _one_transaction_rolled_back():
        create_user("first@example.org")
        db.session.add(User(email="first@example.org", full_name="Same Address", password_hash="x"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert users_named(db.session, "first@example.org") == 1
        create_user("second@example.org")
        assert users_named(db.session, "second@example.org") == 1
