"""What every import shares: reading the file, one record shape, the matching rule.

An import never overwrites what the user typed: a record that matches an
existing contact (by e-mail, then LinkedIn URL, then exact name + company)
only fills that contact's empty fields and adds missing e-mails, phones and
tags, so importing the same file twice adds nothing the second time.
"""

from __future__ import annotations

import codecs
import functools
import re
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from cno import contacts
from cno.bulk import collector_aside
from cno.contacts import ContactInput
from cno.dates import day_of, parse_birthday, parse_date, parse_duration
from cno.errors import CnoError
from cno.refs import name_key
from cno.settings import normalise_tag

# Fields an import fills when the matched contact has them empty.
FILLABLE = ("company", "role", "tier", "every", "birthday", "timezone", "location", "met", "met_on", "linkedin", "note")


def bad_file(where: str, line: int, message: str) -> CnoError:
    """The error for a file that can't be read as what it claims to be."""
    return CnoError(f"{where}, line {line}: {message}")


def read_bytes(path: str) -> bytes:
    """The whole file (`-` is stdin); a missing or unreadable file is exit 2."""
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if p.is_dir():
        raise CnoError(f"can't read {path}: it is a folder")
    try:
        return p.read_bytes()
    except OSError as e:
        raise CnoError(f"can't read {path}: {e.strerror or e}") from None


_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
# One well-formed UTF-8 sequence of two to four bytes (RFC 3629).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_ASCII = bytes(range(0x80))
_NAMED_LINES = 10  # bad lines named one by one before the rest are counted


def decode(data: bytes, where: str, warnings: list[str]) -> str:
    """Text from UTF-8 (with or without BOM), UTF-16 with a BOM, or another encoding.

    A file that is mostly UTF-8 is read as UTF-8 even with a few bad bytes (a
    spreadsheet re-save, a cut-and-paste): those bytes become U+FFFD, with a
    warning naming each line. Any other text is read in the encoding
    charset-normalizer finds (Windows-1252 when it finds none), with a warning.
    Anything with control bytes (an image, a zip) is refused at its line.
    """
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data[: e.start].decode(encoding, "replace").count("\n") + 1
        if encoding == "utf-16" or _BINARY.search(data):
            raise bad_file(where, line, "not a text file (binary data) — is it the right file?") from None
        text = _mostly_utf8(data, where, warnings) or _guessed(data, where, line, warnings)
    if m := re.search("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]", text):
        raise bad_file(where, text.count("\n", 0, m.start()) + 1, "not a text file (binary data) — is it the right file?")
    return text


def _mostly_utf8(data: bytes, where: str, warnings: list[str]) -> str | None:
    """The text, if most of the file's non-ASCII bytes form UTF-8; else None.

    Text in a legacy encoding almost never forms valid UTF-8 sequences by
    chance, so a majority of valid ones means UTF-8 with some damage.
    """
    good = sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    if good <= len(data.translate(None, _ASCII)) - good:
        return None
    bad = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(n)
    for n in bad[:_NAMED_LINES]:
        warnings.append(f"{where}, line {n}: bytes that are not UTF-8 were read as \ufffd")
    if len(bad) > _NAMED_LINES:
        warnings.append(f"{where}: and {len(bad) - _NAMED_LINES} more lines like that")
    return data.decode("utf-8-sig", "replace")


# What address books and spreadsheets save text in when it isn't UTF-8: the Windows
# and Mac code pages, KOI8-R, and the Chinese, Japanese and Korean double-byte
# encodings. Left to itself charset-normalizer also weighs DOS and other rare code
# pages, and on a short file of names picks one of them (cp775 for Windows-1252
# Spanish names): see tests/fixtures/real/csv/README.md for the measurement.
_SAVED_IN = (
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "cp874",
    "mac_roman", "mac_cyrillic", "koi8_r", "cp932", "euc_jp", "gb18030", "big5", "cp949",
)  # fmt: skip


