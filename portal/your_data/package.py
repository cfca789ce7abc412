"""The download: a ZIP with one JSON and one CSV file for each kind of record, a README and a manifest."""

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from flask import render_template

from portal.exports import csv_dict_text
from portal.your_data.collect import Section, Subject


def build_zip(
    subject: Subject,
    sections: list[Section],
    *,
    generated_at: datetime,
    expires_at: datetime,
    reference: str | None = None,
) -> bytes:
    """The ZIP's bytes. CSV files go through :mod:`portal.exports`, so no cell runs as a spreadsheet formula."""
    files = [
        {
            "json": f"{section.name}.json",
            "csv": f"{section.name}.csv",
            "records": len(section.rows),
            "description": section.description,
        }
        for section in sections
    ]
    manifest = {
        "about": subject.email,
        "has_account": subject.user is not None,
        "generated_at": generated_at.isoformat(),
        "available_until": expires_at.isoformat(),
        "reference": reference,
        "files": files,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            render_template(
                "your_data/README.txt", subject=subject, files=files, manifest=manifest, reference=reference
            ),
        )
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for section in sections:
            archive.writestr(f"{section.name}.json", json.dumps(section.rows, indent=2, ensure_ascii=False))
            archive.writestr(f"{section.name}.csv", _csv(section))
    return buffer.getvalue()


def _csv(section: Section) -> str:
    headings: list[str] = []
    for row in section.rows:
        headings += [key for key in row if key not in headings]
    return csv_dict_text(
        headings,
        ({key: _cell(value) for key, value in row.items()} for row in section.rows),
    )


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
