"""Page benchmarks in one process: ``python -m bench --scale 10`` (``make bench`` runs the HTTP runner,
:mod:`bench.run`, which loads its data through :func:`load`).

Builds a database of the given scale (on DATABASE_URL, or a temporary SQLite file), deterministic from ``--seed``
(the same seed on the same day gives the same rows), with PostgreSQL's sequences moved past the ids it wrote and
ANALYZE run; ``--load-only`` stops there. Otherwise it requests key pages through the app and reports the time of
the first request (with the public cache empty), the median of the repeats, and the number of SQL queries
(first/repeat where the cache changes them). Nothing here asserts a time: compare runs over time, on the same
machine.
"""

import argparse
import random
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.transparency import build_awards
from config import TestingConfig
from portal import create_app
from portal.database import utcnow
from portal.extensions import cache, db
from portal.lcpf.shipped import load_example_version, load_shipped_data
from portal.models import (
    Application,
    ApplicationStatus,
    ApplicationYear,
    Award,
    Fund,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationType,
    Round,
    ServiceArea,
    StaffRole,
    User,
)
from portal.reference.services import load_local_authorities, load_postcode_districts

PAGES = [
    ("Home", "/", None),
    ("Funding opportunities", "/funding/", None),
    ("Officer: rounds", "/staff/rounds", "officer"),
    ("Officer: bids in the largest round", "/staff/rounds/{round_id}/applications", "officer"),
    ("Officer: organisations", "/staff/organisations", "officer"),
    ("Applicant: their bids", "/organisations/{organisation_id}/applications", "applicant"),
    ("Officer: returns due", "/staff/monitoring/returns", "officer"),
    ("Officer: returns accepted", "/staff/monitoring/returns?show=accepted", "officer"),
    ("Public: funded services", "/services", None),
    ("Public: services by postcode and area", "/services?postcode=SE15&area=crime_prevention", None),
    ("Public: one service", "/services/{award_id}", None),
    ("Public: map", "/map", None),
    ("Public: map figures", "/map/data.json?shade=services", None),
    ("Public: a borough", "/boroughs/E09000028", None),
    ("Public: the funding formula", "/funding-formula", None),
    ("Public: dashboards", "/dashboards", None),
    ("Public: dashboard CSV (by borough)", "/dashboards/spend-by-borough.csv", None),
    ("Public: 360Giving JSON", "/data/360giving.json", None),
    ("Public: Open Referral services", "/openreferral/services", None),
    ("Public: good practice", "/good-practice", None),
]


OFFICER_EMAIL = "bench-officer@example.org"
BIDS_PER_SCALE = 960  # half of them in the first round: 4,800 bids in one round at scale 10


def build(scale: int, seed: int = 2026) -> dict:
    """``scale`` 1 is roughly a year of London's volume: 300 organisations, 10 rounds, 960 bids, and 500 funded
    services with their monitoring (``bench.transparency``)."""
    rng = random.Random(seed)
    officer = User(
        email=OFFICER_EMAIL,
        full_name="Bench Officer",
        staff_role=StaffRole.GRANT_OFFICER,
        email_confirmed_at=utcnow(),
        totp_secret="JBSWY3DPEHPK3PXP",  # noqa: S106  a second factor set up, so staff pages open (never used)
        totp_enabled_at=utcnow(),
    )
    applicant = User(email="bench-applicant@example.org", full_name="Bench Applicant", email_confirmed_at=utcnow())
    db.session.add_all([officer, applicant])
    organisations = []
    for number in range(300 * scale):
        organisation = Organisation(
            name=f"Bench organisation {number:05d}",
            organisation_type=OrganisationType.CHARITY,
            address_line_1="1 Bench Street",
            postcode="SE1 1AA",
            works_pan_london=number % 5 == 0,
        )
        organisations.append(organisation)
    db.session.add_all(organisations)
    db.session.add(Membership(user=applicant, organisation=organisations[0], role=MembershipRole.OWNER))
    fund = Fund(name="Bench fund", code="BEN", purpose="Benchmarks")
    fund.service_areas = [ServiceArea.CRIME_PREVENTION]
    now = utcnow()
    rounds = [
        Round(
            fund=fund,
            title=f"Bench round {n}",
            description="",
            budget_pence=10**9,
            min_request_pence=1000,
            max_request_pence=10**8,
            opens_at=now - timedelta(days=40),
            closes_at=now + timedelta(days=20 + n),
            decision_expected_on=(now + timedelta(days=90)).date(),
            published_at=now - timedelta(days=60),
        )
        for n in range(10 * scale)
    ]
    db.session.add_all(rounds)
    db.session.flush()
    for number in range(BIDS_PER_SCALE * scale):
        application = Application(
            round=rounds[0] if number % 2 == 0 else rounds[number % len(rounds)],
            organisation=organisations[number % len(organisations)],
            status=ApplicationStatus.SUBMITTED,
            reference=f"BEN-2026-{number:05d}",
            project_title=f"Bid {number}",
            submitted_at=now,
            years=[ApplicationYear(financial_year=2027, amount_pence=rng.randrange(5_000_00, 90_000_00, 100))],
        )
        db.session.add(application)
    db.session.commit()
    award_ids = build_awards(scale, [o.id for o in organisations], officer.id, utcnow().date(), rng)
    return {
        "award_id": award_ids[len(award_ids) // 2],
        "officer": officer.id,
        "applicant": applicant.id,
        "round_id": rounds[0].id,
        "organisation_id": organisations[0].id,
    }


@contextmanager
def counting_queries(engine):
    counter = {"queries": 0}

    def count(*_args, **_kwargs):
        counter["queries"] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def move_sequences_on() -> None:
    """PostgreSQL: every table's id sequence past the largest id, since bulk inserts wrote ids themselves (the next
    award the portal creates would otherwise collide)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, sa.Integer):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    )
                )


def analyze() -> None:
    """Fresh planner statistics: without them PostgreSQL plans for empty tables (one page took 27 s)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))


