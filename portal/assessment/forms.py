"""Forms for screening, assigning reviewers, declaring conflicts, scoring, moderating and deciding."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from portal.assessment.reviews import ScoreEntry
from portal.assessment.scoring import parse_percentage
from portal.assessment.screening import CheckEntry
from portal.fields import WholeNumberField
from portal.forms import PortalForm, choices, submit
from portal.models import Criterion, DecisionOutcome, Score, ScreeningCheckKind, ScreeningOutcome, User

OUTCOME_LABELS = {
    ScreeningOutcome.PASSED: "Passed",
    ScreeningOutcome.FAILED: "Failed",
    ScreeningOutcome.NOT_APPLICABLE: "Not applicable",
}


def _text_area(label: str, message: str | None = None, description: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        validators=[InputRequired(message)] if message else [Optional()],
        widget=GovTextArea(),
        description=description,
    )


class ActionForm(PortalForm):
    """A button that changes something: CSRF only."""


# Screening ------------------------------------------------------------------------------------------------------


class _ScreeningChecksBase(PortalForm):
    submit = submit("Save checks")

    def entries(self) -> list[CheckEntry]:
        return [
            CheckEntry(
                kind=kind,
                outcome=ScreeningOutcome(self[f"{kind.value}_outcome"].data)
                if self[f"{kind.value}_outcome"].data
                else None,
                note=self[f"{kind.value}_note"].data,
            )
            for kind in ScreeningCheckKind
        ]


def _screening_fields() -> dict[str, Field]:
    fields = {}
    for kind in ScreeningCheckKind:
        fields[f"{kind.value}_outcome"] = RadioField(
            kind.label,
            choices=choices((o.value, OUTCOME_LABELS[o]) for o in ScreeningOutcome),
            validators=[Optional()],
            widget=GovRadioInput(),
        )
        fields[f"{kind.value}_note"] = _text_area(f"Note on \u201c{kind.label.lower()}\u201d (required if it failed)")
    return fields


ScreeningChecksForm = type("ScreeningChecksForm", (_ScreeningChecksBase,), _screening_fields())


class ScreenOutForm(PortalForm):
    feedback = _text_area(
        "Feedback for the applicant",
        "Write feedback for the applicant explaining why the bid was screened out",
        "The applicant will read this. Say which requirement the bid did not meet and what they could do next time.",
    )
    submit = submit("Screen out and tell the applicant")


# Reviewers ------------------------------------------------------------------------------------------------------


def _reviewer_choices(reviewers: Iterable[User]) -> list[tuple[str, str]]:
    return [("", "Choose a reviewer")] + [
        (str(r.id), f"{r.full_name} ({r.staff_role.label.lower()})" if r.staff_role else r.full_name) for r in reviewers
    ]


class AssignReviewerForm(PortalForm):
    reviewer_id = SelectField(
        "Reviewer",
        coerce=lambda value: int(value) if value else None,
        validators=[InputRequired("Select a reviewer")],
        widget=GovSelect(),
        validate_choice=False,  # the service says why a reviewer cannot take the bid
    )
    submit = submit("Assign reviewer")

    def set_reviewers(self, reviewers: Iterable[User]) -> None:
        self.reviewer_id.choices = _reviewer_choices(reviewers)


class BulkAssignForm(PortalForm):
    application_ids = SelectMultipleField("Bids", coerce=int, validate_choice=False)
    reviewer_id = SelectField(
        "Reviewer for the selected bids",
        coerce=lambda value: int(value) if value else None,
        validators=[InputRequired("Select a reviewer")],
        widget=GovSelect(),
        validate_choice=False,  # the service says why a reviewer cannot take the bid
    )
    submit = submit("Assign to selected bids")

    def set_reviewers(self, reviewers: Iterable[User]) -> None:
        self.reviewer_id.choices = _reviewer_choices(reviewers)


class SpreadReviewersForm(PortalForm):
    application_ids = SelectMultipleField(
        "Bids to share out",
        coerce=int,
        widget=GovCheckboxesInput(),
        description="Bids that have passed screening. Each is brought up to the number of reviewers below.",
    )
    reviewer_ids = SelectMultipleField(
        "Reviewers to share them between",
        coerce=int,
        widget=GovCheckboxesInput(),
        description="Those with the fewest open reviews are given bids first.",
    )
    reviewers_per_bid = WholeNumberField(
        "Reviewers for each bid",
        validators=[InputRequired("Enter how many reviewers each bid needs")],
        invalid_message="Enter how many reviewers each bid needs as a whole number, like 2",
        default=2,
    )
    submit = submit("Share out bids")


class DeclarationForm(PortalForm):
    has_conflict = RadioField(
        "Do you have a conflict of interest with this bid?",
        choices=choices([("yes", "Yes"), ("no", "No")]),
        validators=[InputRequired("Select yes if you have a conflict of interest with this bid")],
        widget=GovRadioInput(),
        description=(
            "For example, you work for, volunteer with, are paid by or are close to someone at this organisation, "
            "or you have a financial or personal interest in the decision."
        ),
    )
    conflict_note = _text_area("If yes, describe your conflict of interest")
    submit = submit("Confirm declaration")

    @property
    def declared_conflict(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.has_conflict.data)


# Scores ---------------------------------------------------------------------------------------------------------


class _ScoreBase(PortalForm):
    save = submit("Save and come back later")
    complete = submit("Save and mark as complete")

    criteria: list = []

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid: bool = super().validate(extra_validators)
        for criterion in self.criteria:
            score = self[f"score_{criterion.id}"]
            justification = self[f"justification_{criterion.id}"]
            written = (justification.data or "").strip()
            if score.errors:
                continue
            if score.data is None and (written or self.complete.data):
                score.errors = [f"Give a score for \u201c{criterion.name}\u201d"]
                valid = False
            elif score.data is not None and not 0 <= score.data <= criterion.max_score:
                score.errors = [f"The score for \u201c{criterion.name}\u201d must be from 0 to {criterion.max_score}"]
                valid = False
            if score.data is not None and not written:
                justification.errors = [f"Explain your score for \u201c{criterion.name}\u201d"]
                valid = False
        return valid

    def entries(self) -> list[ScoreEntry]:
        return [ScoreEntry(c.id, self[f"score_{c.id}"].data, self[f"justification_{c.id}"].data) for c in self.criteria]


def score_form(
    criteria: Iterable[Criterion], scores: Mapping[int, Score], formdata: MultiDict[str, Any] | None = None
) -> "_ScoreBase":
    """A form with a score and a justification for each of the round's criteria, filled with what was saved."""
    fields: dict[str, object] = {"criteria": list(criteria)}
    data: dict[str, object] = {}
    for criterion in criteria:
        fields[f"score_{criterion.id}"] = WholeNumberField(
            f"Score for \u201c{criterion.name}\u201d, from 0 to {criterion.max_score}",
            validators=[Optional()],
            invalid_message=(
                f"Enter the score for \u201c{criterion.name}\u201d as a whole number from 0 to {criterion.max_score}"
            ),
        )
        fields[f"justification_{criterion.id}"] = _text_area(
            f"Why you gave this score for \u201c{criterion.name}\u201d"
        )
        saved = scores.get(criterion.id)
        if saved is not None:
            data[f"score_{criterion.id}"] = saved.score
            data[f"justification_{criterion.id}"] = saved.justification
    form_class = type("ScoreForm", (_ScoreBase,), fields)
    form: _ScoreBase = form_class(formdata=formdata, data=data)
    return form


