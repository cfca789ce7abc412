"""A small, fully known set of public and private funding for the dashboards and committee report tests.

Public: three approved awards with accepted returns for April to June 2025.
- "Southwark and Lambeth victims' advocacy": Lambeth and Southwark, £100,000.01 in 2025/26, victim support; spent
  £20,000 helping 40 people; one measure, 95 against a target of 100; submitted on time.
- "London-wide hate crime helpline": pan-London, £30,000 in 2025/26, victim support and violence reduction;
  spent £9,000 helping 10 people; submitted 20 days late.
- "Bromley youth violence outreach": Bromley, £40,000 in each of 2025/26 and 2026/27, in a second fund, violence
  reduction; spent £10,000 helping 50 people; a yearly target of 40 (10 a quarter), 12 achieved; on time.

Private, which must never show: an award awaiting approval ("Secret draft service", £999,999) and a return
submitted but not accepted (spend £777,777, 9,999 people helped).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    Fund,
    MeasureActual,
    MeasureBasis,
    Return,
    ReturnStatus,
    ServiceArea,
    StaffRole,
    User,
)
from portal.monitoring.returns import accept_return
from portal.monitoring.workflow import move_return
from tests.factories import create_organisation, create_user
from tests.factories_funding import create_fund
from tests.factories_monitoring import award_returns, create_award, create_measure, first_return

PRIVATE_MARKERS = ("Secret draft service", "999999", "999,999", "777777", "777,777", "9999", "9,999")


@dataclass
class Funding:
    officer: User
    victims_fund: Fund
    youth_fund: Fund
    advocacy: Award
    helpline: Award
    outreach: Award
    draft: Award


def report_return(return_: Return, officer: User, *, spend: int, people: int, actuals=(), days_late=0, accept=True):
    """Fill in a return as its organisation would, submit it ``days_late`` days after its due date and accept it."""
    return_.spend_pence, return_.people_helped, return_.progress = spend, people, "Sessions went ahead as planned."
    for measure, actual in actuals:
        return_.actuals.append(MeasureActual(measure_id=measure.id, actual=actual))
    move_return(return_, ReturnStatus.SUBMITTED, actor=officer)
    submitted = datetime.combine(return_.due_on + timedelta(days=days_late), time(12), tzinfo=UTC)
    return_.submitted_at = return_.first_submitted_at = submitted
    db.session.commit()
    if accept:
        accept_return(return_, officer)
    return return_


def _award(title, organisation, fund, officer, areas, **fields) -> Award:
    return create_award(organisation, officer=officer, title=title, fund=fund, service_areas=tuple(areas), **fields)


def create_funding() -> Funding:
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER, full_name="Tom Brennan")
    victims = create_fund("Victims' services", code="VS", service_areas=(ServiceArea.VICTIM_SUPPORT,))
    youth = create_fund("Youth violence fund", code="YV", service_areas=(ServiceArea.VIOLENCE_REDUCTION,))
    advocacy = _award(
        "Southwark and Lambeth victims' advocacy",
        create_organisation("South London Advocacy Trust"),
        victims,
        officer,
        (ServiceArea.VICTIM_SUPPORT,),
        end=date(2026, 3, 31),
        amounts_pence=(100_000_01,),
        boroughs=("Southwark", "Lambeth"),
    )
    helpline = _award(
        "London-wide hate crime helpline",
        create_organisation("Helpline London"),
        victims,
        officer,
        (ServiceArea.VICTIM_SUPPORT, ServiceArea.VIOLENCE_REDUCTION),
        end=date(2026, 3, 31),
        amounts_pence=(30_000_00,),
        boroughs=(),
        works_pan_london=True,
    )
    outreach = _award(
        "Bromley youth violence outreach",
        create_organisation("Bromley Youth Outreach", boroughs=("Bromley",)),
        youth,
        officer,
        (ServiceArea.VIOLENCE_REDUCTION,),
        amounts_pence=(40_000_00, 40_000_00),
        boroughs=("Bromley",),
    )
    draft = _award(
        "Secret draft service",
        create_organisation("Draft Organisation"),
        victims,
        officer,
        (ServiceArea.VICTIM_SUPPORT,),
        amounts_pence=(999_999_00,),
        boroughs=("Southwark",),
        status=AwardStatus.AWAITING_APPROVAL,
        with_schedule=False,
    )
    db.session.commit()

    advocates = create_measure(advocacy, "Victims supported", unit="victims", target=100)
    outreach_measure = create_measure(
        outreach, "Young people reached", unit="young people", target=40, basis=MeasureBasis.YEAR
    )
    advocacy_returns = award_returns(advocacy)
    report_return(advocacy_returns[0], officer, spend=20_000_00, people=40, actuals=[(advocates, 95)])
    report_return(
        advocacy_returns[1], officer, spend=777_777_00, people=9_999, actuals=[(advocates, 9_999)], accept=False
    )
    report_return(first_return(helpline), officer, spend=9_000_00, people=10, days_late=20)
    report_return(first_return(outreach), officer, spend=10_000_00, people=50, actuals=[(outreach_measure, 12)])
    return Funding(officer, victims, youth, advocacy, helpline, outreach, draft)
