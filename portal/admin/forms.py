from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput
from wtforms import BooleanField, RadioField
from wtforms.validators import InputRequired

from portal.auth.forms import email_field, full_name_field
from portal.forms import PortalForm, choices, submit
from portal.models import StaffRole

STAFF_ROLE_CHOICES = [
    (StaffRole.GRANT_OFFICER.value, "Grant officer: runs funds, assesses bids and monitors awards"),
    (StaffRole.REVIEWER.value, "Reviewer: scores the bids assigned to them"),
    (StaffRole.ADMIN.value, "Administrator: manages staff accounts and verifies organisations"),
]


def role_field() -> RadioField:
    return RadioField(
        "Role",
        choices=choices(STAFF_ROLE_CHOICES),
        validators=[InputRequired("Select a role")],
        widget=GovRadioInput(),
    )


class CreateStaffForm(PortalForm):
    full_name = full_name_field()
    email = email_field()
    role = role_field()
    submit = submit("Create account")


class EditStaffForm(PortalForm):
    role = role_field()
    active = BooleanField("This account can sign in", widget=GovCheckboxInput())
    submit = submit("Save changes")
