"""Property-based fuzzing of every form in the portal: no input gives a 5xx.

The forms are found from the app's own routes and the demo's records. The demo data is loaded (with a few records
in states it lacks, made by the factories); for each route that takes a POST, the pages that render its form are
worked out (the same route's GET, or a page above it: ``/…/screening/pass`` is posted from ``/…/screening``), their
URL parameters are filled from the records that a persona may see (a bid awaiting screening for the officer, an
award's agreement for its organisation, Lewisham's plan and returns for the borough user, a formula consultation
for the boroughs), and each page is fetched as that persona. Every POST form found there, as the app's own form
classes rendered it (and the autosave a form names), is then filled by hypothesis with hostile values (NUL and
control characters, huge and negative numbers, money that is not money, unicode, oversized text) beside the choices
the form offers, and posted with a valid CSRF token as that persona. Under TESTING an exception in a view is raised
here rather than answered 500, so a failure shows its traceback.

It runs with the rest of the suite, bounded: one page per route and a few examples per form (the CI profile).
``PORTAL_FUZZ=1`` gives the long run, fetching several pages per route (records in more states) with many examples
per form: ``PORTAL_FUZZ=1 pytest -n 0 tests/fuzz``.
"""

import os
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from portal.auth.pending import PENDING_KEY
from portal.database import utcnow
from portal.demo.seed import DEMO_DOMAIN, load_all_demo_data
from portal.extensions import db
from portal.models import User
from tests.client import parsed
from tests.conftest import reset_limits
from tests.fuzz.sources import FORM_PAGES, SOURCES

LONG_RUN = bool(os.environ.get("PORTAL_FUZZ"))
# Pages fetched for each posting route: the ones that render its form, and how many tries to find one.
PAGES_PER_ENDPOINT = 4 if LONG_RUN else 1
TRIES_PER_ENDPOINT = 60 if LONG_RUN else 20
ROWS_PER_PAGE = 16 if LONG_RUN else 8
TRACE = os.environ.get("PORTAL_FUZZ_TRACE")  # print each page fetched for the routes whose names contain this
# Forms posted per route (a route may render differently for records in different states).
FORMS_PER_ENDPOINT = 8 if LONG_RUN else 2
# Examples per form: the CI profile's few, or many on the long run.
EXAMPLES_PER_FORM = 100 if LONG_RUN else None
# Forms whose purpose is to end the session; posting them would only sign the persona out.
SKIPPED_ENDPOINTS = {"auth.sign_out"}

HOSTILE = (
    "\x00",
    "Peckham\x00 Street\x01 Mentors\x7f",
    "\x1b[31mred\x1b[0m\x07",
    "line one\r\nline two\ttabbed",
    "2147483648",
    "-2147483649",
    "99999999999999999999999999999999",
    "-1",
    "0",
    "1e400",
    "NaN",
    "-£12.50",
    "£-0.001",
    "£1,000,000,000,000,000",
    "twelve pounds",
    "0x1F",
    "١٢٣",
    "32 13 2027",
    "29 2 2027",
    '=HYPERLINK("http://example.com")',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "Zoë Ødegård — 東京 🚲 \u202e",
    "   ",
    "x" * 100_000,
)
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=1_000, max_value=20_000).map(lambda n: "é" * n),
)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, choice, multiple, hidden
    options: tuple[str, ...] = ()
    value: str = ""


@dataclass
class Form:
    persona: str | None  # who posts it: an email, PENDING + an email, or None for someone signed out
    action: str
    endpoint: str
    fields: list[Field] = field(default_factory=list)


