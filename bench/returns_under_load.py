"""Many organisations saving and submitting their returns at once: ``make bench-returns`` (fifty people for a minute,
``python -m bench.returns_under_load --users 50 --seconds 60``).

The app is served by gunicorn on DATABASE_URL (PostgreSQL) and REDIS_URL, with an rq worker beside it, as in
production. The script makes its own organisations, each with an owner and an award whose quarterly returns are
ready to submit (their quarters have ended), and then each owner, in a thread of their own, works through their
returns as a person would: opens the return, saves a draft, opens it again and submits it with a double click (two
submits of the same form at the same moment). When the time is up each person finishes the return they are on and
stops. Then it checks what it must: no request answered with an error, every return shown as submitted is
submitted exactly once (its status, one ``return.submitted`` audit event) and no other is, and nothing was put in
the email or job outboxes (submitting sends neither, so anything there is doubled). It prints the requests, their
rate and times; nothing here asserts a time.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPErrorProcessor, Request, build_opener

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "returns-under-load"  # noqa: S105  (signs the sessions of the script's own users only)


@dataclass
class Person:
    user_id: str  # as Flask-Login keeps it (User.get_id)
    session_token: str
    urls: list[str]
    measure_id: int
    cookie: str = ""


@dataclass
class Outcome:
    requests: int = 0
    timings: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.requests += 1
            self.timings.append(seconds)
            if error:
                self.errors.append(error)


def make_people(count: int, label: str) -> list[Person]:
    """``count`` organisations, each with an owner signed in (a server session) and an award with a measure and its
    quarterly returns, the ones whose period has ended open to submit. Runs in an app context; commits."""
    from portal.auth.tokens import new_random_token
    from portal.database import utcnow
    from portal.extensions import db
    from portal.models import UserSession
    from portal.periods import today_in_london
    from tests.factories import create_member, create_organisation
    from tests.factories_monitoring import award_returns, create_award, create_measure

    people = []
    for number in range(count):
        organisation = create_organisation(f"Load {label} {number:03d}")
        owner = create_member(organisation, email=f"load-{label}-{number:03d}@example.org")
        award = create_award(organisation, title=f"Load {label} service {number:03d}")
        measure = create_measure(award)
        token, token_hash = new_random_token()
        now = utcnow()
        db.session.add(
            UserSession(token_hash=token_hash, user_id=owner.id, created_at=now, last_seen_at=now, authenticated_at=now)
        )
        returns = sorted(
            (r for r in award_returns(award) if r.period_end < today_in_london()), key=lambda r: r.period_start
        )
        urls = [f"/organisations/{organisation.id}/awards/{award.id}/returns/{r.id}" for r in returns]
        people.append(Person(owner.get_id(), token, urls, measure.id))
    db.session.commit()
    return people


def session_cookie(app, person: Person) -> str:
    """The signed cookie of a signed-in session, as the portal's own sign-in would set it."""
    from portal.auth.sessions import SESSION_KEY

    own_key, app.secret_key = app.secret_key, SECRET_KEY  # the served app's key, which signs its sessions
    try:
        serializer = app.session_interface.get_signing_serializer(app)
    finally:
        app.secret_key = own_key
    value = serializer.dumps({"_user_id": person.user_id, "_fresh": True, SESSION_KEY: person.session_token})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


class _NoRedirects(HTTPErrorProcessor):
    def http_response(self, request, response):
        return response

    https_response = http_response


class Browser:
    """One person's cookie, kept by hand as a browser keeps it (the session cookie the portal sets replaces it)."""

    def __init__(self, cookie: str):
        self.cookie = cookie
        self.lock = threading.Lock()
        self.opener = build_opener(_NoRedirects())

    def request(self, outcome: Outcome, method: str, url: str, data: dict | None = None) -> tuple[int, str]:
        body = urlencode(data).encode() if data is not None else None
        request = Request(url, data=body, method=method, headers={"Cookie": self.cookie})  # noqa: S310 (loopback only)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, text, headers = response.status, response.read().decode(), response.headers
        except HTTPError as error:
            status, text, headers = error.code, error.read().decode(errors="replace"), error.headers
        except OSError as error:
            outcome.note(time.perf_counter() - started, f"{method} {url}: {error}")
            return 0, ""
        outcome.note(time.perf_counter() - started, f"{method} {url}: {status}" if status >= 400 else None)
        name = self.cookie.split("=", 1)[0]
        for set_cookie in headers.get_all("Set-Cookie") or []:
            if set_cookie.startswith(name + "="):
                with self.lock:
                    self.cookie = set_cookie.split(";", 1)[0]
        if status in (301, 302, 303):
            text = f"to {headers.get('Location', '')}"
        return status, text


