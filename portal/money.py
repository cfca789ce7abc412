"""Money is integer pence everywhere. These turn what people type into pence and back."""

import re
from decimal import Decimal, InvalidOperation

from portal.fields import TypedTextField

_MONEY = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")
# More than any grant or budget the portal will hold (a hundred billion pounds), and far inside a 64-bit column.
LARGEST_PENCE = 10**13


def parse_pounds(text: str) -> int | None:
    """``'£25,000'`` → ``2500000``; ``'12.5'`` → ``1250``; ``None`` if it is not an amount of money."""
    cleaned = re.sub(r"[£,\s]", "", text or "")
    if not _MONEY.match(cleaned):
        return None
    try:
        return int((Decimal(cleaned) * 100).to_integral_value())
    except InvalidOperation:
        return None


def pounds(pence: int) -> Decimal:
    """Pence as exact pounds: ``123456`` → ``Decimal('1234.56')``."""
    return Decimal(pence) / 100


def pounds_figure(pence: int | None) -> str:
    """Pence as a plain figure for files (CSV), always with pence: ``123450`` → ``'1234.50'``; nothing → ``''``."""
    return "" if pence is None else f"{pounds(pence):.2f}"


def pounds_text(pence: int | None) -> str:
    """``2500000`` → ``'25000'``, ``1250`` → ``'12.50'``: how an amount is shown back in a form."""
    if pence is None:
        return ""
    return f"{pounds(pence):.0f}" if pence % 100 == 0 else f"{pounds(pence):.2f}"


class MoneyField(TypedTextField):
    """A pounds input that holds pence. What was typed is kept if it cannot be read."""

    invalid_message = "Enter an amount in pounds, like 25000"

    def parse(self, text: str) -> int | None:
        if len(text) > 40:  # no real amount is this long, and a huge one must not be worked out digit by digit
            return None
        pence = parse_pounds(text)
        if pence is not None and abs(pence) > LARGEST_PENCE:
            raise ValueError(f"Enter an amount no more than £{LARGEST_PENCE // 100:,}")
        return pence

    def format(self, value: int) -> str:
        return pounds_text(value)
