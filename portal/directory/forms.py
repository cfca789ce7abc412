from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField

from portal.auth.forms import email_field
from portal.forms import PortalForm, choices, submit
from portal.models import LocalAuthority, ServiceArea


class AlertsForm(PortalForm):
    email = email_field()
    service_area = SelectField("Service area", widget=GovSelect(), validate_choice=True, default="")
    borough = SelectField(
        "Borough",
        widget=GovSelect(),
        validate_choice=True,
        default="",
        description="Rounds open anywhere in London are always included",
    )
    submit = submit("Send me alerts")

    def set_choices(self, boroughs: list[LocalAuthority]) -> None:
        self.service_area.choices = choices([("", "Any service area")] + [(a.value, a.label) for a in ServiceArea])
        self.borough.choices = choices([("", "Anywhere in London")] + [(la.gss_code, la.name) for la in boroughs])
