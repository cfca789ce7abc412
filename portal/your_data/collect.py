"""Everything the portal holds about one person, read from the tables themselves.

Rather than a hand-kept list, the tables are read from the models' metadata: every row that points at the person's
account (any column that refers to ``user_account``), every row holding their email address, the audit events
by them or about them, and the messages that mention their email address or name. A table added later is covered
without a change here, and ``tests/integration/test_your_data.py`` checks that every column holding an email
address is listed below.

What is written out keeps the person's own facts and hides everyone else's: another person's account, email
address or name becomes "another person", links in emails that act for someone are hidden, and no secret is ever
written (password and recovery code hashes, the authenticator key, session tokens), only facts about them.
"""

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.email.masking import LIVE_LINK, MASK
from portal.extensions import db
from portal.models import User

ANOTHER_PERSON = "[another person]"
ANOTHER_EMAIL = "[another person's email address]"

# Columns that hold an email address: the rows whose address is the person's are theirs.
EMAIL_COLUMNS = frozenset(
    {
        ("user_account", "email"),
        ("alert_subscription", "email"),
        ("outbound_message", "to_address"),
        ("invitation", "email"),
        ("application", "contact_email"),
        ("personal_data_export", "subject_email"),
        # A service's public contact address: a person's own is refused, but one typed in before that rule is theirs.
        ("service_contact", "email"),
    }
)
# Rows that belong to a row found by email address: the alerts sent to a subscription.
CHILDREN_OF_EMAIL_ROWS = {("alert_sent", "subscription_id"): "alert_subscription"}
# Names typed in for a person: kept when they are the person's own name, hidden otherwise.
NAME_COLUMNS = frozenset(
    {
        ("user_account", "full_name"),
        ("application", "contact_name"),
        ("grant_agreement", "signatory_name"),
        ("personal_data_export", "subject_name"),
    }
)
# Free text written to or about people, searched for the person's email address and name.
MESSAGE_COLUMNS = (
    ("dialogue_message", "body"),
    ("dialogue_thread", "subject"),
    ("dialogue_thread", "lesson_summary"),
    ("return_query", "question"),
    ("return_query", "answer"),
    ("lcpf_response", "body"),
    ("lcpf_response", "officer_reply"),
    ("outbound_message", "body"),
)
# Never written out, whoever asks: secrets, and what would let someone act as the person.
SECRET_COLUMNS = frozenset({"password_hash", "totp_secret", "totp_last_step", "session_version"})

DESCRIPTIONS = {
    "user_account": "Your account: name, email address, role, when it was made and confirmed, last sign-in, "
    "whether an authenticator app is set up (never its key) and any sign-in pause",
    "membership": "The organisations you belong to and your role in each",
    "user_session": "Where you are signed in: when each session started and was last used, the browser and "
    "address (never the session's token)",
    "recovery_code": "Your second factor's recovery codes: which were used and when (never the codes)",
    "audit_event": "The audit log's events about you or done by you, including sign-ins",
    "alert_subscription": "Email alerts of new funding rounds sent to your address",
    "alert_sent": "Each alert of a new funding round sent to you",
    "outbound_message": "Emails the portal sent to you (links that act for you are hidden)",
    "invitation": "Invitations to join an organisation sent to your address, or sent by you",
    "application": "Bids you started, submitted or are the contact for",
    "answer": "Answers to bid questions that you last edited",
    "uploaded_file": "Files you uploaded (their names and sizes; the files stay with the bid)",
    "monitoring_return": "Returns on awards that you submitted or accepted",
    "dialogue_message": "Messages you wrote to or from the grant officers",
    "dialogue_thread": "Conversations you started",
    "personal_data_export": "Downloads of your data, this one included",
    "mentions": "Messages and emails that mention your email address or name",
}


@dataclass
class Subject:
    """The person: their email address, their account if they have one, and the names to look for."""

    email: str
    user: User | None
    extra_name: str | None = None

    @property
    def names(self) -> list[str]:
        names = [self.user.full_name] if self.user is not None else []
        if self.extra_name and self.extra_name.strip().lower() not in {n.lower() for n in names}:
            names.append(self.extra_name.strip())
        # A short name ("Al") would be found inside too many words to mean anything.
        return [name.strip() for name in names if len(name.strip()) >= 4]


@dataclass
class Section:
    """One kind of record: one JSON and one CSV file in the download."""

    name: str
    description: str
    rows: list[dict[str, Any]] = field(default_factory=list)


def find_subject(email: str, name: str | None = None) -> Subject:
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    return Subject(email=email, user=user, extra_name=name)


def collect(subject: Subject, on_table: Callable[[int, int], None] | None = None) -> list[Section]:
    """Every section with at least one record, the account first and the mentions last. ``on_table(done, total)``
    is told as each table is read, for a progress bar."""
    writer = _RowWriter(subject)
    tables = [table for table in db.metadata.sorted_tables if _conditions(table, subject, {})]
    sections: dict[str, Section] = {}
    matched_ids: dict[str, list[int]] = {}
    for done, table in enumerate(sorted(tables, key=_account_first), start=1):
        conditions = _conditions(table, subject, matched_ids)
        query = sa.select(table).where(sa.or_(*conditions))
        primary_key = list(table.primary_key.columns)
        if primary_key:
            query = query.order_by(*primary_key)
        rows = db.session.execute(query).all()
        if rows:
            sections[table.name] = Section(
                table.name,
                DESCRIPTIONS.get(table.name, f"Records about you in the portal's {table.name.replace('_', ' ')}"),
                [writer.row(table, row) for row in rows],
            )
            if "id" in table.columns:
                matched_ids[table.name] = [row._mapping["id"] for row in rows]
        if on_table:
            on_table(done, len(tables))
    mentions = [writer.mention(*found) for found in _mentions(subject)]
    if mentions:
        sections["mentions"] = Section("mentions", DESCRIPTIONS["mentions"], mentions)
    return list(sections.values())


