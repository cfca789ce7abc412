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
