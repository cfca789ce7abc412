"""Questions as data: the standard questions every bid answers (no round) and each round's own.

A question's place is its section (sections are ordered by ``section_position``) and its ``position`` within the
section. A bid's form lists the standard questions and the round's own together, ordered by section position, so
the round's sections are numbered from ``ROUND_SECTION_OFFSET`` and always follow the standard ones (a round
section with the same name as a standard one joins it, after the standard questions).

A question shown only after a certain answer to another ("show if") must come after that question, and within the
same set (standard or the round's own), so every change of place is checked before it is saved. Questions with
answers are archived, never deleted: the answers refer to them.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from portal import audit
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Answer, UploadedFile, User
from portal.models.funding import (
    ELIGIBILITY_KINDS,
    KINDS_WITH_OPTIONS,
    FormVariant,
    Question,
    QuestionKind,
    Round,
    RoundStatus,
)
from portal.rounds.services import one_transaction

MAXIMUM_WORD_LIMIT = 5000
ROUND_SECTION_OFFSET = 100
MAXIMUM_OPTION_LENGTH = 200
UP, DOWN = "up", "down"


@dataclass
class QuestionDetails:
    text: str
    kind: QuestionKind | None
    section: str
    hint: str | None = None
    required: bool = True
    word_limit: int | None = None
    options: list[str] = field(default_factory=list)
    date_not_in_future: bool = False
    form_variant: FormVariant = FormVariant.BOTH
    show_if_question_id: int | None = None
    show_if_value: str | None = None
    is_eligibility: bool = False
    eligible_values: list[str] = field(default_factory=list)
    ineligible_reason: str | None = None


def _in_set(round_id: int | None) -> sa.ColumnElement[bool]:
    return Question.round_id.is_(None) if round_id is None else Question.round_id == round_id


def _order_key(question: Question) -> tuple:
    return (question.section_position, question.position, question.id or 0)


def fetch_questions(round_id: int | None, *, archived: bool = False) -> list[Question]:
    """The active (or, with ``archived``, the archived) questions of a round, or the standard ones, in order."""
    condition = Question.archived_at.is_not(None) if archived else Question.archived_at.is_(None)
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(_in_set(round_id), condition)
            .order_by(Question.section_position, Question.position, Question.id)
        )
    )


def fetch_question(round_id: int | None, question_id: int) -> Question | None:
    """A question of this round (or a standard question when ``round_id`` is None), or None."""
    question = db.session.get(Question, question_id)
    if question is None or question.round_id != round_id:
        return None
    return question


def fetch_sections(round_id: int | None) -> list[str]:
    sections: list[str] = []
    for question in fetch_questions(round_id):
        if question.section not in sections:
            sections.append(question.section)
    return sections


def group_by_section(questions: list[Question]) -> list[tuple[str, list[Question]]]:
    groups: list[tuple[str, list[Question]]] = []
    for question in questions:
        if groups and groups[-1][0] == question.section:
            groups[-1][1].append(question)
        else:
            groups.append((question.section, [question]))
    return groups


def show_if_candidates(round_id: int | None, question: Question | None = None) -> list[Question]:
    """Questions whose answer can decide whether ``question`` is asked: earlier ones with a fixed list of answers."""
    questions = fetch_questions(round_id)
    if question is not None and question.id is not None:
        questions = [q for q in questions if _order_key(q) < _order_key(question)]
    return [q for q in questions if q.kind in KINDS_WITH_OPTIONS]


def question_has_answers(question: Question) -> bool:
    if question.id is None:
        return False
    answered = db.session.scalar(sa.select(Answer.id).where(Answer.question_id == question.id).limit(1))
    uploaded = db.session.scalar(sa.select(UploadedFile.id).where(UploadedFile.question_id == question.id).limit(1))
    return answered is not None or uploaded is not None


def fetch_dependents(question: Question) -> list[Question]:
    """Active questions asked only after a certain answer to ``question``."""
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.show_if_question_id == question.id, Question.archived_at.is_(None))
            .order_by(Question.section_position, Question.position)
        )
    )


def _check_round_is_not_closed(round_: Round | None, now: datetime) -> None:
    if round_ is not None and round_.status(now) is RoundStatus.CLOSED:
        raise DomainError("This round has closed, so its questions cannot change")


def _clean_lines(lines: list[str]) -> list[str]:
    return [" ".join(line.split()) for line in lines if line and line.strip()]


def _canonical_choice(value: str, choices: list[str]) -> str | None:
    for choice in choices:
        if choice.casefold() == value.casefold():
            return choice
    return None


def _clean(details: QuestionDetails, round_id: int | None, existing: Question | None) -> QuestionDetails:
    text = " ".join((details.text or "").split())
    if not text:
        raise DomainError("Enter the question", field="text")
    if len(text) > 300:
        raise DomainError("The question must be 300 characters or fewer", field="text")
    section = " ".join((details.section or "").split())
    if not section:
        raise DomainError("Enter the section the question belongs to", field="section")
    if len(section) > 80:
        raise DomainError("The section name must be 80 characters or fewer", field="section")
    kind = details.kind
    if kind is None:
        raise DomainError("Select the kind of answer", field="kind")

    word_limit = None
    if kind is QuestionKind.TEXT and details.word_limit is not None:
        if not 1 <= details.word_limit <= MAXIMUM_WORD_LIMIT:
            raise DomainError(
                f"The word limit must be a whole number from 1 to {MAXIMUM_WORD_LIMIT}", field="word_limit"
            )
        word_limit = details.word_limit

    options: list[str] | None = None
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        options = _clean_lines(details.options)
        if len(options) < 2:
            raise DomainError("Give at least two options, one on each line", field="options")
        if len({option.casefold() for option in options}) != len(options):
            raise DomainError("Each option must be different", field="options")
        if any(len(option) > MAXIMUM_OPTION_LENGTH for option in options):
            raise DomainError(f"Each option must be {MAXIMUM_OPTION_LENGTH} characters or fewer", field="options")
    choices = Question(kind=kind, options=options).choices

    if existing is not None and question_has_answers(existing):
        if kind is not existing.kind:
            raise DomainError("Bids have already answered this question, so its kind of answer cannot change", "kind")
        removed = [option for option in existing.choices if option not in choices]
        if removed:
            raise DomainError(
                f"Bids have already answered this question, so the option “{removed[0]}” cannot be removed",
                field="options",
            )

    eligible_values: list[str] | None = None
    ineligible_reason: str | None = None
    required = bool(details.required)
    if details.is_eligibility:
        if kind not in ELIGIBILITY_KINDS:
            raise DomainError(
                "Only yes or no and single-choice questions can decide eligibility", field="is_eligibility"
            )
        eligible_values = []
        for value in _clean_lines(details.eligible_values):
            choice = _canonical_choice(value, choices)
            if choice is None:
                raise DomainError(f"“{value}” is not one of this question's answers", field="eligible_values")
            if choice not in eligible_values:
                eligible_values.append(choice)
        if not eligible_values:
            raise DomainError("Enter the answers that make an organisation eligible", field="eligible_values")
        if len(eligible_values) == len(choices):
            raise DomainError(
                "At least one answer must make an organisation ineligible, or the question cannot rule anyone out",
                field="eligible_values",
            )
        ineligible_reason = (details.ineligible_reason or "").strip()
        if not ineligible_reason:
            raise DomainError(
                "Explain why an organisation that gives another answer cannot apply", field="ineligible_reason"
            )
        required = True  # everyone is asked, before any writing
        if details.show_if_question_id is not None:
            raise DomainError(
                "Eligibility questions are asked of everyone, so they cannot depend on an answer", field="show_if"
            )

    show_if_question_id = details.show_if_question_id
    show_if_value = None
    if show_if_question_id is not None:
        target = fetch_question(round_id, show_if_question_id)
        if target is None or target.is_archived or (existing is not None and target.id == existing.id):
            raise DomainError("Choose an earlier question of this form", field="show_if")
        if target.kind not in KINDS_WITH_OPTIONS:
            raise DomainError("Choose a question with a fixed list of answers", field="show_if")
        show_if_value = _canonical_choice(details.show_if_value or "", target.choices)
        if show_if_value is None:
            raise DomainError(f"Choose one of the answers to “{target.text}”", field="show_if")

    if existing is not None:
        for dependent in fetch_dependents(existing):
            if dependent.show_if_value not in choices:
                raise DomainError(
                    f"“{dependent.text}” is asked only when this question is answered "
                    f"“{Question.choice_label(dependent.show_if_value or '')}”. Change that question first",
                    field="options" if kind in KINDS_WITH_OPTIONS else "kind",
                )

    return QuestionDetails(
        text=text,
        kind=kind,
        section=section,
        hint=(details.hint or "").strip() or None,
        required=required,
        word_limit=word_limit,
        options=options or [],
        date_not_in_future=kind is QuestionKind.DATE and bool(details.date_not_in_future),
        form_variant=details.form_variant or FormVariant.BOTH,
        show_if_question_id=show_if_question_id,
        show_if_value=show_if_value,
        is_eligibility=bool(details.is_eligibility),
        eligible_values=eligible_values or [],
        ineligible_reason=ineligible_reason,
    )


def _place(round_id: int | None, section: str, moving: Question | None) -> tuple[int, int]:
    """Where a question goes in ``section``: at its end, in the section's place, or in a new last section."""
    others = [q for q in fetch_questions(round_id) if moving is None or q.id != moving.id]
    in_section = [q for q in others if q.section == section]
    if in_section:
        return in_section[0].section_position, max(q.position for q in in_section) + 1
    section_position = max((q.section_position for q in others), default=_first_section(round_id) - 1) + 1
    return section_position, 0


