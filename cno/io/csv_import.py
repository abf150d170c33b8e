"""Any CSV of contacts: columns recognised by their headers, or named with --map.

Without --map, the common headers are recognised — cno's own `export csv`,
Google Contacts' export (old and new), Outlook's, and plain ones such as
Name/Email/Company. `--map COLUMN=field` names a column's field; a mapped
field is taken only from its mapped column(s), and other columns are still
recognised by header.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager

from cno.contacts import ContactInput
from cno.errors import CnoError
from cno.io.importing import bad_file

# field → header patterns (casefolded, letters and digits only), best first.
# A single-valued field takes the first pattern that any column matches.
HEADERS: dict[str, list[str]] = {
    "name": ["name", "fullname", "displayname", "contactname", "fn"],
    "first_name": ["firstname", "givenname", "first"],
    "middle_name": ["middlename", "additionalname"],
    "last_name": ["lastname", "familyname", "surname", "last"],
    "company": ["company", "companyname", "organization", "organisation", "organization\\d*name", "org", "employer"],
    # Outlook's "Title" is Mr/Ms; it counts as the role only if nothing better is there
    "role": ["role", "jobtitle", "position", "organization\\d*title", "title"],
    "email": ["e?mails?", "e?mailaddress(es)?", "e?mail\\d*(address|value)", "[a-z]*email(address)?\\d*", "e?mail(home|work|other)"],
    # Outlook's "E-mail Display Name": only read to name a row that has no name
    "email_name": ["e?mail\\d*displayname"],
    "phone": [
        "phones?", "phonenumbers?", "phone\\d*value", "telephone", "tel",
        "(mobile|cell|home|business|work|primary|other|car|companymain)phone\\d*", "mobile", "cell", "mobilenumber",
    ],  # fmt: skip
    "tags": ["tags?", "labels", "categories", "groupmembership", "groups?"],
    "birthday": ["birthday", "birthdate", "dateofbirth", "bday", "dob"],
    "location": ["location", "city", "address\\d*city", "(home|business|work)city"],
    "met": ["met", "howmet", "howwemet"],
    "met_on": ["meton", "connectedon", "datemet"],
    "linkedin": ["linkedin", "linkedinurl", "linkedinprofile", "linkedinprofileurl"],
    "url": ["url", "website", "webpage\\d*", "profileurl", "website\\d*value"],
    "note": ["notes?", "comments?", "description"],
    "tier": ["tier"],
    "every": ["every", "cadence"],
    "timezone": ["timezone", "tz"],
}
MULTI = {"email", "phone", "tags", "url"}
FIELDS = [f for f in HEADERS if f not in ("url", "email_name")]
ALIASES = {"emails": "email", "phones": "phone", "tag": "tags", "tz": "timezone", "first": "first_name", "last": "last_name"}

_SPLIT = {
    "email": re.compile(r"\s*(?:;|,|:::)\s*"),
    "phone": re.compile(r"\s*(?:;|:::)\s*"),
    "tags": re.compile(r"\s*(?:;|,|:::)\s*"),
    "url": re.compile(r"\s*(?:;|:::)\s*|\s+"),
}


def _key(header: str) -> str:
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def parse_map(items: list[str]) -> list[tuple[str, str]]:
    """`COLUMN=field` pairs; an unknown field is exit 2."""
    out = []
    for item in items:
        column, sep, fld = item.rpartition("=")
        f = fld.strip().lower().replace("-", "_")
        f = ALIASES.get(f, f)
        if not sep or not column.strip():
            raise CnoError(f"--map {item!r}: use COLUMN=field, e.g. --map 'Full Name=name'")
        if f not in FIELDS:
            raise CnoError(f"--map {item!r}: unknown field {fld.strip()!r} — fields: {', '.join(FIELDS)}")
        out.append((column.strip(), f))
    return out


def _columns(header: list[str], mapping: list[tuple[str, str]], where: str, line: int) -> dict[str, list[int]]:
    """field → the column indexes it is read from."""
    cols: dict[str, list[int]] = {}
    mapped: set[int] = set()
    by_name = {h.strip().casefold(): i for i, h in reversed(list(enumerate(header)))}
    for column, f in mapping:
        i = by_name.get(column.casefold())
        if i is None:
            shown = ", ".join(h for h in header if h.strip()) or "none"
            raise bad_file(where, line, f"--map names a column {column!r} the file does not have (columns: {shown})")
        cols.setdefault(f, []).append(i)
        mapped.add(i)
    keys = [_key(h) for h in header]
    for f, patterns in HEADERS.items():
        if f in cols:
            continue
        free = [i for i in range(len(keys)) if i not in mapped and keys[i]]
        if f in MULTI:
            found = [i for i in free if any(re.fullmatch(p, keys[i]) for p in patterns)]
        else:
            found = next(([i] for p in patterns for i in free if re.fullmatch(p, keys[i])), [])
        if found:
            cols[f] = found
    # a file of bare e-mail addresses still holds contacts: each is named from its address
    if not {"name", "first_name", "last_name", "email"} & cols.keys():
        shown = ", ".join(h for h in header if h.strip()) or "none"
        raise bad_file(where, line, f"no name column (nor an e-mail one) among the headers ({shown}) — name one with --map COLUMN=name")
    return cols


def _unescape(cell: str) -> str:
    # cno's own CSV prefixes formula-like cells with ' (SPEC "Output"): undo it
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def _tag_values(values: list[str]) -> list[str]:
    # Google marks its system groups with a star ("* myContacts", "* starred",
    # "* friends", "* My Contacts" in old exports): they are not the user's labels
    return [v for v in values if not v.startswith("*")]


DELIMITERS = (",", ";", "\t")


def delimiter(line: str) -> str:
    """The delimiter a header line uses: the one of `,` `;` tab it holds most often
    outside quotes (Excel in much of Europe writes `;`, Thunderbird can write tabs)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    return max(DELIMITERS, key=lambda d: counts[d])  # ties (one column): the first, a comma


