"""Form fields typed into a text box and read into a value (numbers, money, times).

Each keeps exactly what was typed when it cannot be read, so the person sees their own text beside the error.
"""

import re

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field


class TypedTextField(Field):
    """A text input read by :meth:`parse`; an empty box gives ``None`` and an unreadable one ``invalid_message``."""

    widget = GovTextInput()
    invalid_message = "Enter a valid value"

    def __init__(self, label=None, validators=None, *, invalid_message: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        if invalid_message is not None:
            self.invalid_message = invalid_message
        self.raw_text = None

    def parse(self, text: str):
        """The value ``text`` stands for, or ``None`` if it cannot be read."""
        raise NotImplementedError

    def format(self, value) -> str:
        """How a value is shown back in the box."""
        return str(value)

    def _value(self) -> str:
        if self.raw_text is not None:
            return self.raw_text
        return "" if self.data is None else self.format(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.raw_text = valuelist[0]
        self.data = None
        if not self.raw_text.strip():
            return
        value = self.parse(self.raw_text)
        if value is None:
            raise ValueError(self.invalid_message)
        self.data = value


class WholeNumberField(TypedTextField):
    """A whole number; commas and spaces are allowed (``1,200``), and numbers beyond ``largest`` are refused."""

    invalid_message = "Enter a whole number, like 120"

    def __init__(self, label=None, validators=None, *, largest: int = 10**12, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.largest = largest

    def parse(self, text: str) -> int | None:
        cleaned = re.sub(r"[,\s]", "", text)
        if not re.fullmatch(r"-?\d+", cleaned) or abs(int(cleaned)) > self.largest:
            return None
        return int(cleaned)