def fields_of(form_tag) -> list[Field]:
    found: dict[str, Field] = {}
    for control in form_tag.select("input[name], textarea[name], select[name], button[name]"):
        name = control["name"]
        if name == "csrf_token":
            continue
        tag, kind = control.name, (control.get("type") or "text").lower()
        if tag == "select":
            options = tuple(option.get("value", option.get_text()) for option in control.select("option"))
            found[name] = Field(name, "choice", options)
        elif tag == "button" or kind == "submit":
            options = (*found[name].options, control.get("value", "")) if name in found else (control.get("value", ""),)
            found[name] = Field(name, "choice", options)
        elif kind in ("radio", "checkbox"):
            previous = found.get(name)
            options = (*previous.options, control.get("value", "y")) if previous else (control.get("value", "y"),)
            found[name] = Field(name, "multiple" if kind == "checkbox" else "choice", options)
        elif kind == "file":
            continue
        elif kind == "hidden":
            found[name] = Field(name, "hidden", value=control.get("value", ""))
        else:
            found[name] = Field(name, "text", value=control.get("value", "") if tag == "input" else control.text)
    return list(found.values())


def value_for(form_field: Field) -> st.SearchStrategy:
    if form_field.kind == "text":
        return st.one_of(hostile_text, st.just(form_field.value))
    if form_field.kind == "hidden":
        return st.one_of(st.just(form_field.value), st.just(form_field.value), hostile_text)
    if form_field.kind == "multiple":
        return st.one_of(st.lists(st.sampled_from(form_field.options), unique=True), st.lists(hostile_text, max_size=2))
    return st.one_of(st.sampled_from(form_field.options), st.sampled_from(form_field.options), hostile_text)


def strategy_for(form: Form) -> st.SearchStrategy:
    # Each field may also be left out altogether, as a hand-made request would.
    return st.fixed_dictionaries({}, optional={f.name: value_for(f) for f in form.fields})


STAFF = (f"officer@{DEMO_DOMAIN}", f"officer2@{DEMO_DOMAIN}", f"admin@{DEMO_DOMAIN}")
APPLICANTS = (f"cic@{DEMO_DOMAIN}", f"community@{DEMO_DOMAIN}", f"victimsupport@{DEMO_DOMAIN}")
PENDING = "pending:"  # a persona who has given the right password and not yet the second factor
# Forms that only one persona sees: the second approval of an award is given by another officer.
PERSONAS = {"awards.second_approval": (STAFF[1],)}


