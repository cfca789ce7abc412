"""Forms for the consultation: opening it, a borough's response, and an officer's reply."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.applications.answers import ALLOWED_TYPES_TEXT, Upload
from portal.forms import PortalForm, choices, submit
from portal.rounds.fields import DayMonthYearField


class OpenConsultationForm(PortalForm):
    closes_on = DayMonthYearField("Closing date", required_message="Enter the closing date")
    submit = submit("Open for consultation")


class ResponseForm(PortalForm):
    body = TextAreaField(
        "Your borough's response",
        validators=[Optional()],
        widget=GovTextArea(),
        description="What the draft means for your borough, and anything you would change in the formula",
    )
    attachment = FileField(
        "Supporting document (optional)",
        description=f"For example a letter or an analysis: {ALLOWED_TYPES_TEXT}, smaller than 10MB",
        widget=GovFileInput(),
    )
    consent = RadioField(
        "May we publish your response in full when the formula is published?",
        choices=choices(
            [
                ("yes", "Yes, publish it in full"),
                ("no", "No, publish only the officer's summary of it"),
            ]
        ),
        validators=[Optional()],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    submit = submit("Send response")

    def consent_given(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.consent.data)

    def upload(self) -> Upload | None:
        file = self.attachment.data
        if file is None or not getattr(file, "filename", ""):
            return None
        return Upload(filename=file.filename, data=file.read())


class ReplyForm(PortalForm):
    reply = TextAreaField(
        "Your reply to the borough",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Emailed to the borough and published with the formula, next to their point",
    )
    summary = StringField(
        "One-line summary of the response",
        validators=[Optional()],
        widget=GovTextInput(),
        description=(
            "Published instead of the response when the borough did not consent to it being published in full"
        ),
    )
    submit = submit("Save reply")
