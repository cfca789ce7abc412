"""The questions a bid answers: which sections a round's form has, which questions show, and what makes an answer
complete. Questions are data (portal.models.funding.Question); this module only reads them."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Answer, Application, FormVariant, Question, QuestionKind, Round
from portal.template_helpers import format_date, format_pence

YES_NO_CHOICES = (("yes", "Yes"), ("no", "No"))
_WORD = re.compile(r"\S+")


@dataclass
class Section:
    """One task on the task list: the questions that share a ``Question.section``, in order."""

    number: int
    title: str
    questions: list[Question] = field(default_factory=list)

    def asked(self, variant: FormVariant) -> list[Question]:
        return [q for q in self.questions if q.asked_on(variant)]


def _questions_for_round(round_: Round) -> sa.Select[tuple[Question]]:
    return (
        sa.select(Question)
        .where(
            sa.or_(Question.round_id == round_.id, Question.round_id.is_(None)),
            Question.archived_at.is_(None),
        )
        .order_by(Question.section_position, Question.position, Question.id)
    )


def fetch_eligibility_questions(round_: Round) -> list[Question]:
    """The round's own eligibility questions and the standard ones every round asks."""
    return list(db.session.scalars(_questions_for_round(round_).where(Question.is_eligibility.is_(True))))


def fetch_form_questions(round_: Round) -> list[Question]:
    return list(db.session.scalars(_questions_for_round(round_).where(Question.is_eligibility.is_(False))))


def fetch_sections(round_: Round) -> list[Section]:
    """Every section of the round's form, light-touch and full alike, so that section numbers in links stay the
    same when a bid moves between the two forms."""
    sections: dict[str, Section] = {}
    for question in fetch_form_questions(round_):
        if question.section not in sections:
            sections[question.section] = Section(number=len(sections) + 1, title=question.section)
        sections[question.section].questions.append(question)
    return list(sections.values())


def fetch_answers(application: Application) -> dict[int, Answer]:
    return {
        answer.question_id: answer
        for answer in db.session.scalars(sa.select(Answer).where(Answer.application_id == application.id))
    }


def answer_values(answers: dict[int, Answer]) -> dict[int, Any]:
    return {question_id: answer.value for question_id, answer in answers.items() if is_answered(answer.value)}


def is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def is_shown(question: Question, values: dict[int, Any], asked_ids: set[int]) -> bool:
    """Whether a question shows, given the answers so far: its show-if condition holds, and the question it
    depends on is itself asked and showing (so that hiding one question hides everything that hangs off it)."""
    seen = set()
    current: Question | None = question
    while current is not None:
        if current.id in seen:
            return False  # a loop of conditions: show nothing rather than loop forever
        seen.add(current.id)
        if current.id not in asked_ids or not current.shown_given(values):
            return False
        current = current.show_if_question
    return True


def fetch_asked_ids(round_: Round, variant: FormVariant) -> set[int]:
    """Every question the bid is asked on this form, eligibility included: what show-if conditions can rely on."""
    asked = {q.id for q in fetch_form_questions(round_) if q.asked_on(variant)}
    return asked | {q.id for q in fetch_eligibility_questions(round_)}


def visible_questions(questions: list[Question], values: dict[int, Any], asked_ids: set[int]) -> list[Question]:
    return [q for q in questions if q.id in asked_ids and is_shown(q, values, asked_ids)]


def word_count(text: str | None) -> int:
    """Words as the GOV.UK character count component counts them: runs of non-space characters."""
    return len(_WORD.findall(text or ""))


def short_text(question: Question, limit: int = 90) -> str:
    text = question.text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def required_message(question: Question) -> str:
    quoted = f"“{short_text(question)}”"
    return {
        QuestionKind.TEXT: f"Enter your answer to {quoted}",
        QuestionKind.NUMBER: f"Enter a number for {quoted}",
        QuestionKind.MONEY: f"Enter an amount for {quoted}",
        QuestionKind.YES_NO: f"Select yes or no for {quoted}",
        QuestionKind.SINGLE_CHOICE: f"Select an answer for {quoted}",
        QuestionKind.MULTIPLE_CHOICE: f"Select at least one answer for {quoted}",
        QuestionKind.DATE: f"Enter a date for {quoted}",
        QuestionKind.FILE: f"Upload a file for {quoted}",
    }[question.kind]


def word_limit_message(question: Question, value: str) -> str:
    return (
        f"Your answer to “{short_text(question)}” must be {question.word_limit} words or fewer "
        f"(it is {word_count(value)} words)"
    )


def answer_problem(question: Question, value: Any) -> str | None:
    """What stops this answer being complete: nothing given to a required question, or too many words."""
    if not is_answered(value):
        return required_message(question) if question.required else None
    if question.kind is QuestionKind.TEXT and question.word_limit and word_count(value) > question.word_limit:
        return word_limit_message(question, value)
    return None


def display_answer(question: Question, value: Any) -> str:
    """An answer as text for summary lists and emails."""
    if not is_answered(value):
        return ""
    kind = question.kind
    if kind is QuestionKind.MONEY:
        return format_pence(value)
    if kind is QuestionKind.YES_NO:
        if isinstance(value, bool):  # answers brought in from elsewhere may hold true/false
            value = "yes" if value else "no"
        return dict(YES_NO_CHOICES).get(str(value).lower(), str(value))
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return ", ".join(value) if isinstance(value, list) else str(value)
    if kind is QuestionKind.DATE:
        try:
            return format_date(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if kind is QuestionKind.NUMBER:
        return f"{value:,}" if isinstance(value, int) else str(value)
    if kind is QuestionKind.FILE:
        return value.get("filename", "") if isinstance(value, dict) else str(value)
    return str(value)


def choices_for(question: Question) -> list[tuple[str, str]]:
    if question.kind is QuestionKind.YES_NO:
        return list(YES_NO_CHOICES)
    return [(option, option) for option in question.options or []]


def matches_value(given: Any, expected: str) -> bool:
    """Whether an answer equals an officer-typed value, ignoring case and spacing ("Yes" and "yes" match)."""
    if isinstance(given, list):
        return any(matches_value(item, expected) for item in given)
    return str(given).strip().casefold() == str(expected).strip().casefold()