class Finder:
    """Fetches the pages that render each posting route's form, as a persona who may see them, and keeps the forms."""

    def __init__(self, app, client, tokens: dict[str, list[str]]):
        self.app, self.client = app, client
        self.adapter = app.url_map.bind("portal.test")
        self.rules: dict[str, list] = {}
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods:
                self.rules.setdefault(rule.endpoint, []).append(rule)
        self.by_path = {rule.rule: rule for rules in self.rules.values() for rule in rules}
        self.rows = {pattern_sql: self._query(pattern_sql[1]) for pattern_sql in SOURCES}
        self.members = self._members()
        self.tokens = tokens
        self.fetched: dict[tuple, tuple[int, list[Form]]] = {}
        self.signed_in_as: object = object()
        self.fetches = 0

    @staticmethod
    def _query(sql: str) -> list[dict]:
        now = {"now": utcnow()} if ":now" in sql else {}
        return [dict(row) for row in db.session.execute(sa.text(sql), now).mappings()]

    @staticmethod
    def _members() -> dict[int, list[str]]:
        members: dict[int, list[str]] = {}
        query = sa.text(
            "SELECT m.organisation_id, u.email FROM membership m JOIN user_account u ON u.id = m.user_id "
            "ORDER BY m.role = 'owner' DESC, u.id"
        )
        for organisation_id, email in db.session.execute(query):
            members.setdefault(organisation_id, []).append(email)
        return members

    def pages_for(self, endpoint: str, post_rule) -> list:
        """The GET routes that may render ``endpoint``'s form: itself, the pages above it, and any named."""
        pages = list(self.rules.get(endpoint, []))
        path = post_rule.rule
        while "/" in path.strip("/"):
            path = path.rsplit("/", 1)[0]
            if path in self.by_path:
                pages.append(self.by_path[path])
        pages += [rule for name in FORM_PAGES.get(endpoint, []) for rule in self.rules[name]]
        return pages

    def urls_for(self, rule) -> list[tuple[str, dict]]:
        """URLs for ``rule`` filled from the records, one per state first, then the rest."""
        needed = set(rule.arguments)
        if not needed:
            return [(rule.rule, {})]
        if needed == {"token"}:
            kind = "reset" if "reset" in rule.rule else "invitation" if "invitation" in rule.rule else None
            return [(self.adapter.build(rule.endpoint, {"token": t}), {}) for t in self.tokens.get(kind, [])]
        by_state: dict[tuple, list] = {}
        for (pattern, sql), rows in self.rows.items():
            if not re.search(pattern, rule.rule):
                continue
            for row in rows:
                if needed <= row.keys() and all(row[name] is not None for name in needed):
                    by_state.setdefault((sql, row["state"]), []).append(row)
        ordered, seen = [], set()
        for depth in range(max((len(rows) for rows in by_state.values()), default=0)):
            for rows in by_state.values():
                if depth < len(rows):
                    values = {name: rows[depth][name] for name in needed}
                    key = tuple(sorted(values.items()))
                    if key not in seen:
                        seen.add(key)
                        ordered.append((self.adapter.build(rule.endpoint, values), rows[depth]))
        return ordered

    def personas_for(self, rule, row: dict, endpoint: str) -> list[str | None]:
        if endpoint in PERSONAS:
            return list(PERSONAS[endpoint])
        if row.get("who"):
            return [db.session.get(User, row["who"]).email]
        if rule.rule.startswith("/staff/"):
            return list(STAFF)
        if rule.rule.startswith(("/organisations/", "/applications/", "/funding/")):
            if "organisation_id" in row:
                return [*self.members.get(row["organisation_id"], [])[:2], STAFF[0]]
            return list(APPLICANTS)
        if rule.endpoint in ("auth.security_code", "auth.recovery_code"):
            return [PENDING + STAFF[0]]
        if rule.rule.startswith(("/account", "/confirm-email")):
            return [f"cic@{DEMO_DOMAIN}", STAFF[0], *self.tokens.get("unconfirmed", [])]
        return [None]

    def fetch(self, url: str, persona: str | None) -> tuple[int, list[Form]]:
        if (url, persona) in self.fetched:
            return self.fetched[(url, persona)]
        if self.signed_in_as != persona:
            sign_in(self.client, persona)
            self.signed_in_as = persona
        self.fetches += 1
        response = self.client.get(url)
        assert response.status_code < 500, url
        forms = []
        if response.status_code == 200 and "html" in response.content_type:
            forms = self.forms_on(parsed(response.data), url, persona)
        self.fetched[(url, persona)] = (response.status_code, forms)
        return self.fetched[(url, persona)]

    def forms_on(self, page, url: str, persona: str | None) -> list[Form]:
        forms = []
        for form_tag in page.select("form"):
            if (form_tag.get("method") or "get").lower() != "post":
                continue
            fields = fields_of(form_tag)
            for target in (form_tag.get("action") or url, form_tag.get("data-autosave-url")):
                if not target:
                    continue
                action = urlsplit(urljoin(url, target))
                try:
                    endpoint, _ = self.adapter.match(action.path, method="POST")
                except (NotFound, MethodNotAllowed):
                    continue
                if endpoint not in SKIPPED_ENDPOINTS:
                    action_url = action.path + (f"?{action.query}" if action.query else "")
                    forms.append(Form(persona, action_url, endpoint, fields))
        return forms

    def find(self, endpoint: str, post_rule) -> list[Form]:
        """Forms that post to ``endpoint``, from up to PAGES_PER_ENDPOINT pages that render one.

        Each page that may render it is tried with records in different states; a record's page is tried as the
        next persona only when the one before may not see it.
        """
        found: list[Form] = []
        pages, tries = 0, 0
        for page_rule in self.pages_for(endpoint, post_rule):
            for url, row in self.urls_for(page_rule)[:ROWS_PER_PAGE]:
                for persona in self.personas_for(page_rule, row, endpoint):
                    if tries >= TRIES_PER_ENDPOINT or pages >= PAGES_PER_ENDPOINT:
                        return found
                    tries += 1
                    status, forms = self.fetch(url, persona)
                    if TRACE and TRACE in endpoint:
                        print(endpoint, url, persona, status, sorted({form.endpoint for form in forms}))
                    posting = [form for form in forms if form.endpoint == endpoint]
                    if posting:
                        pages += 1
                        found += posting
                    if status != 403 and (status != 404 or page_rule.rule.startswith("/staff/")):
                        break
        return found


