from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import EmailField, Field, PasswordField, StringField
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


def new_password_fields(label: str = "Create a password") -> tuple[Field, Field]:
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


def security_code_field(label: str = "Security code") -> StringField:
    return StringField(
        label,
        validators=[InputRequired("Enter the 6-digit security code from your authenticator app")],
        widget=GovTextInput(),
        description="Open your authenticator app and enter the 6-digit code it shows for this service.",
    )


class SecurityCodeForm(PortalForm):
    code = security_code_field()
    submit = submit("Continue")


class RecoveryCodeForm(PortalForm):
    code = StringField(
        "Recovery code",
        validators=[InputRequired("Enter one of your recovery codes")],
        widget=GovTextInput(),
        description="One of the 10 codes you saved when you set up your authenticator app, like abcde-fghjk.",
    )
    submit = submit("Continue")


class SetUpSecondFactorForm(PortalForm):
    code = security_code_field("Enter the 6-digit code from your app")
    submit = submit("Turn on")


class ConfirmPasswordForm(PortalForm):
    password = PasswordField("Password", validators=[InputRequired("Enter your password")], widget=GovPasswordInput())
    submit = submit("Continue")


class EndSessionsForm(PortalForm):
    submit = submit("Sign out everywhere else")


class ResetSecondFactorForm(PortalForm):
    submit = submit("Reset second factor")
