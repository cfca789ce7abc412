"""Forms for allocations, drawdown requests, decisions and payments."""

import secrets
from typing import Any, Self

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.drawdowns.allocations import AllocationDetails
from portal.drawdowns.requests import DrawdownDetails, ProjectDetails
from portal.forms import PortalForm, choices, submit
from portal.models import Fund, Organisation
from portal.money import MoneyField
from portal.periods import financial_year_label
from portal.rounds.fields import DayMonthYearField

PROJECT_ROWS = 5


def _whole(text: str | None) -> int | None:
    """An id or a year chosen from the list; anything else (words, or a number beyond any id) is no choice."""
    value = int(text) if text is not None and text.isdecimal() and len(text) <= 10 else None
    return value if value is not None and value <= 2**31 - 1 else None


class AllocationForm(PortalForm):
    fund = SelectField("Fund", widget=GovSelect(), validate_choice=False)
    board = SelectField("Safer Neighbourhood Board", widget=GovSelect(), validate_choice=False)
    financial_year = SelectField("Financial year", widget=GovSelect(), validate_choice=False)
    amount = MoneyField("Amount allocated", description="In pounds, for example 60000")
    issue_by = DayMonthYearField(
        "Issue-by date",
        description="Leave blank for the day before the year starts (31 March). For example, 31 3 2027",
    )
    submit = submit("Create allocation")

    @classmethod
    def build(
        cls,
        funds: list[Fund],
        boards: list[Organisation],
        years: list[int],
        formdata: MultiDict[str, Any] | None = None,
    ) -> Self:
        form = cls(formdata=formdata)
        form.fund.choices = choices([("", "Select a fund"), *((str(f.id), f.name) for f in funds)])
        form.board.choices = choices([("", "Select a board"), *((str(b.id), b.name) for b in boards)])
        form.financial_year.choices = choices(
            [("", "Select a year"), *((str(y), financial_year_label(y)) for y in years)]
        )
        return form

    def details(self) -> AllocationDetails:
        return AllocationDetails(
            fund_id=_whole(self.fund.data),
            organisation_id=_whole(self.board.data),
            financial_year=_whole(self.financial_year.data),
            amount_pence=self.amount.data,
            issue_by=self.issue_by.data,
        )


class IssueForm(PortalForm):
    issued_on = DayMonthYearField(
        "Date issued", required_message="Enter the date the allocation was issued", description="For example, 27 3 2027"
    )
    submit = submit("Record as issued")


def drawdown_form(formdata: MultiDict[str, Any] | None = None) -> PortalForm:
    """The request form: amount, purpose, and up to five local projects (the first is needed, the rest optional).
    A key made when the form is first shown travels with it, so sending it twice makes one request."""

    class DrawdownForm(PortalForm):
        submission_key = HiddenField()
        amount = MoneyField("Amount you are asking for", description="In pounds, for example 4500")
        purpose = TextAreaField(
            "What the money is for",
            validators=[Optional()],
            widget=GovTextArea(),
            description="What the board will achieve with this drawdown",
        )
        submit = submit("Request drawdown")

        def projects(self) -> list[tuple[int, list]]:
            return [
                (n, [self[f"project_{n}_name"], self[f"project_{n}_description"], self[f"project_{n}_amount"]])
                for n in range(1, PROJECT_ROWS + 1)
            ]

        def details(self) -> DrawdownDetails:
            return DrawdownDetails(
                amount_pence=self.amount.data,
                purpose=self.purpose.data or "",
                projects=[
                    ProjectDetails(name.data or "", description.data or "", amount.data)
                    for _, (name, description, amount) in self.projects()
                ],
                submission_key=self.submission_key.data or None,
            )

    for number in range(1, PROJECT_ROWS + 1):
        setattr(
            DrawdownForm,
            f"project_{number}_name",
            StringField("Project name", validators=[Optional(), Length(max=120)], widget=GovTextInput()),
        )
        setattr(
            DrawdownForm,
            f"project_{number}_description",
            TextAreaField("Short description", validators=[Optional()], widget=GovTextArea()),
        )
        setattr(DrawdownForm, f"project_{number}_amount", MoneyField("Amount for this project"))

    form = DrawdownForm(formdata=formdata)
    if formdata is None:
        form.submission_key.data = secrets.token_urlsafe(24)
    return form


class DecisionForm(PortalForm):
    decision = RadioField(
        "Decision",
        choices=choices([("approve", "Approve"), ("refuse", "Refuse")]),
        validators=[InputRequired("Select whether to approve or refuse the drawdown")],
        widget=GovRadioInput(),
    )
    reason = TextAreaField(
        "Reason for refusing",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Needed if you refuse. The board sees it.",
    )
    submit = submit("Record decision")


class PaymentForm(PortalForm):
    paid_on = DayMonthYearField(
        "Date paid", required_message="Enter the date the drawdown was paid", description="For example, 27 11 2026"
    )
    reference = StringField(
        "Payment reference",
        validators=[Optional(), Length(max=60)],
        widget=GovTextInput(),
        description="The reference on the payment, for example BACS-2026-1142",
    )
    submit = submit("Record payment")