def _everyday(encoding: str, pair: bytes) -> bool:
    """Whether a two-byte character lies where the everyday ones of its encoding are."""
    lead, trail = pair
    if encoding == "cp932":  # JIS X 0208, not the user-defined and IBM rows
        return 0x81 <= lead <= 0x9F or 0xE0 <= lead <= 0xEF
    if encoding == "big5":
        return 0xA4 <= lead <= 0xF9
    return lead >= 0xA1 and trail >= 0xA1  # the EUC forms: GB 2312, KS X 1001, JIS X 0208


def _double_byte(data: bytes) -> dict[str, str]:
    """The double-byte encodings `data` reads as everyday text in: each one's text.

    charset-normalizer finds too little to go on in a few short names and takes
    Shift_JIS names for Windows-1252. But Western text hardly ever decodes as a
    double-byte encoding with every character in its everyday rows: an accented
    letter is followed by an ASCII letter, which Shift_JIS and Big5 accept as a
    second byte only in a minority of their characters.
    """
    found = {}
    for encoding in ("cp932", "euc_jp", "gb18030", "big5", "cp949"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        pairs = [c.encode(encoding) for c in text if ord(c) > 0x7F]
        if (
            len(pairs) >= 2
            and all(len(p) == 2 and _everyday(encoding, p) for p in pairs)
            and 2 * sum(p[1] >= 0x80 for p in pairs) >= len(pairs)
        ):
            found[encoding] = text
    return found


def _guessed(data: bytes, where: str, line: int, warnings: list[str]) -> str:
    """The text in the encoding charset-normalizer finds most likely among those
    files are saved in, else Windows-1252."""
    from charset_normalizer import from_bytes  # only files that aren't UTF-8 pay for it

    results = list(from_bytes(data, cp_isolation=list(_SAVED_IN)))
    encoding, text = "cp1252", data.decode("cp1252", "replace")
    if results:
        best = results[0]
        # where readings tie, the commonest encoding of the lot is the likeliest
        tied = (m for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence) and m.encoding == "cp1252")
        best = next(tied, best)
        encoding, text = best.encoding, str(best)
        if (double := _double_byte(data)) and encoding not in double:
            pick = from_bytes(data, cp_isolation=list(double)).best() if len(double) > 1 else None
            encoding = pick.encoding if pick is not None and pick.encoding in double else next(iter(double))
            text = double[encoding]
    if encoding != "cp1252" and text == data.decode("cp1252", "replace"):
        encoding = "cp1252"  # the readings agree: name the one people know
    shown = {"cp1252": "Windows-1252", "cp932": "Shift_JIS"}.get(encoding, encoding)
    warnings.append(f"{where}: not UTF-8 (line {line}); read as {shown}")
    return text


@dataclass
class Outcome:
    """What an import did (or, in a dry run, would do)."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    unreadable: int = 0  # of the skipped: records that could not be read as a contact
    rows: list[dict] = field(default_factory=list)  # one per record: action, id, name, fields
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        unreadable = f" ({self.unreadable} unreadable)" if self.unreadable else ""
        return f"{self.added} added, {self.updated} updated, {self.skipped} skipped{unreadable}"


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# The dates exports write: `26 Jul 2025` (LinkedIn), `5-Jan-26` (the same file
# re-saved by Excel), `1/8/18, 6:14 PM` (LinkedIn in 2018: US month/day), and ISO
# with or without a time.
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[-\s]+([a-z]{3})[a-z]*\.?[-\s,]+(\d{4}|\d{2})", re.I)
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)?", re.I)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[t\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?", re.I)


def parse_day(text: str, today: date) -> str:
    """A source's date as ISO text (the forms above, or any DATE); CnoError if unreadable."""
    t = text.strip()
    if m := _DAY_MONTH_YEAR.fullmatch(t):
        parts = (m[3], _MONTHS.get(m[2].casefold()), m[1])
    elif m := _US_DAY.fullmatch(t):
        parts = (m[3], m[1], m[2])
    elif m := _ISO_DAY.fullmatch(t):
        parts = (m[1], m[2], m[3])
    else:
        return day_of(parse_date(t, today, allow_time=False)).isoformat()
    year, month, day = parts
    try:
        y = int(year)
        if len(year) == 2:  # a two-digit year is of this century unless that is still to come
            y += 2000 if y <= today.year % 100 else 1900
        return date(y, int(month or 0), int(day)).isoformat()
    except ValueError:
        raise CnoError(f"can't read date {text!r}: no such day") from None


