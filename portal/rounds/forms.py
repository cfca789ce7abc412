from collections.abc import Iterable
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.fields import WholeNumberField
from portal.forms import PortalForm, choices, submit
from portal.models import Fund, LocalAuthority
from portal.models.funding import (
    DEFAULT_MINIMUM_DURATION_MONTHS,
    DEFAULT_MINIMUM_WINDOW_WORKING_DAYS,
    DEFAULT_SMALL_BID_THRESHOLD_PENCE,
    QUESTION_KIND_LABELS,
    SERVICE_AREA_LABELS,
    FormVariant,
    Question,
    QuestionKind,
    Round,
    ServiceArea,
)
from portal.money import MoneyField
from portal.rounds.criteria import CriterionDetails
from portal.rounds.fields import (
    DayMonthYearField,
    TimeOfDayField,
    london_datetime,
    london_parts,
)
from portal.rounds.questions import QuestionDetails
from portal.rounds.services import FundDetails, RoundDetails

TIME_HINT = "For example, 9am, 5:30pm or midday"


def _text(label: str, required_message: str | None = None, *, max_length: int, description: str = "") -> StringField:
    validators = [InputRequired(required_message)] if required_message else [Optional()]
    validators.append(Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"))
    return StringField(label, validators=validators, widget=GovTextInput(), description=description)


def _area(label: str, required_message: str | None = None, *, description: str = "") -> TextAreaField:
    validators = [InputRequired(required_message)] if required_message else [Optional()]
    return TextAreaField(label, validators=validators, widget=GovTextArea(), description=description)


def _money(label: str, required_message: str, description: str = "") -> MoneyField:
    return MoneyField(label, validators=[InputRequired(required_message)], description=description)


def _whole(label: str, required_message: str | None, description: str = "", **kwargs: Any) -> WholeNumberField:
    validators = [InputRequired(required_message)] if required_message else [Optional()]
    return WholeNumberField(
        label,
        validators=validators,
        invalid_message=f"{label} must be a whole number, like 24",
        largest=999_999_999,
        description=description,
        **kwargs,
    )


def lines(text: str | None) -> list[str]:
    return (text or "").splitlines()


class FundForm(PortalForm):
    name = _text("Name", "Enter the fund's name", max_length=120, description="For example, Victims' services")
    code = _text(
        "Short code",
        "Enter a short code for the fund",
        max_length=12,
        description="2 to 12 letters or numbers. Bid references start with it, like LCPF-2026-0042.",
    )
    purpose = _area("Purpose", "Enter the fund's purpose", description="What the fund is for, in plain English.")
    service_areas = SelectMultipleField(
        "Service areas",
        choices=choices((area.value, label) for area, label in SERVICE_AREA_LABELS.items()),
        widget=GovCheckboxesInput(),
        description="Select all that apply. The public can filter funding opportunities by these.",
        validate_choice=True,
    )
    submit = submit("Save fund")

    def details(self) -> FundDetails:
        return FundDetails(
            name=self.name.data or "",
            code=self.code.data or "",
            purpose=self.purpose.data or "",
            service_areas=tuple(ServiceArea(value) for value in self.service_areas.data or ()),
        )


class RoundForm(PortalForm):
    fund_id = SelectField("Fund", coerce=int, widget=GovSelect(), validate_choice=True)
    title = _text("Title", "Enter the round's title", max_length=160)
    description = _area(
        "Description",
        "Enter a description of the round",
        description="What the round will fund and who should apply. This is shown publicly.",
    )
    budget_pence = _money("Budget", "Enter the round's budget", "The total available in this round, in pounds.")
    min_request_pence = _money("Minimum request", "Enter the smallest amount a bid can ask for")
    max_request_pence = _money("Maximum request", "Enter the largest amount a bid can ask for")
    small_bid_threshold_pence = _money(
        "Small-bid threshold",
        "Enter the small-bid threshold, or 0 for no light-touch form",
        "Bids for this amount or less use the shorter, light-touch form. Enter 0 for no light-touch form.",
    )
    min_duration_months = _whole(
        "Minimum duration in months",
        "Enter the shortest project length in months",
        "The target is 3 to 4 years (36 to 48 months). No allocation should be under 2 years.",
    )
    max_duration_months = _whole("Maximum duration in months", "Enter the longest project length in months")
    opens_on = DayMonthYearField("Opening date", required_message="Enter the date the round opens")
    opens_time = TimeOfDayField(
        "Opening time",
        validators=[InputRequired("Enter the time the round opens")],
        invalid_message="Enter the opening time like 9am or 5:30pm",
        description=TIME_HINT,
    )
    closes_on = DayMonthYearField("Closing date", required_message="Enter the date the round closes")
    closes_time = TimeOfDayField(
        "Closing time",
        validators=[InputRequired("Enter the time the round closes")],
        invalid_message="Enter the closing time like midday or 5pm",
        description=TIME_HINT,
    )
    decision_expected_on = DayMonthYearField(
        "Expected decision date", required_message="Enter the date you expect to decide"
    )
    minimum_window_working_days = _whole(
        "Minimum window in working days",
        "Enter the minimum window in working days",
        f"At least {DEFAULT_MINIMUM_WINDOW_WORKING_DAYS}. Weekends and bank holidays do not count.",
    )
    borough_ids = SelectMultipleField(
        "Boroughs",
        coerce=int,
        widget=GovCheckboxesInput(),
        description="Leave all unticked for a round open to work anywhere in London.",
        validate_choice=True,
    )
    short_window_reason = _area(
        "Reason for a short window",
        description="Needed only if the round is open for fewer working days than the minimum, or was announced "
        "less than 14 days before it opens. It is shown publicly beside the round.",
    )
    submit = submit("Save round")

    @classmethod
    def for_new_round(cls, fund_id: int | None) -> "RoundForm":
        return cls(
            data={
                "fund_id": fund_id,
                "small_bid_threshold_pence": DEFAULT_SMALL_BID_THRESHOLD_PENCE,
                "min_duration_months": DEFAULT_MINIMUM_DURATION_MONTHS,
                "max_duration_months": 48,
                "minimum_window_working_days": DEFAULT_MINIMUM_WINDOW_WORKING_DAYS,
            }
        )

    @classmethod
    def for_round(cls, round_: Round) -> "RoundForm":
        opens_on, opens_time = london_parts(round_.opens_at)
        closes_on, closes_time = london_parts(round_.closes_at)
        return cls(
            data={
                "fund_id": round_.fund_id,
                "title": round_.title,
                "description": round_.description,
                "budget_pence": round_.budget_pence,
                "min_request_pence": round_.min_request_pence,
                "max_request_pence": round_.max_request_pence,
                "small_bid_threshold_pence": round_.small_bid_threshold_pence,
                "min_duration_months": round_.min_duration_months,
                "max_duration_months": round_.max_duration_months,
                "opens_on": opens_on,
                "opens_time": opens_time,
                "closes_on": closes_on,
                "closes_time": closes_time,
                "decision_expected_on": round_.decision_expected_on,
                "minimum_window_working_days": round_.minimum_window_working_days,
                "borough_ids": [la.id for la in round_.boroughs],
                "short_window_reason": round_.short_window_reason,
            }
        )

    def set_choices(self, funds: Iterable[Fund], local_authorities: Iterable[LocalAuthority]) -> None:
        self.fund_id.choices = choices((fund.id, f"{fund.name} ({fund.code})") for fund in funds)
        self.borough_ids.choices = choices((la.id, la.name) for la in local_authorities)

    def details(self) -> RoundDetails:
        return RoundDetails(
            fund_id=self.fund_id.data,
            title=self.title.data or "",
            description=self.description.data or "",
            budget_pence=self.budget_pence.data,
            min_request_pence=self.min_request_pence.data,
            max_request_pence=self.max_request_pence.data,
            small_bid_threshold_pence=self.small_bid_threshold_pence.data,
            min_duration_months=self.min_duration_months.data,
            max_duration_months=self.max_duration_months.data,
            opens_at=london_datetime(self.opens_on.data, self.opens_time.data),
            closes_at=london_datetime(self.closes_on.data, self.closes_time.data),
            decision_expected_on=self.decision_expected_on.data,
            minimum_window_working_days=self.minimum_window_working_days.data,
            borough_ids=tuple(self.borough_ids.data or ()),
            short_window_reason=self.short_window_reason.data,
        )


class PublishRoundForm(PortalForm):
    short_window_reason = _area(
        "Reason for the short window",
        description="This is published beside the round, so write it for applicants.",
    )
    submit = submit("Publish round")


KIND_CHOICES = [(kind.value, label) for kind, label in QUESTION_KIND_LABELS.items()]
VARIANT_CHOICES = [
    (FormVariant.BOTH.value, "Both forms"),
    (FormVariant.LIGHT.value, "Light-touch form only (bids at or under the small-bid threshold)"),
    (FormVariant.FULL.value, "Full form only (bids over the small-bid threshold)"),
]
ALWAYS = ""


class QuestionForm(PortalForm):
    text = _text("Question", "Enter the question", max_length=300)
    hint = _area("Hint (optional)", description="Help shown under the question.")
    section = _text("Section", "Enter the section the question belongs to", max_length=80)
    kind = RadioField(
        "Kind of answer",
        choices=choices(KIND_CHOICES),
        validators=[InputRequired("Select the kind of answer")],
        widget=GovRadioInput(),
    )
    word_limit = _whole("Word limit (text answers only)", None, "Shown to the applicant. Leave empty for no limit.")
    options = _area(
        "Options (choice questions only)",
        description="One option on each line. Give at least two.",
    )
    date_not_in_future = BooleanField(
        "The date cannot be in the future (date questions only)",
        description="For something that has happened, like when a policy was last reviewed.",
        widget=GovCheckboxInput(),
    )
    required = BooleanField("Applicants must answer this question", default=True, widget=GovCheckboxInput())
    form_variant = RadioField(
        "Which form asks this question?",
        choices=choices(VARIANT_CHOICES),
        default=FormVariant.BOTH.value,
        validators=[InputRequired("Select which form asks this question")],
        widget=GovRadioInput(),
    )
    # Checked by the service, which says what is wrong with a condition, rather than "Not a valid choice".
    show_if = SelectField("When to ask it", widget=GovSelect(), validate_choice=False, default=ALWAYS)
    is_eligibility = BooleanField("This question decides whether an organisation can apply", widget=GovCheckboxInput())
    eligible_values = _area(
        "Answers that pass",
        description="One on each line, exactly as in the options. For a yes or no question, enter Yes or No.",
    )
    ineligible_reason = _area(
        "Why other answers cannot apply",
        description="Shown in plain English to an organisation that gives another answer.",
    )
    submit = submit("Save question")

    @classmethod
    def for_question(cls, question: Question) -> "QuestionForm":
        return cls(
            data={
                "text": question.text,
                "hint": question.hint,
                "section": question.section,
                "kind": question.kind.value,
                "word_limit": question.word_limit,
                "options": "\n".join(question.options or []),
                "date_not_in_future": question.date_not_in_future,
                "required": question.required,
                "form_variant": question.form_variant.value,
                "show_if": f"{question.show_if_question_id}:{question.show_if_value}"
                if question.show_if_question_id
                else ALWAYS,
                "is_eligibility": question.is_eligibility,
                "eligible_values": "\n".join(Question.choice_label(v) for v in question.eligible_values or []),
                "ineligible_reason": question.ineligible_reason,
            }
        )

    def set_show_if_choices(self, candidates: list[Question]) -> None:
        options = [(ALWAYS, "Always ask this question")]
        for candidate in candidates:
            for value in candidate.choices:
                label = f"Only if “{candidate.text}” is answered “{Question.choice_label(value)}”"
                options.append((f"{candidate.id}:{value}", label))
        self.show_if.choices = choices(options)

    def details(self) -> QuestionDetails:
        show_if_question_id, show_if_value = None, None
        if self.show_if.data and ":" in self.show_if.data:
            raw_id, show_if_value = self.show_if.data.split(":", 1)
            show_if_question_id = int(raw_id) if raw_id.isdecimal() else None
        return QuestionDetails(
            text=self.text.data or "",
            hint=self.hint.data,
            section=self.section.data or "",
            kind=QuestionKind(self.kind.data) if self.kind.data else None,
            word_limit=self.word_limit.data,
            options=lines(self.options.data),
            date_not_in_future=bool(self.date_not_in_future.data),
            required=bool(self.required.data),
            form_variant=FormVariant(self.form_variant.data),
            show_if_question_id=show_if_question_id,
            show_if_value=show_if_value,
            is_eligibility=bool(self.is_eligibility.data),
            eligible_values=lines(self.eligible_values.data),
            ineligible_reason=self.ineligible_reason.data,
        )


class CriterionForm(PortalForm):
    name = _text("Name", "Enter the criterion's name", max_length=120, description="For example, Need and evidence")
    guidance = _area("Guidance for reviewers (optional)", description="What a high score looks like.")
    weight = _whole(
        "Weight",
        "Enter the weight",
        "A whole number. Each criterion counts in proportion to its weight: weights of 2, 1 and 1 give 50%, 25% "
        "and 25%.",
    )
    max_score = _whole("Highest score", "Enter the highest score a reviewer can give", "Usually 5.", default=5)
    submit = submit("Save criterion")

    def details(self) -> CriterionDetails:
        return CriterionDetails(
            name=self.name.data or "",
            guidance=self.guidance.data,
            weight=self.weight.data,
            max_score=self.max_score.data,
        )
