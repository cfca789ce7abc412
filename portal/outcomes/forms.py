"""Forms for the outcomes framework, mapping measures and projects to outcomes, and catalogue entries."""

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import PortalForm, choices, submit
from portal.models import CATALOGUE_FIELDS, CatalogueEntry, Outcome


class ActionForm(PortalForm):
    """A button that changes something: CSRF only."""


class FrameworkForm(PortalForm):
    title = StringField(
        "Title",
        validators=[InputRequired("Enter the framework's title"), Length(max=200)],
        widget=GovTextInput(),
        description="For example, Police and Crime Plan outcomes 2026 to 2029",
    )
    introduction = TextAreaField(
        "Introduction",
        validators=[Optional(), Length(max=5000)],
        widget=GovTextArea(),
        description="What the framework is for, in plain words. Shown above the outcomes on the public page.",
    )
    submit = submit("Save")


class OutcomeForm(PortalForm):
    name = StringField(
        "Outcome",
        validators=[InputRequired("Enter the outcome"), Length(max=160)],
        widget=GovTextInput(),
        description="For example, fewer victims of violence",
    )
    description = TextAreaField(
        "Description",
        validators=[InputRequired("Describe the outcome in plain words"), Length(max=5000)],
        widget=GovTextArea(),
        description="What it means and what success looks like, for someone who has never seen the plan",
    )
    submit = submit("Save outcome")


def mapping_form(
    outcomes: list[Outcome], current: Outcome | None, formdata: MultiDict[str, Any] | None = None
) -> PortalForm:
    class MappingForm(PortalForm):
        outcome = RadioField(
            "Which outcome does it contribute to?",
            choices=choices((str(o.id), o.name) for o in outcomes),
            validators=[InputRequired("Select an outcome")],
            widget=GovRadioInput(),
        )
        submit = submit("Save outcome")

        def outcome_id(self) -> int | None:
            value = self.outcome.data or ""
            return int(value) if value.isdecimal() else None

    form = MappingForm(formdata=formdata)
    if formdata is None and current is not None:
        form.outcome.data = str(current.id)
    return form


CATALOGUE_HINTS = {
    "purpose": "Why MOPAC or the VRU commissions this service: the problem it exists to solve",
    "need": "Who needs it and what they need, in plain words",
    "evidence": "What shows the need: figures with their source and year, needs assessments, research",
    "measurement": "How the outcomes it seeks are measured and checked: what the provider reports, and how often",
}


def catalogue_form(entry: CatalogueEntry | None, formdata: MultiDict[str, Any] | None = None) -> PortalForm:
    class CatalogueForm(PortalForm):
        version = HiddenField()
        save = submit("Save draft")

    for name, label in CATALOGUE_FIELDS.items():
        setattr(
            CatalogueForm,
            name,
            TextAreaField(
                label,
                validators=[Optional(), Length(max=5000)],
                widget=GovTextArea(),
                description=CATALOGUE_HINTS[name],
            ),
        )
    form = CatalogueForm(formdata=formdata, obj=entry)
    if formdata is None:
        form.version.data = str(entry.version) if entry else "0"
    return form
