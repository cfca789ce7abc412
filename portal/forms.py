"""Form pieces shared across areas: GOV.UK widgets and the way a domain error lands beside its field."""

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice

from portal.errors import DomainError


class PortalForm(FlaskForm):
    def show_error(self, error: DomainError) -> None:
        """Attach a service's error (or each of several) to the field it is about, or to the form as a whole."""
        for problem in getattr(error, "errors", [error]):
            field = getattr(self, problem.field, None) if problem.field else None
            if field is not None:
                field.errors = [*field.errors, problem.message] if isinstance(field.errors, list) else [problem.message]
            else:
                self.form_errors.append(problem.message)


def submit(label: str) -> SubmitField:
    return SubmitField(label, widget=GovSubmitInput())


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Options for a radio, checkbox or select field from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
