"""Form fields typed into a text box and read into a value (numbers, money, times).

Each keeps exactly what was typed when it cannot be read, so the person sees their own text beside the error.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field

# The largest value a whole-number (32-bit) column holds on every database.
LARGEST_WHOLE_NUMBER = 2_147_483_647


def date_from_parts(day: str, month: str, year: str) -> date | None:
    """The date three boxes stand for, or ``None`` if they are not a real date from the year 1000 to 9999.

    Only plain digits of a sensible length are read, so a huge number (``2147483648``) is simply not a date."""
    parts = (day.strip(), month.strip(), year.strip())
    if not all(re.fullmatch(r"[0-9]{1,4}", part) for part in parts) or len(parts[0]) > 2 or len(parts[1]) > 2:
        return None
    day_number, month_number, year_number = (int(part) for part in parts)
    if year_number < 1000:
        return None
    try:
        return date(year_number, month_number, day_number)
    except ValueError:
        return None


class TypedTextField(Field):
    """A text input read by :meth:`parse`; an empty box gives ``None`` and an unreadable one ``invalid_message``."""

    widget = GovTextInput()
    invalid_message = "Enter a valid value"

    def __init__(
        self,
        label: str | None = None,
        validators: Sequence[Any] | None = None,
        *,
        invalid_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        if invalid_message is not None:
            self.invalid_message = invalid_message
        self.raw_text: str | None = None

    def parse(self, text: str) -> Any:
        """The value ``text`` stands for, or ``None`` if it cannot be read."""
        raise NotImplementedError

    def format(self, value: Any) -> str:
        """How a value is shown back in the box."""
        return str(value)

    def _value(self) -> str:
        if self.raw_text is not None:
            return self.raw_text
        return "" if self.data is None else self.format(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        raw_text = self.raw_text = valuelist[0]
        self.data = None
        if not raw_text.strip():
            return
        value = self.parse(raw_text)
        if value is None:
            raise ValueError(self.invalid_message)
        self.data = value


class WholeNumberField(TypedTextField):
    """A whole number; commas and spaces are allowed (``1,200``), and numbers beyond ``largest`` (by default the
    largest a whole-number column holds) are refused with a message saying so."""

    invalid_message = "Enter a whole number, like 120"

    def __init__(
        self,
        label: str | None = None,
        validators: Sequence[Any] | None = None,
        *,
        largest: int = LARGEST_WHOLE_NUMBER,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.largest = largest

    def parse(self, text: str) -> int | None:
        cleaned = re.sub(r"[,\s]", "", text)
        if not re.fullmatch(r"-?[0-9]+", cleaned):
            return None
        if len(cleaned.lstrip("-")) > len(str(self.largest)) or abs(int(cleaned)) > self.largest:
            if cleaned.startswith("-"):
                raise ValueError(f"Enter a number no smaller than -{self.largest:,}")
            raise ValueError(f"Enter a number no bigger than {self.largest:,}")
        return int(cleaned)
