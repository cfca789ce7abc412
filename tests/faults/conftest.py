"""Fault tests: real services taken away while the portal runs, as an operator would meet them in production.

Each test that stops Redis starts a Redis of its own on a free port, so the suite's Redis (and anyone else's) is
never touched; the portal is pointed at it for the test and back afterwards.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from redis import Redis

from portal import jobs
from portal.extensions import cache, limiter
from tests.conftest import _free_port, note_write

ROOT = Path(__file__).resolve().parent.parent.parent


class RedisServer:
    """A redis-server process on loopback that a test may stop and start again on the same port."""

    def __init__(self, directory):
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603  (a fixed command line)
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
        )
        connection = Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                connection.ping()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _point_at(app, redis_url: str | None, storage_uri: str) -> None:
    """Point jobs, the cache and the sign-in limits at ``redis_url`` (``None``: inline jobs, memory)."""
    from portal import cache_config

    app.config.update(REDIS_URL=redis_url, RUN_JOBS_INLINE=redis_url is None, RATELIMIT_STORAGE_URI=storage_uri)
    limiter.init_app(app)
    cache.init_app(app, config=cache_config(app))


@contextmanager
def portal_on(app, server: RedisServer):
    before = (app.config["REDIS_URL"], app.config["RATELIMIT_STORAGE_URI"])
    _point_at(app, server.url, server.url)
    jobs._last_check["at"] = 0.0
    try:
        yield
    finally:
        _point_at(app, before[0], before[1])


@pytest.fixture
def on_private_redis(app, redis_server):
    """The portal with its jobs, cache and sign-in limits on the test's own Redis."""
    with portal_on(app, redis_server):
        yield redis_server


class WorkerProcess:
    """``flask --app wsgi worker`` in a process of its own, on the test's database, Redis and SMTP server, as an
    operator runs it; the test may kill it with SIGKILL at any moment."""

    def __init__(self, app, redis_url: str, mail_port: int, log_path, **settings):
        database_url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.environment = {
            **os.environ,
            "PORTAL_ENV": "development",
            "SECRET_KEY": "worker-under-test",
            "DATABASE_URL": str(database_url),
            "REDIS_URL": redis_url,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mail_port),
            "MAIL_USE_TLS": "0",
            "BASE_URL": app.config["BASE_URL"],
            **{name: str(value) for name, value in settings.items()},
        }
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        flask = Path(sys.executable).with_name("flask")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603  (a fixed command line)
                [str(flask), "--app", "wsgi", "worker"],
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to tidy up, as when the machine or the OOM killer stops it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace")


@pytest.fixture
def worker_processes(app, on_private_redis, tmp_path):
    """Start workers with ``start(mail_port, **settings)``; every one still running is stopped afterwards."""
    started: list[WorkerProcess] = []

    def start(mail_port: int, **settings) -> WorkerProcess:
        worker = WorkerProcess(
            app, on_private_redis.url, mail_port, tmp_path / f"worker-{len(started)}.log", **settings
        ).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    if started:
        note_write()  # the workers wrote from processes of their own, so no statement of theirs was seen here
