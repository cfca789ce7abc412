"""The award form: the bid's details, pre-filled, for the officer to confirm or adjust."""

from collections.abc import Iterable, Sequence
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.awards.services import AwardDetails
from portal.forms import PortalForm, choices, submit
from portal.models import Fund, LocalAuthority, Organisation, ServiceArea
from portal.money import MoneyField
from portal.periods import financial_year_label


class GovDateField(DateField):
    """Day, month and year boxes, with a message people understand."""

    widget = GovDateInput()
    raw_data: list[str] | None

    def __init__(
        self, label: str | None = None, validators: Sequence[Any] | None = None, *, invalid_message: str, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.invalid_message = invalid_message

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = None  # the widget shows the saved date unless three boxes were sent

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        try:
            super().process_formdata([" ".join(part.strip() for part in valuelist)])
        except ValueError:
            raise ValueError(self.invalid_message)


class _AwardBase(PortalForm):
    title = StringField(
        "Title",
        validators=[Optional()],  # the service checks every field, so all problems show at once
        widget=GovTextInput(),
    )
    description = TextAreaField(
        "What the award pays for",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Taken from the bid's summary. This is published with the award.",
    )
    start_date = GovDateField(
        "Start date", validators=[Optional()], invalid_message="Enter the start date as a real date, like 1 4 2027"
    )
    end_date = GovDateField(
        "End date", validators=[Optional()], invalid_message="Enter the end date as a real date, like 31 3 2029"
    )
    duration_exception_reason = TextAreaField(
        "Why this award is shorter than the round's minimum (only if it is)",
        validators=[Optional()],
        widget=GovTextArea(),
    )
    works_pan_london = BooleanField("The award covers the whole of London", widget=GovCheckboxInput())
    borough_ids = SelectMultipleField(
        "Boroughs the award covers", coerce=int, widget=GovCheckboxesInput(), validators=[Optional()]
    )
    service_areas = SelectMultipleField(
        "Service areas",
        choices=choices((area.value, area.label) for area in ServiceArea),
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    submit = submit("Approve award")

    years: list[int] = []

    def details(self) -> AwardDetails:
        return AwardDetails(
            title=self.title.data or "",
            description=self.description.data or "",
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            works_pan_london=bool(self.works_pan_london.data),
            borough_ids=list(self.borough_ids.data or []),
            service_areas=[ServiceArea(value) for value in self.service_areas.data or []],
            amounts={year: self[f"amount_{year}"].data for year in self.years},
            duration_exception_reason=self.duration_exception_reason.data if self.duration_exception_reason else None,
        )


def award_form(
    years: list[int],
    local_authorities: Iterable[LocalAuthority],
    prefilled: AwardDetails | None,
    formdata: MultiDict[str, Any] | None = None,
) -> "_AwardBase":
    """The award form with an amount for each financial year, filled from the bid on first showing."""
    fields: dict[str, object] = {"years": list(years)}
    for year in years:
        fields[f"amount_{year}"] = MoneyField(f"Amount for {financial_year_label(year)}", validators=[Optional()])
    form_class = type("AwardForm", (_AwardBase,), fields)
    data = None
    if prefilled is not None:
        data = {
            "title": prefilled.title,
            "description": prefilled.description,
            "start_date": prefilled.start_date,
            "end_date": prefilled.end_date,
            "works_pan_london": prefilled.works_pan_london,
            "borough_ids": prefilled.borough_ids,
            "service_areas": [area.value for area in prefilled.service_areas],
            **{f"amount_{year}": prefilled.amounts.get(year) for year in years},
        }
    form: _AwardBase = form_class(formdata=formdata, data=data)
    form.borough_ids.choices = choices((la.id, la.name) for la in local_authorities)
    return form


def _id_or_none(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not one of the choices: refused as such


class _DirectAwardBase(_AwardBase):
    fund_id = SelectField("Fund", coerce=_id_or_none, widget=GovSelect(), validators=[Optional()])
    organisation_id = SelectField(
        "Organisation",
        coerce=_id_or_none,
        widget=GovSelect(),
        validators=[Optional()],
        description="The registered organisation that will provide the service.",
    )
    description = TextAreaField(
        "What the award pays for",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Describe the service. This is published with the award.",
    )
    duration_exception_reason = None  # a direct award has no round, so no minimum duration


def direct_award_form(
    years: list[int],
    local_authorities: Iterable[LocalAuthority],
    funds: Iterable[Fund],
    organisations: Iterable[Organisation],
    formdata: MultiDict[str, Any] | None = None,
) -> "_DirectAwardBase":
    """The form for a direct award (no bid): fund, provider and the award's details, with an amount per year."""
    fields: dict[str, object] = {"years": list(years)}
    for year in years:
        fields[f"amount_{year}"] = MoneyField(f"Amount for {financial_year_label(year)}", validators=[Optional()])
    form: _DirectAwardBase = type("DirectAwardForm", (_DirectAwardBase,), fields)(formdata=formdata)
    form.borough_ids.choices = choices((la.id, la.name) for la in local_authorities)
    form.fund_id.choices = choices([("", "Select a fund"), *((fund.id, fund.name) for fund in funds)])
    form.organisation_id.choices = choices(
        [("", "Select an organisation"), *((org.id, org.name) for org in organisations)]
    )
    return form


class WithdrawalForm(PortalForm):
    reason = TextAreaField(
        "Why is the award being withdrawn?",
        validators=[Optional()],  # the service checks it, so the message is the same wherever it is withdrawn
        widget=GovTextArea(),
        description="The organisation's owners are emailed this reason, and it shows on the award's pages.",
    )
    submit = submit("Withdraw the award")
