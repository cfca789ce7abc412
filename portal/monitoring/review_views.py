"""What the pages of every kind of return do the same way once their return is loaded: the organisation saves or
submits its form; an officer accepts it or queries it. Each kind's views load the return (and check who may
see it), name what it is in messages and where to go next; these do the rest."""

from collections.abc import Callable

from flask import flash, redirect, request
from flask_login import current_user

from portal.errors import DomainError
from portal.forms import PortalForm
from portal.models import Measure, Return
from portal.monitoring.forms import ActionForm, QueryForm
from portal.monitoring.returns import accept_return, query_return, save_return
from portal.monitoring.review import ReturnConflict


def save_from_form(form: PortalForm, save: Callable, *, submitting: bool, name: str, submitted_url: str):
    """Save (or submit) what the form holds with ``save(actor, submit=…)``. A redirect once saved: back to the page,
    or to ``submitted_url`` once submitted; ``None`` when the form is to be shown again with its errors (a clash
    with someone else's save loads their version number, so saving again replaces it)."""
    if not form.validate_on_submit():
        return None
    try:
        save(current_user._get_current_object(), submit=submitting)
    except ReturnConflict as conflict:
        form.version.data = str(conflict.current_version)
        form.show_error(conflict)
    except DomainError as error:
        form.show_error(error)
    else:
        flash(f"{name} {'submitted' if submitting else 'saved'}.", "success")
        return redirect(submitted_url if submitting else request.path)
    return None


def accept_from_form(form: PortalForm, accept: Callable, *, message: Callable[[object], str], back: str):
    """Accept the return with ``accept(actor)``, say so (``message`` is given what ``accept`` returned) and go back
    to the review page."""
    if form.validate_on_submit():
        try:
            outcome = accept(current_user._get_current_object())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(message(outcome), "success")
    return redirect(back)


def query_from_form(form: PortalForm, query: Callable, *, message: str, back: str, page: Callable):
    """Send the return back with the officer's question (``query(question, actor)``); the review page again with
    the form's errors if it cannot be sent."""
    if form.validate_on_submit():
        try:
            query(form.question.data, current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(message, "success")
            return redirect(back)
    return page(form)


# Returns on awards and on borough plan projects are the same records, reviewed the same way on both kinds of page.


def save_return_from_form(return_: Return, form: PortalForm, measures: list[Measure], *, name: str, submitted_url: str):
    return save_from_form(
        form,
        lambda actor, submit: save_return(return_, form.details(), measures, actor, submit=submit),
        submitting=bool(form.submit_return.data),
        name=name,
        submitted_url=submitted_url,
    )


def accept_return_from_form(return_: Return, *, back: str):
    return accept_from_form(
        ActionForm(),
        lambda actor: accept_return(return_, actor),
        message=lambda record: f"Return {return_.label} accepted. Overall rating: {record.overall.label}.",
        back=back,
    )


def query_return_from_form(return_: Return, *, to: str, back: str, page: Callable):
    return query_from_form(
        QueryForm(),
        lambda question, actor: query_return(return_, question, actor),
        message=f"Return {return_.label} sent back to {to} with your query.",
        back=back,
        page=page,
    )
