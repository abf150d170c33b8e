"""LinkedIn's Connections.csv (Settings → Data privacy → Get a copy of your data).

The file opens with a "Notes:" preamble whose length has changed over the
years, so the header row is found by its columns rather than skipped by count.
Its columns changed too: exports before 2020 have no URL, some no Email Address;
a copy re-saved by a spreadsheet may use `;` or tabs. Connected On is read by
`importing.parse_day` in all the forms the file has been seen in.
"""

from __future__ import annotations

import csv
import io

from cno.contacts import ContactInput
from cno.io.csv_import import DELIMITERS
from cno.io.importing import bad_file

_FIRST, _LAST = "firstname", "lastname"


def _key(header: str) -> str:
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def _header(text: str) -> tuple[csv.reader, dict[str, int]] | None:
    """A reader standing after the header row, and the header's columns; None if no
    delimiter finds a row with First Name and Last Name."""
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            keys = [_key(c) for c in row]
            if _FIRST in keys and _LAST in keys:
                return reader, {k: i for i, k in reversed(list(enumerate(keys)))}
    return None


def read(text: str, where: str) -> list[ContactInput]:
    records: list[ContactInput] = []
    found = None
    try:
        found = _header(text)
        if found is None:
            raise bad_file(
                where, max(text.count("\n"), 1),
                "no header row with First Name and Last Name — is this LinkedIn's Connections.csv?",
            )  # fmt: skip
        reader, header = found
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue

            def get(key: str, row=row) -> str:
                i = header.get(key)
                return row[i].strip() if i is not None and i < len(row) else ""

            name = " ".join(p for p in (get(_FIRST), get(_LAST)) if p)
            records.append(
                ContactInput(
                    name=name, line=line, company=get("company"), role=get("position"),
                    linkedin=get("url"), met_on=get("connectedon"),
                    emails=[get("emailaddress")], tags=["linkedin"],
                )  # fmt: skip
            )
    except csv.Error as e:
        raise bad_file(where, reader.line_num if found else 1, f"not readable as CSV ({e})") from None
    return records
