"""Test fixtures shared by the whole suite.

The schema is built by running the real migrations, on SQLite by default or on PostgreSQL when ``DATABASE_URL``
is set. A test runs inside one database transaction, rolled back after it: the portal's commits release savepoints
within it, so the test sees what a commit does, and a failed commit undoes only its own part. Tests marked
``commits`` (every browser and fault test, and those where another thread, process or connection must see the
data) commit for real, and the tables they wrote to are emptied afterwards. Email goes through a real SMTP server
on loopback; with ``REDIS_URL`` set, jobs go through real rq queues on Redis and tests run them with
:func:`run_jobs`.

Under pytest-xdist (``pytest -n 2``) each worker has a database of its own: its own SQLite file, or on PostgreSQL
a database named after the configured one with the worker's name appended (``test_gw0``), created when missing;
with Redis, worker ``gwN`` uses the configured index plus N.
"""

import functools
import gc
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask, g, request_started
from flask_migrate import upgrade
from hypothesis import settings
from sqlalchemy import event

from config import TestingConfig
from portal import create_app, jobs
from portal.extensions import cache, db, limiter
from portal.reference.services import load_local_authorities, load_postcode_districts
from tests.client import PortalClient

# Property-based tests: a few examples per case in CI (a couple of thousand in all, within a minute or two), many
# on demand with `pytest --hypothesis-profile=long`.
settings.register_profile("ci", max_examples=5)
settings.register_profile("long", max_examples=300)
settings.load_profile("ci")

REFERENCE_TABLES = {"local_authority", "postcode_district", "postcode_district_borough", "alembic_version"}
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# The table a write goes to, as SQLAlchemy spells the statement (quoted when its name is a reserved word).
WRITTEN_TABLE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(?:\"?\w+\"?\.)?\"?(\w+)\"?", re.IGNORECASE
)
EVERY_TABLE = "*"
# The tables written since the test database's tables were last cleared (EVERY_TABLE when one could not be told
# from its statement, or something outside this process wrote). The live server's threads add to it too.
_tables_written: set[str] = set()
_tables_written_lock = threading.Lock()
# The connection holding the transaction of the test now running, when it is to be rolled back: its writes go with it.
_rolled_back: sa.Connection | None = None


def note_write(table: str = EVERY_TABLE) -> None:
    """Have the tables cleared after this test: ``table``, or every one when written from another process."""
    with _tables_written_lock:
        _tables_written.add(table)


# The markers every test in a folder carries. Browser and fault tests commit for real: the browser's pages are served
# by other threads, and the fault tests start processes of their own.
FOLDER_MARKERS = {
    "browser": (pytest.mark.browser, pytest.mark.commits),
    "faults": (pytest.mark.commits,),
}


def pytest_collection_modifyitems(items):
    """Each test gets its folder's markers. The long tests go first (in their usual order, as does the rest): the
    workers share out what is left as they finish, so the run ends on short tests rather than one worker finishing a
    long one while the other waits."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    here = Path(__file__).resolve().parent
    for item in items:
        for marker in FOLDER_MARKERS.get(item.path.resolve().relative_to(here).parts[0], ()):
            item.add_marker(marker)


YOUNG_OBJECTS_BETWEEN_COLLECTIONS = 10_000


def pytest_collection_finish(session):
    """Python's cycle collector is told to leave alone what is built before the tests run, and to run less often.

    A worker holds some 400,000 objects that live as long as it does: the modules, the collected tests, and later
    the app, its mappings and the schema the migrations built. Each full collection looked at all of them again (up
    to three quarters of a second each), and the youngest generation was collected every 700 new objects: together
    a tenth of a worker's processor time. Frozen, they are never looked at; the garbage the tests make is still
    collected, in larger batches (a whole SQLite run: 281 processor-seconds in the workers instead of 328)."""
    _freeze_what_lives_on()
    gc.set_threshold(YOUNG_OBJECTS_BETWEEN_COLLECTIONS)


def _freeze_what_lives_on() -> None:
    gc.collect()
    gc.freeze()


def _worker_number() -> int | None:
    """This process's number under pytest-xdist (``gw3`` is 3), or None when the suite runs in one process."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name.removeprefix("gw")) if name.startswith("gw") else None