def parse_us_or_any_birthday(text: str) -> str | None:
    """A birthday as stored, or None for an empty one; Outlook writes M/D/YYYY and 0/0/00 for none."""
    t = text.strip()
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", t):
        month, day, year = (int(g) for g in m.groups())
        if month == 0 or day == 0:
            return None
        return parse_birthday(f"{year:04d}-{month:02d}-{day:02d}" if year >= 1000 else f"{month:02d}-{day:02d}")
    return parse_birthday(t) if t else None


def clean(rec: ContactInput, where: str, today: date, warnings: list[str]) -> ContactInput | None:
    """The record with every value in the journal's form; a value that can't be read is
    dropped with a warning. None (with a warning) when the record has no usable name."""
    at = f"{where}, line {rec.line}"
    rec.emails, shown = _addresses(rec.emails)
    if not (rec.name or "").strip():
        # named from its e-mail (SPEC "Reading other people's files"): the display name, else the address
        rec.name = shown[0] if shown else next((e for e in rec.emails if _is_email(e)), "")
    try:
        rec.name = contacts.parse_name(rec.name)
    except CnoError as e:
        reason = "it has no name, and no e-mail to name it by" if not rec.name.strip() else str(e)
        warnings.append(f"{at}: skipped: {reason}")
        return None
    checks = {
        "tier": contacts.parse_tier,
        "every": lambda v: str(parse_duration(v)),
        "birthday": parse_us_or_any_birthday,
        "timezone": contacts.parse_timezone,
        "met_on": lambda v: parse_day(v, today),
    }
    for f in FILLABLE:
        v = getattr(rec, f)
        if isinstance(v, str):
            v = (v.replace("\r\n", "\n").replace("\r", "\n") if f == "note" else " ".join(v.split())).strip() or None
        if v is not None and f in checks:
            try:
                v = checks[f](v)
            except CnoError as e:
                warnings.append(f"{at}: ignored {f} of {rec.name}: {e}")
                v = None
        setattr(rec, f, v)
    for f, check in (("emails", contacts.parse_email), ("phones", contacts.parse_phone), ("tags", normalise_tag)):
        values = []
        for v in getattr(rec, f):
            if not v.strip():
                continue
            try:
                values.append(check(v))
            except CnoError as e:
                warnings.append(f"{at}: ignored {f[:-1]} of {rec.name}: {e}")
        seen: set[str] = set()
        setattr(rec, f, [v for v in values if not (v.casefold() in seen or seen.add(v.casefold()))])
    return rec


_NAMED_ADDRESS = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<address>[^<>]+)>")


def _addresses(values: list[str]) -> tuple[list[str], list[str]]:
    """The addresses of `values`, and the display names of those written `Name <address>`."""
    addresses, names = [], []
    for v in values:
        if m := _NAMED_ADDRESS.fullmatch(v.strip()):
            addresses.append(m["address"].strip())
            if name := m["name"].strip(" \t\"'"):
                names.append(name)
        else:
            addresses.append(v)
    return addresses, names


def _is_email(text: str) -> bool:
    try:
        contacts.parse_email(text)
    except CnoError:
        return False
    return True


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_QUERY = re.compile(r"[?#]")
_SUBDOMAIN = re.compile(r"^[a-z]{1,3}\.linkedin\.com(?=/|$)")


@functools.lru_cache(maxsize=1024)  # an import asks for each record's twice: to find, then to remember
def linkedin_key(url: str) -> str:
    """A LinkedIn URL in the form two copies of it compare equal in: no scheme,
    `www.` or country subdomain, query, fragment, trailing slash, %-escapes or case."""
    u = unquote(url.strip()).casefold()
    u = _SCHEME.sub("", u)
    u = _QUERY.split(u, maxsplit=1)[0].rstrip("/")
    return _SUBDOMAIN.sub("linkedin.com", u)


