"""Answers as officers and reviewers read them."""

import pytest

from portal.assessment.answers import answer_text, file_id_of
from portal.models import Question, QuestionKind

K = QuestionKind


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        (K.MONEY, 2_500_050, "£25,000.50"),
        (K.YES_NO, "yes", "Yes"),
        (K.YES_NO, False, "No"),
        (K.DATE, "2026-05-15", "15 May 2026"),
        (K.DATE, "not a date", "not a date"),
        (K.NUMBER, 1200, "1,200"),
        (K.MULTIPLE_CHOICE, ["10 to 17", "18 to 24"], "10 to 17, 18 to 24"),
        (K.FILE, {"file_id": 3, "filename": "accounts.pdf"}, "accounts.pdf"),
        (K.TEXT, "Two\nlines", "Two\nlines"),
        (K.TEXT, "", "Not answered"),
        (K.MULTIPLE_CHOICE, [], "Not answered"),
        (K.TEXT, None, "Not answered"),
    ],
)
def test_each_kind_of_answer_is_shown_in_words(kind, value, shown):
    assert answer_text(Question(kind=kind, text="?", section="S"), value) == shown


def test_only_a_file_answer_refers_to_an_uploaded_file():
    assert file_id_of(Question(kind=K.FILE), {"file_id": 3, "filename": "a.pdf"}) == 3
    assert file_id_of(Question(kind=K.TEXT), {"file_id": 3}) is None
    assert file_id_of(Question(kind=K.FILE), "a.pdf") is None
