"""PostgreSQL cutting the portal's connections while people submit their returns: every request either succeeds or
gets the "nothing was saved, try again" page, never a 500; the portal recovers without a restart; and every
submission the portal acknowledged is in the database.

The connections are cut as a database restart or a failover cuts them, by ``pg_terminate_backend`` from a
connection of the test's own, over and over while the requests run, so some fall between requests and some in the
middle of one.
"""

import threading
import time

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import MembershipRole, Return, ReturnStatus
from tests.client import PortalClient
from tests.factories import create_member, create_organisation
from tests.factories_monitoring import create_award, create_measure, first_return

PEOPLE = 6
CUT_EVERY_SECONDS = 0.3
# Cuts go on this long, as a restart or failover would; then the database stays up, and every submission must
# get through. On a loaded machine a request can take longer than the gap between cuts, so cutting for ever could
# starve a submission through no fault of the portal's.
CUTTING_SECONDS = 10
TERMINATE_OTHERS = sa.text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
)


@pytest.fixture
def postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("cuts connections with pg_terminate_backend, which only PostgreSQL has")


def people_with_a_return_to_submit(app) -> list[tuple]:
    people = []
    for number in range(PEOPLE):
        organisation = create_organisation(f"Safer streets {number}")
        owner = create_member(organisation, MembershipRole.OWNER, email=f"owner{number}@example.org")
        award = create_award(organisation)
        measure = create_measure(award)
        return_ = first_return(award)
        app.test_client_class = PortalClient
        client = app.test_client()
        client.sign_in(owner)
        url = f"/organisations/{organisation.id}/awards/{award.id}/returns/{return_.id}"
        answers = {
            "version": str(return_.version),
            "spend": "10,000",
            "people_helped": "42",
            f"measure_{measure.id}": "95",
            "progress": "We ran 12 sessions after school.",
            "risks": "None",
            "issues": "None",
            "case_study": "A young person returned to school.",
            "submit_return": "Submit",
        }
        people.append((client, url, answers, return_.id))
    db.session.commit()
    return people


def test_connections_cut_under_load_cost_at_most_a_try_again_page_and_lose_nothing_acknowledged(app, postgresql_only):
    people = people_with_a_return_to_submit(app)
    cutting = threading.Event()
    cutting.set()
    cuts = []

    killer = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def cut_connections():
        stop_at = time.monotonic() + CUTTING_SECONDS
        while cutting.is_set() and time.monotonic() < stop_at:
            with killer.connect() as connection:
                cuts.append(connection.execute(TERMINATE_OTHERS).scalar())
            time.sleep(CUT_EVERY_SECONDS)
        killer.dispose()

    outcomes: dict[int, list] = {return_id: [] for *_, return_id in people}
    acknowledged: set[int] = set()
    unexpected: list[str] = []

    def submit(client, url, answers, return_id):
        # Until it is acknowledged: each try first reads the page (as a person would) and then sends the form.
        deadline = time.monotonic() + 60
        saved_but_not_shown = False
        while time.monotonic() < deadline:
            page = client.get(url)
            if page.status_code == 503:
                outcomes[return_id].append("GET 503")
                assert "nothing from this page was saved" in page.get_data(as_text=True)
                continue
            if page.status_code != 200:
                unexpected.append(f"GET {url}: {page.status_code}")
                return
            text = page.get_data(as_text=True)
            if "csrf-token" not in text:
                unexpected.append(f"GET {url}: no form")
                return
            token = text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
            if 'name="submit_return"' not in text:
                # Submitted already, by a try whose next page was lost: the portal must have said it may be saved.
                if not saved_but_not_shown:
                    unexpected.append(f"POST {url}: the page said nothing was saved, but the return was submitted")
                acknowledged.add(return_id)
                return
            response = client.post(url, data={"csrf_token": token, **answers})
            outcomes[return_id].append(response.status_code)
            if response.status_code == 302:
                acknowledged.add(return_id)
                return
            if response.status_code == 503:
                said = response.get_data(as_text=True)
                saved_but_not_shown = "after saving what you sent" in said
                assert saved_but_not_shown or "nothing from this page was saved" in said
                continue
            unexpected.append(f"POST {url}: {response.status_code}")
            return
        unexpected.append(f"{url}: not submitted within a minute")

    cutter = threading.Thread(target=cut_connections, daemon=True)
    cutter.start()
    while not cuts:
        time.sleep(0.01)
    threads = [threading.Thread(target=submit, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a submission was still being tried after 90 seconds"
    cutting.clear()
    cutter.join(timeout=10)

    assert unexpected == []
    assert sum(cuts) > 0, "no connection was cut"
    # Every return was acknowledged, and every acknowledged return is in the database, submitted once.
    assert acknowledged == set(outcomes)
    db.session.commit()
    statuses = dict(db.session.execute(sa.select(Return.id, Return.status).where(Return.id.in_(acknowledged))).all())
    assert statuses == dict.fromkeys(acknowledged, ReturnStatus.SUBMITTED)
    # Once the cuts stop, the portal answers at once, without a restart.
    client, url, *_ = people[0]
    assert client.get(url).status_code == 200
