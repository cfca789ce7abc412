"""Form fields for dates, times and whole numbers, with messages in the GOV.UK style, keeping what was typed."""

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.validators import StopValidation

from portal.fields import TypedTextField, date_from_parts
from portal.periods import LONDON

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


class DayMonthYearField(Field):
    """Three boxes (day, month, year), read as a date. ``label`` names it in messages: "Opening date"."""

    widget = GovDateInput()

    def __init__(
        self,
        label: str | None = None,
        validators: Sequence[Any] | None = None,
        *,
        required_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message

    def _value(self) -> str:
        return ""

    def pre_validate(self, form: Any) -> None:
        # Not InputRequired, which looks only at the first box (the day) and would hide "must include a day".
        if self.required_message and self.data is None and not self.process_errors:
            raise StopValidation(self.required_message)

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [(value or "").strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # the widget shows back exactly three boxes
        self.data = None
        if not any(parts):
            return
        name = self.label.text
        missing = [unit for unit, value in zip(("day", "month", "year"), parts, strict=True) if not value]
        if missing:
            raise ValueError(f"{name} must include a {' and a '.join(missing)}")
        self.data = date_from_parts(*parts)
        if self.data is None:
            raise ValueError(f"{name} must be a real date, like 27 3 2027")


def parse_time(text: str) -> time | None:
    """``'9am'``, ``'5:30pm'``, ``'17:00'``, ``'midday'`` → a time; ``None`` if it is not one."""
    cleaned = (text or "").strip().lower().replace(" ", "")
    if cleaned in ("midday", "noon", "12noon", "12midday"):
        return time(12, 0)
    match = _TIME.match(cleaned)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = match.group(3)
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif hour > 23:
        return None
    return time(hour, minute)


def time_text(value: time | None) -> str:
    """How a time is shown back: ``9am``, ``5:30pm``, ``midday``."""
    if value is None:
        return ""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    half = "am" if value.hour < 12 else "pm"
    return f"{hour}{half}" if value.minute == 0 else f"{hour}:{value.minute:02d}{half}"


class TimeOfDayField(TypedTextField):
    def parse(self, text: str) -> time | None:
        return parse_time(text)

    def format(self, value: time) -> str:
        return time_text(value)


def london_datetime(day: date | None, at: time | None) -> datetime | None:
    """A London date and time as an aware UTC datetime."""
    if day is None or at is None:
        return None
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def london_parts(moment: datetime | None) -> tuple[date | None, time | None]:
    if moment is None:
        return None, None
    local = moment.astimezone(LONDON)
    return local.date(), local.time().replace(second=0, microsecond=0)