def _form_state(text: str) -> tuple[str, str] | None:
    """The CSRF token and the version of the return on its page, or ``None`` if it has no form (submitted)."""
    if 'name="submit_return"' not in text:
        return None
    token = re.search(r'name="csrf-token" content="([^"]+)"', text)
    version = re.search(r'name="version"[^>]*value="(\d+)"', text)
    version = version or re.search(r'value="(\d+)"[^>]*name="version"', text)
    return (token.group(1), version.group(1)) if token and version else None


def work_through_returns(base: str, person: Person, deadline: float, outcome: Outcome) -> None:
    browser = Browser(person.cookie)
    for path in person.urls:
        if time.monotonic() > deadline:
            return
        url = base + path
        answers = {
            "spend": "10,000",
            "people_helped": "42",
            f"measure_{person.measure_id}": "95",
            "progress": "We ran 12 sessions after school.",
            "risks": "None",
            "issues": "None",
            "case_study": "A young person returned to school.",
        }
        status, text = browser.request(outcome, "GET", url)
        state = _form_state(text) if status == 200 else None
        if state is None:
            outcome.errors.append(f"GET {url}: {status}, no return form {text[:100] if status != 200 else ''}")
            return
        token, version = state
        status, _ = browser.request(outcome, "POST", url, {"csrf_token": token, "version": version, **answers})
        if status != 302:
            outcome.errors.append(f"POST {url} (save): {status}")
            return
        status, text = browser.request(outcome, "GET", url)
        state = _form_state(text) if status == 200 else None
        if state is None:
            outcome.errors.append(f"GET {url} after saving: {status}, no return form")
            return
        token, version = state
        submit = {"csrf_token": token, "version": version, **answers, "submit_return": "Submit return"}
        clicks = _double_click(browser, outcome, url, submit)
        if clicks != [302, 302]:
            outcome.errors.append(f"POST {url} (double submit): {clicks}")
            return
        status, text = browser.request(outcome, "GET", url)
        if status != 200 or _form_state(text) is not None:
            outcome.errors.append(f"GET {url} after submitting: {status}, still open")
            return
        with outcome.lock:
            outcome.submitted.append(path)