class New:
    """A contact this import adds, held in its batch until the batch is written;
    read like a contact row (`new["company"]`) by the matching rule."""

    def __init__(self, contact_id: int, rec: ContactInput, emails: list[str]):
        self.id, self.rec, self.emails = contact_id, rec, emails

    def __getitem__(self, key: str):
        if key == "id":
            return self.id
        if key == "name_key":
            return name_key(self.rec.name)
        return getattr(self.rec, key)


class Batch:
    """The contacts an import adds, written a few thousand at a time through
    the bulk writer (contacts.add_contacts: validated as `cno add` validates,
    one statement per table, the search index fed once per batch); the
    matching rule sees them before they are written. Ids are the ones SQLite
    gives next (bulk.next_id), known as each record is added."""

    SIZE = 2000

    def __init__(self, conn: sqlite3.Connection, today: date):
        from cno.bulk import next_id

        self.conn, self.today = conn, today
        self.next = next_id(conn, "contacts")
        self.items: list[New] = []
        self.by_email: dict[str, New] = {}
        self.by_name: dict[str, list[New]] = {}
        self.by_id: dict[int, New] = {}
        self.names: set[str] = set()  # the name keys of every contact it added, written or not

    def add(self, rec: ContactInput, emails: list[str]) -> int:
        new = New(self.next, rec, emails)
        self.next += 1
        self.items.append(new)
        self.by_id[new.id] = new
        for e in emails:
            self.by_email.setdefault(_nocase(e), new)
        key = name_key(rec.name)
        self.by_name.setdefault(key, []).append(new)
        self.names.add(key)
        if len(self.items) >= self.SIZE:
            self.flush()
        return new.id

    def flush(self) -> None:
        if not self.items:
            return
        rows = []
        for n in self.items:
            scalars = {f: getattr(n.rec, f) for f in FILLABLE}
            rows.append((n.rec.name, ContactInput(**scalars, emails=n.emails, phones=n.rec.phones, tags=n.rec.tags)))
        # a source's met_on is kept as it is: it may lie after an --as-of "today"
        ids = contacts.add_contacts(self.conn, rows, self.today, met_on_as_given=True)
        assert ids == [n.id for n in self.items], "a contact was added beside the import"
        self.items, self.by_email, self.by_name, self.by_id = [], {}, {}, {}


def _nocase(email: str) -> str:
    """An e-mail as SQLite's NOCASE compares it (ASCII letters folded only)."""
    return email.translate(contacts._NOCASE)