class SmtpCollector:
    """The SMTP server's handler: keeps every message it receives. It runs in the server's own thread."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        with self.lock:
            self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class Mailbox:
    """What tests read: the messages received, after running any queued jobs (so tests work with Redis too)."""

    def __init__(self, collector: SmtpCollector, before_reading=None):
        self.collector = collector
        self.before_reading = before_reading

    @property
    def messages(self) -> list:
        if self.before_reading:
            self.before_reading()
        with self.collector.lock:
            return list(self.collector.received)

    def clear(self):
        """Forget everything sent so far, including what is still queued to be sent."""
        if self.before_reading:
            self.before_reading()
        with self.collector.lock:
            self.collector.received.clear()

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]

    def last_to(self, address: str):
        received = self.to(address)
        assert received, f"no email was sent to {address}; sent to: {[m['To'] for m in self.messages]}"
        return received[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    collector = SmtpCollector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, collector
    controller.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if os.environ.get("DATABASE_URL"):
        url = TestingConfig.SQLALCHEMY_DATABASE_URI  # normalised to name the psycopg driver
        worker = _worker_number()
        return url if worker is None else _worker_database(url, worker)
    # Under xdist each worker has its own temporary folder, so its own file.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal-test.db'}"


def _worker_database(url: str, worker: int) -> str:
    """The PostgreSQL database for one xdist worker, created on the same server when it does not exist yet."""
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_gw{worker}"
    server = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if exists.scalar() is None:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _worker_redis_url(url: str | None) -> str | None:
    """Worker ``gwN`` uses the configured Redis index plus N, so workers never empty each other's queues."""
    worker = _worker_number()
    if not url or not worker:
        return url
    base, _, index = url.rpartition("/")
    if not index.isdigit():
        base, index = url.rstrip("/"), "0"
    return f"{base}/{int(index) + worker}"


@pytest.fixture(scope="session")
def app(database_url, smtp_server):
    controller, _ = smtp_server
    redis_url = _worker_redis_url(os.environ.get("REDIS_URL") or None)
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        REDIS_URL=redis_url,
        RUN_JOBS_INLINE=redis_url is None,
        RATELIMIT_STORAGE_URI=redis_url or "memory://",
        BASE_URL="http://portal.test",
    )
    with app.app_context():
        _reset_schema()
        upgrade()
        load_local_authorities()
        load_postcode_districts()
        db.session.remove()
        _watch_for_writes(db.engine)
    _freeze_what_lives_on()
    return app


@contextmanager
def another_app(app: Flask, config: type = TestingConfig, **settings) -> Iterator[Flask]:
    """A second app, as another process would start it, on this worker's database, mail server and Redis unless
    ``settings`` say otherwise.

    Flask-Limiter keeps its storage on the one ``limiter`` object, so the app started last decides where every app
    in this process counts sign-in attempts. Left on the configuration's default, this worker would count in (and
    at its next test's start, empty) another worker's Redis database; so afterwards the limits count in this
    worker's storage again."""
    other = create_app(
        config,
        **{
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_SERVER": app.config["MAIL_SERVER"],
            "MAIL_PORT": app.config["MAIL_PORT"],
            "REDIS_URL": app.config["REDIS_URL"],
            "RUN_JOBS_INLINE": app.config["RUN_JOBS_INLINE"],
            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
            **settings,
        },
    )
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        limiter.init_app(app)