def _double_click(browser: Browser, outcome: Outcome, url: str, data: dict) -> list[int]:
    """Two posts of the same form at the same moment; their statuses."""
    clicks: list[int] = []
    second = threading.Thread(target=lambda: clicks.append(browser.request(outcome, "POST", url, data)[0]))
    second.start()
    clicks.append(browser.request(outcome, "POST", url, data)[0])
    second.join()
    return sorted(clicks)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """gunicorn and an rq worker on the given database and Redis, in processes of their own; stopped on exit."""

    def __init__(self, database_url: str, redis_url: str, log_dir: Path, gunicorn_workers: int = 3):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        bin_dir = Path(sys.executable).parent
        environment = {
            **os.environ,
            "PORTAL_ENV": "development",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MAIL_BACKEND": "log",
        }
        self.log = open(log_dir / "returns-under-load.log", "ab")  # noqa: SIM115  (closed in stop)
        gunicorn = shutil.which("gunicorn", path=str(bin_dir)) or "gunicorn"
        command = [gunicorn, "--workers", str(gunicorn_workers), "--worker-class", "gthread", "--threads", "8"]
        self.processes = [
            subprocess.Popen(  # noqa: S603  (a fixed command line)
                [*command, "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT,
                env=environment,
                stdout=self.log,
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(  # noqa: S603
                [str(bin_dir / "flask"), "--app", "wsgi", "worker"],
                cwd=ROOT,
                env=environment,
                stdout=self.log,
                stderr=subprocess.STDOUT,
            ),
        ]
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        opener = build_opener(_NoRedirects())
        deadline = time.monotonic() + 60
        while True:
            try:
                with opener.open(self.base + "/healthcheck", timeout=5) as response:
                    if response.status in (200, 503):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.processes[0].poll() is not None:
                self.stop()
                raise RuntimeError("gunicorn did not start: see returns-under-load.log")
            time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
        self.log.close()


@dataclass
class Report:
    outcome: Outcome
    seconds: float
    returns_open: int
    problems: list[str]

    def lines(self) -> list[str]:
        timings = sorted(self.outcome.timings) or [0.0]
        return [
            f"{self.outcome.requests} requests in {self.seconds:.1f}s "
            f"({self.outcome.requests / max(self.seconds, 0.001):.1f} a second); "
            f"median {statistics.median(timings) * 1000:.0f} ms, 95th percentile "
            f"{timings[int(len(timings) * 0.95) - 1 if len(timings) > 1 else 0] * 1000:.0f} ms, "
            f"slowest {timings[-1] * 1000:.0f} ms",
            f"{len(self.outcome.submitted)} of {self.returns_open} open returns submitted (each with a double click)",
            f"errors: {len(self.outcome.errors)}; problems found afterwards: {len(self.problems)}",
            *[f"  {line}" for line in (self.outcome.errors + self.problems)[:20]],
        ]


def check_afterwards(people: list[Person], outcome: Outcome, since) -> list[str]:
    """What must hold once the load has stopped. Runs in an app context."""
    from portal.extensions import db
    from portal.models import AuditEvent, JobHandover, OutboundMessage, Return, ReturnStatus

    db.session.rollback()
    problems = []
    submitted = {int(path.rsplit("/", 1)[1]) for path in outcome.submitted}
    everyone = {int(url.rsplit("/", 1)[1]) for person in people for url in person.urls}
    statuses = dict(db.session.execute(sa.select(Return.id, Return.status).where(Return.id.in_(everyone))).all())
    for return_id in sorted(submitted):
        if statuses[return_id] is not ReturnStatus.SUBMITTED:
            problems.append(f"return {return_id} acknowledged but {statuses[return_id]}")
    for return_id in sorted(everyone - submitted):
        if statuses[return_id] is ReturnStatus.SUBMITTED:
            problems.append(f"return {return_id} submitted but never shown as submitted")
    events = db.session.execute(
        sa.select(AuditEvent.subject_id, sa.func.count())
        .where(AuditEvent.action == "return.submitted", AuditEvent.subject_type == Return.__tablename__)
        .where(AuditEvent.subject_id.in_(everyone))
        .group_by(AuditEvent.subject_id)
    ).all()
    counted = dict(events)
    for return_id in sorted(submitted):
        if counted.get(return_id) != 1:
            problems.append(f"return {return_id} has {counted.get(return_id, 0)} 'return.submitted' events")
    # Submitting a return sends no email and queues no job: anything in the outboxes since the start is doubled.
    emails = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboundMessage).where(OutboundMessage.created_at >= since)
    )
    jobs = db.session.scalar(sa.select(sa.func.count()).select_from(JobHandover).where(JobHandover.created_at >= since))
    if emails:
        problems.append(f"{emails} emails queued, none expected")
    if jobs:
        problems.append(f"{jobs} jobs kept for later, none expected")
    return problems


def run(app, users: int, seconds: float, redis_url: str, log_dir: Path) -> Report:
    """Make ``users`` people, serve the app and let them all work through their returns for ``seconds``."""
    from portal.database import utcnow

    with app.app_context():
        people = make_people(users, uuid.uuid4().hex[:8])
        for person in people:
            person.cookie = session_cookie(app, person)
        database_url = app.config["SQLALCHEMY_DATABASE_URI"]
        if hasattr(database_url, "render_as_string"):
            database_url = database_url.render_as_string(hide_password=False)
        since = utcnow()
    served = Served(database_url, redis_url, log_dir)
    outcome = Outcome()
    try:
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(target=work_through_returns, args=(served.base, person, deadline, outcome))
            for person in people
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        elapsed = time.monotonic() - started
    finally:
        served.stop()
    with app.app_context():
        problems = check_afterwards(people, outcome, since)
    return Report(outcome, elapsed, sum(len(person.urls) for person in people), problems)


def main(argv: list[str] | None = None) -> None:
    from flask_migrate import upgrade

    from config import TestingConfig
    from portal import create_app
    from portal.extensions import db
    from portal.reference.services import load_local_authorities

    parser = argparse.ArgumentParser(prog="python -m bench.returns_under_load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args(argv)
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgresql") or not redis_url:
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database kept for this (it is emptied) and REDIS_URL")
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=TestingConfig.SQLALCHEMY_DATABASE_URI,  # the driver named as config.py names it
        SECRET_KEY=SECRET_KEY,
        REDIS_URL=redis_url,
    )
    with app.app_context():
        # Starts from an empty database each time, as the page benchmark does: the test factories it uses count
        # from one in each process.
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_local_authorities()
    report = run(app, args.users, args.seconds, redis_url, Path(tempfile.mkdtemp()))
    print("\n".join(report.lines()))
    if report.outcome.errors or report.problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
