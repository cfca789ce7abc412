"""Demonstration funds, rounds, questions and criteria, named after real MOPAC and VRU programmes.

Dates are set relative to the day the data is loaded, so the demo always has a round open with a normal window, one
open with a short window and a published reason, one upcoming, one closed some weeks ago (for assessment) and one
draft. Safe to run again: anything already there (matched by fund code, round title, question text or criterion
name) is left alone.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import LocalAuthority, User
from portal.models.funding import (
    NO,
    YES,
    Criterion,
    FormVariant,
    Fund,
    FundServiceArea,
    Question,
    QuestionKind,
    Round,
    ServiceArea,
)
from portal.periods import add_working_days
from portal.rounds.fields import london_datetime
from portal.rounds.questions import ROUND_SECTION_OFFSET
from portal.rounds.windows import london_date

OFFICER_EMAIL = "officer@demo.example.org"

OPEN_ROUND_TITLE = "Cross-borough services to prevent crime, 2027 to 2031"
SHORT_WINDOW_ROUND_TITLE = "Winter support for victims of domestic abuse"
UPCOMING_ROUND_TITLE = "Community safety projects in south London, 2027/28"
CLOSED_ROUND_TITLE = "After-school and holiday programmes for young people"
DRAFT_ROUND_TITLE = "Hate crime small grants 2027"

A = ServiceArea


@dataclass(frozen=True)
class DemoFund:
    code: str
    name: str
    purpose: str
    service_areas: tuple[ServiceArea, ...]


FUNDS = (
    DemoFund(
        "LCPF",
        "LCPF co-commissioning fund",
        "The part of the London Crime Prevention Fund set aside for services commissioned across several boroughs "
        "at once, so that one provider can serve victims and young people wherever in London they live.",
        (A.CRIME_PREVENTION, A.REDUCING_REOFFENDING, A.VIOLENCE_REDUCTION, A.VAWG, A.CHILDREN_AND_YOUNG_PEOPLE),
    ),
    DemoFund(
        "VRU",
        "VRU programmes",
        "The Violence Reduction Unit's programmes to prevent violence affecting young Londoners, working with "
        "schools, youth services and communities.",
        (A.VIOLENCE_REDUCTION, A.CHILDREN_AND_YOUNG_PEOPLE, A.COMMUNITY_ENGAGEMENT),
    ),
    DemoFund(
        "VS",
        "Victims' services",
        "Support for victims of crime to cope and recover, funded with the Ministry of Justice victims' grant.",
        (A.VICTIM_SUPPORT, A.VAWG, A.HATE_CRIME),
    ),
    DemoFund(
        "SNB",
        "Safer Neighbourhood Board fund",
        "Money for each borough's Safer Neighbourhood Board to fund local projects that build trust between the "
        "police and the public and tackle local crime priorities.",
        (A.COMMUNITY_ENGAGEMENT, A.CRIME_PREVENTION),
    ),
    DemoFund(
        "HATE",
        "Hate crime small grants",
        "Small grants for community groups that prevent hate crime, support the people it affects and encourage "
        "reporting.",
        (A.HATE_CRIME, A.COMMUNITY_ENGAGEMENT, A.VICTIM_SUPPORT),
    ),
)


@dataclass(frozen=True)
class DemoQuestion:
    text: str
    kind: QuestionKind
    section: str
    hint: str | None = None
    word_limit: int | None = None
    options: tuple[str, ...] = ()
    date_not_in_future: bool = False
    form_variant: FormVariant = FormVariant.BOTH
    required: bool = True
    show_if: tuple[str, str] | None = None  # (text of an earlier question, answer)
    eligible_values: tuple[str, ...] = ()
    ineligible_reason: str | None = None


SAFEGUARDING_POLICY = "Does your organisation have a written safeguarding policy?"

STANDARD_QUESTIONS = (
    DemoQuestion(
        "Tell us about your organisation's experience of delivering services like this one",
        QuestionKind.TEXT,
        "About your organisation",
        hint="Include how long you have worked with the people the project is for.",
        word_limit=250,
    ),
    DemoQuestion(
        "How many paid staff and volunteers does your organisation have?",
        QuestionKind.NUMBER,
        "About your organisation",
        form_variant=FormVariant.FULL,
    ),
    DemoQuestion(
        "What was your organisation's income in its last financial year?",
        QuestionKind.MONEY,
        "About your organisation",
        form_variant=FormVariant.FULL,
    ),
    DemoQuestion(
        "Upload your latest annual accounts",
        QuestionKind.FILE,
        "About your organisation",
        hint="A PDF or spreadsheet. New organisations can upload a budget for this year instead.",
        form_variant=FormVariant.FULL,
    ),
    DemoQuestion(
        "Summarise your project",
        QuestionKind.TEXT,
        "Your project",
        hint="What you will do, who for, and where.",
        word_limit=150,
    ),
    DemoQuestion(
        "Describe how the project will work, week by week",
        QuestionKind.TEXT,
        "Your project",
        word_limit=750,
        form_variant=FormVariant.FULL,
    ),
    DemoQuestion(
        "Which age groups will the project work with?",
        QuestionKind.MULTIPLE_CHOICE,
        "Your project",
        options=("Under 10", "10 to 17", "18 to 24", "25 and over"),
    ),
    DemoQuestion(SAFEGUARDING_POLICY, QuestionKind.YES_NO, "Safeguarding"),
    DemoQuestion(
        "When was your safeguarding policy last reviewed?",
        QuestionKind.DATE,
        "Safeguarding",
        date_not_in_future=True,
        show_if=(SAFEGUARDING_POLICY, YES),
    ),
    DemoQuestion(
        "Upload your safeguarding policy",
        QuestionKind.FILE,
        "Safeguarding",
        form_variant=FormVariant.FULL,
        show_if=(SAFEGUARDING_POLICY, YES),
    ),
    DemoQuestion(
        "How will you keep people safe while you write a safeguarding policy?",
        QuestionKind.TEXT,
        "Safeguarding",
        word_limit=200,
        show_if=(SAFEGUARDING_POLICY, NO),
    ),
)

IN_LONDON = DemoQuestion(
    "Is your organisation based in or working in London?",
    QuestionKind.YES_NO,
    "Eligibility",
    eligible_values=(YES,),
    ineligible_reason="This fund pays for services for people who live, work or study in London.",
)


def _outcomes(word_limit: int = 300) -> DemoQuestion:
    return DemoQuestion(
        "How will you know the project has made a difference?",
        QuestionKind.TEXT,
        "About this round",
        hint="Tell us what you will count and how often, for example young people who finish the programme.",
        word_limit=word_limit,
    )


@dataclass
class DemoRound:
    fund_code: str
    title: str
    description: str
    budget: int  # pounds
    min_request: int
    max_request: int
    opens: datetime
    closes: datetime
    decision_in_days: int
    published: datetime | None
    min_duration: int = 36
    max_duration: int = 48
    threshold: int = 25_000
    reason: str | None = None
    boroughs: tuple[str, ...] = ()
    questions: tuple[DemoQuestion, ...] = ()
    criteria: tuple[tuple[str, str, int], ...] = ()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    at = london_datetime(day, time(hour, minute))
    assert at is not None  # given a day and a time
    return at


def _rounds(today: date) -> list[DemoRound]:
    open_from = today - timedelta(days=10)
    short_from = today - timedelta(days=3)
    upcoming_from = today + timedelta(days=20)
    closed_from = today - timedelta(days=90)
    draft_from = today + timedelta(days=45)
    standard_criteria = (
        ("Need and evidence", "How well the bid shows the need, with local data and the voices of those affected.", 30),
        ("Delivery and experience", "Whether the organisation can deliver: staff, partners, track record.", 25),
        ("Outcomes and measurement", "Clear outcomes, and a realistic plan to measure them.", 25),
        ("Value for money", "Cost per person helped, and what else the money brings in.", 20),
    )
    return [
        DemoRound(
            "LCPF",
            OPEN_ROUND_TITLE,
            "Funding for services that work across two or more London boroughs to prevent crime and reoffending: "
            "for example, support for young people leaving custody, or for women caught up in the criminal justice "
            "system.\n\nOne bid can cover several boroughs: you do not need to bid to each borough separately.",
            3_000_000,
            10_000,
            400_000,
            _at(open_from, 9),
            _at(add_working_days(open_from, 44), 12),
            70,
            _at(open_from - timedelta(days=21), 10),
            questions=(
                IN_LONDON,
                DemoQuestion(
                    "Will your project work in two or more London boroughs?",
                    QuestionKind.YES_NO,
                    "Eligibility",
                    eligible_values=(YES,),
                    ineligible_reason="The co-commissioning fund pays only for services that cross borough "
                    "boundaries. Your borough's own LCPF allocation may fund a single-borough service.",
                ),
                DemoQuestion(
                    "Which boroughs' community safety partnerships have you spoken to about this project?",
                    QuestionKind.TEXT,
                    "About this round",
                    word_limit=200,
                    form_variant=FormVariant.FULL,
                ),
                _outcomes(),
            ),
            criteria=standard_criteria,
        ),
        DemoRound(
            "VS",
            SHORT_WINDOW_ROUND_TITLE,
            "Short-term money for specialist services that support victims of domestic abuse through the winter, "
            "when demand is highest: extra caseworkers, emergency accommodation costs and out-of-hours helplines.",
            600_000,
            5_000,
            60_000,
            _at(short_from, 9),
            _at(add_working_days(short_from, 14), 17),
            21,
            _at(short_from - timedelta(days=5), 10),
            min_duration=24,
            max_duration=36,
            reason="This money comes from a one-off Ministry of Justice grant that must be committed by the end of "
            "the financial year. We have made the window as long as the grant allows, and the form is short. A full "
            "round for victims' services will open in the summer with the usual notice.",
            questions=(
                IN_LONDON,
                DemoQuestion(
                    "Is your organisation a specialist service for victims of domestic abuse?",
                    QuestionKind.SINGLE_CHOICE,
                    "Eligibility",
                    options=(
                        "Yes, it is all we do",
                        "Yes, it is one of our services",
                        "No",
                    ),
                    eligible_values=("Yes, it is all we do", "Yes, it is one of our services"),
                    ineligible_reason="This round is for specialist domestic abuse services. Other victims' "
                    "services can bid in the summer round.",
                ),
                DemoQuestion(
                    "How many more people could you support over the winter with this money?",
                    QuestionKind.NUMBER,
                    "About this round",
                ),
            ),
            criteria=(
                ("Need and evidence", "Demand the service is seeing now, and who is waiting.", 40),
                ("Ready to deliver", "Whether the extra capacity can start within a month.", 40),
                ("Value for money", "Cost per extra person supported.", 20),
            ),
        ),
        DemoRound(
            "SNB",
            UPCOMING_ROUND_TITLE,
            "Safer Neighbourhood Boards in Lambeth, Southwark and Lewisham are pooling part of their funds for "
            "community projects that build confidence in policing and tackle local priorities such as robbery and "
            "anti-social behaviour.",
            150_000,
            2_000,
            20_000,
            _at(upcoming_from, 9),
            _at(add_working_days(upcoming_from, 35), 12),
            42,
            _at(today - timedelta(days=2), 11),
            min_duration=24,
            max_duration=36,
            boroughs=("Lambeth", "Lewisham", "Southwark"),
            questions=(
                IN_LONDON,
                DemoQuestion(
                    "Has your local Safer Neighbourhood Board agreed to support this project?",
                    QuestionKind.YES_NO,
                    "Eligibility",
                    eligible_values=(YES,),
                    ineligible_reason="Speak to your borough's Safer Neighbourhood Board first: they decide which "
                    "projects go forward to this round.",
                ),
                DemoQuestion(
                    "Which local priority will the project tackle?",
                    QuestionKind.SINGLE_CHOICE,
                    "About this round",
                    options=("Robbery", "Anti-social behaviour", "Confidence in policing", "Something else"),
                ),
                DemoQuestion(
                    "Tell us about the local priority",
                    QuestionKind.TEXT,
                    "About this round",
                    word_limit=150,
                    show_if=("Which local priority will the project tackle?", "Something else"),
                ),
            ),
            criteria=(
                ("Local need", "Fit with the board's priorities and local crime data.", 40),
                ("Community involvement", "How local people shaped and will run the project.", 35),
                ("Value for money", "What the money buys, and any match funding.", 25),
            ),
        ),
        DemoRound(
            "VRU",
            CLOSED_ROUND_TITLE,
            "Programmes that give young people aged 10 to 24 safe, positive things to do after school and in the "
            "holidays, at the times and places where violence is most likely.",
            2_000_000,
            10_000,
            250_000,
            _at(closed_from, 9),
            _at(today - timedelta(days=28), 12),
            100,
            _at(closed_from - timedelta(days=20), 10),
            questions=(
                IN_LONDON,
                DemoQuestion(
                    "Will your project work with young people aged 10 to 24?",
                    QuestionKind.YES_NO,
                    "Eligibility",
                    eligible_values=(YES,),
                    ineligible_reason="VRU programmes are for young people aged 10 to 24.",
                ),
                DemoQuestion(
                    "How will your project reduce violence affecting young people?",
                    QuestionKind.TEXT,
                    "About this round",
                    word_limit=300,
                    form_variant=FormVariant.FULL,
                ),
                _outcomes(200),
            ),
            criteria=standard_criteria,
        ),
        DemoRound(
            "HATE",
            DRAFT_ROUND_TITLE,
            "Grants of up to £10,000 for community groups that prevent hate crime and support people affected by "
            "it. Every bid uses the short form.",
            200_000,
            1_000,
            10_000,
            _at(draft_from, 9),
            _at(add_working_days(draft_from, 30), 12),
            42,
            None,
            min_duration=12,
            max_duration=24,
            questions=(
                IN_LONDON,
                DemoQuestion(
                    "Is your organisation's yearly income under £250,000?",
                    QuestionKind.YES_NO,
                    "Eligibility",
                    eligible_values=(YES,),
                    ineligible_reason="Small grants are for small groups. Larger organisations can bid to the "
                    "victims' services fund.",
                ),
                DemoQuestion(
                    "Which communities will the project work with?",
                    QuestionKind.TEXT,
                    "About this round",
                    word_limit=100,
                ),
            ),
            criteria=(
                ("Need", "Who the project is for and why now.", 40),
                ("Community reach", "How the group will reach people who rarely report hate crime.", 40),
                ("Value for money", "What the grant buys, and any volunteer time or match funding.", 20),
            ),
        ),
    ]


def _fund(spec: DemoFund, existing: dict[str, Fund]) -> tuple[Fund, bool]:
    if spec.code in existing:
        return existing[spec.code], False
    fund = Fund(code=spec.code, name=spec.name, purpose=spec.purpose)
    fund.service_area_links = [FundServiceArea(service_area=area) for area in spec.service_areas]
    db.session.add(fund)
    db.session.flush()
    return fund, True


def _questions(round_id: int | None, specs: tuple[DemoQuestion, ...]) -> int:
    """Add the questions not already there, in sections numbered as the question editor numbers them."""
    existing = {
        q.text: q
        for q in db.session.scalars(
            sa.select(Question).where(
                Question.round_id.is_(None) if round_id is None else Question.round_id == round_id
            )
        )
    }
    first_section = 0 if round_id is None else ROUND_SECTION_OFFSET
    sections: list[str] = []
    added = 0
    for position, spec in enumerate(specs):
        if spec.section not in sections:
            sections.append(spec.section)
        if spec.text in existing:
            continue
        target = existing.get(spec.show_if[0]) if spec.show_if else None
        question = Question(
            round_id=round_id,
            section=spec.section,
            section_position=first_section + sections.index(spec.section),
            position=position,
            text=spec.text,
            hint=spec.hint,
            kind=spec.kind,
            required=spec.required or bool(spec.eligible_values),
            word_limit=spec.word_limit,
            options=list(spec.options) or None,
            date_not_in_future=spec.date_not_in_future,
            form_variant=spec.form_variant,
            show_if_question_id=target.id if target else None,
            show_if_value=spec.show_if[1] if spec.show_if else None,
            is_eligibility=bool(spec.eligible_values),
            eligible_values=list(spec.eligible_values) or None,
            ineligible_reason=spec.ineligible_reason,
        )
        db.session.add(question)
        db.session.flush()
        existing[spec.text] = question
        added += 1
    return added


def _round(spec: DemoRound, fund: Fund, officer: User | None, boroughs: dict[str, LocalAuthority]) -> Round:
    round_ = Round(
        fund=fund,
        title=spec.title,
        description=spec.description,
        budget_pence=spec.budget * 100,
        min_request_pence=spec.min_request * 100,
        max_request_pence=spec.max_request * 100,
        small_bid_threshold_pence=spec.threshold * 100,
        min_duration_months=spec.min_duration,
        max_duration_months=spec.max_duration,
        opens_at=spec.opens,
        closes_at=spec.closes,
        decision_expected_on=london_date(spec.closes) + timedelta(days=spec.decision_in_days),
        published_at=spec.published,
        short_window_reason=spec.reason,
        created_by=officer,
        boroughs=[boroughs[name] for name in spec.boroughs],
    )
    db.session.add(round_)
    db.session.flush()
    for position, (name, guidance, weight) in enumerate(spec.criteria):
        db.session.add(Criterion(round_id=round_.id, position=position, name=name, guidance=guidance, weight=weight))
    return round_


def load(today: date | None = None) -> str:
    today = today or london_date(utcnow())
    funds = {fund.code: fund for fund in db.session.scalars(sa.select(Fund))}
    funds_added = 0
    for spec in FUNDS:
        funds[spec.code], added = _fund(spec, funds)
        funds_added += added
    questions_added = _questions(None, STANDARD_QUESTIONS)
    officer = db.session.scalar(sa.select(User).where(User.email == OFFICER_EMAIL))
    boroughs = {la.name: la for la in db.session.scalars(sa.select(LocalAuthority))}
    existing_rounds = {(r.fund_id, r.title): r for r in db.session.scalars(sa.select(Round))}
    rounds_added = 0
    for round_spec in _rounds(today):
        fund = funds[round_spec.fund_code]
        round_ = existing_rounds.get((fund.id, round_spec.title))
        if round_ is None:
            round_ = _round(round_spec, fund, officer, boroughs)
            rounds_added += 1
        questions_added += _questions(round_.id, round_spec.questions)
    db.session.commit()
    return f"Demo funding: {funds_added} funds, {rounds_added} rounds and {questions_added} questions added."
