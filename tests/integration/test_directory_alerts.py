"""Email alerts of new funding rounds: double opt-in, an alert per round sent exactly once to each matching
subscriber, one-click unsubscribe, and a rate limit on the form."""

import re

import sqlalchemy as sa

from portal.directory import alerts
from portal.extensions import db
from portal.models import AlertSent, AlertSubscription, ServiceArea
from tests.client import error_messages
from tests.factories import local_authority
from tests.factories_funding import create_fund
from tests.integration.rounds_support import create_officer, draft_round

LINK = re.compile(r"http://portal\.test(/alerts/[a-z-]+/[^\s]+)")


def links_in(message) -> list[str]:
    return LINK.findall(message.get_content())


def subscribe(client, mailbox, email="ada@example.org", **choices) -> str:
    """Ask for alerts through the form; returns the confirmation link's path."""
    response = client.post_form("/alerts", {"email": email, "service_area": "", "borough": "", **choices})
    assert response.location == "/alerts/check-your-email"
    message = mailbox.last_to(email)
    assert message["Subject"] == "Confirm your funding alerts"
    confirm = [link for link in links_in(message) if "/confirm/" in link]
    assert len(confirm) == 1
    return confirm[0]


def publish(client, round_) -> None:
    client.sign_in(create_officer(email=f"officer{round_.id}@example.org"))
    client.post_form(f"/staff/funds/rounds/{round_.id}/publish")
    client.sign_out()


def alerts_to(mailbox, email: str):
    return [m for m in mailbox.to(email) if m["Subject"].startswith("New funding round")]


def test_nothing_is_sent_until_the_link_is_followed_then_each_round_is_alerted_once(client, mailbox, run_jobs):
    confirm_link = subscribe(client, mailbox)
    fund = create_fund("VRU programmes", service_areas=(ServiceArea.VIOLENCE_REDUCTION,))
    first = draft_round(fund, title="Summer holiday programmes")
    publish(client, first)
    assert alerts_to(mailbox, "ada@example.org") == []  # not confirmed yet

    page = client.get_page(confirm_link)
    assert page.select_one("h1").get_text(strip=True) == "Your alerts have started"
    client.get_page(confirm_link)  # following it twice is harmless

    second = draft_round(fund, title="Winter youth programmes")
    publish(client, second)
    received = alerts_to(mailbox, "ada@example.org")
    assert [m["Subject"] for m in received] == ["New funding round: Winter youth programmes"]
    body = received[0].get_content()
    assert f"http://portal.test/funding/{second.id}" in body
    assert "Unsubscribe with one click" in body

    # Running the job again, as a retry would, sends nothing more.
    assert alerts.send_round_alerts(second.id) == 0
    run_jobs()
    assert len(alerts_to(mailbox, "ada@example.org")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AlertSent)) == 1


def test_unsubscribing_takes_one_click_and_stops_the_alerts(client, mailbox):
    client.get_page(subscribe(client, mailbox))
    fund = create_fund()
    publish(client, draft_round(fund, title="First round"))
    unsubscribe = next(link for link in links_in(alerts_to(mailbox, "ada@example.org")[0]) if "/unsubscribe/" in link)

    page = client.get_page(unsubscribe)
    assert page.select_one("h1").get_text(strip=True) == "You have unsubscribed"
    client.get_page(unsubscribe)  # again: still fine

    publish(client, draft_round(fund, title="Second round"))
    assert [m["Subject"] for m in alerts_to(mailbox, "ada@example.org")] == ["New funding round: First round"]


