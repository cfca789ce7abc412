from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from portal.forms import PortalForm, choices, submit
from portal.privacy.accounts import Decision


class CloseAccountForm(PortalForm):
    understood = BooleanField(
        "I understand that I will not be able to sign in again, and that this cannot be undone",
        validators=[InputRequired("Confirm that you understand closing your account cannot be undone")],
        widget=GovCheckboxInput(),
    )
    password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password")],
        widget=GovPasswordInput(),
    )
    submit = submit("Close my account")


class ErasureRequestForm(PortalForm):
    email = StringField(
        "Email address of the person's account",
        validators=[Optional()],  # the service checks every field, so all problems show at once
        widget=GovTextInput(),
    )
    decision = RadioField(
        "Decision",
        choices=choices(
            (
                (Decision.ERASE, "Erase the account: replace the person's name and email address everywhere"),
                (Decision.REFUSE, "Refuse the request, where the law allows us to keep the data"),
            )
        ),
        validators=[Optional()],
        widget=GovRadioInput(),
    )
    reason = TextAreaField(
        "Reason",
        validators=[Optional()],
        widget=GovTextArea(),
        description="For example, the date and way the request was made; for a refusal, the exemption relied on.",
    )
    submit = submit("Record the decision")
