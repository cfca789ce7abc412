"""A service's Open Referral UK id is stored with its award: written as the award is inserted, filled in for
awards made before the column existed, and what the API looks a service up by."""

import importlib.util
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Award, AwardStatus
from portal.opendata import openreferral
from tests.factories_monitoring import create_award


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


def test_an_award_has_its_open_referral_id_from_the_moment_it_is_inserted():
    award = create_award(status=AwardStatus.AWAITING_APPROVAL)
    assert award.oruk_id == str(uuid.uuid5(openreferral.NAMESPACE, f"service/{award.id}"))
    db.session.expire_all()
    assert db.session.get(Award, award.id).oruk_id == openreferral.service_id(award.id)


def _migration(name: str):
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.commits
def test_awards_made_before_the_column_existed_get_theirs_from_the_migrations_backfill():
    awards = [create_award(title=f"Service {n}") for n in range(3)]
    ids = [award.id for award in awards]
    db.session.execute(sa.update(Award).values(oruk_id=None))
    db.session.commit()
    with db.engine.begin() as connection:
        _migration("0020_award_oruk_id.py").backfill(connection)
    db.session.expire_all()
    stored = dict(db.session.execute(sa.select(Award.id, Award.oruk_id).where(Award.id.in_(ids))).all())
    assert stored == {id_: openreferral.service_id(id_) for id_ in ids}


def _service_lookup_statements(client, award: Award) -> list[str]:
    with counting_queries() as statements:
        response = client.get(f"/openreferral/services/{award.oruk_id}")
    assert response.status_code == 200
    assert response.get_json()["id"] == award.oruk_id
    return statements


def test_the_api_finds_a_service_by_its_stored_id_with_the_same_queries_however_many_awards_are_published(client):
    first = create_award(title="The first service")
    few = _service_lookup_statements(client, first)
    for number in range(12):
        create_award(title=f"Another service {number}")
    db.session.commit()
    many = _service_lookup_statements(client, first)
    assert len(many) == len(few)
    finding = next(statement for statement in many if "oruk_id =" in statement)
    assert "award.oruk_id = " in finding


def test_an_award_that_is_not_published_is_not_found_by_its_id(client):
    waiting = create_award(status=AwardStatus.AWAITING_APPROVAL)
    assert client.get(f"/openreferral/services/{waiting.oruk_id}").status_code == 404
