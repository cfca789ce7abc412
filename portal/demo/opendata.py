"""The open-data files for the demo: made last, from every award and accepted return the other demo modules added
(some of which are written directly rather than through the services that would queue the job). Safe to run again."""

from portal.opendata.files import FILE_NAMES, fetch_files, regenerate


def load() -> str:
    changed = regenerate()
    stored = fetch_files()
    made = ", ".join(f"{name} ({stored[name].records})" for name in FILE_NAMES if name in stored)
    return f"Open data: {len(changed)} files regenerated; published {made or 'nothing yet'}."
