"""Column types, engine settings, the row lock and the clash-refusing commit shared by every model."""

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from portal.errors import DomainError

Row = TypeVar("Row")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware datetime, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_class: type[enum.Enum], length: int = 32, *, name: str | None = None) -> sa.Enum:
    """A string column holding an enum's values, checked by a constraint on every database.

    Give ``name`` when a table has two columns of the same enum: PostgreSQL needs their checks named apart.
    """
    return sa.Enum(
        enum_class,
        name=name or enum_class.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite enforce foreign keys and honour SAVEPOINT, as PostgreSQL does."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")


_FLUSHED = "portal_flushed"


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: object) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_flush(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_FLUSHED, None)


def lock_row(model: type[Row], row_id: Any) -> Row | None:
    """The row, read afresh and held until the caller commits or rolls back, so that two requests changing the same
    record are taken one after the other and the second sees what the first did. ``None`` if it no longer exists.

    PostgreSQL locks the row (``SELECT ... FOR UPDATE``). SQLite has no row locks but lets one writer at a time:
    the transaction takes the write lock with its first statement (a write that changes nothing), which waits for
    any other writer. The read transaction a request has open is ended first, because SQLite refuses to turn a
    read that another writer has since overtaken into a write; so nothing may have been changed before the lock.
    """
    from portal.extensions import db

    session = db.session
    key = model.id  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "sqlite":
        if session.new or session.dirty or session.deleted or session.info.get(_FLUSHED):
            raise RuntimeError("lock_row must be called before anything is changed in the transaction")
        session.rollback()
        session.execute(sa.update(model).where(key == row_id).values(id=key))
    else:
        session.execute(sa.select(key).where(key == row_id).with_for_update())
    row = session.get(model, row_id)
    if row is not None:
        session.refresh(row)
    return row


def rows_matched(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through ``Session.execute`` matched. SQLAlchemy 2.0 types what that
    returns as ``Result``, which has no ``rowcount``; for these statements it is always a ``CursorResult``."""
    return cast(sa.CursorResult[Any], result).rowcount


@contextmanager
def commit_or_refuse(refusal: str | DomainError) -> Iterator[None]:
    """Make the block's changes and commit them together at its end. If the database refuses them because someone
    made a clashing change at the same moment (a unique constraint, or a row changed under its version check),
    whether at a flush inside the block or at the commit, everything is rolled back and ``refusal`` is raised as a
    ``DomainError`` for the person to read. Any other error leaves the transaction to the caller, as before."""
    from portal.extensions import db

    try:
        yield
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise (refusal if isinstance(refusal, DomainError) else DomainError(refusal)) from None
