"""Forms for follow-ups, the dialogue and publishing case studies."""

import enum
from typing import Any, TypeVar

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.dialogue.follow_ups import FollowUpAnswers
from portal.dialogue.good_practice import Publication
from portal.dialogue.threads import NewThread
from portal.fields import WholeNumberField
from portal.forms import PortalForm, choices, submit
from portal.models import FollowUpReturn, Sustained, ThreadKind


def _text_area(label: str, hint: str = "") -> TextAreaField:
    return TextAreaField(label, validators=[Optional()], widget=GovTextArea(), description=hint)


def _sustained(label: str, hint: str = "") -> RadioField:
    return RadioField(
        label,
        choices=choices((s.value, s.label) for s in Sustained),
        validators=[Optional()],
        widget=GovRadioInput(),
        description=hint,
    )


_Enum = TypeVar("_Enum", bound=enum.Enum)


def _enum_or_none(enum_class: type[_Enum], value: object) -> _Enum | None:
    return enum_class(value) if value in {member.value for member in enum_class} else None


def follow_up_form(follow_up: FollowUpReturn, formdata: MultiDict[str, Any] | None = None) -> PortalForm:
    """The follow-up's few questions. What was typed is kept when the page is shown again."""

    class FollowUpForm(PortalForm):
        version = HiddenField()
        service_running = _sustained("Is the service still running?", "Partly means it runs on a smaller scale")
        funded_by = _text_area(
            "How is the service funded now?", "For example, another grant, the council, or your own reserves"
        )
        people_helped_since = WholeNumberField(
            "People helped since the award ended", description="An estimate is fine. Enter 0 if none"
        )
        outcomes_sustained = _sustained(
            "Have the outcomes for people lasted?", "For example, people still safe, in education or in work"
        )
        what_changed = _text_area("What has changed for the people the service helped?")
        lessons = _text_area(
            "Lessons learned (optional)", "What you would tell another organisation, or us, about running this"
        )
        save = submit("Save and come back later")
        submit_follow_up = submit("Submit follow-up")

        def answers(self) -> FollowUpAnswers:
            return FollowUpAnswers(
                version=int(self.version.data) if (self.version.data or "").isdecimal() else None,
                service_running=_enum_or_none(Sustained, self.service_running.data),
                funded_by=self.funded_by.data or "",
                people_helped_since=self.people_helped_since.data,
                outcomes_sustained=_enum_or_none(Sustained, self.outcomes_sustained.data),
                what_changed=self.what_changed.data or "",
                lessons=self.lessons.data or "",
                answer=self["answer"].data or "" if "answer" in self else "",
            )

    if follow_up.open_query is not None:
        FollowUpForm.answer = _text_area("Your answer to the officer's query")

    form = FollowUpForm(formdata=formdata)
    if formdata is None:
        form.version.data = str(follow_up.version)
        form.service_running.data = follow_up.service_running.value if follow_up.service_running else None
        form.funded_by.data = follow_up.funded_by
        form.people_helped_since.data = follow_up.people_helped_since
        form.outcomes_sustained.data = follow_up.outcomes_sustained.value if follow_up.outcomes_sustained else None
        form.what_changed.data = follow_up.what_changed
        form.lessons.data = follow_up.lessons
        if follow_up.open_query is not None:
            form.answer.data = follow_up.open_query.answer
    return form


class NewThreadForm(PortalForm):
    kind = RadioField(
        "What are you sending?",
        choices=choices(
            [
                (ThreadKind.FEEDBACK.value, "Feedback: something you want us to know, or a question"),
                (ThreadKind.LESSON.value, "A lesson learned: what worked, or didn't, that others could learn from"),
            ]
        ),
        validators=[Optional()],
        widget=GovRadioInput(),
    )
    subject = StringField("Subject", validators=[Optional()], widget=GovTextInput())
    body = TextAreaField(
        "Your message",
        validators=[Optional()],
        widget=GovTextArea(),
        description="Leave out anything that could identify the people you help",
    )
    submit = submit("Send")

    def details(self) -> NewThread:
        return NewThread(_enum_or_none(ThreadKind, self.kind.data), self.subject.data or "", self.body.data or "")


class ReplyForm(PortalForm):
    body = TextAreaField("Your reply", validators=[Optional()], widget=GovTextArea())
    submit = submit("Send reply")


class LessonForm(PortalForm):
    summary = TextAreaField(
        "Summary for the lessons-learned log (optional)",
        validators=[Optional()],
        widget=GovTextArea(),
        description="In a sentence or two. If you leave it empty, the log shows the organisation's first message",
    )
    submit = submit("Add to lessons-learned log")


class PublishForm(PortalForm):
    title = StringField(
        "Title", validators=[Optional()], widget=GovTextInput(), description="What the public sees in the list"
    )
    summary = TextAreaField(
        "Summary",
        validators=[Optional()],
        widget=GovTextArea(),
        description="One or two sentences shown under the title in the list. Leave out anything that could identify "
        "a person",
    )
    submit = submit("Publish case study")

    def publication(self) -> Publication:
        return Publication(self.title.data or "", self.summary.data or "")


class ActionForm(PortalForm):
    """A button that changes something: CSRF only."""