def _watch_for_writes(engine: sa.Engine) -> None:
    """Note on the engine when anything writes through it (the test, the live server's threads or a burst
    worker) outside a test's transaction that is rolled back, so that the tables written are emptied. Commits need
    not survive a crash here, so the test database is told not to wait for the disk. SQLite keeps a long
    transaction's pages and its savepoints' journals in memory: spilled to files, the tests that load the demo data
    took five times as long."""

    @event.listens_for(engine, "after_cursor_execute")
    def _note_write(connection, _cursor, statement, _parameters, _context, _executemany):
        if connection is not _rolled_back and WRITES.match(statement):
            table = WRITTEN_TABLE.match(statement)
            note_write(table.group(1).lower() if table else EVERY_TABLE)

    @event.listens_for(engine, "connect")
    def _fast_commits(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.execute("PRAGMA cache_size=-65536")
        else:
            cursor.execute("SET synchronous_commit = off")
            dbapi_connection.commit()
        cursor.close()

    engine.dispose()  # connections made before the listeners open again with them
    _tables_written.clear()


def _reset_schema() -> None:
    """Start from an empty database, so the migrations are what build the schema."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def app_context(app, smtp_server, request):
    """Each test runs inside one app context, so services can be called directly, and (unless marked ``commits``)
    inside one transaction, rolled back afterwards.

    Flask reuses an app context that is already pushed for test-client requests, so ``g`` would outlive a request
    and carry Flask-Login's user and Flask-WTF's CSRF token into the next one. Each request gets an empty ``g``,
    as it does in production.
    """
    _, collector = smtp_server
    Mailbox(collector).clear()

    def clear_g(_sender, **_extra):
        for name in list(vars(g)):
            delattr(g, name)

    request_started.connect(clear_g, app)
    with app.app_context():
        if app.config["REDIS_URL"]:
            for name in jobs.QUEUES:
                jobs.queue(name).empty()
        reset_limits()
        cache.clear()  # public pages' cached figures belong to the test that made them
        try:
            if request.node.get_closest_marker("commits"):
                yield
            else:
                with _one_transaction_rolled_back():
                    yield
        finally:
            request_started.disconnect(clear_g, app)
            db.session.remove()
            _clear_tables()


class _SessionOnTheTestConnection:
    """Mixed into the app's session class while a test runs in one transaction: every session, in any app context
    (a request's, a burst worker's), uses the test's connection, whatever table it touches."""

    def get_bind(self, mapper=None, clause=None, bind=None, **_kwargs):
        return self.bind


@contextmanager
def _one_transaction_rolled_back() -> Iterator[None]:
    """Run the test inside a transaction on one connection and roll it back afterwards.

    Sessions join it with a savepoint each (``join_transaction_mode="create_savepoint"``): a session's commit
    releases its savepoint, its rollback goes back to it, and the outer transaction is never committed. Another
    connection sees none of it, so tests where one must are marked ``commits``."""
    global _rolled_back
    factory = db.session.session_factory
    portal_session = factory.class_
    connection = db.engine.connect()
    transaction = connection.begin()
    db.session.remove()
    factory.class_ = _session_class_on_the_test_connection(portal_session)
    factory.kw.update(bind=connection, join_transaction_mode="create_savepoint")
    _rolled_back = connection
    try:
        yield
    finally:
        db.session.remove()
        factory.class_ = portal_session
        del factory.kw["bind"], factory.kw["join_transaction_mode"]
        _rolled_back = None
        transaction.rollback()
        connection.close()


@functools.cache
def _session_class_on_the_test_connection(portal_session: type) -> type:
    return type("SessionOnTheTestConnection", (_SessionOnTheTestConnection, portal_session), {})


def reset_limits() -> None:
    """Forget every rate-limit count, and have the limiter count in its storage again.

    After a fault test has stopped Redis, the limiter counts in this process's memory until a check finds its
    storage answering again, and it checks with back-off (up to half a minute): a later test would meet that test's
    counts, or have the count move from memory to Redis half-way through. Flask-Limiter offers no public way to say
    the storage is back, so its two private attributes are reached for here."""
    limiter.reset()
    limiter._storage_dead = False
    in_memory = getattr(limiter, "_fallback_storage", None)
    if in_memory is not None:
        in_memory.reset()


def _clear_tables() -> None:
    """Empty the tables written since the last time, children before parents. The tables start empty (but for
    the reference data) and each test's writes are cleared after it, so a table nobody wrote to is still empty:
    on PostgreSQL a statement per table is a round trip per table, and a test typically writes a handful of ~85."""
    with _tables_written_lock:
        written = set(_tables_written)
    if not written:
        return
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES and (EVERY_TABLE in written or table.name in written):
                connection.execute(table.delete())
    with _tables_written_lock:
        _tables_written.clear()  # what was written, and the deletes above, which were noted as writes too


@pytest.fixture
def run_jobs(app):
    """Run every queued job now: a no-op when jobs run inline, a burst rq worker when Redis is configured.

    The worker runs in an app context of its own, so jobs use their own database session, as a real worker
    does; afterwards the test's session forgets what it had loaded, so it reads what the jobs wrote.
    """

    def run() -> None:
        if app.config["RUN_JOBS_INLINE"]:
            return
        from workers.worker import PortalWorker

        with app.app_context():
            worker = PortalWorker([jobs.queue(name) for name in jobs.QUEUES], connection=jobs.redis_connection())
            worker.work(burst=True, with_scheduler=False)
        db.session.expire_all()

    return run


@pytest.fixture
def mailbox(smtp_server, run_jobs) -> Mailbox:
    """The SMTP server's mailbox. Reading it first runs any queued jobs, so tests work with Redis too."""
    return Mailbox(smtp_server[1], before_reading=run_jobs)


@pytest.fixture
def client(app) -> PortalClient:
    app.test_client_class = PortalClient
    return app.test_client()


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        pytest.fail("axe-core is not installed: run `make test` (it runs npm ci)")
    return path.read_text(encoding="utf-8")
