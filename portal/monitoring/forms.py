"""Forms for measures, returns, reviewing returns and overriding ratings."""

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovTextArea, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.fields import WholeNumberField
from portal.forms import PortalForm, choices, submit
from portal.models import Measure, MeasureBasis, Rag, RatingAspect, Return
from portal.money import MoneyField
from portal.monitoring.measures import MeasureDetails
from portal.monitoring.returns import ReturnDetails


def _text_area(label: str, hint: str = "") -> TextAreaField:
    return TextAreaField(label, validators=[Optional()], widget=GovTextArea(), description=hint)


class ActionForm(PortalForm):
    """A button that changes something: CSRF only."""


class MeasureForm(PortalForm):
    name = StringField(
        "What the service promised",
        validators=[InputRequired("Enter what the service promised"), Length(max=160)],
        widget=GovTextInput(),
        description="For example, young people engaged in mentoring",
    )
    unit = StringField(
        "Unit",
        validators=[InputRequired("Enter the unit, like young people"), Length(max=60)],
        widget=GovTextInput(),
        description="What is counted, for example young people or sessions",
    )
    target = WholeNumberField("Target", validators=[InputRequired("Enter the target as a whole number")])
    basis = RadioField(
        "The target is for",
        choices=choices((b.value, b.label.capitalize()) for b in MeasureBasis),
        default=MeasureBasis.QUARTER.value,
        validators=[InputRequired("Select whether the target is for a quarter or a year")],
        widget=GovRadioInput(),
    )
    submit = submit("Save measure")

    @classmethod
    def for_measure(cls, measure: Measure | None, formdata: MultiDict[str, Any] | None = None) -> "MeasureForm":
        form = cls(formdata=formdata, obj=measure)
        if measure is not None and formdata is None:
            form.basis.data = measure.basis.value
        return form

    def details(self) -> MeasureDetails:
        return MeasureDetails(
            self.name.data or "", self.unit.data or "", self.target.data, MeasureBasis(self.basis.data)
        )


def return_form(return_: Return, measures: list[Measure], formdata: MultiDict[str, Any] | None = None) -> PortalForm:
    """The return form for this return's measures: the shorter six-monthly form has no risks, issues or case
    study. What was typed is kept when the page is shown again."""

    class ReturnForm(PortalForm):
        version = HiddenField()
        spend = MoneyField("Spend in the period", description="In pounds, for example 12500")
        people_helped = WholeNumberField("People helped in the period")
        progress = _text_area(
            "Progress", "What the service did in the period, and what changed for the people it helped"
        )
        save = submit("Save and come back later")
        submit_return = submit("Submit return")

        def details(self) -> ReturnDetails:
            return ReturnDetails(
                version=int(self.version.data) if (self.version.data or "").isdecimal() else None,
                spend_pence=self.spend.data,
                people_helped=self.people_helped.data,
                actuals={m.id: self[f"measure_{m.id}"].data for m in measures},
                progress=self.progress.data or "",
                risks=self["risks"].data or "" if "risks" in self else "",
                issues=self["issues"].data or "" if "issues" in self else "",
                case_study=self["case_study"].data or "" if "case_study" in self else "",
                case_study_may_publish=bool(self["case_study_may_publish"].data) if "case_study" in self else False,
                answer=self["answer"].data or "" if "answer" in self else "",
            )

    for measure in measures:
        setattr(
            ReturnForm,
            f"measure_{measure.id}",
            WholeNumberField(
                measure.name,
                description=f"Number of {measure.unit}. Target for this period: "
                f"{measure.target_for(return_.frequency.quarters)}",
            ),
        )
    if not return_.is_short_form:
        ReturnForm.risks = _text_area(
            "Risks", "Anything that could stop the service delivering, and what you are doing"
        )
        ReturnForm.issues = _text_area("Issues", "Problems the service has had in the period")
        ReturnForm.case_study = _text_area(
            "Case study (optional)", "A story of one person helped. Leave out anything that could identify them."
        )
        ReturnForm.case_study_may_publish = BooleanField(
            "We agree that this case study may be published as good practice", widget=GovCheckboxInput()
        )
    if return_.open_query is not None:
        ReturnForm.answer = _text_area("Your answer to the officer's query")

    form = ReturnForm(formdata=formdata)
    if formdata is None:
        form.version.data = str(return_.version)
        form.spend.data = return_.spend_pence
        form.people_helped.data = return_.people_helped
        form.progress.data = return_.progress
        for measure in measures:
            form[f"measure_{measure.id}"].data = return_.actual_for(measure.id)
        if not return_.is_short_form:
            form.risks.data, form.issues.data = return_.risks, return_.issues
            form.case_study.data = return_.case_study
            form.case_study_may_publish.data = return_.case_study_may_publish
        if return_.open_query is not None:
            form.answer.data = return_.open_query.answer
    return form


class QueryForm(PortalForm):
    """An officer's query on any kind of return (``noun`` names the kind: "return", "follow-up")."""

    question = TextAreaField(
        "Your query",
        validators=[InputRequired("Enter what the organisation needs to answer or change")],
        widget=GovTextArea(),
    )
    submit = submit("Send query")

    def __init__(self, *args: Any, noun: str = "return", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question.description = f"The organisation sees this, answers it and submits the {noun} again"


class OverrideForm(PortalForm):
    aspect = RadioField(
        "Which rating",
        choices=choices((a.value, a.label) for a in RatingAspect),
        validators=[InputRequired("Select which rating to change")],
        widget=GovRadioInput(),
    )
    rating = RadioField(
        "New rating",
        choices=choices((r.value, r.label) for r in Rag),
        validators=[InputRequired("Select red, amber or green")],
        widget=GovRadioInput(),
    )
    reason = TextAreaField(
        "Reason",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Kept with the rating's history and shown to the organisation",
    )
    submit = submit("Change rating")
