from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from portal.forms import PortalForm, submit

EMAIL_REQUIRED = InputRequired("Enter your email address")
EMAIL_FORMAT = Email("Enter an email address in the correct format, like name@example.com")


def email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        validators=[
            EMAIL_REQUIRED,
            EMAIL_FORMAT,
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
        widget=GovTextInput(),
    )


def new_password_fields(label: str = "Create a password"):
    password = PasswordField(
        label,
        validators=[InputRequired("Enter a password")],
        widget=GovPasswordInput(),
        description="At least 10 characters. Three random words together make a strong password.",
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            InputRequired("Confirm your password"),
            EqualTo("password", "The passwords do not match"),
        ],
        widget=GovPasswordInput(),
    )
    return password, confirm


class SignInForm(PortalForm):
    email = email_field()
    password = PasswordField("Password", validators=[InputRequired("Enter your password")], widget=GovPasswordInput())
    submit = submit("Sign in")


class ForgottenPasswordForm(PortalForm):
    email = email_field()
    submit = submit("Send me a reset link")


class ResetPasswordForm(PortalForm):
    password, confirm_password = new_password_fields("New password")
    submit = submit("Save new password")


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password")],
        widget=GovPasswordInput(),
    )
    password, confirm_password = new_password_fields("New password")
    submit = submit("Change password")


class ResendConfirmationForm(PortalForm):
    submit = submit("Send the link again")


def full_name_field() -> StringField:
    return StringField(
        "Full name",
        validators=[
            InputRequired("Enter your full name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
