"""The rules every allocation shares, whoever receives it (a borough from the London Crime Prevention Fund, a Safer
Neighbourhood Board from its fund): an amount for a financial year, a date it should reach the recipient by within
that year, and the date it did, recorded once. Being late is that date falling after the deadline (the models'
``issued_late``). Each kind names its own deadline and what reaching the recipient is called ("confirmed",
"issued"); who receives it, its duplicates and who is told stay with each kind."""

from datetime import date

from portal.errors import DomainError
from portal.periods import financial_year_bounds
from portal.template_helpers import format_date


def terms_problems(
    financial_year: int | None, amount_pence: int | None, deadline: date | None, *, deadline_name: str, field: str
) -> list[DomainError]:
    """What is wrong with the year, the amount and the deadline (``deadline_name`` as in "the issue-by date",
    ``field`` the form's), in the order a form asks for them."""
    errors = []
    if financial_year is None:
        errors.append(DomainError("Select the financial year", "financial_year"))
    if amount_pence is None:
        errors.append(DomainError("Enter the amount allocated", "amount"))
    elif amount_pence <= 0:
        errors.append(DomainError("The amount allocated must be more than £0", "amount"))
    if financial_year is not None and deadline is not None:
        year_end = financial_year_bounds(financial_year)[1]
        if deadline > year_end:
            errors.append(
                DomainError(
                    f"The {deadline_name} date must be on or before {format_date(year_end)}, when the year ends", field
                )
            )
    return errors


def check_reached_on(already_on: date | None, reached_on: date | None, today: date, *, verb: str, field: str) -> date:
    """Refuse a second record of the day the allocation reached its recipient (``verb``: "confirmed", "issued"),
    a missing one and one in the future; return the day."""
    if already_on is not None:
        raise DomainError(f"This allocation was already {verb} on {format_date(already_on)}")
    if reached_on is None:
        raise DomainError(f"Enter the date the allocation was {verb}", field)
    if reached_on > today:
        raise DomainError(f"The date the allocation was {verb} must be today or in the past", field)
    return reached_on