def test_alerts_follow_the_chosen_service_area_and_borough(client, mailbox):
    client.get_page(subscribe(client, mailbox, "vawg@example.org", service_area="vawg"))
    client.get_page(subscribe(client, mailbox, "lambeth@example.org", borough="E09000022"))
    client.get_page(subscribe(client, mailbox, "everything@example.org"))

    victims = create_fund("Victims' services", service_areas=(ServiceArea.VICTIM_SUPPORT, ServiceArea.VAWG))
    youth = create_fund("VRU programmes", service_areas=(ServiceArea.VIOLENCE_REDUCTION,))
    vawg_round = draft_round(victims, title="VAWG round")
    hackney_round = draft_round(youth, title="Hackney round")
    hackney_round.boroughs = [local_authority("Hackney")]
    lambeth_round = draft_round(youth, title="Lambeth round")
    lambeth_round.boroughs = [local_authority("Lambeth")]
    db.session.commit()
    for round_ in (vawg_round, hackney_round, lambeth_round):
        publish(client, round_)

    def subjects(email):
        return sorted(m["Subject"].removeprefix("New funding round: ") for m in alerts_to(mailbox, email))

    assert subjects("vawg@example.org") == ["VAWG round"]
    assert subjects("lambeth@example.org") == ["Lambeth round", "VAWG round"]  # London-wide rounds too
    assert subjects("everything@example.org") == ["Hackney round", "Lambeth round", "VAWG round"]


def test_asking_twice_for_active_alerts_makes_no_second_subscription(client, mailbox):
    client.get_page(subscribe(client, mailbox))
    client.post_form("/alerts", {"email": "ADA@example.org", "service_area": "", "borough": ""})
    assert mailbox.last_to("ada@example.org")["Subject"] == "You already get these funding alerts"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AlertSubscription)) == 1


def test_a_forged_or_altered_link_is_refused(client, mailbox):
    confirm_link = subscribe(client, mailbox)
    page = client.get_page(confirm_link[:-3] + "abc", expected_status=400)
    assert page.select_one("h1").get_text(strip=True) == "This link does not work"
    client.get_page("/alerts/unsubscribe/not-a-token", expected_status=400)
    subscription = db.session.scalar(sa.select(AlertSubscription))
    assert subscription.confirmed_at is None


def test_the_form_explains_a_wrong_email_and_keeps_the_choices(client):
    page = client.post_form(
        "/alerts", {"email": "not an email", "service_area": "vawg", "borough": "E09000022"}, expected_status=200
    )
    assert "Enter an email address in the correct format" in error_messages(page)["email"]
    assert page.select_one("#service_area option[selected]")["value"] == "vawg"
    assert page.select_one("#borough option[selected]")["value"] == "E09000022"


def test_the_subscribe_form_is_rate_limited(client, mailbox):
    for number in range(5):
        client.post_form("/alerts", {"email": f"person{number}@example.org", "service_area": "", "borough": ""})
    client.post_form("/alerts", {"email": "one-more@example.org", "service_area": "", "borough": ""}, 429)
    assert mailbox.to("one-more@example.org") == []


def test_funding_opportunities_can_be_found_by_postcode_district(client):
    from tests.factories_funding import create_round

    london_wide = create_round(title="London-wide round")
    lambeth = create_round(title="Lambeth round")
    lambeth.boroughs = [local_authority("Lambeth")]
    hackney = create_round(title="Hackney round")
    hackney.boroughs = [local_authority("Hackney")]
    db.session.commit()

    def shown(url, status=200):
        page = client.get_page(url, expected_status=status)
        return page, sorted(a.get_text(strip=True) for a in page.select("main h2 a"))

    page, rounds = shown("/funding/?postcode=se5+9rs")  # Southwark, with Lambeth nearby
    assert rounds == sorted([london_wide.title, lambeth.title])
    assert "may be in any of these boroughs" in page.select_one(".govuk-inset-text").get_text()
    _, rounds = shown("/funding/?postcode=SE5&borough=E09000028")  # only Southwark
    assert rounds == [london_wide.title]
    page, _ = shown("/funding/?postcode=ZZ9", 400)
    assert "We do not know the postcode district ZZ9" in page.select_one("#postcode-error").get_text()
