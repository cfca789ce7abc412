"""Helpers for tests of the applicant's journey: a round with questions, an organisation with members, and a way
to fill in a page of a bid as a browser would (every field the page shows, with what it already holds)."""

from dataclasses import dataclass
from datetime import date

from bs4 import BeautifulSoup

from portal.models import (
    Application,
    FormVariant,
    MembershipRole,
    Organisation,
    Question,
    QuestionKind,
    Round,
    User,
)
from tests.client import parsed
from tests.factories import create_member, create_organisation, local_authority
from tests.factories_funding import create_fund, create_question, create_round


@dataclass
class Bidding:
    round: Round
    organisation: Organisation
    owner: User
    editor: User
    eligibility: Question
    plan: Question
    full_only: Question


def a_round_to_bid_for(**round_fields) -> Round:
    fund = create_fund("London Crime Prevention Fund", code="LCPF")
    return create_round(fund, title="Safer Streets 2027", **round_fields)


def bidding_setup(**round_fields) -> Bidding:
    """A round with one eligibility question, a question both forms ask and one only the full form asks, and an
    organisation with an owner and an editor."""
    round_ = a_round_to_bid_for(**round_fields)
    eligibility = create_question(
        round_,
        "Is your organisation based in London?",
        kind=QuestionKind.YES_NO,
        section="Eligibility",
        is_eligibility=True,
        eligible_values=["yes"],
        ineligible_reason="This fund is for organisations based in London.",
    )
    plan = create_question(round_, "What will you do?", section="Your plan", word_limit=50)
    full_only = create_question(
        round_, "How will you measure success?", section="Your plan", form_variant=FormVariant.FULL
    )
    organisation = create_organisation(
        "Peckham Street Mentors CIC", boroughs=("Southwark", "Lambeth"), charity_number="1123456"
    )
    owner = create_member(organisation, email="owner@example.org", full_name="Kwame Asante")
    editor = create_member(organisation, MembershipRole.EDITOR, email="editor@example.org", full_name="Sam Taylor")
    return Bidding(round_, organisation, owner, editor, eligibility, plan, full_only)


def start_bid(client, setup: Bidding) -> Application:
    """Pass the eligibility check as the owner and return the new draft."""
    from portal.extensions import db

    client.sign_in(setup.owner)
    response = client.post(
        f"/funding/{setup.round.id}/apply/{setup.organisation.id}",
        data={"csrf_token": client.csrf_token(), f"q{setup.eligibility.id}": "yes"},
    )
    assert response.status_code == 302, response.data.decode()[:2000]
    application_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return db.session.get(Application, application_id)


def project_start(round_: Round) -> date:
    """The first day of the second month after the round closes: a start date the round accepts."""
    closes = round_.closes_at.date()
    month = closes.month + 2
    return date(closes.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


# Filling in pages as a browser would


def form_data(page: BeautifulSoup, selector: str = "main form[method=post]") -> dict[str, list[str]]:
    """What a browser would send for the form as the page shows it, before anyone changes anything."""
    form = page.select(selector)[-1]
    data: dict[str, list[str]] = {}
    for control in form.select("input, textarea, select"):
        name = control.get("name")
        if not name or control.name == "button":
            continue
        kind = control.get("type", "text")
        if kind in ("submit", "button", "file"):
            continue
        if kind in ("checkbox", "radio"):
            if control.has_attr("checked"):
                data.setdefault(name, []).append(control.get("value", "on"))
            continue
        if control.name == "textarea":
            value = control.get_text()
            data.setdefault(name, []).append(value[1:] if value.startswith("\n") else value)
        elif control.name == "select":
            chosen = control.select_one("option[selected]")
            data.setdefault(name, []).append(chosen.get("value", "") if chosen else "")
        else:
            data.setdefault(name, []).append(control.get("value", ""))
    return data


def fill(client, url: str, changes: dict, *, action: str = "continue", expected_status: int = 302, files=None):
    """Open the page at ``url``, change some fields, press a button. Returns the response, or the page when the
    answer is not a redirect."""
    page = client.get_page(url)
    data = form_data(page)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    data["action"] = [action]
    if files:
        data.update(files)
    response = client.post(url, data=data, content_type="multipart/form-data" if files else None)
    assert response.status_code == expected_status, (
        f"POST {url}: expected {expected_status}, got {response.status_code}\n{_problems(response)}"
    )
    if response.status_code in (301, 302, 303):
        return response
    return parsed(response.data)


def _problems(response) -> str:
    page = parsed(response.data)
    summary = page.select_one(".govuk-error-summary")
    main = page.select_one("main")
    return summary.get_text(" ", strip=True) if summary else (main.get_text(" ", strip=True)[:1500] if main else "")


def fill_project(client, application: Application, *, amounts=None, boroughs=("Southwark",), **changes):
    """Complete the project page: a 36-month project asking ``amounts`` for its years (£6,000 each by default).
    The dates are saved first, as someone without JavaScript would, so that the page then asks for each year."""
    start = project_start(application.round)
    url = f"/organisations/{application.organisation_id}/applications/{application.id}/project"
    fields = {
        "project_title": "Safer journeys home",
        "summary": "Mentors walk young people home from school in Peckham.",
        "service_areas": ["children_and_young_people"],
        "boroughs": ["london-wide"] if boroughs is None else [str(local_authority(name).id) for name in boroughs],
        "start_date": [str(start.day), str(start.month), str(start.year)],
        "duration_months": "36",
    } | {name: value if isinstance(value, list) else [value] for name, value in changes.items()}
    client.post(url, data=form_data(client.get_page(url)) | fields | {"action": ["later"]})
    page = client.get_page(url)
    data = form_data(page) | fields
    for index, field in enumerate(page.select("input[name^=amount_]")):
        data[field["name"]] = [amounts[index] if amounts and index < len(amounts) else "6000"]
    data["action"] = ["continue"]
    return client.post(url, data=data)


def answer_questions(client, application: Application, section_number: int, answers: dict, **kwargs):
    return fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/sections/{section_number}",
        answers,
        **kwargs,
    )


def confirm_organisation(client, application: Application):
    return fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/organisation-details",
        {},
        action="continue",
    )
