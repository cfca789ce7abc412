"""Email alerts of new funding rounds: subscribe, confirm by a signed link, unsubscribe in one click, and an
alert for each published round sent exactly once to each subscriber it matches."""

import sqlalchemy as sa
from flask import current_app

from portal.auth import tokens
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import AlertSent, AlertSubscription, FundServiceArea, LocalAuthority, Round, ServiceArea
from portal.models.funding import round_borough
from portal.template_helpers import external_url

CONFIRM = "alert-confirm"
UNSUBSCRIBE = "alert-unsubscribe"
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 365 * 10  # links in old alerts keep working


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def subscribe(email: str, service_area: ServiceArea | None, borough: LocalAuthority | None) -> AlertSubscription:
    """Record a subscription waiting for confirmation and email the link. Asking again for the same alerts sends
    a fresh link rather than a second subscription; an active one is left as it is (and is told nothing new)."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise DomainError("Enter an email address in the correct format, like name@example.org", field="email")
    existing = db.session.scalar(
        sa.select(AlertSubscription)
        .where(
            AlertSubscription.email == email,
            AlertSubscription.service_area.is_(None)
            if service_area is None
            else AlertSubscription.service_area == service_area,
            AlertSubscription.local_authority_id.is_(None)
            if borough is None
            else AlertSubscription.local_authority_id == borough.id,
        )
        .order_by(AlertSubscription.id.desc())
        .limit(1)
    )
    if existing is not None and existing.is_active:
        queue_email(email, "alerts_already_subscribed", subscription=existing, **_links(existing))
        db.session.commit()
        return existing
    subscription = existing or AlertSubscription(email=email, service_area=service_area, local_authority=borough)
    subscription.unsubscribed_at = None
    subscription.confirmed_at = None
    db.session.add(subscription)
    db.session.flush()
    queue_email(email, "alerts_confirm", subscription=subscription, **_links(subscription))
    db.session.commit()
    return subscription


def _links(subscription: AlertSubscription) -> dict[str, str]:
    return {
        "confirm_url": external_url(
            "directory.confirm_alerts", token=tokens.make_token(CONFIRM, {"s": subscription.id})
        ),
        "unsubscribe_url": unsubscribe_url(subscription),
    }


def unsubscribe_url(subscription: AlertSubscription) -> str:
    token = tokens.make_token(UNSUBSCRIBE, {"s": subscription.id, "e": subscription.email})
    return external_url("directory.unsubscribe_alerts", token=token)


def confirm(token: str) -> AlertSubscription:
    payload = tokens.read_token(CONFIRM, token, current_app.config["ALERT_CONFIRMATION_MAX_AGE"])
    subscription = db.session.get(AlertSubscription, payload["s"]) if payload else None
    if subscription is None:
        raise DomainError("This link has expired or is not right. Ask for alerts again to get a new link")
    if subscription.unsubscribed_at is not None:
        raise DomainError("You have unsubscribed from these alerts. Ask for alerts again if you want them back")
    if subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
        db.session.commit()
    return subscription


def unsubscribe(token: str) -> AlertSubscription:
    """Stop the alerts. Following the link again is harmless."""
    payload = tokens.read_token(UNSUBSCRIBE, token, UNSUBSCRIBE_MAX_AGE)
    subscription = db.session.get(AlertSubscription, payload["s"]) if payload else None
    if payload is None or subscription is None or subscription.email != payload.get("e"):
        raise DomainError("This unsubscribe link is not right. Copy the whole link from the email")
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = utcnow()
        db.session.commit()
    return subscription


def matching_subscriptions(round_: Round) -> sa.Select:
    """Active subscriptions whose service area and borough (when they chose them) fit the round."""
    areas = sa.select(FundServiceArea.service_area).where(FundServiceArea.fund_id == round_.fund_id)
    boroughs = sa.select(round_borough.c.local_authority_id).where(round_borough.c.round_id == round_.id)
    london_wide = not round_.boroughs
    query = sa.select(AlertSubscription).where(
        AlertSubscription.confirmed_at.is_not(None),
        AlertSubscription.unsubscribed_at.is_(None),
        sa.or_(AlertSubscription.service_area.is_(None), AlertSubscription.service_area.in_(areas)),
    )
    if not london_wide:
        query = query.where(
            sa.or_(AlertSubscription.local_authority_id.is_(None), AlertSubscription.local_authority_id.in_(boroughs))
        )
    return query.order_by(AlertSubscription.id)


def send_round_alerts(round_id: int) -> int:
    """Email every matching subscriber about a published round, once each: a subscriber already recorded as sent
    this round is skipped, and the record and the email are written in one transaction. Returns how many."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or not round_.is_published:
        return 0
    already = sa.select(AlertSent.subscription_id).where(AlertSent.round_id == round_.id)
    subscriptions = list(db.session.scalars(matching_subscriptions(round_).where(AlertSubscription.id.not_in(already))))
    for subscription in subscriptions:
        db.session.add(AlertSent(subscription_id=subscription.id, round_id=round_.id))
        queue_email(
            subscription.email,
            "alerts_new_round",
            round=round_,
            subscription=subscription,
            round_url=external_url("opportunities.round_page", round_id=round_.id),
            unsubscribe_url=unsubscribe_url(subscription),
        )
    db.session.commit()
    return len(subscriptions)
