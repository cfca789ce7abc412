"""Demo outcomes framework, mapping and commissioning catalogue: the Police and Crime Plan's priorities published as
version 1, every demo award's measures and Lewisham's plan projects mapped to them, and catalogue entries for a few
real services. Safe to run again: it adds only what is missing, and maps only demo records nobody has mapped yet.
"""

import sqlalchemy as sa

from portal.demo.registry import demo_awards
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    DeliveryPlan,
    Measure,
    Organisation,
    OrganisationType,
    OutcomeFramework,
    OutcomeMapping,
    PlanProject,
    ServiceArea,
    User,
)
from portal.outcomes import catalogue, frameworks, mapping

TITLE = "Police and Crime Plan outcomes"
INTRODUCTION = (
    "The outcomes that the Mayor's Police and Crime Plan for London sets for the money MOPAC and the Violence "
    "Reduction Unit commission. Every funded service's measures, and every borough's London Crime Prevention Fund "
    "project, count towards one of them, so Londoners can see what the funding achieves for each."
)
OUTCOMES = (
    (
        "Fewer victims of violence",
        "Less violence in London, and fewer people hurt by it: fewer knife and gun injuries, fewer assaults, and "
        "communities that feel safer.",
    ),
    (
        "Victims supported to cope and recover",
        "Victims of crime get the help they need, when they need it, and are supported through the criminal "
        "justice process so that they can cope and recover.",
    ),
    (
        "Reduced reoffending",
        "People who have offended are helped to stop: with housing, work, mentoring and treatment, fewer go on to "
        "offend again.",
    ),
    (
        "Violence against women and girls tackled",
        "Women and girls are safer at home, online and in public; perpetrators are held to account; survivors are "
        "believed and supported.",
    ),
    (
        "Young people safe from exploitation",
        "Children and young people are kept safe from criminal and sexual exploitation, county lines and gangs, "
        "and helped to leave them.",
    ),
)
# Which outcome a demo service's measures contribute to, from its first service area.
DEFAULT_OUTCOME = "Fewer victims of violence"  # for a service area the table below does not name
BY_SERVICE_AREA = {
    ServiceArea.VIOLENCE_REDUCTION: "Fewer victims of violence",
    ServiceArea.CRIME_PREVENTION: "Fewer victims of violence",
    ServiceArea.COMMUNITY_ENGAGEMENT: "Fewer victims of violence",
    ServiceArea.VICTIM_SUPPORT: "Victims supported to cope and recover",
    ServiceArea.HATE_CRIME: "Victims supported to cope and recover",
    ServiceArea.REDUCING_REOFFENDING: "Reduced reoffending",
    ServiceArea.VAWG: "Violence against women and girls tackled",
    ServiceArea.CHILDREN_AND_YOUNG_PEOPLE: "Young people safe from exploitation",
}

ENTRIES = {
    ("Victim Support", "London Victims and Witnesses Service"): {
        "purpose": (
            "Most victims of crime in London are never offered help beyond the police report. The service exists so "
            "that every victim referred by the Metropolitan Police, or who asks for help, has their needs assessed "
            "and is supported for as long as they need it."
        ),
        "need": (
            "Victims of any crime, and witnesses, who need emotional or practical support or help through the "
            "criminal justice process: about 130,000 referrals a year, most of them victims of violence, burglary "
            "or hate crime."
        ),
        "evidence": (
            "The Crime Survey for England and Wales finds that victims who get support are more likely to cope and "
            "to stay engaged with their case; MOPAC's victim needs assessment (2022) found that a third of London's "
            "victims were not offered any support."
        ),
        "measurement": (
            "The provider reports people supported and sessions delivered each quarter, which officers check "
            "against its case management records; a sample of victims is asked how far they feel able to cope and "
            "recover at the end of their support."
        ),
    },
    ("Safer London", "London Gang Exit Service"): {
        "purpose": (
            "Young Londoners who want to leave a gang rarely can on their own: they need safe housing, a way into "
            "education or work and someone who sticks with them. The service exists to give them that way out."
        ),
        "need": (
            "Young people aged 15 to 24 involved in gangs or serious youth violence, or at risk of exploitation, who "
            "want to leave, referred by youth offending services, probation, the police and boroughs."
        ),
        "evidence": (
            "Knife crime with injury among under-25s in London rose over the decade to 2024 (MPS recorded crime); "
            "the VRU's strategic needs assessment names gang exit support as a gap in most boroughs."
        ),
        "measurement": (
            "Each quarter the provider reports young people supported and one-to-one sessions; the VRU's follow-ups "
            "six and twelve months after support ends ask whether they have stayed out."
        ),
    },
    ("Redthread", "Youth workers in Major Trauma Centres"): {
        "purpose": (
            "A stay in hospital after a stabbing or an assault is a 'teachable moment'. The service places youth "
            "workers in London's major trauma centres to reach young people then, before they are hurt again or "
            "hurt someone else."
        ),
        "need": (
            "Young people aged 11 to 25 admitted with injuries from violence or exploitation, and their families."
        ),
        "evidence": (
            "NHS admissions data show that young people admitted after an assault are at much higher risk of being "
            "admitted again; independent evaluation of hospital youth work found fewer re-attendances."
        ),
        "measurement": (
            "The provider reports young people engaged and the sessions held with them each quarter; officers check "
            "them against hospital referrals."
        ),
    },
}


