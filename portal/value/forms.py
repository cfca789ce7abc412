"""Forms for the unit values library, the deflator import and cost-benefit analyses."""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Self

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovTextArea, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.fields import TypedTextField, WholeNumberField
from portal.forms import PortalForm, choices, submit
from portal.models import Award, UnitValue
from portal.money import MoneyField
from portal.periods import financial_year_label
from portal.value.services import MeasureCount

EARLIEST_YEAR, LATEST_YEAR = 1950, 2100
YEAR_HINT = "A financial year, by the year it starts in April: 2025 is 2025/26."


class DecimalTextField(TypedTextField):
    """A number with at most ``places`` decimal places, read exactly as a Decimal (commas allowed)."""

    invalid_message = "Enter a number, like 12.5"

    def __init__(
        self,
        label: str | None = None,
        validators: Sequence[Any] | None = None,
        *,
        places: int = 2,
        largest: Decimal = Decimal(10**12),
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.largest = largest

    def parse(self, text: str) -> Decimal | None:
        cleaned = re.sub(r"[,\s£%]", "", text)
        if len(cleaned) > 24 or not re.fullmatch(rf"-?[0-9]+(\.[0-9]{{1,{self.places}}})?", cleaned):
            return None
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            return None
        if abs(value) > self.largest:
            raise ValueError(f"Enter a number no bigger than {self.largest:,}")
        return value

    def format(self, value: Decimal) -> str:
        return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def percent_field(label: str, description: str, largest: int = 100) -> DecimalTextField:
    return DecimalTextField(
        label,
        [Optional(), NumberRange(0, largest, message=f"Enter a percentage from 0 to {largest}")],
        description=description,
        invalid_message="Enter a percentage, like 25 or 12.5",
        places=2,
        largest=Decimal(1000),
    )


def year_field(label: str, description: str = YEAR_HINT) -> WholeNumberField:
    return WholeNumberField(
        label,
        [
            InputRequired(f"Enter the {label.lower()}"),
            NumberRange(EARLIEST_YEAR, LATEST_YEAR, message=f"Enter a year from {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ],
        description=description,
        invalid_message="Enter a year, like 2025",
    )


def reason_field(label: str) -> TextAreaField:
    return TextAreaField(label, [Length(max=2000)], widget=GovTextArea())


def _whole(text: str | None) -> int | None:
    value = int(text) if text is not None and text.isdecimal() and len(text) <= 10 else None
    return value if value is not None and value <= 2**31 - 1 else None


class UnitValueForm(PortalForm):
    name = StringField(
        "Name",
        [InputRequired("Enter the name of the outcome"), Length(max=200)],
        description="What the figure is the value of, for example 'Violence with injury'.",
        widget=GovTextInput(),
    )
    value = DecimalTextField(
        "Value",
        [InputRequired("Enter the value in pounds"), NumberRange(0, message="Enter a value of £0 or more")],
        description="In pounds, for each unit, in the prices of the year below.",
        invalid_message="Enter an amount in pounds, like 14050 or 1234.56",
    )
    price_year = year_field(
        "Price year", "The year whose prices the value is in, as the source gives it, for example 2015."
    )
    unit = StringField(
        "Unit",
        [InputRequired("Enter what one unit is"), Length(max=80)],
        description="What one unit is, for example 'offence' or 'victim supported'.",
        widget=GovTextInput(),
    )
    source = TextAreaField(
        "Source",
        [InputRequired("Enter where the figure comes from"), Length(max=2000)],
        description="The publication, its table and its date, so that anyone can check the figure.",
        widget=GovTextArea(),
    )
    source_url = StringField("Link to the source (optional)", [Optional(), Length(max=500)], widget=GovTextInput())
    notes = TextAreaField("Notes (optional)", [Optional(), Length(max=2000)], widget=GovTextArea())
    submit = submit("Save unit value")

    def validate_source_url(self, field: Field) -> None:
        if field.data and not re.match(r"^https?://[^\s]+$", field.data.strip()):
            raise ValidationError("Enter a web address starting https://")

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "value": self.value.data,
            "price_year": self.price_year.data,
            "unit": self.unit.data,
            "source": self.source.data,
            "source_url": (self.source_url.data or "").strip(),
            "notes": self.notes.data or "",
        }


class DeflatorForm(PortalForm):
    source = StringField(
        "Where the series comes from",
        [InputRequired("Enter where the series comes from"), Length(max=500)],
        description="For example: HM Treasury, GDP deflators at market prices, and money GDP, September 2025.",
        widget=GovTextInput(),
    )
    data_file = FileField(
        "The file",
        description="A CSV file (.csv) with a year column and an index column, smaller than 1 MB.",
        widget=GovFileInput(),
    )
    submit = submit("Check and import")


class NewAnalysisForm(PortalForm):
    award = SelectField("Service", widget=GovSelect(), validate_choice=False)
    title = StringField(
        "Title",
        [InputRequired("Enter a title"), Length(max=200)],
        description="For example: 'Cost-benefit analysis of the service, 2025 to 2027'.",
        widget=GovTextInput(),
    )
    analysis_year = year_field(
        "Analysis year",
        "Year 0 of the analysis, and the prices everything is expressed in. A financial year, by the year it "
        "starts in April: 2025 is 2025/26. Usually the service's first year.",
    )
    submit = submit("Start the analysis")

    @classmethod
    def build(cls, awards: list[Award], formdata: MultiDict[str, Any] | None = None) -> Self:
        form = cls(formdata=formdata)
        form.award.choices = choices(
            [("", "Select a service"), *((str(a.id), f"{a.title} ({a.reference})") for a in awards)]
        )
        return form

    def validate_award(self, field: Field) -> None:
        if _whole(field.data) is None:
            raise ValidationError("Select the service to analyse")

    @property
    def award_id(self) -> int | None:
        return _whole(self.award.data)


class SettingsForm(PortalForm):
    title = StringField("Title", [InputRequired("Enter a title"), Length(max=200)], widget=GovTextInput())
    analysis_year = year_field("Analysis year", "Year 0, and the prices everything is expressed in. 2025 is 2025/26.")
    summary = TextAreaField(
        "Summary for the public",
        [Length(max=4000)],
        description="What was counted, what it shows and its limits, in plain words.",
        widget=GovTextArea(),
    )
    optimism_bias = percent_field(
        "Optimism bias (%)",
        "Added to every cost: the Green Book's allowance for costs turning out higher than planned. 0 to 200.",
        200,
    )
    optimism_bias_reason = reason_field("Reason for the optimism bias")
    sensitivity_low = percent_field("Low case: take off the benefits (%)", "For example 25. 0 to 100.")
    sensitivity_high = percent_field("High case: add to the benefits (%)", "For example 25. 0 to 200.", 200)
    sensitivity_reason = reason_field("Reason for the sensitivity range")
    submit = submit("Save")

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "analysis_year": self.analysis_year.data,
            "summary": self.summary.data or "",
            "optimism_bias": self.optimism_bias.data or Decimal(0),
            "optimism_bias_reason": self.optimism_bias_reason.data or "",
            "sensitivity_low": self.sensitivity_low.data or Decimal(0),
            "sensitivity_high": self.sensitivity_high.data or Decimal(0),
            "sensitivity_reason": self.sensitivity_reason.data or "",
        }


class CostForm(PortalForm):
    name = StringField(
        "What the cost is",
        [InputRequired("Enter what the cost is"), Length(max=200)],
        description="For example: 'Match funding from the council' or 'Referral partners' staff time'.",
        widget=GovTextInput(),
    )
    financial_year = year_field("Financial year")
    amount = MoneyField("Amount", [InputRequired("Enter the amount in pounds")], description="Cash, in pounds.")
    submit = submit("Add cost")

    def validate_amount(self, field: Field) -> None:
        if field.data is not None and field.data < 0:
            raise ValidationError("Enter an amount of £0 or more")


HAND = ""


class OutcomeForm(PortalForm):
    name = StringField(
        "Outcome",
        [InputRequired("Enter the outcome counted"), Length(max=200)],
        description="For example: 'Violent offences prevented'.",
        widget=GovTextInput(),
    )
    unit_value = SelectField("Unit value", widget=GovSelect(), validate_choice=False)
    measure = SelectField("Where the count comes from", widget=GovSelect(), validate_choice=False)
    financial_year = year_field("Year achieved", "The financial year the outcomes were achieved: 2025 is 2025/26.")
    count = DecimalTextField(
        "Number of outcomes (when entered by hand)",
        [Optional(), NumberRange(0, message="Enter a number of 0 or more")],
        invalid_message="Enter a number, like 40 or 12.5",
    )
    count_source = reason_field("Where the number comes from (when entered by hand)")
    years = WholeNumberField(
        "Years the benefit lasts",
        [InputRequired("Enter how many years the benefit lasts"), NumberRange(1, 30, message="Enter 1 to 30 years")],
        description="Counting the year achieved: 1 means that year only.",
        invalid_message="Enter a whole number of years, like 3",
    )
    deadweight = percent_field("Deadweight (%)", "How much would have happened anyway.")
    deadweight_reason = reason_field("Reason for the deadweight")
    displacement = percent_field("Displacement (%)", "How much of what is left merely moved elsewhere.")
    displacement_reason = reason_field("Reason for the displacement")
    attribution = percent_field("Attribution (%)", "How much of what is left is other people's or services' doing.")
    attribution_reason = reason_field("Reason for the attribution")
    drop_off = percent_field("Drop-off a year (%)", "How much of the benefit falls away each year after the first.")
    drop_off_reason = reason_field("Reason for the drop-off")
    submit = submit("Save outcome")

    @classmethod
    def build(
        cls,
        unit_values: list[UnitValue],
        counts: list[MeasureCount],
        formdata: MultiDict[str, Any] | None = None,
        **data: Any,
    ) -> Self:
        form = cls(formdata=formdata, **data)
        form.unit_value.choices = choices(
            [
                ("", "Select a unit value"),
                *(
                    (str(u.id), f"{u.name}: £{u.value:,.2f} per {u.unit} ({financial_year_label(u.price_year)} prices)")
                    for u in unit_values
                ),
            ]
        )
        form.measure.choices = choices(
            [
                (HAND, "Entered by hand, such as an evaluation's estimate"),
                *(
                    (
                        str(c.measure.id),
                        f"Accepted returns: {c.measure.name} ("
                        + (
                            ", ".join(f"{total:,} in {financial_year_label(y)}" for y, total in c.by_year.items())
                            or "none accepted yet"
                        )
                        + ")",
                    )
                    for c in counts
                ),
            ]
        )
        return form

    def validate_unit_value(self, field: Field) -> None:
        if _whole(field.data) is None:
            raise ValidationError("Select the unit value of the outcome")

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "count": self.count.data,
            "financial_year": self.financial_year.data,
            "measure_id": _whole(self.measure.data),
            "count_source": self.count_source.data or "",
            "years": self.years.data,
            **{name: getattr(self, name).data or Decimal(0) for name in ("deadweight", "displacement")},
            **{name: getattr(self, name).data or Decimal(0) for name in ("attribution", "drop_off")},
            **{
                f"{name}_reason": getattr(self, f"{name}_reason").data or ""
                for name in ("deadweight", "displacement", "attribution", "drop_off")
            },
        }

    @property
    def unit_value_id(self) -> int | None:
        return _whole(self.unit_value.data)
