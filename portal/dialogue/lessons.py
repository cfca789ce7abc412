"""A fund's lessons-learned log: what officers chose to keep from the dialogue with funded organisations, the
issues organisations reported in their returns, and the lessons they gave in follow-ups after their awards ended.

Returns and follow-ups count once submitted (a draft is not yet something the organisation has told us).
"""

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from portal import exports
from portal.extensions import db
from portal.models import Award, AwardStatus, DialogueThread, FollowUpReturn, Fund, Return, ReturnStatus
from portal.periods import LONDON

LESSONS_PER_PAGE = 25
SUBMITTED = (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED, ReturnStatus.ACCEPTED)
# Issues that say there were none are not lessons.
NOTHING_TO_REPORT = re.compile(r"^\s*(none|nothing|no issues?|n/?a)\b[\w\s]{0,30}\.?\s*$", re.IGNORECASE)


class LessonSource(enum.StrEnum):
    DIALOGUE = "dialogue"
    RETURN = "return"
    FOLLOW_UP = "follow_up"

    @property
    def label(self) -> str:
        return {"dialogue": "Dialogue", "return": "Return issues", "follow_up": "Follow-up"}[self.value]


@dataclass(frozen=True)
class Lesson:
    source: LessonSource
    recorded_on: date
    award: Award
    title: str
    text: str
    record_id: int


@dataclass(frozen=True)
class LessonFilters:
    source: LessonSource | None = None
    search: str = ""


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(LONDON).date() if moment else None


def fetch_fund(fund_id: int) -> Fund | None:
    return db.session.get(Fund, fund_id)


def fetch_lessons(fund: Fund, filters: LessonFilters) -> list[Lesson]:
    """Every lesson for the fund that matches the filters, newest first."""
    lessons: list[Lesson] = []
    approved = sa.and_(Award.fund_id == fund.id, Award.status == AwardStatus.APPROVED)
    if filters.source in (None, LessonSource.DIALOGUE):
        threads = db.session.scalars(
            sa.select(DialogueThread).join(Award).where(approved, DialogueThread.lesson_logged_at.is_not(None))
        )
        for thread in threads:
            logged_on = _day(thread.lesson_logged_at)
            assert logged_on is not None  # only threads in the log are selected
            text = thread.lesson_summary or (thread.messages[0].body if thread.messages else "")
            lessons.append(
                Lesson(
                    LessonSource.DIALOGUE,
                    logged_on,
                    thread.award,
                    f"{thread.kind.label}: {thread.subject}",
                    text,
                    thread.id,
                )
            )
    if filters.source in (None, LessonSource.RETURN):
        returns = db.session.scalars(
            sa.select(Return).join(Award).where(approved, Return.status.in_(SUBMITTED), Return.issues.is_not(None))
        )
        for return_ in returns:
            assert return_.award is not None and return_.issues is not None  # joined to its award; issues not null
            if NOTHING_TO_REPORT.match(return_.issues):
                continue
            recorded = _day(return_.first_submitted_at or return_.submitted_at) or return_.period_end
            lessons.append(
                Lesson(
                    LessonSource.RETURN,
                    recorded,
                    return_.award,
                    f"Return {return_.label}",
                    return_.issues,
                    return_.id,
                )
            )
    if filters.source in (None, LessonSource.FOLLOW_UP):
        follow_ups = db.session.scalars(
            sa.select(FollowUpReturn)
            .join(Award)
            .where(approved, FollowUpReturn.status.in_(SUBMITTED), FollowUpReturn.lessons.is_not(None))
        )
        for follow_up in follow_ups:
            assert follow_up.lessons is not None  # only follow-ups with lessons are selected
            lessons.append(
                Lesson(
                    LessonSource.FOLLOW_UP,
                    _day(follow_up.submitted_at) or follow_up.due_on,
                    follow_up.award,
                    follow_up.label.capitalize(),
                    follow_up.lessons,
                    follow_up.id,
                )
            )
    needle = filters.search.strip().lower()
    if needle:
        lessons = [
            lesson
            for lesson in lessons
            if needle in f"{lesson.title} {lesson.text} {lesson.award.organisation.name} {lesson.award.title}".lower()
        ]
    lessons.sort(key=lambda lesson: (lesson.recorded_on, lesson.source.value, lesson.record_id), reverse=True)
    return lessons


@dataclass(frozen=True)
class LessonsPage:
    items: list[Lesson]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, **_ignored: object) -> range:
        return range(1, self.pages + 1)


def paginate(lessons: list[Lesson], page: int) -> LessonsPage:
    page = max(1, page)
    start = (page - 1) * LESSONS_PER_PAGE
    return LessonsPage(lessons[start : start + LESSONS_PER_PAGE], page, LESSONS_PER_PAGE, len(lessons))


CSV_HEADINGS = ("Date", "Source", "Award", "Organisation", "Service", "Title", "Lesson")


def lessons_csv(lessons: list[Lesson]) -> str:
    """The log as CSV, written by :mod:`portal.exports` so that no cell runs as a formula."""
    return exports.csv_text(
        CSV_HEADINGS,
        (
            (
                lesson.recorded_on.isoformat(),
                lesson.source.label,
                lesson.award.reference,
                lesson.award.organisation.name,
                lesson.award.title,
                lesson.title,
                lesson.text,
            )
            for lesson in lessons
        ),
    )
