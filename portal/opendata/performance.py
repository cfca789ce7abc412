"""How each published award is doing, from accepted returns only: one row per accepted return with what was spent,
how many people were helped and the ratings given by the published rules (each rating as a word)."""

import sqlalchemy as sa

from portal import exports
from portal.directory.published import is_published, performance_history
from portal.extensions import db
from portal.models import Award
from portal.money import pounds_figure
from portal.opendata.threesixty import grant_id
from portal.periods import LONDON

COLUMNS = [
    "Grant Identifier",
    "Grant Title",
    "Recipient Org:Name",
    "Period",
    "Period Start",
    "Period End",
    "Spend (GBP)",
    "Expected Spend (GBP)",
    "People Helped",
    "Delivery Rating",
    "Spend Rating",
    "Timeliness Rating",
    "Overall Rating",
    "Accepted On",
]


def performance_rows() -> list[dict]:
    awards = list(db.session.scalars(sa.select(Award).where(is_published()).order_by(Award.reference, Award.id)))
    history = performance_history([award.id for award in awards])
    rows = []
    for award in awards:
        for record in history[award.id]:
            return_ = record.return_
            rows.append(
                {
                    "Grant Identifier": grant_id(award),
                    "Grant Title": award.title,
                    "Recipient Org:Name": award.organisation.name,
                    "Period": return_.label,
                    "Period Start": return_.period_start.isoformat(),
                    "Period End": return_.period_end.isoformat(),
                    "Spend (GBP)": pounds_figure(return_.spend_pence),
                    "Expected Spend (GBP)": pounds_figure(record.profile_pence),
                    "People Helped": "" if return_.people_helped is None else return_.people_helped,
                    "Delivery Rating": record.delivery.label if record.delivery else "Not rated",
                    "Spend Rating": record.spend.label,
                    "Timeliness Rating": record.timeliness.label,
                    "Overall Rating": record.overall.label,
                    "Accepted On": return_.accepted_at.astimezone(LONDON).date().isoformat()
                    if return_.accepted_at
                    else "",
                }
            )
    return rows


def rows_csv(rows: list[dict]) -> str:
    return exports.csv_dict_text(COLUMNS, rows)