def _first_section(round_id: int | None) -> int:
    return 0 if round_id is None else ROUND_SECTION_OFFSET


def _check_order(questions: list[Question], keys: dict[int, tuple]) -> None:
    """Every question must come after the question its show-if condition reads. ``keys`` overrides places."""

    def key(question: Question) -> tuple:
        return keys.get(id(question), _order_key(question))

    ordered = sorted(questions, key=key)
    seen: set[int] = set()
    for question in ordered:
        if question.show_if_question_id is not None and question.show_if_question_id not in seen:
            target = db.session.get(Question, question.show_if_question_id)
            target_text = target.text if target else "another question"
            raise DomainError(
                f"“{question.text}” is asked only after an answer to “{target_text}”, so it must come after that "
                "question",
                field="show_if",
            )
        if question.id is not None:
            seen.add(question.id)


def _snapshot(question: Question) -> dict:
    return {
        "text": question.text,
        "section": question.section,
        "kind": question.kind,
        "required": question.required,
        "word_limit": question.word_limit,
        "options": " | ".join(question.options or []),
        "date_not_in_future": question.date_not_in_future,
        "form_variant": question.form_variant,
        "show_if": f"{question.show_if_question_id}={question.show_if_value}" if question.show_if_question_id else None,
        "is_eligibility": question.is_eligibility,
        "eligible_values": " | ".join(question.eligible_values or []),
    }