def _account_first(table: sa.Table) -> tuple[int, int]:
    # Parents before children (sorted_tables' order), so alerts sent follow the subscriptions they belong to.
    return (0 if table.name == "user_account" else 1, db.metadata.sorted_tables.index(table))


def _user_columns(table: sa.Table) -> list[sa.Column]:
    return [
        column
        for column in table.columns
        if any(key.column.table.name == "user_account" for key in column.foreign_keys)
    ]


def _conditions(table: sa.Table, subject: Subject, matched_ids: dict[str, list[int]]) -> list:
    """What makes a row of this table the person's; none when the table holds nothing about people."""
    conditions = []
    user_id = subject.user.id if subject.user is not None else None
    if user_id is not None:
        if table.name == "user_account":
            conditions.append(table.c.id == user_id)
        conditions += [column == user_id for column in _user_columns(table)]
        if table.name == "audit_event":
            conditions.append(sa.and_(table.c.subject_type == "user_account", table.c.subject_id == user_id))
    conditions += [
        sa.func.lower(column) == subject.email for column in table.columns if (table.name, column.name) in EMAIL_COLUMNS
    ]
    for (child, column_name), parent in CHILDREN_OF_EMAIL_ROWS.items():
        if table.name == child:
            # A placeholder before the parent is read, so the table is counted; the real ids once it has been.
            conditions.append(table.c[column_name].in_(matched_ids.get(parent, [])))
    return conditions


def _like(term: str) -> str:
    return "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _mentions(subject: Subject) -> Iterable[tuple[str, int, str, str]]:
    """(table, id, column, text) of each message that mentions the person's email address or one of their names
    as a whole word. Emails sent to the person are in their own file already."""
    terms = [subject.email, *subject.names]
    whole_word = re.compile("|".join(rf"(?<!\w){re.escape(term)}(?!\w)" for term in terms), re.IGNORECASE)
    tables = {table.name: table for table in db.metadata.sorted_tables}
    for table_name, column_name in MESSAGE_COLUMNS:
        table = tables.get(table_name)
        if table is None or column_name not in table.columns:
            continue
        column = table.c[column_name]
        found = sa.or_(*(sa.func.lower(column).like(_like(term), escape="\\") for term in terms))
        if table_name == "outbound_message":
            found = sa.and_(found, sa.func.lower(table.c.to_address) != subject.email)
        for row_id, text in db.session.execute(sa.select(table.c.id, column).where(found).order_by(table.c.id)):
            if whole_word.search(text or ""):
                yield table_name, row_id, column_name, text


EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


class _RowWriter:
    """Turns rows into plain values, keeping the person's facts and hiding everyone else's."""

    def __init__(self, subject: Subject) -> None:
        self.subject = subject
        self.user_id = subject.user.id if subject.user is not None else None
        self.own_names = {name.lower() for name in subject.names}
        self._organisation_names: dict[int, str | None] = {}

    def row(self, table: sa.Table, row: sa.Row) -> dict[str, Any]:
        values = row._mapping
        user_columns = {column.name for column in _user_columns(table)}
        out: dict[str, Any] = {}
        for column in table.columns:
            if _is_secret(column):
                continue
            value = values[column]
            key = (table.name, column.name)
            if value is not None and (
                (column.name in user_columns and value != self.user_id)
                or (key in NAME_COLUMNS and str(value).strip().lower() not in self.own_names)
            ):
                value = ANOTHER_PERSON
            elif value is not None and key in EMAIL_COLUMNS and str(value).strip().lower() != self.subject.email:
                value = ANOTHER_EMAIL
            out[column.name] = self.plain(value)
            if value is not None and any(fk.column.table.name == "organisation" for fk in column.foreign_keys):
                out[column.name.removesuffix("_id") + "_name"] = self.organisation_name(value)
        return out

    def mention(self, table_name: str, row_id: int, column_name: str, text: str) -> dict[str, Any]:
        return {"record": table_name, "record_id": row_id, "field": column_name, "text": self.plain(text)}

    def plain(self, value: Any) -> Any:
        if isinstance(value, str):
            return EMAIL_ADDRESS.sub(self._email_or_hidden, LIVE_LINK.sub(MASK, value))
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return {key: self.plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.plain(item) for item in value]
        return value

    def _email_or_hidden(self, match: re.Match) -> str:
        return match.group(0) if match.group(0).lower() == self.subject.email else ANOTHER_EMAIL

    def organisation_name(self, organisation_id: int) -> str | None:
        from portal.models import Organisation

        if organisation_id not in self._organisation_names:
            self._organisation_names[organisation_id] = db.session.scalar(
                sa.select(Organisation.name).where(Organisation.id == organisation_id)
            )
        return self._organisation_names[organisation_id]


def _is_secret(column: sa.Column) -> bool:
    return (
        column.name in SECRET_COLUMNS
        or column.name.endswith("_hash")
        or "token" in column.name
        or isinstance(column.type, sa.LargeBinary)
    )
