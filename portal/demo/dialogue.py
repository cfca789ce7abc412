"""Demonstration of life after an award: two awards to demo organisations that have ended (their returns are
filled in by the monitoring demo), their follow-ups due, submitted and accepted, conversations between
organisations and officers, lessons kept in the log, and case studies published in the good-practice library.

Deterministic and safe to run again: awards are found by title, follow-ups touched only while still due,
conversations found by subject, and case studies published only once.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from portal import audit
from portal.database import utcnow
from portal.demo.registry import is_demo_award
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    AwardYear,
    DialogueMessage,
    DialogueThread,
    FollowUpReturn,
    Fund,
    LocalAuthority,
    Organisation,
    PublishedCaseStudy,
    Return,
    ReturnStatus,
    ServiceArea,
    Sustained,
    ThreadKind,
    ThreadStatus,
    User,
)
from portal.monitoring.workflow import move_follow_up
from portal.periods import financial_year_start
from portal.references import next_award_reference


@dataclass(frozen=True)
class EndedAward:
    title: str
    organisation: str
    fund_code: str
    boroughs: tuple[str, ...]
    service_area: ServiceArea
    years_ago: int  # ended on 31 March this many financial years before the current one began
    pounds_a_year: int
    description: str


ENDED_AWARDS = (
    EndedAward(
        "Peckham after-school mentoring",
        "Peckham Street Mentors CIC",
        "VRU",
        ("Southwark", "Lambeth"),
        ServiceArea.VIOLENCE_REDUCTION,
        0,
        48_000,
        "Trained mentors from Peckham and Brixton meet young people aged 11 to 16 after school, three afternoons a "
        "week, in the hours when most street violence involving children happens.",
    ),
    EndedAward(
        "Tottenham parents' network against violence",
        "Tottenham Mothers Against Violence",
        "VRU",
        ("Haringey",),
        ServiceArea.COMMUNITY_ENGAGEMENT,
        1,
        30_000,
        "Parents who have lost children to violence run monthly meetings and a phone line for other parents "
        "worried that their child is being drawn into gangs or carrying a knife.",
    ),
)


def load_ended_awards(today: date | None = None) -> str:
    """Awards that have ended, added before the monitoring demo so that it fills in their returns."""
    today = today or utcnow().date()
    officer = _user(f"officer@{DEMO_DOMAIN}")
    added = sum(_ended_award(spec, today, officer) for spec in ENDED_AWARDS)
    db.session.commit()
    return f"Ended awards: {added} added."


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _ended_award(spec: EndedAward, today: date, officer: User | None) -> int:
    fund = db.session.scalar(sa.select(Fund).where(Fund.code == spec.fund_code))
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == spec.organisation))
    if fund is None or organisation is None:
        return 0
    if db.session.scalar(
        sa.select(Award.id).where(Award.title == spec.title, Award.organisation_id == organisation.id)
    ):
        return 0
    last_year = financial_year_start(today) - 1 - spec.years_ago  # the award's last financial year
    first_year = last_year - 1
    award = Award(
        reference=next_award_reference(fund.code, first_year),
        fund=fund,
        organisation=organisation,
        title=spec.title,
        description=spec.description,
        start_date=date(first_year, 4, 1),
        end_date=date(last_year + 1, 3, 31),
        status=AwardStatus.APPROVED,
        created_by=officer,
        approved_by=officer,
        approved_at=utcnow(),
        boroughs=list(db.session.scalars(sa.select(LocalAuthority).where(LocalAuthority.name.in_(spec.boroughs)))),
        years=[
            AwardYear(financial_year=year, amount_pence=spec.pounds_a_year * 100) for year in (first_year, last_year)
        ],
    )
    award.service_areas = [spec.service_area]
    db.session.add(award)
    db.session.flush()
    return 1


# Follow-up answers, by award title: (running, funded by, people since, lasted, what changed, lessons).
FOLLOW_UP_ANSWERS = {
    "Peckham after-school mentoring": (
        Sustained.PARTLY,
        "Two afternoons a week are now paid for by a local housing association and Southwark Council's youth fund.",
        64,
        Sustained.YES,
        "Of the 38 young people who finished the programme, 33 are still in school or college and none has been "
        "arrested for a violent offence since. Several now volunteer as junior mentors.",
        "Keep mentors on through the gap between grants: we lost two of our best while waiting for new funding, "
        "and the young people they mentored stopped coming.",
    ),
    "Tottenham parents' network against violence": (
        Sustained.YES,
        "The phone line is run by volunteers; the meetings are funded by a National Lottery community grant.",
        112,
        Sustained.PARTLY,
        "Parents say they feel less alone and know where to turn. Referrals to early help from our members doubled.",
        "Parents trust other parents first. Holding meetings in a school hall rather than a council building "
        "brought in fathers who had never come before.",
    ),
}


def _fill_follow_ups(today: date, officer: User | None) -> int:
    filled = 0
    for title, (running, funded_by, people, lasted, changed, lessons) in FOLLOW_UP_ANSWERS.items():
        award = db.session.scalar(sa.select(Award).where(is_demo_award(), Award.title == title))
        if award is None:
            continue
        opened = [
            f
            for f in db.session.scalars(
                sa.select(FollowUpReturn)
                .where(FollowUpReturn.award_id == award.id)
                .order_by(FollowUpReturn.months_after)
            )
            if f.opens_on <= today
        ]
        submitter = _submitter(award)
        for position, follow_up in enumerate(opened):
            if follow_up.status is not ReturnStatus.DUE:
                continue
            follow_up.service_running, follow_up.funded_by = running, funded_by
            follow_up.people_helped_since = people * (follow_up.months_after // 6)
            follow_up.outcomes_sustained, follow_up.what_changed, follow_up.lessons = lasted, changed, lessons
            latest = position == len(opened) - 1
            if latest and follow_up.due_on >= today:
                move_follow_up(follow_up, ReturnStatus.IN_PROGRESS, actor=submitter)  # still being written
            else:
                follow_up.submitted_at = datetime.combine(follow_up.due_on - timedelta(days=3), time(11), tzinfo=UTC)
                follow_up.submitted_by = submitter
                move_follow_up(follow_up, ReturnStatus.SUBMITTED, actor=submitter)
                if not latest:
                    move_follow_up(follow_up, ReturnStatus.ACCEPTED, actor=officer)
                    follow_up.accepted_at, follow_up.accepted_by = follow_up.submitted_at + timedelta(days=5), officer
            filled += 1
    return filled


def _submitter(award: Award) -> User | None:
    members = sorted(award.organisation.memberships, key=lambda m: m.user_id)
    return members[0].user if members else None


@dataclass(frozen=True)
class Conversation:
    award_title: str
    kind: ThreadKind
    subject: str
    messages: tuple[str, ...]  # alternating: the organisation first, then the officer, and so on
    closed: bool = False
    lesson: str | None = None


CONVERSATIONS = (
    Conversation(
        "London Victims and Witnesses Service",
        ThreadKind.FEEDBACK,
        "Delays in getting witness contact details from the police",
        (
            "Since the summer we have been waiting up to three weeks for witness contact details after a charge. "
            "By the time we call, many witnesses have already had their court date letter and feel nobody "
            "explained it. Could MOPAC raise this with the Met's witness care units?",
            "Thank you for raising this. I have shared your figures with the Met's criminal justice lead and asked "
            "for the referral step to be part of the next victims' code compliance review. I will let you know "
            "what they say.",
            "Thank you. We will keep recording the delay for each referral so that you have figures for the review.",
        ),
        lesson="Referral delays from the police reach witnesses before support does: ask for referral times in "
        "every victims' service return.",
    ),
    Conversation(
        "Peckham after-school mentoring",
        ThreadKind.LESSON,
        "Recruiting mentors from the estates we work on",
        (
            "Our mentors who grew up on the same estates as the young people kept them engaged for far longer than "
            "mentors recruited through agencies: 9 months on average, against 4. We now recruit through our own "
            "alumni and local churches and pay for their training.",
            "This is very useful, thank you. I have added it to the lessons log for the VRU programmes so that "
            "other mentoring providers can hear about it at the next provider forum.",
        ),
        closed=True,
        lesson="Mentors from the young people's own neighbourhoods keep them engaged for more than twice as long.",
    ),
    Conversation(
        "Tottenham parents' network against violence",
        ThreadKind.FEEDBACK,
        "Is there funding to carry on the phone line?",
        (
            "Our award has ended but parents still call the line most evenings. Is there a round coming up that a "
            "small group like ours could bid for, without the full application form?",
        ),
    ),
)


def _conversations(officer: User | None) -> int:
    added = 0
    base = utcnow() - timedelta(days=40)
    for spec in CONVERSATIONS:
        award = db.session.scalar(sa.select(Award).where(is_demo_award(), Award.title == spec.award_title))
        if award is None or db.session.scalar(
            sa.select(DialogueThread.id).where(DialogueThread.subject == spec.subject)
        ):
            continue
        author = _submitter(award)
        moments = [base + timedelta(days=3 * i + added) for i in range(len(spec.messages))]
        thread = DialogueThread(
            award=award,
            kind=spec.kind,
            subject=spec.subject,
            started_by=author,
            created_at=moments[0],
            last_message_at=moments[-1],
            status=ThreadStatus.REPLIED if len(spec.messages) % 2 == 0 else ThreadStatus.OPEN,
            messages=[
                DialogueMessage(
                    body=body, from_officer=i % 2 == 1, author=officer if i % 2 else author, created_at=moments[i]
                )
                for i, body in enumerate(spec.messages)
            ],
        )
        if spec.closed:
            thread.status = ThreadStatus.CLOSED
        if spec.lesson:
            thread.lesson_summary, thread.lesson_logged_at, thread.lesson_logged_by = spec.lesson, moments[-1], officer
        db.session.add(thread)
        audit.record("dialogue.started", thread, organisation_id=award.organisation_id, actor=author)
        added += 1
    return added


@dataclass(frozen=True)
class CaseStudy:
    award_title: str
    title: str
    summary: str
    story: str


CASE_STUDIES = (
    CaseStudy(
        "London Victims and Witnesses Service",
        "Back home after a burglary, with the locks changed the same week",
        "An older woman in Bexley who stopped sleeping after a burglary was helped to feel safe at home again.",
        "A woman in her eighties was referred to us by the police two days after her flat in Bexley was burgled "
        "while she was asleep. She had stopped sleeping and was thinking of moving into her daughter's spare room.\n"
        "Our caseworker visited the next day. We arranged for the locks to be changed and a door chain fitted "
        "that week, paid for from our hardship fund, and asked the local Safer Neighbourhoods team to call in.\n"
        "Over six weeks of phone calls she went from not sleeping to sleeping most nights. She told us the most "
        "important thing was being believed, and knowing that someone would ring back when they said they would.",
    ),
    CaseStudy(
        "London Gang Exit Service",
        "From a safe house to a plumbing apprenticeship",
        "A 19-year-old from Lewisham moved out of London for safety, then back into work with the help of his "
        "caseworker.",
        "A 19-year-old was referred to the service by his youth offending worker after he was threatened at his "
        "home in Lewisham. He wanted to leave the group he was involved with but did not believe he could.\n"
        "His caseworker arranged an emergency move to supported housing outside London within a week, and worked "
        "with the housing provider and his new college so that he could start again without his history "
        "following him.\n"
        "Over the following year he finished a level 2 plumbing course and started an apprenticeship. He has not "
        "been arrested since the move, and has spoken to younger boys at his old school about leaving.",
    ),
    CaseStudy(
        "Peckham after-school mentoring",
        "Three afternoons a week that kept a boy in school",
        "A Year 8 pupil at risk of exclusion in Peckham stayed in school after a year with a local mentor.",
        "A 12-year-old boy in Year 8 had been excluded twice and was spending afternoons on the streets around Rye "
        "Lane with older boys. His school referred him to us.\n"
        "His mentor grew up on the same estate. They met three afternoons a week for homework, football and, "
        "often, just talking. The mentor went with his mother to meetings at school and helped her ask for an "
        "assessment of his reading.\n"
        "By the end of the year he had not been excluded again, his attendance had risen from 71% to 94%, and he "
        "had joined the school's football team. He says he now walks a different way home.",
    ),
)


def _case_studies(officer: User | None) -> int:
    published = 0
    for spec in CASE_STUDIES:
        award = db.session.scalar(sa.select(Award).where(is_demo_award(), Award.title == spec.award_title))
        if award is None:
            continue
        candidates = list(
            db.session.scalars(
                sa.select(Return)
                .where(Return.award_id == award.id, Return.status == ReturnStatus.ACCEPTED)
                .order_by(Return.period_start)
            )
        )
        candidates = [r for r in candidates if not r.is_short_form]
        if not candidates:
            continue
        if db.session.scalar(
            sa.select(PublishedCaseStudy.id).where(PublishedCaseStudy.return_id.in_([r.id for r in candidates]))
        ):
            continue
        return_ = candidates[0]
        return_.case_study, return_.case_study_may_publish = spec.story, True
        case_study = PublishedCaseStudy(
            return_=return_,
            title=spec.title,
            summary=spec.summary,
            published_at=(return_.accepted_at or utcnow()) + timedelta(days=14),
            published_by=officer,
        )
        db.session.add(case_study)
        audit.record(
            "case_study.published",
            case_study,
            after={"published": True, "title": spec.title},
            organisation_id=award.organisation_id,
            actor=officer,
        )
        published += 1
    return published


def load(today: date | None = None) -> str:
    today = today or utcnow().date()
    officer = _user(f"officer@{DEMO_DOMAIN}")
    filled = _fill_follow_ups(today, officer)
    conversations = _conversations(officer)
    published = _case_studies(officer)
    db.session.commit()
    return (
        f"Dialogue demo: {filled} follow-ups filled in, {conversations} conversations and {published} case studies "
        "published."
    )