def _apply(question: Question, details: QuestionDetails) -> None:
    question.text = details.text
    question.hint = details.hint
    question.section = details.section
    assert details.kind is not None  # _clean refused a question without a kind
    question.kind = details.kind
    question.required = details.required
    question.word_limit = details.word_limit
    question.options = details.options or None
    question.date_not_in_future = details.date_not_in_future
    question.form_variant = details.form_variant
    question.show_if_question_id = details.show_if_question_id
    question.show_if_value = details.show_if_value
    question.is_eligibility = details.is_eligibility
    question.eligible_values = details.eligible_values or None
    question.ineligible_reason = details.ineligible_reason


def create_question(
    round_: Round | None, details: QuestionDetails, *, actor: User | None, now: datetime | None = None
) -> Question:
    now = now or utcnow()
    round_id = round_.id if round_ else None
    _check_round_is_not_closed(round_, now)
    details = _clean(details, round_id, None)
    section_position, position = _place(round_id, details.section, None)
    question = Question(round_id=round_id)
    _apply(question, details)
    question.section_position, question.position = section_position, position
    _check_order([*fetch_questions(round_id), question], {})
    with one_transaction():
        db.session.add(question)
        audit.record("question.created", question, after=_snapshot(question), actor=actor)
    return question


def update_question(
    question: Question, details: QuestionDetails, *, actor: User | None, now: datetime | None = None
) -> None:
    now = now or utcnow()
    _check_round_is_not_closed(question.round, now)
    if question.is_archived:
        raise DomainError("This question has been archived. Restore it before you change it")
    details = _clean(details, question.round_id, question)
    place = _order_key(question)[:2]
    if details.section != question.section:
        place = _place(question.round_id, details.section, question)
    before = _snapshot(question)
    # Checked on a stand-in, so that nothing is changed in the session unless the whole change is allowed.
    stand_in = Question(id=question.id, show_if_question_id=details.show_if_question_id, text=details.text)
    others = [q for q in fetch_questions(question.round_id) if q.id != question.id]
    _check_order([*others, stand_in], {id(stand_in): (*place, question.id)})
    with one_transaction():
        _apply(question, details)
        question.section_position, question.position = place
        after = _snapshot(question)
        changed = [key for key in after if after[key] != before[key]]
        if changed:
            audit.record(
                "question.updated",
                question,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                actor=actor,
            )


