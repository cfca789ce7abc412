"""Open-data files as last generated: what the public downloads, stamped with when it was made."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime
from portal.extensions import Model


class OpenDataFile(Model):
    __tablename__ = "open_data_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)  # e.g. "360giving.json"
    content_type: Mapped[str] = mapped_column(sa.String(60))
    # The file itself, and gzipped for clients that accept it: read only to send a file, never with the row.
    body: Mapped[str] = mapped_column(sa.Text, deferred=True)
    body_gzip: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    records: Mapped[int]  # grants, or rows, in the file
    # A hash of the published data the file was made from: unchanged data leaves the file (and its stamp) alone.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OpenDataFile {self.name} {self.generated_at:%Y-%m-%dT%H:%M}>"


class OpenDataGrant(Model):
    """One grant's part of the open-data files as last made, so that a change to one award makes only its part
    again: its 360Giving grant as it is written in the JSON package, its row of the flattened CSV and its rows of
    the performance file. Every part stored has passed the 360Giving grant schema.

    An award's part is keyed ``award-<id>``; a London Crime Prevention Fund grant's by its 360Giving id. The files
    list the awards' grants by reference, then the fund's grants in ``position`` order."""

    __tablename__ = "open_data_grant"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    award_id: Mapped[int | None] = mapped_column(unique=True)
    reference: Mapped[str | None] = mapped_column(sa.String(24))  # the award's, for the files' order
    position: Mapped[int] = mapped_column(default=0)  # the fund's grants' order, after the awards'
    grant_id: Mapped[str] = mapped_column(sa.String(200))  # the 360Giving id: no two grants may share one
    # The grant as an item of the package's "grants" (indented as json.dumps(indent=2) writes it there).
    grant_json: Mapped[str] = mapped_column(sa.Text)
    locations: Mapped[int]  # how many beneficiary locations and classifications the grant has: the CSV's
    classifications: Mapped[int]  # columns are as many as the grant with the most needs
    # The grant's CSV row, written for ``csv_width`` ("locations:classifications" columns); empty until written.
    csv_row: Mapped[str] = mapped_column(sa.Text, default="")
    csv_width: Mapped[str] = mapped_column(sa.String(20), default="")
    performance_csv: Mapped[str] = mapped_column(sa.Text, default="")  # the award's rows of the performance file
    performance_rows: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<OpenDataGrant {self.key}>"


class OpenDataChange(Model):
    """Published data changed in the transaction that wrote this row: the open-data job makes again the parts of
    the files for ``award_id`` (the London Crime Prevention Fund's grants it makes again every time), or every
    part when ``award_id`` is None, and removes the rows it has seen."""

    __tablename__ = "open_data_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int | None]
