"""Each fund's lessons-learned log: lessons kept from the dialogue, issues from returns and lessons from
follow-ups, filterable and downloadable."""

import csv
import io

import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import DialogueThread, ReturnStatus, StaffRole, ThreadKind
from tests.factories import create_member, create_organisation, create_user
from tests.factories_dialogue import accepted_case_study_return, create_ended_award, create_thread, follow_ups
from tests.factories_monitoring import award_returns, create_award


def rows(page):
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in page.select("tbody tr")]


def setup():
    staff = create_user(staff_role=StaffRole.GRANT_OFFICER)
    organisation = create_organisation("Safer Southwark")
    owner = create_member(organisation)
    award = create_ended_award(organisation)
    accepted_case_study_return(award, issues="Referrals from schools fell when the lead teacher left.")
    second = award_returns(award)[1]
    second.issues, second.status, second.submitted_at = "None this period.", ReturnStatus.SUBMITTED, utcnow()
    draft = award_returns(award)[2]
    draft.issues, draft.status = "A draft issue nobody has submitted", ReturnStatus.IN_PROGRESS
    six = follow_ups(award)[0]
    six.lessons, six.status, six.submitted_at = (
        "Keep the youth workers through gaps in funding.",
        ReturnStatus.SUBMITTED,
        utcnow(),
    )
    thread = create_thread(
        award, owner, subject="Peer mentors", body="Mentors near their age work.", kind=ThreadKind.LESSON
    )
    thread.lesson_logged_at, thread.lesson_summary = utcnow(), "Peer mentors build trust quickly."
    create_thread(award, owner, subject="Not a lesson", body="Just a question about payments.")
    db.session.commit()
    return staff, award


def test_the_log_gathers_lessons_from_dialogue_returns_and_follow_ups_and_nothing_else(client):
    staff, award = setup()
    other_fund_award = create_award(title="Elsewhere")
    accepted_case_study_return(other_fund_award, issues="Another fund's issue")
    client.sign_in(staff)
    text = client.get_page(f"/staff/funds/{award.fund_id}/lessons").get_text(" ")
    assert "Referrals from schools fell" in text
    assert "Keep the youth workers through gaps in funding." in text
    assert "Peer mentors build trust quickly." in text
    for absent in ("None this period.", "A draft issue", "Just a question about payments", "Another fund's issue"):
        assert absent not in text


def test_the_log_filters_by_source_and_text(client):
    staff, award = setup()
    client.sign_in(staff)
    base = f"/staff/funds/{award.fund_id}/lessons"
    assert [row[1] for row in rows(client.get_page(f"{base}?source=follow_up"))] == ["Follow-up"]
    assert [row[1] for row in rows(client.get_page(f"{base}?source=dialogue"))] == ["Dialogue"]
    found = rows(client.get_page(f"{base}?q=TEACHER"))
    assert len(found) == 1 and found[0][1] == "Return issues"
    assert "No lessons match." in client.get_page(f"{base}?q=zebra").get_text()


def test_the_log_downloads_as_csv_with_the_same_filters(client):
    staff, award = setup()
    create_thread(award, create_user(), subject="=HYPERLINK(1)", kind=ThreadKind.LESSON)

    formula = db.session.scalar(sa.select(DialogueThread).where(DialogueThread.subject == "=HYPERLINK(1)"))
    formula.lesson_logged_at, formula.lesson_summary = utcnow(), "=1+1"
    db.session.commit()
    client.sign_in(staff)
    response = client.get(f"/staff/funds/{award.fund_id}/lessons.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["Date", "Source", "Award", "Organisation", "Service", "Title", "Lesson"]
    assert len(table) == 5
    assert [row[6] for row in table if row[6].startswith("'")] == ["'=1+1"]
    only = list(
        csv.reader(
            io.StringIO(client.get(f"/staff/funds/{award.fund_id}/lessons.csv?source=return").get_data(as_text=True))
        )
    )
    assert [row[1] for row in only[1:]] == ["Return issues"]


def test_only_officers_read_a_funds_lessons(client):
    _, award = setup()
    client.sign_in(create_member(award.organisation))
    client.get_page(f"/staff/funds/{award.fund_id}/lessons", 403)
    assert client.get(f"/staff/funds/{award.fund_id}/lessons.csv").status_code == 403
    client.sign_in(create_user(staff_role=StaffRole.GRANT_OFFICER))
    client.get_page("/staff/funds/999999/lessons", 404)