def sign_in(client, persona: str | None) -> None:
    client.sign_out()
    if persona is None:
        return
    user = db.session.scalar(sa.select(User).where(User.email == persona.removeprefix(PENDING)))
    if persona.startswith(PENDING):
        with client.session_transaction() as session:
            session[PENDING_KEY] = {
                "user": user.id,
                "version": user.session_version,
                "at": int(time.time()),
                "next": None,
            }
    else:
        client.sign_in(user)


def fuzz(client, form: Form, token: str) -> int:
    """Post the form with hypothesis's examples; the number of cases posted."""
    cases = 0

    more = {"max_examples": EXAMPLES_PER_FORM} if EXAMPLES_PER_FORM else {}

    @settings(deadline=None, suppress_health_check=list(HealthCheck), database=None, **more)
    @given(data=strategy_for(form))
    def post(data):
        nonlocal cases
        cases += 1
        reset_limits()  # the sign-in limits would otherwise answer 429 before the form is read
        response = client.post(form.action, data={**data, "csrf_token": token})
        assert response.status_code < 500, (form.persona, form.action, data)

    post()
    return cases


def records_the_demo_lacks() -> dict[str, list[str]]:
    """Records in states the demo does not show, made by the factories, so their forms are reached too; and the
    links that would be sent by email."""
    from portal.auth import tokens
    from portal.lcpf import consultation, versions
    from portal.models import (
        ApplicationStatus,
        DecisionOutcome,
        Invitation,
        LocalAuthority,
        MembershipRole,
        Organisation,
        PlanStatus,
        Question,
    )
    from portal.periods import today_in_london
    from tests.factories import create_member, create_organisation, create_user
    from tests.factories_assessment import (
        assign,
        bid_in_review,
        create_assessed_round,
        create_bid,
        decided_bid,
        moderated_bid,
        score,
    )
    from tests.factories_boroughs import create_borough_allocation, create_plan
    from tests.factories_outcomes import draft_framework
    from tests.lcpf_support import import_real_files, parameters

    def demo_user(name: str) -> User:
        return db.session.scalar(sa.select(User).where(User.email == f"{name}@{DEMO_DOMAIN}"))

    officer, reviewers = demo_user("officer"), [demo_user("reviewer"), demo_user("reviewer2")]
    # Bids at each step of assessment: awaiting screening, in screening, reviewed, moderated, funded, on reserve.
    round_ = create_assessed_round("Fuzzed round")
    create_bid(round_, status=ApplicationStatus.SCREENING)
    assign(bid_in_review(round_, officer), reviewers[1], officer)
    reviewed = bid_in_review(round_, officer)
    for reviewer in reviewers:
        score(assign(reviewed, reviewer, officer), {"Need": 4, "Delivery": 3})
    moderated_bid(round_, officer, reviewers)
    decided_bid(round_, officer, reviewers, outcome=DecisionOutcome.RESERVE)
    decided_bid(round_, officer, reviewers)
    create_organisation("Unverified Safer Streets Board", verified=False)
    round_.questions[-1].archived_at = utcnow()
    db.session.scalars(sa.select(Question).where(Question.round_id.is_(None))).first().archived_at = utcnow()
    invitation_token, token_hash = tokens.new_random_token()
    db.session.add(
        Invitation(
            organisation=demo_user("cic").memberships[0].organisation,
            email="fuzz-invited@example.org",
            role=MembershipRole.EDITOR,
            token_hash=token_hash,
            invited_by=demo_user("cic"),
            expires_at=utcnow() + timedelta(days=7),
        )
    )
    # Councils with someone to sign in: one with no plan yet, one drafting, one whose plan awaits an officer.
    councils = db.session.scalars(
        sa.select(Organisation)
        .join(LocalAuthority, Organisation.local_authority_id == LocalAuthority.id)
        .where(Organisation.organisation_type == "borough", LocalAuthority.name.in_(["Greenwich", "Hackney", "Newham"]))
        .order_by(LocalAuthority.name)
    ).all()
    create_borough_allocation(councils[0].local_authority.name, confirmed_on=None)
    for council, status in zip(councils, (None, PlanStatus.DRAFT, PlanStatus.SUBMITTED), strict=True):
        create_member(council)
        if status is not None:
            create_plan(council, status=status, projects=2)
    # A formula version drafted and one open for consultation, with a borough's response.
    import_real_files(officer)
    versions.create_draft("Fuzzed draft", parameters(), officer)
    consulted = versions.create_draft("Fuzzed consultation", parameters(13_500_000), officer)
    consultation.open_consultation(consulted, consultation.default_closing_date(today_in_london()), officer)
    # A draft of the next outcomes framework (the demo's is published, so its outcomes can no longer change).
    draft_framework(officer, outcomes=(), title="Fuzzed outcomes framework")  # starts from the published outcomes
    db.session.commit()

    made: dict[str, list[str]] = {}
    resetting = create_user(email="fuzz-reset@example.org")
    made["reset"] = [
        tokens.make_token(
            tokens.PASSWORD_RESET,
            {"user": resetting.id, "fingerprint": tokens.password_fingerprint(resetting.password_hash)},
        )
    ]
    made["invitation"] = [invitation_token]
    made["unconfirmed"] = [create_user(email="fuzz-unconfirmed@example.org", confirmed=False).email]
    db.session.commit()
    return made