def load() -> str:
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    if officer is None:
        return "Outcomes demo: no demo officer, nothing loaded."
    made = _framework(officer)
    framework = frameworks.fetch_current()
    if framework is None or framework.title != TITLE:
        return "Outcomes demo: another framework is current, so the demo maps nothing."
    names = {o.name: o.id for o in framework.outcomes}
    measures = _map_measures(names, officer)
    projects = _map_projects(names, officer)
    entries = _entries(officer)
    return (
        f"Outcomes demo: framework {'published' if made else 'already there'}; {measures} measures and {projects} "
        f"borough projects mapped; {entries} catalogue entries published."
    )


def _framework(officer: User) -> bool:
    if db.session.scalar(sa.select(OutcomeFramework.id).limit(1)) is not None:
        return False
    draft = frameworks.start_draft(officer)
    frameworks.update_framework(draft, frameworks.FrameworkDetails(TITLE, INTRODUCTION), officer)
    for name, description in OUTCOMES:
        frameworks.add_outcome(draft, frameworks.OutcomeDetails(name, description), officer)
    frameworks.publish(draft.id, officer)
    return True


def _unmapped(*conditions: sa.ColumnElement[bool]) -> sa.Exists:
    return sa.select(OutcomeMapping.id).where(*conditions).exists()


def _map_measures(names: dict[str, int], officer: User) -> int:
    # An award approved by a later demo loader (the one awaiting its agreement) gets the monitoring demo's measures
    # here rather than at the next load, so that a second load maps nothing new.
    from portal.demo.monitoring import _measures as give_demo_measures

    mapped = 0
    for award in demo_awards(Award.status == AwardStatus.APPROVED):
        give_demo_measures(award)
        areas = sorted(award.service_areas, key=list(ServiceArea).index)
        outcome = BY_SERVICE_AREA.get(areas[0], DEFAULT_OUTCOME) if areas else DEFAULT_OUTCOME
        measures = db.session.scalars(
            sa.select(Measure)
            .where(Measure.award_id == award.id, ~_unmapped(OutcomeMapping.measure_id == Measure.id))
            .order_by(Measure.id)
        )
        for measure in list(measures):
            mapping.map_measure(measure, names[outcome], officer)
            mapped += 1
    return mapped


def _map_projects(names: dict[str, int], officer: User) -> int:
    from portal.demo.boroughs import PROJECTS

    projects = db.session.scalars(
        sa.select(PlanProject)
        .join(DeliveryPlan, DeliveryPlan.id == PlanProject.plan_id)
        .join(Organisation, Organisation.id == DeliveryPlan.organisation_id)
        .where(
            Organisation.organisation_type == OrganisationType.BOROUGH,
            Organisation.name == "London Borough of Lewisham",
            PlanProject.name.in_([spec.name for spec in PROJECTS]),
            DeliveryPlan.status.in_(mapping.MAPPED_PLAN_STATUSES),
            ~_unmapped(OutcomeMapping.plan_project_id == PlanProject.id),
        )
        .order_by(PlanProject.id)
    )
    mapped = 0
    for project in list(projects):
        areas = [ServiceArea(value) for value in project.service_areas if value in {a.value for a in ServiceArea}]
        areas.sort(key=list(ServiceArea).index)
        outcome = BY_SERVICE_AREA.get(areas[0], DEFAULT_OUTCOME) if areas else DEFAULT_OUTCOME
        mapping.map_project(project, names[outcome], officer)
        mapped += 1
    return mapped


def _entries(officer: User) -> int:
    published = 0
    for (organisation, title), fields in ENTRIES.items():
        award = next((a for a in demo_awards(Award.title == title) if a.organisation.name == organisation), None)
        if award is None or award.status is not AwardStatus.APPROVED or catalogue.fetch_entry(award.id) is not None:
            continue
        catalogue.save_draft(award, catalogue.EntryDetails(version=0, **fields), officer)
        catalogue.publish_entry(award, officer)
        published += 1
    return published
