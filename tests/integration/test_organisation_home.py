"""An organisation's home: what needs its members (drafts, returns, agreements, questions, replies; a council's plan
and project returns; a board's drawdowns), each linking on, worked out in one query."""

from datetime import date

import time_machine

from portal import work
from portal.extensions import db
from portal.models import (
    DrawdownStatus,
    MembershipRole,
    PlanStatus,
    Return,
    ReturnFrequency,
    ReturnStatus,
    ThreadStatus,
)
from tests.factories import create_member, create_organisation
from tests.factories_agreements import accept, award_with_owner
from tests.factories_assessment import create_officer
from tests.factories_boroughs import create_council, create_plan
from tests.factories_dialogue import create_thread
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown
from tests.factories_funding import create_application, create_fund, create_round
from tests.factories_monitoring import award_returns
from tests.integration.test_staff_home import counting_queries

# Q1 2026-27 ended on 30 June; its return is due a month later. Q2 ended on 30 September.
TODAY = date(2026, 10, 20)


def work_items(page) -> dict[str, str]:
    return {item.get_text(" ", strip=True): item.find("a")["href"] for item in page.select(".portal-work__item")}


def a_charity_with_work():
    award, owner = award_with_owner(start=date(2026, 4, 1), end=date(2028, 3, 31))
    charity = award.organisation
    create_application(create_round(create_fund()), charity)
    # its first return (Q1) is overdue, its second (Q2) due
    second, _ = award_with_owner(organisation=charity, start=date(2026, 4, 1), end=date(2028, 3, 31), title="Two")
    accept(second, owner)
    award_returns(second)[0].status = ReturnStatus.QUERIED
    thread = create_thread(second, owner)
    thread.status = ThreadStatus.REPLIED
    db.session.commit()
    return charity, owner


@time_machine.travel(TODAY)
def test_a_charitys_home_shows_what_needs_its_members_in_one_query(client):
    charity, owner = a_charity_with_work()
    charity_id = charity.id
    with counting_queries() as statements:
        counts = work.fetch_organisation_work(charity_id, TODAY)
    assert len(statements) == 1
    assert (counts.drafts, counts.returns_overdue, counts.returns_due) == (1, 1, 2)
    assert (counts.returns_queried, counts.agreements_to_accept, counts.replies) == (1, 1, 1)

    items = work_items(client.sign_in(owner).get_page(f"/organisations/{charity_id}"))
    awards = f"/organisations/{charity_id}/awards"
    assert items == {
        "1 draft bid to finish and submit": f"/organisations/{charity_id}/applications",
        "1 return overdue": awards,
        "2 returns due": awards,
        "1 return with a question from your grant officer": awards,
        "1 grant agreement to accept": awards,
        "1 conversation with a reply from your grant officer": awards,
    }


@time_machine.travel(TODAY)
def test_an_editor_is_told_an_owner_must_accept_the_agreement(client):
    charity, _ = a_charity_with_work()
    editor = create_member(charity, MembershipRole.EDITOR, email="editor@example.org")
    items = work_items(client.sign_in(editor).get_page(f"/organisations/{charity.id}"))
    assert "1 grant agreement waiting for an owner to accept it" in items


def test_a_new_organisation_is_told_nothing_needs_it(client):
    charity = create_organisation("Brixton Youth Forum")
    owner = create_member(charity)
    page = client.sign_in(owner).get_page(f"/organisations/{charity.id}")
    assert "Nothing needs you at the moment." in page.get_text()


def test_officers_see_an_organisations_page_without_its_members_to_do_list(client):
    charity, _ = a_charity_with_work()
    page = client.sign_in(create_officer()).get_page(f"/organisations/{charity.id}")
    assert not page.find("h2", string="What needs you")


def test_the_header_links_a_member_to_their_organisations_home(client):
    charity = create_organisation("Brixton Youth Forum")
    page = client.sign_in(create_member(charity)).get_page("/account")
    assert page.select_one(f".govuk-service-navigation__list a[href='/organisations/{charity.id}']")


@time_machine.travel(TODAY)
def test_a_borough_council_sees_its_queried_plan_and_its_project_returns(client):
    council, member = create_council("Lewisham")
    create_plan(council, years=(2025,), status=PlanStatus.QUERIED)
    approved = create_plan(council, years=(2026,), status=PlanStatus.APPROVED)
    project = approved.projects[0]
    for start, end, due, status in (
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 31), ReturnStatus.DUE),
        (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 31), ReturnStatus.IN_PROGRESS),
        (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 31), ReturnStatus.DUE),  # not ended: not yet due
    ):
        db.session.add(
            Return(
                plan_project=project,
                financial_year=2026,
                label="Quarter",
                frequency=ReturnFrequency.QUARTERLY,
                period_start=start,
                period_end=end,
                due_on=due,
                status=status,
            )
        )
    db.session.commit()
    plans = f"/organisations/{council.id}/delivery-plans"
    items = work_items(client.sign_in(member).get_page(f"/organisations/{council.id}"))
    assert items == {
        "1 delivery plan with questions to answer": plans,
        "1 project return overdue": plans,
        "1 project return due": plans,
    }


def test_a_board_sees_its_drawdowns_waiting_and_not_a_councils_plans(client):
    board, member = create_board("Lambeth")
    allocation = create_allocation(board)
    create_drawdown(allocation)
    create_drawdown(allocation, status=DrawdownStatus.PAID, paid_on=date(2026, 6, 5))
    other_council, _ = create_council("Lambeth")
    create_plan(other_council, status=PlanStatus.QUERIED)
    items = work_items(client.sign_in(member).get_page(f"/organisations/{board.id}"))
    assert items == {
        "1 drawdown request waiting for a decision or payment": f"/organisations/{board.id}/allocations",
    }
