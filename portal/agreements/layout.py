"""The grant agreement laid out for reading. The agreement is kept as the plain text the organisation accepted
(``terms.txt``), which must not change once accepted; this reads its structure back from that text, so that every
agreement, however old, is shown with its parts as headings and its clauses numbered, not as one block of text."""

import re
from dataclasses import dataclass, field

PART = re.compile(r"^PART (\d+): (.+)$")
CLAUSE = re.compile(r"^(\d+)\. (.+)$")
FIELD = re.compile(r"^([A-Z][A-Za-z ]{1,30}):(?: (.*))?$")


@dataclass
class Block:
    """One piece of the agreement: its title, a part's heading, a numbered clause, labelled particulars, a list
    with its introduction, or a paragraph."""

    kind: str  # "title", "part", "clause", "fields", "list" or "paragraph"
    heading: str = ""
    text: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def agreement_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = [line.strip() for line in (text or "").splitlines()]
    position = 0
    while position < len(lines):
        line = lines[position]
        position += 1
        if not line:
            continue
        following = lines[position] if position < len(lines) else ""
        if line.startswith("GRANT AGREEMENT"):
            blocks.append(Block("title", heading="Grant agreement" + line.removeprefix("GRANT AGREEMENT")))
        elif part := PART.match(line):
            blocks.append(Block("part", heading=f"Part {part[1]}: {_sentence_case(part[2])}"))
        elif (clause := CLAUSE.match(line)) and following and not CLAUSE.match(following):
            blocks.append(Block("clause", heading=f"{clause[1]}. {clause[2]}", text=following))
            position += 1
        elif line.startswith("- ") and blocks and blocks[-1].kind == "list":
            blocks[-1].items.append(line.removeprefix("- "))
        elif line.endswith(":") and following.startswith("- "):
            blocks.append(Block("list", text=line))
        elif row := FIELD.match(line):
            if not (blocks and blocks[-1].kind == "fields"):
                blocks.append(Block("fields"))
            blocks[-1].rows.append((row[1], row[2] or ""))
        else:
            blocks.append(Block("paragraph", text=line))
    return blocks


def _sentence_case(heading: str) -> str:
    """ "STANDARD CONDITIONS (version 2026-1)" reads as "Standard conditions (version 2026-1)"."""
    words = heading.split(" ")
    lowered = [word.lower() if word.isupper() and len(word) > 1 else word for word in words]
    return " ".join(lowered)[:1].upper() + " ".join(lowered)[1:]
