"""The provider's form for a service's public contact details, and the officer's decision."""

from collections.abc import Iterable

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovTextArea, GovTextInput
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.fields import WholeNumberField
from portal.forms import PortalForm, choices, submit
from portal.models import LANGUAGES, LocalAuthority
from portal.service_contacts.services import FIELDS, ContactDetails


class ContactForm(PortalForm):
    website = StringField(
        "Website (optional)",
        validators=[Optional()],
        widget=GovTextInput(),
        description="The service's own page, starting with https://",
    )
    phone = StringField(
        "Public phone number (optional)",
        validators=[Optional()],
        widget=GovTextInput(),
        description="A number the public may call, not a person's own mobile",
    )
    email = StringField(
        "Public email address (optional)",
        validators=[Optional()],
        widget=GovTextInput(),
        description="A shared address, like referrals@example.org, never a person's own",
    )
    referral = TextAreaField(
        "How to be referred, or to refer someone",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Who can refer (self-referral, schools, the police, social workers) and how",
    )
    eligibility = TextAreaField(
        "Who it is for",
        validators=[Optional()],
        widget=GovTextArea(),
        description="For example, young people at risk of exploitation, or victims of domestic abuse",
    )
    minimum_age = WholeNumberField("Youngest age (optional)", validators=[Optional()], largest=120)
    maximum_age = WholeNumberField("Oldest age (optional)", validators=[Optional()], largest=120)
    languages = SelectMultipleField(
        "Languages the service is offered in",
        choices=choices(LANGUAGES.items()),
        widget=GovCheckboxesInput(),
        validate_choice=True,
    )
    borough_codes = SelectMultipleField(
        "Whole boroughs it is delivered in", widget=GovCheckboxesInput(), validate_choice=True
    )
    postcode_districts = StringField(
        "Postcode districts it is delivered in (optional)",
        validators=[Optional()],
        widget=GovTextInput(),
        description="The first part of the postcode, separated by commas, like SE15, SE22",
    )
    save_draft = submit("Save as draft")
    send = submit("Send for approval")

    def set_borough_choices(self, boroughs: Iterable[LocalAuthority]) -> None:
        self.borough_codes.choices = choices((la.gss_code, la.name) for la in boroughs)

    def fill(self, details: ContactDetails) -> None:
        for name in FIELDS:
            getattr(self, name).data = getattr(details, name)

    def details(self) -> ContactDetails:
        return ContactDetails(
            website=self.website.data or "",
            phone=self.phone.data or "",
            email=self.email.data or "",
            referral=self.referral.data or "",
            eligibility=self.eligibility.data or "",
            minimum_age=self.minimum_age.data,
            maximum_age=self.maximum_age.data,
            languages=list(self.languages.data or []),
            borough_codes=list(self.borough_codes.data or []),
            postcode_districts=self.postcode_districts.data or "",
        )


class ApproveForm(PortalForm):
    approve = submit("Approve and publish")


class ReturnForm(PortalForm):
    reason = TextAreaField(
        "What the provider needs to change",
        validators=[Optional()],
        widget=GovTextArea(),
    )
    send_back = submit("Return to the provider")
