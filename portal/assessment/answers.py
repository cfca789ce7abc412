"""A bid's answers as officers and reviewers read them."""

from typing import Any

from portal.applications.questions import display_answer
from portal.models import Question, QuestionKind

NOT_ANSWERED = "Not answered"


def answer_text(question: Question, value: Any) -> str:
    """An answer in words, as the applicant sees it on check your answers; "Not answered" when empty."""
    return display_answer(question, value) or NOT_ANSWERED


def file_id_of(question: Question, value: Any) -> int | None:
    """The uploaded file an answer to a file question refers to, if any."""
    if question.kind is QuestionKind.FILE and isinstance(value, dict) and isinstance(value.get("file_id"), int):
        file_id: int = value["file_id"]
        return file_id
    return None
