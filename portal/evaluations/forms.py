"""Forms for planning and recording an evaluation, and for the buttons that move it on."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovFileInput, GovRadioInput, GovTextArea, GovTextInput
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.applications.answers import Upload
from portal.evaluations.services import Details
from portal.forms import PortalForm, choices, submit
from portal.models import EvaluationKind
from portal.rounds.fields import DayMonthYearField

KIND_HINTS = {
    EvaluationKind.INTERIM: "Part way through, to learn and adjust",
    EvaluationKind.FINAL: "At or near the end, on what the service achieved",
    EvaluationKind.PROCESS: "How the service was delivered",
    EvaluationKind.IMPACT: "What difference it made, against a comparison",
    EvaluationKind.AFTER_THE_END: "Some time after the funding ended, on what lasted",
}


class EvaluationForm(PortalForm):
    kind = RadioField(
        "Kind of evaluation",
        choices=choices((kind.value, kind.label) for kind in EvaluationKind),
        validators=[Optional()],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    evaluator = StringField(
        "Evaluator",
        validators=[Optional()],
        widget=GovTextInput(),
        description="The organisation or team doing the evaluation, for example an independent research company",
    )
    planned_on = DayMonthYearField("Date it is planned to report", description="For example, 31 3 2027")
    done_on = DayMonthYearField(
        "Date it was done (if it has been)", description="The date the evaluator reported, for example, 15 1 2027"
    )
    question = TextAreaField(
        "What question does it answer?",
        validators=[Optional()],
        widget=GovTextArea(),
        description="For example, does the service reduce repeat victimisation among the young people it works with?",
    )
    method = TextAreaField(
        "Method (optional until it is published)",
        validators=[Optional()],
        widget=GovTextArea(),
        description="How the evaluator will answer it: interviews, a comparison group, analysis of outcomes data",
    )
    findings = TextAreaField(
        "Summary of the findings",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Needed before it is recorded as done. Published as written, so write it for the public",
    )
    report = FileField(
        "Upload the report (optional)",
        description="A PDF smaller than 10MB. Uploading a new one replaces the one kept",
        widget=GovFileInput(),
    )
    report_link = StringField(
        "Or give a link to the report (optional)",
        validators=[Optional()],
        widget=GovTextInput(),
        description="Where it is published, for example https://www.example.org/evaluation.pdf",
    )
    remove_report = BooleanField("Remove the report kept with this evaluation", widget=GovCheckboxInput())
    submit = submit("Save evaluation")

    def details(self) -> Details:
        file = self.report.data
        upload = None
        if isinstance(file, FileStorage) and file.filename:  # a field posted as text is no file
            upload = Upload(filename=file.filename, data=file.read())
        return Details(
            kind=self.kind.data or "",
            evaluator=self.evaluator.data or "",
            planned_on=self.planned_on.data,
            done_on=self.done_on.data,
            question=self.question.data or "",
            method=self.method.data or "",
            findings=self.findings.data or "",
            report_link=self.report_link.data or "",
            report=upload,
            remove_report=bool(self.remove_report.data),
        )


class ActionForm(PortalForm):
    """A button that moves the evaluation on: nothing to fill in but the CSRF token."""
