"""Forms for downloads of personal data and for subject access requests."""

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.auth.forms import email_field
from portal.forms import PortalForm, submit


class AskForYourDataForm(PortalForm):
    submit = submit("Ask for a download of your data")


class FindPersonForm(PortalForm):
    """The search: a GET form, so the address can be bookmarked by the person handling the request."""

    class Meta:
        csrf = False

    email = email_field("Their email address")
    name = StringField(
        "Their name (optional)",
        validators=[Optional(), Length(max=120, message="Name must be 120 characters or fewer")],
        widget=GovTextInput(),
        description="Messages are searched for this name as well as the email address, and for the account's name",
    )


class SubjectAccessForm(PortalForm):
    email = HiddenField()
    name = HiddenField()
    reference = StringField(
        "Request reference",
        validators=[
            InputRequired("Enter the request's reference"),
            Length(max=60, message="Reference must be 60 characters or fewer"),
        ],
        widget=GovTextInput(),
        description="The reference your records give the request, for example SAR-2026-014",
    )
    reason = TextAreaField(
        "Why the data is being exported",
        validators=[
            InputRequired("Enter why the data is being exported"),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
        ],
        widget=GovTextArea(),
        description="For example: a subject access request received by letter on 3 December, identity checked",
    )
    submit = submit("Prepare the export")
