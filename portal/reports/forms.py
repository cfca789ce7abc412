"""Forms for committee reports."""

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from werkzeug.datastructures import MultiDict
from wtforms import RadioField
from wtforms.validators import InputRequired

from portal.forms import PortalForm, choices, submit
from portal.reports.content import HalfYear


class RequestReportForm(PortalForm):
    period = RadioField(
        "Which six months should the report cover?",
        validators=[InputRequired("Select the six months the report should cover")],
        widget=GovRadioInput(),
    )
    submit = submit("Build the report")

    @classmethod
    def for_periods(cls, periods: list[HalfYear], formdata: MultiDict[str, Any] | None = None) -> "RequestReportForm":
        form = cls(formdata=formdata)
        form.period.choices = choices((p.key, p.label) for p in periods)
        if formdata is None:
            form.period.data = periods[0].key
        return form


class ActionForm(PortalForm):
    """A button that changes something: CSRF only."""
