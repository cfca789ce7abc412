"""The old flat addresses of a bid's pages, /applications/<application>/…, which now live under the bid's
organisation (``views.BID``). Each answers with a permanent redirect (308, so that a form or an autosave posted
from a page opened before the move is sent on as a POST), under the page's own permission, and only to someone who
may see the bid: anyone else gets what they got before (another organisation's bid is not found, 404)."""

from collections.abc import Callable
from typing import Any

from portal.applications import drafts
from portal.applications.views import applications
from portal.models import Application, Question, UploadedFile
from portal.moved import redirect_moved
from portal.permissions import Permission, loads

OLD = "/applications/<int:application_id>"

# The old address names the bid by its id alone.
with_bid_by_id = loads("application", drafts.fetch_application, hidden_unless=Permission.VIEW_APPLICATION)


def _with_question(view: Callable) -> Callable:
    return with_bid_by_id(loads("question", Question, permission=None)(view))


def _with_file(view: Callable) -> Callable:
    return with_bid_by_id(loads("uploaded", UploadedFile, parameter="file_id", within="application")(view))


def _bid(application: Application, **others: Any) -> dict[str, Any]:
    return {"organisation_id": application.organisation_id, "application_id": application.id, **others}


def _question(application: Application, question: Question, **others: Any) -> dict[str, Any]:
    return _bid(application, question_id=question.id, **others)


def _file(application: Application, uploaded: UploadedFile) -> dict[str, Any]:
    return _bid(application, file_id=uploaded.id)


EDIT, VIEW, WITHDRAW = Permission.EDIT_APPLICATION, Permission.VIEW_APPLICATION, Permission.WITHDRAW_APPLICATION
GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
SECTION = "/sections/<int:section_number>"

# (endpoint, the old address beneath OLD, the page's permission, its methods, what it loads, the new address)
MOVED: tuple[tuple[str, str, Permission, tuple[str, ...], Callable, Callable[..., dict[str, Any]]], ...] = (
    ("task_list", "", EDIT, GET, with_bid_by_id, _bid),
    ("view", "/view", VIEW, GET, with_bid_by_id, _bid),
    ("apply_profile_changes", "/organisation-details/update", EDIT, POST, with_bid_by_id, _bid),
    ("organisation_details", "/organisation-details", EDIT, BOTH, with_bid_by_id, _bid),
    ("autosave_organisation_details", "/organisation-details/autosave", EDIT, POST, with_bid_by_id, _bid),
    ("project_page", "/project", EDIT, BOTH, with_bid_by_id, _bid),
    ("autosave_project", "/project/autosave", EDIT, POST, with_bid_by_id, _bid),
    ("section_page", SECTION, EDIT, BOTH, with_bid_by_id, _bid),
    ("remove_file", f"{SECTION}/files/<int:question_id>/remove", EDIT, BOTH, _with_question, _question),
    ("autosave_section", f"{SECTION}/autosave", EDIT, POST, with_bid_by_id, _bid),
    ("download_file", "/files/<int:file_id>", VIEW, GET, _with_file, _file),
    ("check_answers", "/check-your-answers", EDIT, GET, with_bid_by_id, _bid),
    ("submit", "/submit", EDIT, POST, with_bid_by_id, _bid),
    ("submitted", "/submitted", VIEW, GET, with_bid_by_id, _bid),
    ("withdraw", "/withdraw", WITHDRAW, BOTH, with_bid_by_id, _bid),
)

for _endpoint, _rest, _permission, _methods, _load, _address in MOVED:
    redirect_moved(
        applications,
        f"{OLD}{_rest}",
        _endpoint,
        permission=_permission,
        load=_load,
        address=_address,
        methods=_methods,
    )
