from collections.abc import Iterable

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.auth.forms import email_field, full_name_field, new_password_fields
from portal.forms import PortalForm, choices, submit
from portal.models import LocalAuthority, MembershipRole, OrganisationType
from portal.organisations.services import OrganisationDetails


def _text(
    label: str, required_message: str | None = None, *, max_length: int = 120, description: str = ""
) -> StringField:
    validators = [InputRequired(required_message)] if required_message else [Optional()]
    validators.append(Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"))
    return StringField(label, validators=validators, widget=GovTextInput(), description=description)


class OrganisationProfileFields(PortalForm):
    name = _text("Organisation name", "Enter your organisation's name", max_length=160)
    charity_number = _text(
        "Charity number",
        max_length=12,
        description="Required for registered charities and CIOs. For example, 1123456 or SC012345.",
    )
    company_number = _text(
        "Company number",
        max_length=10,
        description="Required for companies and CICs: the 8 characters Companies House gave you.",
    )
    address_line_1 = _text("Address line 1", "Enter the first line of your address")
    address_line_2 = _text("Address line 2 (optional)")
    town = _text("Town or city", "Enter the town or city", max_length=60)
    postcode = _text("Postcode", "Enter your postcode", max_length=10)
    works_pan_london = BooleanField("We work across the whole of London", widget=GovCheckboxInput())
    borough_ids = SelectMultipleField(
        "Boroughs you work in",
        coerce=int,
        widget=GovCheckboxesInput(),
        description="Select all that apply, or tick London-wide above.",
        validate_choice=True,
    )

    def set_borough_choices(self, local_authorities: Iterable[LocalAuthority]) -> None:
        self.borough_ids.choices = choices((la.id, la.name) for la in local_authorities)

    def details(
        self, organisation_type: OrganisationType, local_authority_id: int | None = None
    ) -> OrganisationDetails:
        return OrganisationDetails(
            name=self.name.data or "",
            organisation_type=organisation_type,
            charity_number=self.charity_number.data,
            company_number=self.company_number.data,
            address_line_1=self.address_line_1.data or "",
            address_line_2=self.address_line_2.data,
            town=self.town.data or "London",
            postcode=self.postcode.data or "",
            works_pan_london=bool(self.works_pan_london.data),
            borough_ids=tuple(self.borough_ids.data or ()),
            local_authority_id=local_authority_id,
        )


class OrganisationProfileForm(OrganisationProfileFields):
    submit = submit("Save changes")


class RegistrationForm(OrganisationProfileFields):
    organisation_type = RadioField(
        "Type of organisation",
        choices=choices((t.value, t.label) for t in OrganisationType),
        validators=[InputRequired("Select the type of organisation")],
        widget=GovRadioInput(),
    )
    local_authority_id = SelectField(
        "Borough (councils and Safer Neighbourhood Boards only)",
        coerce=lambda value: int(value) if value else None,
        validators=[Optional()],
        widget=GovSelect(),
        validate_choice=False,
    )
    full_name = full_name_field()
    email = email_field("Your email address")
    password, confirm_password = new_password_fields()
    submit = submit("Register")

    def set_borough_choices(self, local_authorities: Iterable[LocalAuthority]) -> None:
        super().set_borough_choices(local_authorities)
        self.local_authority_id.choices = choices(
            [("", "Not a council or board"), *((la.id, la.name) for la in local_authorities)]
        )

    def registration_details(self) -> OrganisationDetails:
        return self.details(OrganisationType(self.organisation_type.data), self.local_authority_id.data)


class InviteMemberForm(PortalForm):
    email = email_field("Their email address")
    role = RadioField(
        "What can they do?",
        choices=choices(
            [
                (MembershipRole.EDITOR.value, "Editor: can edit the profile, bids and returns"),
                (MembershipRole.OWNER.value, "Owner: can also invite and remove members"),
            ]
        ),
        default=MembershipRole.EDITOR.value,
        validators=[InputRequired("Select what they can do")],
        widget=GovRadioInput(),
    )
    submit = submit("Send invitation")


class ChangeRoleForm(PortalForm):
    role = RadioField(
        "Role",
        choices=choices([(MembershipRole.EDITOR.value, "Editor"), (MembershipRole.OWNER.value, "Owner")]),
        validators=[InputRequired("Select a role")],
        widget=GovRadioInput(),
    )
    submit = submit("Save role")


class ConfirmForm(PortalForm):
    """A form with nothing but the CSRF token and a button."""


class AcceptInvitationNewUserForm(PortalForm):
    full_name = full_name_field()
    password, confirm_password = new_password_fields()
    submit = submit("Create account and join")
