"""How each published award is doing, from accepted returns only: one row per accepted return with what was spent,
how many people were helped and the ratings given by the published rules (each rating as a word)."""

from collections.abc import Collection

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
    return [row for rows in rows_by_award().values() for row in rows]


def rows_by_award(award_ids: Collection[int] | None = None) -> dict[int, list[dict]]:
    """Each published award's rows, awards by reference: every award's, or those of ``award_ids`` (reading only
    those awards and their records)."""
    query = sa.select(Award).where(is_published()).order_by(Award.reference, Award.id)
    if award_ids is not None:
        query = query.where(Award.id.in_(award_ids))
    awards = list(db.session.scalars(query))
    history = performance_history([award.id for award in awards])
    by_award: dict[int, list[dict]] = {}
    for award in awards:
        rows: list[dict] = []
        by_award[award.id] = rows
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
    return by_award


def rows_csv(rows: list[dict], *, header: bool = True) -> str:
    """The rows as the performance file, or without ``header`` as a part of it."""
    return exports.csv_dict_text(COLUMNS, rows, header=header)
