"""Forms for bids. Question pages are built from the round's questions, one field per question, each with a
hidden field carrying a token of the answer the page loaded (its version and value)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from werkzeug.datastructures import FileStorage
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

from portal.applications.answers import MAX_UPLOAD_BYTES, Loaded, PageSubmission, Upload, answer_token
from portal.applications.drafts import ContactDetails
from portal.applications.project import SUMMARY_WORD_LIMIT, FinancialYear, ProjectDetails
from portal.applications.questions import choices_for, is_answered, required_message
from portal.fields import WholeNumberField, date_from_parts
from portal.forms import PortalForm, choices, submit
from portal.models import Answer, Application, Question, QuestionKind, ServiceArea
from portal.money import MoneyField

LONDON_WIDE = "london-wide"


class DayMonthYearField(Field):
    """A GOV.UK date input: day, month and year typed separately, kept as typed when they are not a date."""

    widget = GovDateInput()

    def __init__(self, label: str | None = None, validators: Sequence[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.raw_data = None

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""

    def process_data(self, value: Any) -> None:
        if isinstance(value, str) and value:
            value = date.fromisoformat(value)
        self.data = value if isinstance(value, date) else None

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) != 3:
            self.raw_data = None
            return
        parts = [part.strip() for part in valuelist]
        if not any(parts):
            self.data = None
            return
        if not all(parts):
            self.data = None
            raise ValueError("The date must include a day, month and year")
        self.data = date_from_parts(*parts)
        if self.data is None:
            raise ValueError("The date must be a real date, like 1 4 2027")


class ChooseOrganisationForm(PortalForm):
    organisation_id = RadioField(
        "Which organisation is bidding?",
        coerce=int,
        validators=[InputRequired("Select the organisation that is bidding")],
        widget=GovRadioInput(),
    )
    submit = submit("Continue")


# Question pages


def _answer_field(question: Question) -> Field:
    label, hint = question.text, question.hint or ""
    kind = question.kind
    if kind is QuestionKind.TEXT:
        widget = GovCharacterCount() if question.word_limit else GovTextArea()
        return StringField(label, description=hint, widget=widget)
    if kind is QuestionKind.NUMBER:
        return WholeNumberField(label, description=hint)
    if kind is QuestionKind.MONEY:
        return MoneyField(label, description=hint)
    if kind in (QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE):
        return RadioField(
            label,
            description=hint,
            choices=choices(choices_for(question)),
            validate_choice=False,
            widget=GovRadioInput(),
        )
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return SelectMultipleField(
            label,
            description=hint,
            choices=choices(choices_for(question)),
            validate_choice=False,
            widget=GovCheckboxesInput(),
        )
    if kind is QuestionKind.DATE:
        return DayMonthYearField(label, description=hint)
    return FileField(label, description=hint, widget=GovFileInput())


class QuestionPageForm(PortalForm):
    """Built for one page of questions by :func:`question_page_form`."""

    questions: list[Question] = []

    def load(self, answers: dict[int, Answer]) -> None:
        """Fill the form with the saved answers (for showing the page)."""
        for question in self.questions:
            answer = answers.get(question.id)
            self[f"v{question.id}"].data = answer_token(answer)
            if answer is None or not is_answered(answer.value) or question.kind is QuestionKind.FILE:
                continue
            field = self[f"q{question.id}"]
            if question.kind is QuestionKind.DATE:
                field.process_data(answer.value)
            else:
                field.data = answer.value

    def shown_question_ids(self) -> set[int]:
        """The questions the page showed: each carries its token field, even when nothing was chosen."""
        return {q.id for q in self.questions if self[f"v{q.id}"].raw_data}

    def submission(self) -> PageSubmission:
        submission = PageSubmission()
        shown = self.shown_question_ids()
        for question in self.questions:
            if question.id not in shown:
                continue
            field = self[f"q{question.id}"]
            submission.loaded[question.id] = Loaded.parse(self[f"v{question.id}"].data)
            if field.errors:
                submission.format_errors[question.id] = field.errors[0]
            elif question.kind is QuestionKind.FILE:
                submission.values[question.id] = _upload(field.data)
            else:
                submission.values[question.id] = field.data
        return submission

    def set_tokens(self, tokens: dict[int, str]) -> None:
        for question_id, token in tokens.items():
            if f"v{question_id}" in self:
                self[f"v{question_id}"].data = token

    def show_problems(self, problems: dict[int, str]) -> None:
        for question_id, message in problems.items():
            field = self._fields.get(f"q{question_id}")
            if field is not None and message not in field.errors:
                field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]

    def require_answers(self) -> None:
        """Eligibility questions must all be answered before anything is decided."""
        for question in self.questions:
            field = self[f"q{question.id}"]
            if not field.errors and not is_answered(field.data):
                field.errors = [required_message(question)]

    def values(self) -> dict[int, Any]:
        return {q.id: self[f"q{q.id}"].data for q in self.questions}


def question_page_form(questions: list[Question], **kwargs: Any) -> QuestionPageForm:
    fields: dict[str, Any] = {"questions": list(questions)}
    for question in questions:
        fields[f"q{question.id}"] = _answer_field(question)
        fields[f"v{question.id}"] = HiddenField()
    form_class = type("QuestionPageForm", (QuestionPageForm,), fields)
    form: QuestionPageForm = form_class(**kwargs)
    return form


def _upload(storage: object) -> Upload | None:
    if not isinstance(storage, FileStorage) or not storage.filename:  # a field posted as text is no file
        return None
    return Upload(filename=storage.filename, data=storage.stream.read(MAX_UPLOAD_BYTES + 1))


# The organisation's details and the contact


class OrganisationDetailsForm(PortalForm):
    contact_name = StringField(
        "Name of the person we should contact about this bid",
        validators=[Length(max=120, message="The name must be 120 characters or fewer")],
        widget=GovTextInput(),
    )
    contact_email = StringField(
        "Their email address",
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.com"),
            Length(max=254, message="The email address must be 254 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    fingerprint = HiddenField()

    def details(self, confirm: bool) -> ContactDetails:
        return ContactDetails(
            name=self.contact_name.data or "",
            email=self.contact_email.data or "",
            loaded_fingerprint=self.fingerprint.data or "",
            confirm=confirm,
        )


# Project, boroughs and funding


class ProjectForm(PortalForm):
    project_title = StringField(
        "Project title",
        validators=[Length(max=160, message="The project title must be 160 characters or fewer")],
        widget=GovTextInput(),
    )
    summary = StringField(
        "Summary of your project",
        description="What you will do, for whom, and what difference it will make. This may be published.",
        widget=GovCharacterCount(),
    )
    service_areas = SelectMultipleField(
        "Areas of service",
        description="Select all that apply.",
        choices=choices((area.value, area.label) for area in ServiceArea),
        validate_choice=False,
        widget=GovCheckboxesInput(),
    )
    boroughs = SelectMultipleField("Where will your project work?", validate_choice=False, widget=GovCheckboxesInput())
    start_date = DayMonthYearField("When will your project start?", description="For example, 1 4 2027")
    duration_months = WholeNumberField(
        "How many months will it run for?",
        invalid_message="Enter the number of months as a whole number, like 36",
    )
    fingerprint = HiddenField()
    years: list[FinancialYear] = []
    summary_word_limit = SUMMARY_WORD_LIMIT

    def load(self, application: Application) -> None:
        self.project_title.data = application.project_title
        self.summary.data = application.summary
        self.service_areas.data = [str(area) for area in application.service_areas]
        self.boroughs.data = (
            [LONDON_WIDE] if application.works_pan_london else [str(la.id) for la in application.boroughs]
        )
        self.start_date.data = application.start_date
        self.duration_months.data = application.duration_months
        amounts = {y.financial_year: y.amount_pence for y in application.years}
        for year in self.years:
            self[year.field_name].data = amounts.get(year.start_year)

    def details(self) -> ProjectDetails:
        values: dict[str, Any] = {}
        for name in ("project_title", "summary", "service_areas", "start_date", "duration_months"):
            if not self[name].errors:
                values[name] = self[name].data
        if not self.boroughs.errors:
            chosen = self.boroughs.data or []
            values["london_wide"] = LONDON_WIDE in chosen
            values["borough_ids"] = sorted(int(v) for v in chosen if str(v).isdecimal())
        amounts = {}
        for year in self.years:
            field = self[year.field_name]
            if field.raw_text is not None and not field.errors:
                amounts[year.start_year] = field.data
        return ProjectDetails(values=values, amounts=amounts, loaded_fingerprint=self.fingerprint.data or "")

    def show_problems(self, problems: dict[str, str]) -> None:
        for name, message in problems.items():
            field = self._fields.get(name)
            if field is not None and message not in field.errors:
                field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


def project_form(years: list[FinancialYear], **kwargs: Any) -> ProjectForm:
    fields: dict[str, Any] = {"years": list(years)}
    for year in years:
        fields[year.field_name] = MoneyField(
            year.label, invalid_message=f"Enter the amount for {year.label} in pounds, like 25000"
        )
    form: ProjectForm = type("ProjectForm", (ProjectForm,), fields)(**kwargs)
    return form


# Withdrawing and confirming


class WithdrawForm(PortalForm):
    reason = StringField(
        "Why are you withdrawing? (optional)",
        description="This helps us improve how we fund. It is not shared outside the grants team.",
        validators=[Length(max=2000, message="Your reason must be 2,000 characters or fewer")],
        widget=GovCharacterCount(),
    )
    submit = submit("Withdraw bid")


class ConfirmForm(PortalForm):
    """Nothing but the CSRF token: for buttons that do one thing."""


class ApplyProfileChangesForm(PortalForm):
    fingerprint = HiddenField()


class RemoveFileForm(PortalForm):
    token = HiddenField()
    submit = submit("Remove file")
