"""Forms for borough allocations, delivery plans and their review."""

from typing import Any, Self

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.boroughs.allocations import AllocationDetails
from portal.boroughs.plans import MEASURE_ROWS, MeasureDetails, ProjectDetails
from portal.fields import WholeNumberField
from portal.forms import PortalForm, choices, submit
from portal.models import DeliveryPlan, LocalAuthority, PlanProject, ServiceArea
from portal.money import MoneyField
from portal.periods import financial_year_label
from portal.rounds.fields import DayMonthYearField


def _whole(text: str | None) -> int | None:
    """An id or a year chosen from the list; anything else (words, or a number beyond any id) is no choice."""
    value = int(text) if text is not None and text.isdecimal() and len(text) <= 10 else None
    return value if value is not None and value <= 2**31 - 1 else None


def _text_area(label: str, hint: str = "") -> TextAreaField:
    return TextAreaField(label, validators=[Optional()], widget=GovTextArea(), description=hint)


class AllocationForm(PortalForm):
    borough = SelectField("Borough", widget=GovSelect(), validate_choice=False)
    financial_year = SelectField("Financial year", widget=GovSelect(), validate_choice=False)
    amount = MoneyField("Amount allocated", description="In pounds, for example 850000")
    confirm_by = DayMonthYearField(
        "Confirm-by date",
        description="Leave blank for 31 January before the year starts. For example, 31 1 2027",
    )
    submit = submit("Create allocation")

    @classmethod
    def build(
        cls, boroughs: list[LocalAuthority], years: list[int], formdata: MultiDict[str, Any] | None = None
    ) -> Self:
        form = cls(formdata=formdata)
        form.borough.choices = choices([("", "Select a borough"), *((str(b.id), b.name) for b in boroughs)])
        form.financial_year.choices = choices(
            [("", "Select a year"), *((str(y), financial_year_label(y)) for y in years)]
        )
        return form

    def details(self) -> AllocationDetails:
        return AllocationDetails(
            local_authority_id=_whole(self.borough.data),
            financial_year=_whole(self.financial_year.data),
            amount_pence=self.amount.data,
            confirm_by=self.confirm_by.data,
        )


class ConfirmForm(PortalForm):
    confirmed_on = DayMonthYearField(
        "Date confirmed",
        required_message="Enter the date the allocation was confirmed",
        description="For example, 27 1 2027",
    )
    submit = submit("Record as confirmed")


class ActionForm(PortalForm):
    """A button that changes something: CSRF only."""


def project_form(
    plan: DeliveryPlan, project: PlanProject | None, formdata: MultiDict[str, Any] | None = None
) -> PortalForm:
    """A project of the plan: one amount for each of the plan's years and up to three measures."""

    class ProjectForm(PortalForm):
        name = StringField("Project name", validators=[Optional()], widget=GovTextInput())
        description = _text_area("What the project does", "Who it helps, and how")
        provider = RadioField(
            "Who provides the project",
            choices=choices([("borough", "The borough council itself"), ("other", "Another organisation")]),
            validators=[Optional()],
            widget=GovRadioInput(),
        )
        provider_name = StringField("Provider's name", validators=[Optional()], widget=GovTextInput())
        charity_number = StringField("Charity number (if it has one)", validators=[Optional()], widget=GovTextInput())
        company_number = StringField("Company number (if it has one)", validators=[Optional()], widget=GovTextInput())
        service_areas = SelectMultipleField(
            "Service areas",
            choices=choices((area.value, area.label) for area in ServiceArea),
            validators=[Optional()],
            widget=GovCheckboxesInput(),
            validate_choice=False,
        )
        coverage = RadioField(
            "Where the project works",
            choices=choices([("whole", "The whole borough"), ("wards", "Named wards")]),
            validators=[Optional()],
            widget=GovRadioInput(),
        )
        wards = _text_area("Wards", "Separate the wards with commas")
        submit = submit("Save project")

        def details(self) -> ProjectDetails:
            return ProjectDetails(
                name=self.name.data or "",
                description=self.description.data or "",
                provided_by_borough={"borough": True, "other": False}.get(self.provider.data),
                provider_name=self.provider_name.data or "",
                charity_number=self.charity_number.data or "",
                company_number=self.company_number.data or "",
                service_areas=list(self.service_areas.data or []),
                whole_borough={"whole": True, "wards": False}.get(self.coverage.data),
                wards=self.wards.data or "",
                amounts={year: self[f"amount_{year}"].data for year in plan.years},
                measures=[
                    MeasureDetails(
                        self[f"measure_{n}_name"].data or "",
                        self[f"measure_{n}_unit"].data or "",
                        self[f"measure_{n}_target"].data,
                    )
                    for n in range(1, MEASURE_ROWS + 1)
                ],
            )

    for year in plan.years:
        setattr(
            ProjectForm,
            f"amount_{year}",
            MoneyField(f"Amount in {financial_year_label(year)}", description="In pounds; leave blank for none"),
        )
    for n in range(1, MEASURE_ROWS + 1):
        setattr(ProjectForm, f"measure_{n}_name", StringField(f"Measure {n}: what is counted", widget=GovTextInput()))
        setattr(ProjectForm, f"measure_{n}_unit", StringField(f"Measure {n}: unit", widget=GovTextInput()))
        setattr(ProjectForm, f"measure_{n}_target", WholeNumberField(f"Measure {n}: target for a quarter"))

    form = ProjectForm(formdata=formdata)
    if formdata is None and project is not None:
        form.name.data, form.description.data = project.name, project.description
        form.provider.data = "borough" if project.provided_by_borough else "other"
        form.provider_name.data = project.provider_name
        form.charity_number.data = project.provider_charity_number
        form.company_number.data = project.provider_company_number
        form.service_areas.data = list(project.service_areas)
        form.coverage.data = "whole" if project.whole_borough else "wards"
        form.wards.data = project.wards
        for year in plan.years:
            form[f"amount_{year}"].data = project.amounts.get(str(year))
        for n, measure in enumerate(project.measures[:MEASURE_ROWS], start=1):
            form[f"measure_{n}_name"].data = measure.name
            form[f"measure_{n}_unit"].data = measure.unit
            form[f"measure_{n}_target"].data = measure.target
    return form


class SubmitForm(PortalForm):
    response = _text_area("Your answer to the officer's comments")
    submit = submit("Submit plan")


class VariationForm(PortalForm):
    reason = _text_area("Why the plan needs to change", "The officer reads this when they review the variation")
    submit = submit("Start a variation")


class DecisionForm(PortalForm):
    comment = _text_area("Comments", "Needed to query the plan: the borough answers them and submits again")
    approve = submit("Approve plan")
    send_query = submit("Query plan")


class UploadForm(PortalForm):
    quarter = SelectField("Quarter", widget=GovSelect(), validate_choice=False)
    spreadsheet = FileField(
        "The filled-in spreadsheet",
        description="The template as .xlsx, or its Returns sheet saved as .csv. Smaller than 2 MB.",
        widget=GovFileInput(),
    )
    submit = submit("Upload returns")
