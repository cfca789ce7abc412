"""Forms for accepting a grant agreement, recording payments and proposing and deciding variations."""

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovTextArea, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from portal.agreements.services import Acceptance, Payment
from portal.agreements.variations import Proposal
from portal.awards.forms import GovDateField
from portal.forms import PortalForm, choices, submit
from portal.models import Award, VariationKind
from portal.money import MoneyField
from portal.periods import financial_year_label


class ActionForm(PortalForm):
    """A button that changes something: CSRF only."""


class AcceptanceForm(PortalForm):
    signatory_name = StringField(
        "Full name",
        validators=[Optional()],  # the service checks every field, so all problems show at once
        widget=GovTextInput(),
        description="The person accepting the agreement for your organisation.",
    )
    signatory_job_title = StringField("Job title", validators=[Optional()], widget=GovTextInput())
    confirm = BooleanField(
        "I have read the agreement, I accept it on behalf of my organisation, and I am authorised to do so",
        widget=GovCheckboxInput(),
    )
    submit = submit("Accept the grant agreement")

    def acceptance(self) -> Acceptance:
        return Acceptance(self.signatory_name.data or "", self.signatory_job_title.data or "", bool(self.confirm.data))


class PaymentForm(PortalForm):
    paid_on = GovDateField(
        "Date paid", validators=[Optional()], invalid_message="Enter the date it was paid as a real date, like 3 4 2026"
    )
    reference = StringField(
        "Payment reference",
        validators=[Optional()],
        widget=GovTextInput(),
        description="The reference of the payment in the finance system.",
    )
    submit = submit("Record as paid")

    def payment(self) -> Payment:
        return Payment(self.paid_on.data, self.reference.data or "")


class _VariationBase(PortalForm):
    end_date = GovDateField(
        "New end date", validators=[Optional()], invalid_message="Enter the new end date as a real date, like 31 3 2029"
    )
    reason = TextAreaField(
        "Reason for the variation",
        validators=[Optional()],
        widget=GovTextArea(),
        description="This is kept with the award's history and shown to the officer who decides it.",
    )
    submit = submit("Propose variation")

    kind: VariationKind = VariationKind.EXTEND
    years: list[int] = []

    def proposal(self) -> Proposal:
        return Proposal(
            kind=self.kind,
            end_date=self.end_date.data if self.end_date else None,
            amounts={year: self[f"amount_{year}"].data for year in self.years},
            reason=self.reason.data or "",
        )


def variation_form(
    award: Award, kind: VariationKind, years: list[int], formdata: MultiDict[str, Any] | None = None
) -> "_VariationBase":
    """The proposal form: the new end date (unless only the amounts change), an amount per year and a reason.
    Filled with the award's current terms on first showing."""
    fields: dict[str, object] = {"years": list(years), "kind": kind}
    for year in years:
        fields[f"amount_{year}"] = MoneyField(f"Amount for {financial_year_label(year)}", validators=[Optional()])
    if kind is VariationKind.CHANGE_AMOUNT:
        fields["end_date"] = None
    form_class = type("VariationForm", (_VariationBase,), fields)
    data = None
    if formdata is None:
        current = {year.financial_year: year.amount_pence for year in award.years}
        data = {f"amount_{year}": current.get(year) for year in years}
    form: _VariationBase = form_class(formdata=formdata, data=data)
    return form


class DecisionForm(PortalForm):
    decision = RadioField(
        "Your decision",
        choices=choices([("approve", "Approve the variation"), ("reject", "Reject the variation")]),
        validators=[InputRequired("Select whether you approve or reject the variation")],
        widget=GovRadioInput(),
    )
    decision_reason = TextAreaField(
        "Reason for your decision",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Needed if you reject it. The organisation is told of approved variations.",
    )
    submit = submit("Record decision")