@contextmanager
def _fields_up_to(size: int):
    """The csv module's field size limit (a process-wide 128 KB by default) raised
    to `size` while one file is read, and put back after."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, size))
    try:
        yield
    finally:
        csv.field_size_limit(before)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def lines(text: str) -> Iterator[str]:
    """`text`'s lines as `io.StringIO(text, newline="")` hands them to csv (each
    with its end: \r\n, \r or \n), without the copy of the whole text
    StringIO makes at four bytes a character (34 MB for a 100,000-row file)."""
    return (m.group() for m in _LINE.finditer(text))


def read(text: str, where: str, mapping: list[tuple[str, str]]) -> list[ContactInput]:
    # No field is longer than the file that holds it, so a CSV cno wrote (a long
    # note and all) reads back whatever its size (README "Bring your contacts —
    # and take them with you").
    with _fields_up_to(len(text) + 1):
        return _read(text, where, mapping)


def _read(text: str, where: str, mapping: list[tuple[str, str]]) -> list[ContactInput]:
    first = next((line for line in lines(text) if line.strip()), "")
    reader = csv.reader(lines(text), delimiter=delimiter(first))
    records: list[ContactInput] = []
    try:
        header = next(reader, None)
        while header is not None and not any(c.strip() for c in header):
            header = next(reader, None)  # blank lines before the header
        if header is None:
            raise bad_file(where, 1, "the file is empty")
        cols = _columns(header, mapping, where, reader.line_num)
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            cells = {f: [_unescape(row[i]).strip() for i in idx if i < len(row) and row[i].strip()] for f, idx in cols.items()}

            def one(f: str) -> str | None:
                return cells.get(f, [None])[0] if cells.get(f) else None

            def many(f: str) -> list[str]:
                return [v for c in cells.get(f, []) for v in _SPLIT[f].split(c) if v]

            name = (
                one("name")
                or " ".join(filter(None, (one("first_name"), one("middle_name"), one("last_name"))))
                # Outlook writes "Ada Lovelace (ada@example.com)"
                or re.sub(r"\s*\([^()]*@[^()]*\)$", "", one("email_name") or "")
            )
            linkedin = one("linkedin") or next((u for u in many("url") if "linkedin.com/" in u.casefold()), None)
            records.append(
                ContactInput(
                    name=name, line=line, company=one("company"), role=one("role"), tier=one("tier"),
                    every=one("every"), birthday=one("birthday"), timezone=one("timezone"),
                    location=one("location"), met=one("met"), met_on=one("met_on"), linkedin=linkedin,
                    note=one("note"), emails=many("email"), phones=many("phone"), tags=_tag_values(many("tags")),
                )  # fmt: skip
            )
    except csv.Error as e:
        raise bad_file(where, reader.line_num, f"not readable as CSV ({e})") from None
    return records