class Matcher:
    """Finds the existing contact a record means (SPEC "Data": the matching rule,
    and "Reading other people's files": identity).

    A record never merges into a contact whose strong identifiers conflict with
    its own: a different LinkedIn URL, or e-mails on both sides that share none.
    A shared e-mail or LinkedIn URL is what finds a contact in the first place;
    the name + company rule, having no such evidence, takes only a contact with
    no conflict, and a LinkedIn URL (one per person) outweighs a shared e-mail
    (an office or family address can be two people's). With a `batch`, the
    contacts the import is about to add count as existing ones.
    """

    def __init__(self, conn: sqlite3.Connection, batch: Batch | None = None):
        self.conn = conn
        self.batch = batch
        # With a batch, every contact the import adds goes through it: a name
        # neither the journal had nor the batch added has no namesake to read.
        self.names = {k for (k,) in conn.execute("SELECT name_key FROM contacts")} if batch is not None else None
        self.by_linkedin: dict[str, int] = {}
        for cid, url in conn.execute("SELECT id, linkedin FROM contacts WHERE linkedin IS NOT NULL ORDER BY id DESC"):
            self.by_linkedin[linkedin_key(url)] = cid  # the oldest contact wins

    def remember(self, contact_id: int, linkedin: str | None) -> None:
        if linkedin:
            self.by_linkedin.setdefault(linkedin_key(linkedin), contact_id)

    def contact(self, contact_id: int):
        if self.batch is not None and contact_id in self.batch.by_id:
            return self.batch.by_id[contact_id]
        return contacts.get(self.conn, contact_id)

    def find(self, rec: ContactInput, same_name: list | None = None):
        """The contact `rec` means, or None; `same_name` is namesakes(rec.name), if read already."""
        for e in rec.emails:
            if (row := self.email_owner(e)) and not self.conflict(row, rec):
                return row
        if rec.linkedin and (cid := self.by_linkedin.get(linkedin_key(rec.linkedin))):
            return self.contact(cid)
        if same_name is None:
            same_name = self.namesakes(rec.name)
        company = (rec.company or "").casefold()
        for row in same_name:
            if (row["company"] or "").casefold() == company and not self.conflict(row, rec):
                return row
        # An empty company on either side matches, but only a name nobody else has.
        if len(same_name) == 1 and not (company and same_name[0]["company"]) and not self.conflict(same_name[0], rec):
            return same_name[0]
        return None

    def namesakes(self, name: str) -> list:
        key = name_key(name)
        if self.names is not None and key not in self.names and key not in self.batch.names:
            return []
        rows = self.conn.execute("SELECT * FROM contacts WHERE name_key = ? ORDER BY id", (key,)).fetchall()
        if self.batch is not None:
            rows += self.batch.by_name.get(key, [])
        return rows

    def emails_of(self, row) -> set[str]:
        if isinstance(row, New):
            return {e.casefold() for e in row.emails}
        return {r[0].casefold() for r in self.conn.execute("SELECT email FROM contact_emails WHERE contact_id = ?", (row["id"],))}

    def conflict(self, row, rec: ContactInput) -> str | None:
        """Why `rec` can't be the person `row` is (its strong identifiers differ), or None."""
        if rec.linkedin and row["linkedin"] and linkedin_key(rec.linkedin) != linkedin_key(row["linkedin"]):
            return "a different LinkedIn URL"
        if rec.emails:
            theirs = self.emails_of(row)
            if theirs and not theirs & {e.casefold() for e in rec.emails}:
                return "other e-mail addresses"
        return None

    def email_owner(self, email: str):
        row = self.conn.execute(
            "SELECT c.* FROM contact_emails e JOIN contacts c ON c.id = e.contact_id"
            " WHERE e.email = ? COLLATE NOCASE ORDER BY c.id LIMIT 1",
            (email,),
        ).fetchone()
        if row is None and self.batch is not None:
            return self.batch.by_email.get(_nocase(email))
        return row


def _lists(conn, contact_id: int) -> dict[str, set[str]]:
    return {
        "emails": {r[0].casefold() for r in conn.execute("SELECT email FROM contact_emails WHERE contact_id = ?", (contact_id,))},
        "phones": {r[0].casefold() for r in conn.execute("SELECT phone FROM contact_phones WHERE contact_id = ?", (contact_id,))},
        "tags": {r[0] for r in conn.execute("SELECT tag FROM contact_tags WHERE contact_id = ?", (contact_id,))},
    }


def free_emails(matcher: Matcher, rec: ContactInput, contact_id: int | None, warnings: list[str], where: str) -> list[str]:
    """The record's e-mails no other contact owns (an address belongs to one contact)."""
    out = []
    for e in rec.emails:
        owner = matcher.email_owner(e)
        if owner is not None and owner["id"] != contact_id:
            warnings.append(f"{where}, line {rec.line}: {e} already belongs to {owner['name']} (#{owner['id']}); not given to {rec.name}")
        elif e.casefold() not in {x.casefold() for x in out}:
            out.append(e)
    return out