@pytest.fixture
def demo(app, capsys):
    started = time.monotonic()
    load_all_demo_data()
    db.session.commit()
    with app.test_request_context():
        made = records_the_demo_lacks()
    with capsys.disabled():
        print(f"\ndemo data loaded in {time.monotonic() - started:.0f}s")
    return made


@pytest.mark.long
def test_no_form_answers_any_input_with_a_server_error(app, client, demo, capsys):
    started = time.monotonic()
    finder = Finder(app, client, demo)
    posting = {rule.endpoint: rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    for name in SKIPPED_ENDPOINTS:
        posting.pop(name)
    forms: dict[tuple, Form] = {}
    per_endpoint: dict[str, int] = {}
    for endpoint, rule in sorted(posting.items()):
        for form in finder.find(endpoint, rule):
            key = (form.endpoint, tuple(sorted(f.name for f in form.fields)))
            if key not in forms and per_endpoint.get(form.endpoint, 0) < FORMS_PER_ENDPOINT:
                forms[key] = form
                per_endpoint[form.endpoint] = per_endpoint.get(form.endpoint, 0) + 1
    found = time.monotonic() - started
    reached = set(per_endpoint)

    cases = 0
    for form in forms.values():
        sign_in(client, form.persona)
        cases += fuzz(client, form, client.csrf_token())
    with capsys.disabled():
        print(
            f"\nfuzzed {len(forms)} forms ({len(reached)} of {len(posting)} posting endpoints) with {cases} cases "
            f"in {time.monotonic() - started:.0f}s ({finder.fetches} pages fetched in {found:.0f}s); "
            f"not reached: {sorted(set(posting) - reached)}"
        )
    # What is reached is printed above; this guards against a change that silently loses forms.
    assert len(reached) >= 120, sorted(reached)
