"""Saving the answers on one page of a bid, by hand or by autosave, without overwriting a colleague's work.

Each answer is its own row with a version. A page carries, for each answer, a token of the version it loaded and
of the value it showed. Saving writes only the answers on that page that the person changed; an answer that
someone else changed since the page was loaded is not overwritten: the person saving sees both and chooses.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.applications.drafts import ensure_editable
from portal.applications.questions import (
    Section,
    answer_problem,
    answer_values,
    choices_for,
    fetch_answers,
    fetch_asked_ids,
    is_answered,
    visible_questions,
)
from portal.database import utcnow
from portal.extensions import db
from portal.models import Answer, Application, Question, QuestionKind, UploadedFile, User
from portal.periods import LONDON

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ZIP = b"PK\x03\x04"
# Extension → (content type we serve it as, how the file's first bytes must start).
ALLOWED_UPLOADS = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP,)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
ALLOWED_TYPES_TEXT = "a PDF, Word document (DOCX), Excel spreadsheet (XLSX), OpenDocument text (ODT), PNG or JPG"
FILE_ACCEPT = ",".join(f".{extension}" for extension in ALLOWED_UPLOADS)


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Loaded:
    """What the page showed of one answer: its version (0 for none) and a hash of its value."""

    version: int
    value_hash: str

    @classmethod
    def parse(cls, token: str | None) -> "Loaded":
        version, _, value_hash = (token or "").partition(":")
        return cls(int(version) if version.isdecimal() else 0, value_hash)


def value_hash(value: Any) -> str:
    normalised = value if is_answered(value) else None
    return hashlib.sha256(json.dumps(normalised, sort_keys=True, default=str).encode()).hexdigest()[:16]


def answer_token(answer: Answer | None) -> str:
    """The token a page carries for an answer it shows; see :class:`Loaded`."""
    if answer is None:
        return f"0:{value_hash(None)}"
    return f"{answer.version}:{value_hash(answer.value)}"


@dataclass
class PageSubmission:
    """What a page sent: the answers that could be read, what the page had loaded, and the answers that could
    not be read (format errors), which are not saved."""

    values: dict[int, Any] = field(default_factory=dict)
    loaded: dict[int, Loaded] = field(default_factory=dict)
    format_errors: dict[int, str] = field(default_factory=dict)
    remove_files: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Conflict:
    question: Question
    theirs: Any
    yours: Any
    changed_by: str
    changed_at: datetime
    token: str


@dataclass
class SectionResult:
    """``tokens`` are for the answers now saved as the page sent them; a conflict carries the token of the answer
    as it stands, for a page that shows both answers and lets the person keep theirs by saving again."""

    tokens: dict[int, str]
    conflicts: dict[int, Conflict]
    problems: dict[int, str]
    values: dict[int, Any]
    saved_at: datetime
    # Questions on this page that the answers just saved have brought into view, still to be answered.
    revealed: list[Question] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.problems


def save_section(
    application: Application, section: Section, submission: PageSubmission, user: User, *, check_complete: bool
) -> SectionResult:
    """Save the answers one page sent. Answers that could be read are saved even if the page is incomplete;
    answers with format errors, and answers a colleague changed since the page loaded, are left as they are.

    With ``check_complete`` (Save and continue), the result also lists required answers that are missing and
    answers over their word limit. The autosave and both Save buttons all come through here.
    """
    for attempt in range(2):
        try:
            return _save_section(application, section, submission, user, check_complete=check_complete)
        except (StaleDataError, IntegrityError):
            # A colleague saved the same answer between our read and our write: read again, and the version
            # check then shows their answer as a conflict instead of overwriting it.
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def _save_section(
    application: Application, section: Section, submission: PageSubmission, user: User, *, check_complete: bool
) -> SectionResult:
    ensure_editable(application)
    variant = application.form_variant
    on_page = {q.id: q for q in section.asked(variant)}
    answers = fetch_answers(application)
    asked_ids = fetch_asked_ids(application.round, variant)
    shown_before = {q.id for q in visible_questions(list(on_page.values()), answer_values(answers), asked_ids)}
    problems = {qid: message for qid, message in submission.format_errors.items() if qid in on_page}
    conflicts: dict[int, Conflict] = {}
    tokens: dict[int, str] = {}
    written: list[int] = []

    for question_id, typed in submission.values.items():
        question = on_page.get(question_id)
        if question is None or question_id in problems:
            continue
        if question.kind is QuestionKind.FILE:
            if typed is None:
                continue
            problem = upload_problem(typed)
        else:
            typed, problem = clean_value(question, typed)
        if problem:
            problems[question_id] = problem
            continue
        existing = answers.get(question_id)
        loaded = submission.loaded.get(question_id, Loaded(0, value_hash(None)))
        if question.kind is not QuestionKind.FILE:
            if existing is not None and _same(existing.value, typed):
                if check_complete and existing.prefilled_from_application_id:
                    # "Save and continue" with a copied answer left as it is: the applicant has checked it.
                    existing.prefilled_from_application_id = None
                    written.append(question_id)
                else:
                    tokens[question_id] = answer_token(existing)
                continue
            if value_hash(typed) == loaded.value_hash:
                continue  # not changed on this page: whatever is saved now stands
        conflict = _conflict(question, existing, typed, loaded, user)
        if conflict:
            conflicts[question_id] = conflict
            continue
        if question.kind is QuestionKind.FILE:
            typed = _store_upload(application, question, typed, existing, user)
        answers[question_id] = _write(application, question_id, existing, typed, user)
        written.append(question_id)

    for question_id in submission.remove_files:
        existing = answers.get(question_id)
        if question_id not in on_page or existing is None or not is_answered(existing.value):
            continue
        loaded = submission.loaded.get(question_id, Loaded(0, ""))
        conflict = _conflict(on_page[question_id], existing, None, loaded, user)
        if conflict:
            conflicts[question_id] = conflict
            continue
        _delete_uploaded_file(existing.value)
        _write(application, question_id, existing, None, user)
        written.append(question_id)

    db.session.flush()
    saved_at = utcnow()
    db.session.commit()
    tokens |= {question_id: answer_token(answers[question_id]) for question_id in written}

    values = answer_values(answers)
    shown_now = visible_questions(list(on_page.values()), values, asked_ids)
    revealed = [q for q in shown_now if q.id not in shown_before and not is_answered(values.get(q.id))]
    if check_complete:
        for question in shown_now:
            if question.id in problems or question.id in conflicts or question in revealed:
                continue
            problem = answer_problem(question, values.get(question.id))
            if problem:
                problems[question.id] = problem
    return SectionResult(
        tokens=tokens,
        conflicts=conflicts,
        problems=problems,
        values=values,
        saved_at=saved_at,
        revealed=revealed,
    )


def _same(stored: Any, typed: Any) -> bool:
    return (stored if is_answered(stored) else None) == (typed if is_answered(typed) else None)


def _conflict(question: Question, existing: Answer | None, typed: Any, loaded: Loaded, user: User) -> "Conflict | None":
    """A colleague changed this answer after the page was loaded (someone's own earlier save is never a conflict)."""
    if existing is None or existing.version == loaded.version or existing.updated_by_id == user.id:
        return None
    return Conflict(
        question=question,
        theirs=existing.value,
        yours=typed,
        changed_by=existing.updated_by.full_name if existing.updated_by else "Someone else",
        changed_at=existing.updated_at,
        token=answer_token(existing),
    )


def _write(application: Application, question_id: int, existing: Answer | None, value: Any, user: User) -> Answer:
    if existing is None:
        existing = Answer(application_id=application.id, question_id=question_id, value=value, updated_by_id=user.id)
        db.session.add(existing)
    else:
        existing.value = value
        existing.updated_by_id = user.id
        existing.prefilled_from_application_id = None
    db.session.flush()
    return existing


def clean_value(question: Question, typed: Any) -> tuple[Any, str | None]:
    """The answer as it is stored, or a problem if it is not one the question allows."""
    kind = question.kind
    if typed is None:
        return None, None
    if kind is QuestionKind.TEXT:
        return str(typed).replace("\r\n", "\n").strip(), None
    if kind in (QuestionKind.NUMBER, QuestionKind.MONEY):
        if not isinstance(typed, int):
            return None, "Enter a whole number, like 120"
        if typed < 0:
            return None, "Enter an amount of £0 or more" if kind is QuestionKind.MONEY else "Enter 0 or more"
        return typed, None
    if kind in (QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE):
        if typed == "":
            return None, None
        allowed = [value for value, _label in choices_for(question)]
        return (typed, None) if typed in allowed else (None, "Select one of the options")
    if kind is QuestionKind.MULTIPLE_CHOICE:
        allowed = [value for value, _label in choices_for(question)]
        chosen = [value for value in allowed if value in typed]  # in the question's order, without repeats
        return (chosen, None) if len(chosen) == len(set(typed)) else (None, "Select from the options given")
    if kind is QuestionKind.DATE:
        if question.date_not_in_future and typed > utcnow().astimezone(LONDON).date():
            return None, "The date must be today or in the past"
        return typed.isoformat(), None
    return typed, None


# Files


def upload_problem(upload: Upload) -> str | None:
    if not upload.data:
        return "The selected file is empty"
    if len(upload.data) > MAX_UPLOAD_BYTES:
        return "The selected file must be smaller than 10MB"
    extension = PurePosixPath(upload.filename.lower()).suffix.removeprefix(".")
    if extension not in ALLOWED_UPLOADS:
        return f"The selected file must be {ALLOWED_TYPES_TEXT}"
    _content_type, signatures = ALLOWED_UPLOADS[extension]
    if not upload.data.startswith(signatures):
        return f"The selected file is not a real {extension.upper()} file. It must be {ALLOWED_TYPES_TEXT}"
    return None


def clean_filename(filename: str) -> str:
    name = PureWindowsPath(PurePosixPath(filename or "").name).name  # no folders, from any operating system
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip() or "upload"
    stem, dot, extension = name.rpartition(".")
    if len(name) > 200:
        name = f"{stem[: 200 - len(extension) - 1]}.{extension}" if dot else name[:200]
    return name


def _store_upload(
    application: Application, question: Question, upload: Upload, existing: Answer | None, user: User
) -> dict[str, Any]:
    extension = PurePosixPath(upload.filename.lower()).suffix.removeprefix(".")
    stored = UploadedFile(
        application_id=application.id,
        question_id=question.id,
        filename=clean_filename(upload.filename),
        content_type=ALLOWED_UPLOADS[extension][0],
        size_bytes=len(upload.data),
        content=upload.data,
        uploaded_by_id=user.id,
    )
    db.session.add(stored)
    db.session.flush()
    if existing is not None:
        _delete_uploaded_file(existing.value)
    return {"file_id": stored.id, "filename": stored.filename, "size_bytes": stored.size_bytes}


def _delete_uploaded_file(value: Any) -> None:
    if isinstance(value, dict) and value.get("file_id"):
        db.session.execute(sa.delete(UploadedFile).where(UploadedFile.id == value["file_id"]))