# Moderation and decisions ---------------------------------------------------------------------------------------


class ModerationForm(PortalForm):
    agreed_score = StringField(
        "Agreed score (%)",
        validators=[InputRequired("Enter the agreed score as a percentage from 0 to 100, like 73.5")],
        widget=GovTextInput(),
        description="A percentage from 0 to 100, to one decimal place, like 73.5.",
    )
    note = _text_area(
        "Moderation note",
        "Explain how the reviewers' scores were moderated",
        "How the panel reached the agreed score, especially where reviewers disagreed.",
    )
    submit = submit("Save moderated score")

    def validate_agreed_score(self, field: Field) -> None:
        if parse_percentage(field.data) is None:
            raise ValidationError("Enter the agreed score as a percentage from 0 to 100, like 73.5")

    @property
    def percentage(self) -> Decimal | None:
        return parse_percentage(self.agreed_score.data)


OUTCOME_CHOICES = [(outcome.value, outcome.label) for outcome in DecisionOutcome]


class DecisionForm(PortalForm):
    """The service checks the outcome, feedback and conditions together, so every problem shows at once."""

    outcome = RadioField("Decision", choices=choices(OUTCOME_CHOICES), validators=[Optional()], widget=GovRadioInput())
    conditions = _text_area(
        "Changes the applicant must make (if funding with changes)",
        description="Required if you fund with changes. The applicant will read this.",
    )
    feedback = _text_area(
        "Feedback for the applicant",
        description="Every applicant gets written feedback, whatever the decision. The applicant will read this.",
    )
    submit = submit("Record decision and tell the applicant")


RESERVE_FUNDING_CHOICES = [
    (outcome.value, outcome.label) for outcome in (DecisionOutcome.FUND, DecisionOutcome.FUND_WITH_CHANGES)
]


class ReserveFundingForm(PortalForm):
    """Funding a bid from the reserve list: a new decision that replaces the reserve one."""

    outcome = RadioField(
        "New decision",
        choices=choices(RESERVE_FUNDING_CHOICES),
        validators=[Optional()],
        widget=GovRadioInput(),
        validate_choice=False,  # the service says which outcomes are allowed
    )
    conditions = _text_area(
        "Changes the applicant must make (if funding with changes)",
        description="Required if you fund with changes. The applicant will read this.",
    )
    feedback = _text_area(
        "Feedback for the applicant",
        description="Why the bid can now be funded, and anything the applicant should know. The applicant will read "
        "this.",
    )
    submit = submit("Fund the bid and tell the applicant")


class UnassignReviewerForm(PortalForm):
    """Confirms taking a reviewer off a bid: CSRF only."""

    submit = submit("Take the reviewer off this bid")
