"""Demonstration bids from the demo organisations to the demo rounds (portal/demo/rounds.py).

Drafts and submitted bids to the open rounds, light-touch and full, for one borough, several or London-wide, and a
set of submitted bids to the closed round for the assessment demo. Every bid is built as the applicant's pages
would build it: eligibility passed, the organisation's details copied, amounts for each financial year, and an
answer to every question the bid is asked (drafts stop part way). Nothing is random, and a bid that is already there
(matched by round and organisation) is left alone, so running this again changes nothing.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from portal import workflow
from portal.applications.drafts import organisation_snapshot
from portal.applications.project import add_months, financial_years
from portal.applications.questions import (
    choices_for,
    fetch_asked_ids,
    fetch_eligibility_questions,
    fetch_sections,
    is_shown,
)
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Answer,
    Application,
    ApplicationStatus,
    ApplicationYear,
    LocalAuthority,
    Organisation,
    Question,
    QuestionKind,
    Round,
    ServiceArea,
    UploadedFile,
    User,
)
from portal.periods import LONDON
from portal.references import next_reference

try:  # the rounds another loader makes; without them there is nothing to bid for
    from portal.demo.rounds import CLOSED_ROUND_TITLE, OPEN_ROUND_TITLE, SHORT_WINDOW_ROUND_TITLE
except ImportError:  # pragma: no cover
    OPEN_ROUND_TITLE = "Cross-borough services to prevent crime, 2027 to 2031"
    SHORT_WINDOW_ROUND_TITLE = "Winter support for victims of domestic abuse"
    CLOSED_ROUND_TITLE = "After-school and holiday programmes for young people"

DEMO_DOMAIN = "demo.example.org"
A = ServiceArea
DRAFT, SUBMITTED = ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED
# A one-page PDF, so that file questions have something real to download.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoBid:
    round_title: str
    organisation: str
    status: ApplicationStatus
    title: str
    summary: str
    total_pounds: int
    months: int
    service_areas: tuple[ServiceArea, ...]
    boroughs: tuple[str, ...] = ()  # none means London-wide
    contact: tuple[str, str] | None = None  # for organisations without a demo login
    user_email: str | None = None
    # Drafts answer only this many of their sections.
    sections_answered: int | None = None
    days_after_opening: int = 12
    answers: dict[str, Any] = field(default_factory=dict)


BIDS = (
    # The open cross-borough round: two drafts, two submitted.
    DemoBid(
        OPEN_ROUND_TITLE,
        "Victim Support",
        DRAFT,
        "Pan-London support for young victims of knife crime",
        "Caseworkers in every London major trauma centre meet young victims of knife crime at the bedside and "
        "support them and their families for up to a year, across whichever boroughs they live in.",
        300_000,
        36,
        (A.VICTIM_SUPPORT, A.VIOLENCE_REDUCTION),
        contact=None,
        user_email=f"victimsupport@{DEMO_DOMAIN}",
        sections_answered=2,
    ),
    DemoBid(
        OPEN_ROUND_TITLE,
        "Peckham Street Mentors CIC",
        DRAFT,
        "Walk and talk mentoring on the way home from school",
        "Trained mentors from the estates around Rye Lane walk with young people on the routes home where most "
        "robberies happen, and meet them weekly to talk about staying safe.",
        24_000,
        36,
        (A.CHILDREN_AND_YOUNG_PEOPLE, A.CRIME_PREVENTION),
        boroughs=("Lambeth", "Southwark"),
        user_email=f"cic@{DEMO_DOMAIN}",
        sections_answered=4,
    ),
    DemoBid(
        OPEN_ROUND_TITLE,
        "Barnardo's",
        SUBMITTED,
        "Safe and Together: support for children affected by exploitation in north London",
        "Specialist workers support children at risk of criminal exploitation and their families in four north "
        "London boroughs, with one referral route for all four.",
        240_000,
        36,
        (A.CHILDREN_AND_YOUNG_PEOPLE, A.VIOLENCE_REDUCTION),
        boroughs=("Enfield", "Hackney", "Haringey", "Islington"),
        contact=("Ruth Adebayo", f"ruth.adebayo@barnardos.{DEMO_DOMAIN}"),
    ),
    DemoBid(
        OPEN_ROUND_TITLE,
        "Advance",
        SUBMITTED,
        "Minerva: women's centres for women in contact with the criminal justice system",
        "Two women's centres and hubs in six boroughs give women on probation one place to get support with "
        "housing, debt, domestic abuse and mental health, so that fewer reoffend.",
        360_000,
        48,
        (A.REDUCING_REOFFENDING, A.VAWG),
        boroughs=("Barnet", "Brent", "Ealing", "Hammersmith and Fulham", "Harrow", "Hillingdon"),
        contact=("Leila Haddad", f"leila.haddad@advance.{DEMO_DOMAIN}"),
        days_after_opening=5,
    ),
    # The short-window round for domestic abuse services.
    DemoBid(
        SHORT_WINDOW_ROUND_TITLE,
        "Croydon Women's Refuge CIO",
        SUBMITTED,
        "Winter caseworker for women leaving the refuge",
        "A second caseworker through the winter so that women leaving the refuge are supported into their new "
        "homes in Croydon and Sutton, instead of waiting eight weeks.",
        22_000,
        24,
        (A.VAWG, A.VICTIM_SUPPORT),
        boroughs=("Croydon", "Sutton"),
        contact=("Joy Mensah", f"joy.mensah@croydonrefuge.{DEMO_DOMAIN}"),
        days_after_opening=2,
    ),
    # The closed VRU round: bids submitted before it closed, for the assessment demo, and one draft too late.
    DemoBid(
        CLOSED_ROUND_TITLE,
        "St Giles Trust",
        SUBMITTED,
        "SOS+ in south London schools and holiday clubs",
        "Caseworkers with lived experience of the criminal justice system run sessions in schools and holiday "
        "clubs, and mentor young people at risk of being drawn into violence.",
        180_000,
        36,
        (A.VIOLENCE_REDUCTION, A.CHILDREN_AND_YOUNG_PEOPLE),
        boroughs=("Croydon", "Lambeth", "Lewisham", "Southwark"),
        contact=("Marcus Bell", f"marcus.bell@stgilestrust.{DEMO_DOMAIN}"),
        days_after_opening=20,
    ),
    DemoBid(
        CLOSED_ROUND_TITLE,
        "Redthread",
        SUBMITTED,
        "Youth workers in the emergency department, after school hours",
        "Youth workers in four east and south London emergency departments meet young people injured by violence "
        "in the hours after school, when most attend, and follow them up in the holidays.",
        150_000,
        36,
        (A.VIOLENCE_REDUCTION, A.CHILDREN_AND_YOUNG_PEOPLE),
        boroughs=("Lambeth", "Newham", "Southwark", "Tower Hamlets"),
        contact=("Aisha Rahman", f"aisha.rahman@redthread.{DEMO_DOMAIN}"),
        days_after_opening=30,
    ),
    DemoBid(
        CLOSED_ROUND_TITLE,
        "Safer London",
        SUBMITTED,
        "London-wide holiday programme for young people moved for their safety",
        "Young people relocated across London because of exploitation or violence join holiday activities "
        "near their new homes, with a key worker who knows them.",
        210_000,
        48,
        (A.CHILDREN_AND_YOUNG_PEOPLE, A.VIOLENCE_REDUCTION),
        contact=("Tom Whitfield", f"tom.whitfield@saferlondon.{DEMO_DOMAIN}"),
        days_after_opening=40,
    ),
    DemoBid(
        CLOSED_ROUND_TITLE,
        "Oasis",
        SUBMITTED,
        "Open late: Friday nights at Oasis hubs",
        "Oasis community hubs in Lambeth and Southwark open until 10pm on Fridays and every weekday in the "
        "holidays, with sport, food and youth workers.",
        90_000,
        36,
        (A.CHILDREN_AND_YOUNG_PEOPLE, A.COMMUNITY_ENGAGEMENT),
        boroughs=("Lambeth", "Southwark"),
        contact=("Grace Whyte", f"grace.whyte@oasis.{DEMO_DOMAIN}"),
        days_after_opening=45,
    ),
    DemoBid(
        CLOSED_ROUND_TITLE,
        "Catch 22",
        SUBMITTED,
        "Summer of safety in east London",
        "A six-week summer programme in Hackney, Newham and Tower Hamlets for young people referred by schools "
        "and the youth justice service.",
        60_000,
        36,
        (A.CHILDREN_AND_YOUNG_PEOPLE,),
        boroughs=("Hackney", "Newham", "Tower Hamlets"),
        contact=("Daniel Osei", f"daniel.osei@catch-22.{DEMO_DOMAIN}"),
        days_after_opening=50,
    ),
    DemoBid(
        CLOSED_ROUND_TITLE,
        "Tottenham Mothers Against Violence",
        SUBMITTED,
        "Mothers on the street: summer evenings in Tottenham",
        "Mothers who have lost children to violence run summer evening sessions in Bruce Castle Park with "
        "local youth workers, and keep in touch with the young people through the year.",
        21_000,
        36,
        (A.VIOLENCE_REDUCTION, A.COMMUNITY_ENGAGEMENT),
        boroughs=("Haringey",),
        user_email=f"community@{DEMO_DOMAIN}",
        days_after_opening=55,
    ),
    DemoBid(
        CLOSED_ROUND_TITLE,
        "Peckham Street Mentors CIC",
        SUBMITTED,
        "Holiday football and mentoring on the Peckham estates",
        "Football sessions on three estates every weekday of the school holidays, with a mentor for each young "
        "person who wants one.",
        24_000,
        36,
        (A.CHILDREN_AND_YOUNG_PEOPLE, A.VIOLENCE_REDUCTION),
        boroughs=("Southwark",),
        user_email=f"cic@{DEMO_DOMAIN}",
        days_after_opening=58,
    ),
    DemoBid(
        CLOSED_ROUND_TITLE,
        "Abianda",
        SUBMITTED,
        "Holiday groups for young women affected by gangs",
        "Weekly holiday groups for young women aged 13 to 24 affected by gang violence in Islington and Camden, "
        "led by young women who have been through it.",
        18_000,
        36,
        (A.VAWG, A.CHILDREN_AND_YOUNG_PEOPLE),
        boroughs=("Camden", "Islington"),
        contact=("Nadia Ali", f"nadia.ali@abianda.{DEMO_DOMAIN}"),
        days_after_opening=60,
    ),
    DemoBid(
        CLOSED_ROUND_TITLE,
        "Safe Journeys Home Ltd",
        DRAFT,
        "Night bus chaperones",
        "Trained chaperones on night bus routes used by young people after evening activities.",
        40_000,
        36,
        (A.CRIME_PREVENTION,),
        boroughs=("Hackney", "Tower Hamlets"),
        contact=("Ben Carter", f"ben.carter@safejourneys.{DEMO_DOMAIN}"),
        sections_answered=1,
    ),
)

# Answers to the demo rounds' questions, by the start of the question's text.
TEXT_ANSWERS = {
    "Tell us about your organisation's experience": (
        "{organisation} has run services for children, young people and victims of crime in London for many "
        "years. Our staff include people with lived experience, and we work closely with schools, youth "
        "offending teams and the police in every borough we serve."
    ),
    "Describe how the project will work": (
        "Referrals come from schools, youth services and the police. Within a week a worker meets the young "
        "person and their family and agrees a plan. Weekly one-to-one sessions follow, with group activities in "
        "the holidays, and a review at twelve weeks."
    ),
    "How will you keep people safe": (
        "Until our policy is written, every worker has an enhanced DBS check and works in pairs, and our chair "
        "is the named safeguarding lead."
    ),
    "Which boroughs' community safety partnerships": (
        "We have met the community safety managers in each borough the bid names; each has written to support it."
    ),
    "How will you know the project has made a difference": (
        "We will count young people referred, engaged and completing the programme each quarter, and ask them "
        "at the start and end how safe they feel. Schools will share attendance and exclusions."
    ),
    "How will your project reduce violence": (
        "By reaching young people at the times and places where violence peaks, with trusted adults who stay "
        "with them, and by working with their families and schools."
    ),
}


def _text_answer(question: Question, bid: DemoBid) -> str:
    template = next((text for start, text in TEXT_ANSWERS.items() if question.text.startswith(start)), None)
    if question.text.startswith("Summarise your project"):
        text = bid.summary
    else:
        text = (template or bid.summary).format(organisation=bid.organisation)
    words = text.split()
    return " ".join(words[: question.word_limit]) if question.word_limit else text


def _answer(question: Question, bid: DemoBid, application: Application, start: date) -> Any:
    kind = question.kind
    if question.is_eligibility and question.eligible_values:
        return question.eligible_values[0]
    if kind is QuestionKind.TEXT:
        return _text_answer(question, bid)
    if kind is QuestionKind.NUMBER:
        return 12 + len(bid.organisation)
    if kind is QuestionKind.MONEY:
        return bid.total_pounds * 300  # a year's income, in pence: three times a year's bid
    if kind is QuestionKind.YES_NO:
        return "yes"
    if kind is QuestionKind.SINGLE_CHOICE:
        return choices_for(question)[0][0]
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return [value for value, _label in choices_for(question)][1:3]
    if kind is QuestionKind.DATE:
        return (start - timedelta(days=200)).isoformat()
    stored = UploadedFile(
        application_id=application.id,
        question_id=question.id,
        filename=f"{bid.organisation} - {question.text[:40].rstrip()}.pdf".replace("/", "-"),
        content_type="application/pdf",
        size_bytes=len(DEMO_PDF),
        content=DEMO_PDF,
        uploaded_by_id=application.created_by_id,
    )
    db.session.add(stored)
    db.session.flush()
    return {"file_id": stored.id, "filename": stored.filename, "size_bytes": stored.size_bytes}


def _start_date(round_: Round) -> date:
    """The first 1 April after the round has closed and decided: projects that run whole financial years."""
    closes = round_.closes_at.astimezone(LONDON).date()
    earliest = add_months(date(closes.year, closes.month, 1), 1)
    return date(earliest.year if earliest.month <= 4 else earliest.year + 1, 4, 1)


def _split(total_pence: int, parts: int) -> list[int]:
    share = total_pence // parts // 100 * 100  # whole pounds
    return [share] * (parts - 1) + [total_pence - share * (parts - 1)]


def _build(
    bid: DemoBid, round_: Round, organisation: Organisation, users: dict[str, User], boroughs: dict[str, LocalAuthority]
) -> Application:
    user = users.get(bid.user_email) if bid.user_email else None
    contact_name, contact_email = bid.contact or ((user.full_name, user.email) if user else (None, None))
    started = round_.opens_at + timedelta(days=min(bid.days_after_opening, 3))
    start = _start_date(round_)
    application = Application(
        round=round_,
        organisation=organisation,
        status=DRAFT,
        project_title=bid.title,
        summary=bid.summary,
        start_date=start,
        duration_months=bid.months,
        works_pan_london=not bid.boroughs,
        boroughs=[boroughs[name] for name in sorted(bid.boroughs)],
        contact_name=contact_name,
        contact_email=contact_email,
        organisation_snapshot=organisation_snapshot(organisation),
        eligibility_passed_at=started,
        organisation_confirmed_at=started,
        created_by_id=user.id if user else None,
        created_at=started,
    )
    application.service_areas = list(bid.service_areas)
    years = financial_years(start, bid.months)
    application.years = [
        ApplicationYear(financial_year=year.start_year, amount_pence=amount)
        for year, amount in zip(years, _split(bid.total_pounds * 100, len(years)), strict=True)
    ]
    db.session.add(application)
    db.session.flush()
    _answer_questions(application, bid, start, user)
    return application


def _answer_questions(application: Application, bid: DemoBid, start: date, user: User | None) -> None:
    round_ = application.round
    variant = application.form_variant
    asked_ids = fetch_asked_ids(round_, variant)
    values: dict[int, Any] = {}
    questions = list(fetch_eligibility_questions(round_))
    sections = [s for s in fetch_sections(round_) if s.asked(variant)]
    if bid.sections_answered is not None:
        sections = sections[: bid.sections_answered]
    for section in sections:
        questions += section.asked(variant)
    for question in questions:
        if not question.is_eligibility and not is_shown(question, values, asked_ids):
            continue
        values[question.id] = _answer(question, bid, application, start)
        db.session.add(
            Answer(
                application_id=application.id,
                question_id=question.id,
                value=values[question.id],
                updated_by_id=user.id if user else None,
            )
        )


def _submit(application: Application, bid: DemoBid, user: User | None) -> None:
    submitted_at = application.round.opens_at + timedelta(days=bid.days_after_opening, hours=3)
    submitted_at = min(submitted_at, application.round.closes_at - timedelta(hours=2), utcnow())
    application.reference = next_reference(
        Application, application.round.fund.code, submitted_at.astimezone(LONDON).year
    )
    application.submitted_at = submitted_at
    application.submitted_by_id = user.id if user else None
    workflow.move_application(
        application,
        SUBMITTED,
        actor=user,
        detail={"reference": application.reference, "total_requested_pence": application.total_requested_pence},
    )
    db.session.flush()


def load() -> str:
    rounds = {
        round_.title: round_
        for round_ in db.session.scalars(
            sa.select(Round).where(
                Round.title.in_([OPEN_ROUND_TITLE, SHORT_WINDOW_ROUND_TITLE, CLOSED_ROUND_TITLE]),
                Round.published_at.is_not(None),
            )
        )
    }
    if not rounds:
        return "Demo bids: no demo rounds to bid for (load the demo rounds first)."
    organisations = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")))}
    boroughs = {la.name: la for la in db.session.scalars(sa.select(LocalAuthority))}
    existing = set(db.session.execute(sa.select(Application.round_id, Application.organisation_id)).tuples())
    added = submitted = 0
    for bid in BIDS:
        round_ = rounds.get(bid.round_title)
        organisation = organisations.get(bid.organisation)
        if round_ is None or organisation is None or (round_.id, organisation.id) in existing:
            continue
        application = _build(bid, round_, organisation, users, boroughs)
        if bid.status is SUBMITTED:
            _submit(application, bid, users.get(bid.user_email) if bid.user_email else None)
            submitted += 1
        existing.add((round_.id, organisation.id))
        added += 1
    db.session.commit()
    return f"Demo bids: {added} added, {submitted} of them submitted."
