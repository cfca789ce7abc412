"""A bid's answers as officers and reviewers read them."""

from datetime import date
from typing import Any

from portal.models import Question, QuestionKind
from portal.models.funding import NO, YES
from portal.template_helpers import format_date, format_pence

NOT_ANSWERED = "Not answered"


def answer_text(question: Question, value: Any) -> str:
    """An answer in words: money in pounds, dates written out, yes or no, choices joined."""
    if value is None or value == "" or value == []:
        return NOT_ANSWERED
    kind = question.kind
    if kind is QuestionKind.MONEY and isinstance(value, int):
        return format_pence(value)
    if kind is QuestionKind.YES_NO:
        if value is True or str(value).lower() == YES:
            return "Yes"
        if value is False or str(value).lower() == NO:
            return "No"
    if kind is QuestionKind.DATE and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if kind is QuestionKind.NUMBER and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return str(value.get("filename") or NOT_ANSWERED)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def file_id_of(question: Question, value: Any) -> int | None:
    """The uploaded file an answer to a file question refers to, if any."""
    if question.kind is QuestionKind.FILE and isinstance(value, dict) and isinstance(value.get("file_id"), int):
        return value["file_id"]
    return None
