"""Every kind of personal data the portal holds, declared once: what it is, why it is held, the lawful basis, who
it is shared with, how long it is kept and what happens when that time has passed.

This is the configuration. The retention job (:mod:`portal.privacy.enforcement`) enforces these periods and the
privacy notice (``/privacy``) is written from them, so the notice cannot say one thing while the portal does
another. Changing a period here changes both.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from config import Config


class OnExpiry(enum.StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"

    @property
    def label(self) -> str:
        return {"delete": "Deleted", "anonymise": "Personal details removed, the rest kept"}[self.value]


class LawfulBasis(enum.StrEnum):
    PUBLIC_TASK = "public_task"
    LEGAL_OBLIGATION = "legal_obligation"
    CONSENT = "consent"

    @property
    def label(self) -> str:
        return {
            "public_task": "Public task: UK GDPR Article 6(1)(e), our functions as the Mayor's Office for Policing "
            "and Crime",
            "legal_obligation": "Legal obligation: UK GDPR Article 6(1)(c), keeping accounts of public money",
            "consent": "Consent: UK GDPR Article 6(1)(a), which you can withdraw at any time",
        }[self.value]


@dataclass(frozen=True)
class Period:
    """``years`` or ``days`` after the moment named by ``after``; ``None`` of both means until that moment."""

    after: str
    years: int = 0
    days: int = 0

    @property
    def label(self) -> str:
        if self.years:
            amount = f"{self.years} year{'s' if self.years != 1 else ''}"
        elif self.days:
            amount = f"{self.days} day{'s' if self.days != 1 else ''}"
        else:
            return f"Until {self.after}"
        return f"{amount} after {self.after}"

    def cutoff(self, now: datetime) -> datetime:
        """Anything whose moment came before this has been kept for the whole period."""
        moment = now - timedelta(days=self.days)
        if self.years:
            # 29 February has no twin in most years: the 28th keeps the period whole.
            moment = moment.replace(year=moment.year - self.years, day=min(moment.day, 28 if moment.month == 2 else 31))
        return moment


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    what: str
    why: str
    basis: LawfulBasis
    shared_with: str
    period: Period
    on_expiry: OnExpiry
    # What is done when the period has passed, in plain words for the notice.
    expiry_detail: str


NOBODY_OUTSIDE = "Nobody outside MOPAC"
REVIEWERS = "Nobody outside MOPAC, except the independent reviewers assigned to a bid and the panel that decides it"

KINDS: tuple[Kind, ...] = (
    Kind(
        key="accounts",
        title="Your account",
        what="Your name, email address, password (stored so that it cannot be read), authenticator app and the "
        "organisations you belong to.",
        why="So that you can sign in and act for your organisation, and so that we know who did what.",
        basis=LawfulBasis.PUBLIC_TASK,
        shared_with="Colleagues in your organisation see your name and email address; nobody outside MOPAC",
        period=Period(after="you close your account or we erase it at your request"),
        on_expiry=OnExpiry.ANONYMISE,
        expiry_detail="Your name and email address are replaced by 'Former user' at once and you cannot sign in "
        "again. What you did for your organisation stays with the organisation under that name.",
    ),
    Kind(
        key="unconfirmed_accounts",
        title="Accounts never confirmed",
        what="The name and email address of an account whose email address was never confirmed.",
        why="So that you can finish setting up your account.",
        basis=LawfulBasis.PUBLIC_TASK,
        shared_with=NOBODY_OUTSIDE,
        period=Period(after="the account was made", days=30),
        on_expiry=OnExpiry.DELETE,
        expiry_detail="The account is deleted.",
    ),
    Kind(
        key="sign_in_events",
        title="Sign-in records",
        what="When you signed in or out, failed attempts, and the browser and internet address you signed in from.",
        why="To keep accounts secure and to look into misuse.",
        basis=LawfulBasis.PUBLIC_TASK,
        shared_with=NOBODY_OUTSIDE,
        period=Period(after="the sign-in", years=1),
        on_expiry=OnExpiry.DELETE,
        expiry_detail="The record is deleted.",
    ),
    Kind(
        key="emails_sent",
        title="Emails we send you",
        what="Copies of the emails the portal sends you: your address, the subject and the message.",
        why="To send them, and to check that they arrived.",
        basis=LawfulBasis.PUBLIC_TASK,
        shared_with="Our email delivery provider, only to deliver them",
        period=Period(after="the email was sent", days=90),
        on_expiry=OnExpiry.ANONYMISE,
        expiry_detail="The address, subject and message are removed; we keep only that an email was sent.",
    ),
    Kind(
        key="alert_subscriptions",
        title="Funding alerts",
        what="Your email address and the kinds of service and boroughs you asked to hear about.",
        why="To email you when a funding round opens that matches what you asked for.",
        basis=LawfulBasis.CONSENT,
        shared_with=NOBODY_OUTSIDE,
        period=Period(after="you unsubscribe"),
        on_expiry=OnExpiry.DELETE,
        expiry_detail="Your subscription is deleted.",
    ),
    Kind(
        key="unconfirmed_alerts",
        title="Funding alerts never confirmed",
        what="The email address given for funding alerts when the confirmation link was never followed.",
        why="So that you can confirm the subscription.",
        basis=LawfulBasis.CONSENT,
        shared_with=NOBODY_OUTSIDE,
        period=Period(after="you asked for alerts", days=30),
        on_expiry=OnExpiry.DELETE,
        expiry_detail="The subscription is deleted.",
    ),
    Kind(
        key="invitations",
        title="Invitations to join an organisation",
        what="The email address of someone invited to join an organisation.",
        why="So that the person invited can accept.",
        basis=LawfulBasis.PUBLIC_TASK,
        shared_with="Members of the organisation that sent the invitation",
        period=Period(after="the invitation expires", days=90),
        on_expiry=OnExpiry.DELETE,
        expiry_detail="The invitation is deleted.",
    ),
    Kind(
        key="data_downloads",
        title="Downloads of your data",
        what="A file of everything the portal holds about you, made when you ask for it (or when we answer a "
        "request you made to us another way), and the record that it was asked for: your name and email "
        "address, the request's reference and who made the file.",
        why="To give you your data, and to show that we answered your request.",
        basis=LawfulBasis.LEGAL_OBLIGATION,
        shared_with="Nobody but you, and the administrator who answers a request made outside the portal",
        period=Period(after="the download was asked for", years=1),
        on_expiry=OnExpiry.DELETE,
        expiry_detail=f"The record is deleted. The file itself is removed {Config.YOUR_DATA_DOWNLOAD_DAYS} days "
        "after it is ready, or at once when you close your account.",
    ),
    Kind(
        key="unsuccessful_bids",
        title="Unsuccessful and withdrawn bids",
        what="Everything written in a bid and the files sent with it, which may include information about the "
        "people a service helps, and the bid's contact name and email address.",
        why="To assess the bid, decide on it and answer questions or complaints about the decision.",
        basis=LawfulBasis.PUBLIC_TASK,
        shared_with=REVIEWERS,
        period=Period(after="the decision or the withdrawal", years=2),
        on_expiry=OnExpiry.ANONYMISE,
        expiry_detail="The answers, files and contact details are deleted. The bid's reference, amounts and the "
        "decision are kept, with the names of the people involved replaced.",
    ),
    Kind(
        key="unsubmitted_bids",
        title="Bids never submitted",
        what="What was written in a bid that was started but never sent, and its files.",
        why="So that you can finish and send the bid.",
        basis=LawfulBasis.PUBLIC_TASK,
        shared_with="Members of your organisation",
        period=Period(after="the bid was last changed", years=2),
        on_expiry=OnExpiry.DELETE,
        expiry_detail="The bid is deleted.",
    ),
    Kind(
        key="funded_bids",
        title="Funded bids, grant agreements and monitoring returns",
        what="The funded bid and its files, the name of the person who signed the grant agreement, what returns "
        "and follow-ups say about progress, risks, lessons and case studies, questions asked about them, and "
        "messages with officers about the grant.",
        why="To manage the grant, pay it, check that it delivers what was agreed and account for public money.",
        basis=LawfulBasis.LEGAL_OBLIGATION,
        shared_with="Nobody outside MOPAC. The published open data says what was funded, never who asked for it",
        period=Period(after="the grant ends", years=7),
        on_expiry=OnExpiry.ANONYMISE,
        expiry_detail="The bid's answers, files and contact details, the signatory's name, the returns' and "
        "follow-ups' narrative, questions and messages are removed. Amounts, payments and decisions are kept as "
        "the grants standard requires, with the names of the people involved replaced.",
    ),
    Kind(
        key="audit_trail",
        title="The record of who did what",
        what="Who made each decision, approval, payment and change in the portal, and when.",
        why="To account for decisions about public money and to look into mistakes and misuse.",
        basis=LawfulBasis.LEGAL_OBLIGATION,
        shared_with="Auditors of MOPAC's accounts",
        period=Period(after="the event", years=7),
        on_expiry=OnExpiry.ANONYMISE,
        expiry_detail="The record is kept, with the person's name and email address removed from it.",
    ),
)

# What the public pages and open-data files hold: said on the notice, and checked by the privacy crawl tests.
PUBLIC_DATA_STATEMENT = (
    "The public pages and open-data files say which organisations were funded, for what, how much and how the "
    "services are doing. They contain no personal data: no names, email addresses or anything said about a person."
)

CONTROLLER = "The Mayor's Office for Policing and Crime (MOPAC)"
CONTACT_EMAIL = "grants@example.org"


def kind(key: str) -> Kind:
    return next(each for each in KINDS if each.key == key)