def load(app, scale: int, seed: int) -> dict:
    """An empty database at the latest migration with London's reference data and the bench's rows."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_local_authorities()
        load_postcode_districts()
        ids = build(scale, seed)
        load_shipped_data()  # the formula's crime, population and deprivation, and its published example version
        load_example_version()
        move_sequences_on()
        analyze()
        db.session.remove()
    return ids


def ids_in_database(app) -> dict:
    """What :func:`build` returned, read back from a database it loaded earlier."""
    with app.app_context():
        officer = db.session.scalar(sa.select(User).where(User.email == OFFICER_EMAIL))
        applicant = db.session.scalar(sa.select(User).where(User.email == "bench-applicant@example.org"))
        round_id = db.session.scalar(
            sa.select(Application.round_id).group_by(Application.round_id).order_by(sa.func.count().desc()).limit(1)
        )
        bench_awards = sa.select(Award.id).where(Award.reference.like("BEN-%")).order_by(Award.id)
        award_ids = list(db.session.scalars(bench_awards))
        organisation_id = db.session.scalar(
            sa.select(Membership.organisation_id).where(Membership.user_id == applicant.id)
        )
        db.session.remove()
    return {
        "award_id": award_ids[len(award_ids) // 2],
        "officer": officer.id,
        "applicant": applicant.id,
        "round_id": round_id,
        "organisation_id": organisation_id,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--load-only", action="store_true", help="load the data and stop")
    args = parser.parse_args()
    url = TestingConfig.SQLALCHEMY_DATABASE_URI
    if url == "sqlite://":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, MAIL_BACKEND="log")
    ids = load(app, args.scale, args.seed)
    if args.load_only:
        print(f"Loaded scale {args.scale} (seed {args.seed}) into {url}")
        return
    with app.app_context():
        engine = db.engine
    # Requests run outside any app context, each in its own, as they do in production.
    users = {"officer": ids["officer"], "applicant": ids["applicant"]}
    print(f"{'page':<40} {'first ms':>10} {'median ms':>10} {'queries':>8}")
    for label, path, who in PAGES:
        with app.app_context():
            cache.clear()  # the first request of each page starts cold
        client = app.test_client()
        if who:
            from bench.run import officer_cookie  # a server session and its cookie, as a real sign-in makes

            name, _, value = officer_cookie(app, users[who]).partition("=")
            client.set_cookie(name, value)
        url_path = path.format(**ids)
        timings, first_queries = [], None
        for _ in range(args.repeats):
            with counting_queries(engine) as counter:
                started = time.perf_counter()
                response = client.get(url_path)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url_path} answered {response.status_code} {response.headers.get('Location', '')}")
            first_queries = counter["queries"] if first_queries is None else first_queries
        queries = f"{first_queries}/{counter['queries']}" if first_queries != counter["queries"] else str(first_queries)
        print(f"{label:<40} {timings[0]:>10.1f} {statistics.median(timings[1:] or timings):>10.1f} {queries:>8}")


if __name__ == "__main__":
    main()