def move_question(question: Question, direction: str, *, now: datetime | None = None) -> None:
    """Swap a question with its neighbour in its section."""
    _check_round_is_not_closed(question.round, now or utcnow())
    questions = fetch_questions(question.round_id)
    siblings = [q for q in questions if q.section == question.section]
    index = next((i for i, q in enumerate(siblings) if q.id == question.id), None)
    if index is None:
        raise DomainError("Archived questions cannot be moved")
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    keys = {id(q): (q.section_position, position, q.id) for position, q in enumerate(siblings)}
    _check_order(questions, keys)
    with one_transaction():
        for position, q in enumerate(siblings):
            q.position = position


def move_section(round_id: int | None, section: str, direction: str, *, now: datetime | None = None) -> None:
    """Swap a section with its neighbour, taking all its questions with it."""
    if round_id is not None:
        _check_round_is_not_closed(db.session.get(Round, round_id), now or utcnow())
    questions = fetch_questions(round_id)
    sections = fetch_sections(round_id)
    if section not in sections:
        raise DomainError("There is no such section")
    index = sections.index(section)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(sections):
        return
    sections[index], sections[other] = sections[other], sections[index]
    new_position = {name: _first_section(round_id) + position for position, name in enumerate(sections)}
    keys = {id(q): (new_position[q.section], q.position, q.id) for q in questions}
    _check_order(questions, keys)
    with one_transaction():
        for q in [*questions, *fetch_questions(round_id, archived=True)]:
            if q.section in new_position:
                q.section_position = new_position[q.section]


def remove_question(question: Question, *, actor: User | None, now: datetime | None = None) -> str:
    """Archive a question that bids have answered, or delete one that none have. Returns what was done."""
    now = now or utcnow()
    _check_round_is_not_closed(question.round, now)
    if question.is_archived:
        raise DomainError("This question has already been archived")
    dependents = fetch_dependents(question)
    if dependents:
        raise DomainError(
            f"“{dependents[0].text}” is asked only after an answer to this question. "
            "Change or remove that question first"
        )
    with one_transaction():
        if question_has_answers(question):
            question.archived_at = now
            audit.record("question.archived", question, before=_snapshot(question), actor=actor)
            return "archived"
        audit.record("question.deleted", question, before=_snapshot(question), actor=actor)
        db.session.delete(question)
    return "deleted"


def restore_question(question: Question, *, actor: User | None, now: datetime | None = None) -> None:
    """Bring an archived question back, at the end of its section."""
    now = now or utcnow()
    _check_round_is_not_closed(question.round, now)
    if not question.is_archived:
        raise DomainError("This question is not archived")
    if question.show_if_question_id is not None:
        target = db.session.get(Question, question.show_if_question_id)
        if target is None or target.is_archived:
            raise DomainError("This question depends on an answer to a question that is no longer asked")
    place = _place(question.round_id, question.section, question)
    with one_transaction():
        question.archived_at = None
        question.section_position, question.position = place
        audit.record("question.restored", question, after=_snapshot(question), actor=actor)
