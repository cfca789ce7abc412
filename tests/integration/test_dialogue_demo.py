"""The demo of life after an award: ended awards with follow-ups, conversations and published case studies, the
same however many times it is loaded."""

from datetime import date

import sqlalchemy as sa

from portal.demo import dialogue as demo_dialogue
from portal.demo import monitoring as demo_monitoring
from portal.demo import rounds as demo_rounds
from portal.demo.seed import load_demo_data
from portal.directory.published import public_case_studies
from portal.extensions import db
from portal.models import AuditEvent, Award, DialogueThread, FollowUpReturn, ReturnStatus

TODAY = date(2026, 11, 22)


def load_everything():
    return [
        demo_dialogue.load_ended_awards(TODAY),
        demo_monitoring.load(TODAY),
        demo_dialogue.load(TODAY),
    ]


def test_the_demo_shows_follow_ups_conversations_and_published_case_studies_and_loading_again_changes_nothing(
    client,
):
    load_demo_data()
    demo_rounds.load(TODAY)
    assert (
        load_everything()[2] == "Dialogue demo: 3 follow-ups filled in, 3 conversations and 3 case studies published."
    )
    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))

    peckham = db.session.scalar(sa.select(Award).where(Award.title == "Peckham after-school mentoring"))
    tottenham = db.session.scalar(sa.select(Award).where(Award.title == "Tottenham parents' network against violence"))
    assert (peckham.end_date, tottenham.end_date) == (date(2026, 3, 31), date(2025, 3, 31))

    def statuses(award):
        return [
            f.status
            for f in db.session.scalars(
                sa.select(FollowUpReturn)
                .where(FollowUpReturn.award_id == award.id)
                .order_by(FollowUpReturn.months_after)
            )
        ]

    assert statuses(peckham) == [ReturnStatus.SUBMITTED, ReturnStatus.DUE]
    assert statuses(tottenham) == [ReturnStatus.ACCEPTED, ReturnStatus.SUBMITTED]
    assert db.session.scalar(sa.select(sa.func.count(DialogueThread.id))) == 3
    public = list(db.session.scalars(public_case_studies()))
    assert len(public) == 3 and all(c.return_.status is ReturnStatus.ACCEPTED for c in public)

    assert (
        load_everything()[2] == "Dialogue demo: 0 follow-ups filled in, 0 conversations and 0 case studies published."
    )
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events

    page = client.get_page("/good-practice")
    assert len(page.select("main h2 a")) == 3