def fill(conn, matcher: Matcher, row, rec: ContactInput, today: date, warnings: list[str], where: str, *, refresh: bool = True) -> list[str]:
    """Fill `row`'s empty fields from `rec` and add its missing e-mails, phones and tags.

    Returns what changed; nothing already in the journal is overwritten. A
    contact of the batch is filled where it waits.
    """
    cid = row["id"]
    cols = {f: getattr(rec, f) for f in FILLABLE if row[f] in (None, "") and getattr(rec, f) is not None}
    if isinstance(row, New):
        have = {"emails": {e.casefold() for e in row.emails}, "phones": {p.casefold() for p in row.rec.phones},
                "tags": set(row.rec.tags)}  # fmt: skip
    else:
        have = _lists(conn, cid)
    emails = [e for e in free_emails(matcher, rec, cid, warnings, where) if e.casefold() not in have["emails"]]
    phones = [p for p in rec.phones if p.casefold() not in have["phones"]]
    tags = [t for t in rec.tags if t not in have["tags"]]
    changed = list(cols) + ["emails"] * bool(emails) + ["phones"] * bool(phones) + ["tags"] * bool(tags)
    if not changed:
        return []
    if isinstance(row, New):
        for f, v in cols.items():
            setattr(row.rec, f, v)
        row.emails += emails
        row.rec.phones = [*row.rec.phones, *phones]
        row.rec.tags = [*row.rec.tags, *tags]
        for e in emails:
            matcher.batch.by_email.setdefault(_nocase(e), row)
        matcher.remember(cid, cols.get("linkedin"))
        return changed
    met_on = cols.pop("met_on", None)
    data = ContactInput(**cols, emails=emails, phones=phones, tags=tags)
    contacts.edit_contact(conn, cid, data, today, refresh=refresh)
    if met_on is not None:
        # set directly: a source's date may lie after an --as-of "today"
        conn.execute("UPDATE contacts SET met_on = ? WHERE id = ?", (met_on, cid))
    matcher.remember(cid, cols.get("linkedin"))
    return changed


def add(conn, matcher: Matcher, rec: ContactInput, today: date, warnings: list[str], where: str) -> int:
    """Add `rec` as a new contact (to the matcher's batch); its met_on is the source's, or none (not today)."""
    cid = matcher.batch.add(rec, free_emails(matcher, rec, None, warnings, where))
    matcher.remember(cid, rec.linkedin)
    return cid


def second_namesake(matcher: Matcher, others: list, rec: ContactInput, cid: int) -> str:
    """The warning for a record added beside contacts of the same name: why it is not one of them."""
    if len(others) > 1:
        why = f"{len(others)} contacts already have that name"
    else:
        other = others[0]
        why = f"#{other['id']} has it, with " + (matcher.conflict(other, rec) or f"another company ({other['company']})")
    return f"added {rec.name} (#{cid}) as a second contact with that name: {why} (if they are one person: cno merge {cid} {others[0]['id']})"


@collector_aside()
def apply(
    conn: sqlite3.Connection, records: Iterable[ContactInput], today: date, where: str, *, tick=lambda n=1: None, warnings=None,
    plan: bool = True,
) -> Outcome:
    """Import `records`: match each, then add it or fill the match; all in the caller's transaction.
    `plan` False: the outcome counts the records but keeps no row for each (the
    plan a dry run shows), so a big file's import holds no row per record.

    New contacts go in through the bulk writer a batch at a time; every
    contact added or filled has its maintained columns computed once, at
    the end (README "Bring your contacts").
    """
    out = Outcome(warnings=warnings if warnings is not None else [])
    batch = Batch(conn, today)
    matcher = Matcher(conn, batch)
    filled: set[int] = set()
    for raw in records:
        tick()
        rec = clean(raw, where, today, out.warnings)
        if rec is None:
            out.skipped += 1
            out.unreadable += 1
            if plan:
                out.rows.append({"action": "skip", "id": None, "name": raw.name, "line": raw.line, "fields": []})
            continue
        others = matcher.namesakes(rec.name)
        row = matcher.find(rec, others)
        if row is None:
            cid = add(conn, matcher, rec, today, out.warnings, where)
            if others:
                out.warnings.append(f"{where}, line {rec.line}: {second_namesake(matcher, others, rec, cid)}")
            out.added += 1
            if plan:
                given = [f for f in FILLABLE if getattr(rec, f) is not None] + [f for f in ("emails", "phones", "tags") if getattr(rec, f)]
                out.rows.append({"action": "add", "id": cid, "name": rec.name, "line": rec.line, "fields": given})
            continue
        changed = fill(conn, matcher, row, rec, today, out.warnings, where, refresh=False)
        if changed:
            out.updated += 1
            if not isinstance(row, New):
                filled.add(row["id"])
        else:
            out.skipped += 1
        if plan:
            out.rows.append(
                {"action": "update" if changed else "skip", "id": row["id"], "name": row["name"], "line": rec.line, "fields": changed}
            )
    batch.flush()
    from cno import followups

    followups.refresh(conn, filled)  # the batch's contacts were written with theirs
    return out
