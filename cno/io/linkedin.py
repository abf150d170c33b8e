"""LinkedIn's Connections.csv (Settings → Data privacy → Get a copy of your data).

The file opens with a "Notes:" preamble whose length has changed over the
years, so the header row is found by its columns rather than skipped by count.
Its columns changed too: exports before 2020 have no URL, some no Email Address;
a copy re-saved by a spreadsheet may use `;` or tabs. Connected On is read by
`importing.parse_day` in all the forms the file has been seen in.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from cno.contacts import ContactInput
from cno.io.csv_import import DELIMITERS, lines
from cno.io.importing import bad_file

_FIRST, _LAST = "firstname", "lastname"


def _key(header: str) -> str:
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def _header(text: str) -> tuple[csv.reader, dict[str, int]] | None:
    """A reader standing after the header row, and the header's columns; None if no
    delimiter finds a row with First Name and Last Name."""
    for delimiter in DELIMITERS:
        reader = csv.reader(lines(text), delimiter=delimiter)
        for row in reader:
            keys = [_key(c) for c in row]
            if _FIRST in keys and _LAST in keys:
                return reader, {k: i for i, k in reversed(list(enumerate(keys)))}
    return None


def read(text: str, where: str) -> Iterator[ContactInput]:
    """The file's connections as they are read (an import of 100,000 holds none
    of them for long); a file that is not one raises CnoError at the first."""
    found = None
    try:
        found = _header(text)
        if found is None:
            raise bad_file(
                where, max(text.count("\n"), 1),
                "no header row with First Name and Last Name — is this LinkedIn's Connections.csv?",
            )  # fmt: skip
        reader, header = found
        # where each field is: its column, or past the end of any row (empty)
        at = [header.get(k, 1 << 30) for k in (_FIRST, _LAST, "company", "position", "url", "connectedon", "emailaddress")]
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            n = len(row)
            first, last, company, role, url, on, email = (row[i].strip() if i < n else "" for i in at)
            yield ContactInput(
                name=f"{first} {last}" if first and last else first or last, line=line, company=company, role=role,
                linkedin=url, met_on=on, emails=[email], tags=["linkedin"],
            )  # fmt: skip
    except csv.Error as e:
        raise bad_file(where, reader.line_num if found else 1, f"not readable as CSV ({e})") from None
