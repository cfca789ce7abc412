"""The staff home ("Your work"): counts of what is waiting, each linking to the list that shows the same things,
worked out in one query; and a staff navigation short enough for one line."""

from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa
import time_machine

from portal import work
from portal.extensions import db
from portal.models import ApplicationStatus, AwardStatus, DrawdownStatus, ReturnStatus, StaffRole
from tests.factories import create_user
from tests.factories_agreements import accept, award_with_owner
from tests.factories_assessment import create_assessed_round, create_bid, create_officer, decided_bid
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown
from tests.factories_monitoring import award_returns, create_award

TODAY = date(2026, 11, 10)


@contextmanager
def counting_queries():
    statements: list[str] = []

    def note(_connection, _cursor, statement, _parameters, _context, _executemany):
        if statement.strip().upper() != "BEGIN":
            statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def work_items(page) -> dict[str, str | None]:
    """Each line of the home page's counts, with the address it links to (None when there is nothing to do)."""
    items = {}
    for item in page.select(".portal-work__item"):
        link = item.find("a")
        items[item.get_text(" ", strip=True)] = link["href"] if link else None
    return items


def rows_in_table(client, href: str) -> int:
    page = client.get_page(href)
    table = page.select_one("main table")
    return len(table.select("tbody tr")) if table else 0


def a_busy_day():
    """Some of every kind of work, with an officer (Tom) and a colleague who set up a large award."""
    tom = create_officer("Tom Brennan", "tom@example.org")
    priya = create_officer("Priya Shah", "priya@example.org")
    round_ = create_assessed_round()
    create_bid(round_, title="Screen me one")
    create_bid(round_, title="Screen me two", status=ApplicationStatus.SCREENING)
    create_bid(round_, title="Being reviewed", status=ApplicationStatus.IN_REVIEW)
    create_bid(round_, title="Moderated", status=ApplicationStatus.MODERATED)
    decided_bid(round_, tom, [], title="Funded, no award yet")
    create_award(status=AwardStatus.AWAITING_SECOND_APPROVAL, officer=priya, with_schedule=False, title="Priya's")
    create_award(status=AwardStatus.AWAITING_SECOND_APPROVAL, officer=tom, with_schedule=False, title="Tom's own")
    award_with_owner(start=date(2026, 4, 1), end=date(2028, 3, 31))  # its agreement not accepted
    accepted, owner = award_with_owner(start=date(2026, 4, 1), end=date(2028, 3, 31), title="Accepted")
    accept(accepted, owner)
    first, second = award_returns(accepted)[:2]
    first.status = ReturnStatus.SUBMITTED
    second.status = ReturnStatus.DUE
    board, _ = create_board()
    allocation = create_allocation(board)
    create_drawdown(allocation)
    create_drawdown(allocation, status=DrawdownStatus.APPROVED, decided_on=date(2026, 6, 2))
    db.session.commit()
    return tom, priya


@time_machine.travel(TODAY)
def test_an_officers_home_counts_their_work_in_one_query(client):
    tom, priya = a_busy_day()
    assert tom.id and priya.id  # loaded before counting
    with counting_queries() as statements:
        counts = work.fetch_officer_work(tom, TODAY)
    assert len(statements) == 1
    assert counts.bids_to_screen == 2
    assert counts.bids_in_review == 1
    assert counts.decisions_to_make == 1
    assert counts.awards_to_set_up == 1
    assert counts.second_approvals_for_you == 1  # Priya's; Tom cannot second his own
    assert counts.agreements_not_accepted == 1
    assert counts.drawdowns_to_decide == 1
    assert counts.drawdowns_to_pay == 1
    assert counts.returns_to_review == 1
    assert work.fetch_officer_work(priya, TODAY).second_approvals_for_you == 1  # Tom's, not her own


@time_machine.travel(TODAY)
def test_the_home_page_costs_a_handful_of_queries(client):
    tom, _ = a_busy_day()
    client.sign_in(tom)
    client.get_page("/staff/")
    with counting_queries() as statements:
        client.get_page("/staff/")
    assert len(statements) <= 8, statements


@time_machine.travel(TODAY)
def test_each_count_links_to_a_list_showing_the_same_things(client):
    tom, _ = a_busy_day()
    client.sign_in(tom)
    items = work_items(client.get_page("/staff/"))
    assert items["2 bids to screen"] == "/staff/rounds?needs=screening"
    assert items["1 bid with reviews outstanding"] == "/staff/rounds?needs=review"
    assert items["1 decision to make"] == "/staff/rounds?needs=decision"
    assert items["1 funded bid waiting for its award"] == "/staff/awards/#waiting"
    for text in (
        "1 award waiting for your second approval",
        "1 grant agreement not yet accepted",
        "1 drawdown request to decide",
        "1 approved drawdown to pay",
        "1 award return to review",
    ):
        assert rows_in_table(client, items[text]) == 1, text
    overdue = next(text for text in items if text.endswith("award returns overdue"))
    assert rows_in_table(client, items[overdue]) == int(overdue.split()[0])
    assert items["No variations to approve"] is None
    assert items["No borough delivery plans to review"] is None


@time_machine.travel(TODAY)
def test_the_rounds_list_narrowed_to_a_stage_shows_only_rounds_with_such_bids(client):
    tom, _ = a_busy_day()
    quiet = create_assessed_round(title="Nothing to decide")
    create_bid(quiet, title="Only screening here")
    client.sign_in(tom)
    page = client.get_page("/staff/rounds?needs=decision")
    assert [a.get_text(strip=True) for a in page.select("main table tbody a")] == ["Safer Streets 2027"]
    page = client.get_page("/staff/rounds?needs=screening")
    assert len(page.select("main table tbody tr")) == 2


def nav_texts(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.select(".govuk-service-navigation__list a")]


def test_an_officers_navigation_is_short_and_the_rest_is_on_their_home(client):
    client.sign_in(create_officer("Tom Brennan", "tom@example.org"))
    page = client.get_page("/staff/")
    assert nav_texts(page) == [
        "Your work",
        "Funds and rounds",
        "Bids",
        "Awards",
        "Returns",
        "Funding formula",
        "Your account",
    ]
    others = {a.get_text(strip=True) for a in page.select("main a")}
    assert {"Payments", "Drawdowns", "Messages", "Committee reports", "Funding opportunities", "Map"} <= others


def test_a_reviewer_has_a_home_with_their_reviews_and_a_short_navigation(client):
    client.sign_in(create_user("grace@example.org", full_name="Grace Mensah", staff_role=StaffRole.REVIEWER))
    page = client.get_page("/staff/")
    assert nav_texts(page) == ["Your work", "Your reviews", "Your account"]
    assert "No bids waiting for your review" in work_items(page)


def test_an_admin_keeps_registrations_and_tools_on_their_home(client):
    client.sign_in(create_user("ada@example.org", full_name="Ada Admin", staff_role=StaffRole.ADMIN))
    page = client.get_page("/staff/")
    assert nav_texts(page) == ["Your work", "Organisations", "Your account"]
    assert page.find("h2", string="Registrations to check")
    assert not page.select(".portal-work__item")
