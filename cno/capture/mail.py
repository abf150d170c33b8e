"""Mail folders (mbox, maildir): every message between me and a contact.

Only the headers of a message are read, so a folder of large messages
streams with flat memory. Its thread is the first Message-ID of its
References (the thread's root), else its In-Reply-To, else its own
Message-ID (it starts a thread); a message with none of these falls back to
its subject with Re:/Fwd: prefixes removed. Skipped: mailing-list and bulk
mail (List-Id, List-Unsubscribe, Precedence: bulk/list/junk), automatic
replies (Auto-Submitted) and no-reply senders.

Dates are in the machine's local time (`TZ`). A message is dated by its
Date header: the RFC 5322 form, and what mailers write instead — ISO
(`2012-12-08 00:48`), AM/PM, two- and three-digit years, `+01:00`, a zone
named (`EST`, `CEST`; RFC 5322 reads an unknown name as UTC, and so do we)
or only in a comment (`(UTC)`). A time with no zone at all is local time.
A message without a Date (or with an empty one) takes the time it was
delivered: in an mbox its `From ` line's (local time unless the line names a
zone; placeholders — 1970-01-01, git's `Mon Sep 17 00:00:00 2001` — are no
date), else (and in a maildir) its first Received header's, the last hop's.
Not a maildir file name's time: mbsync and offlineimap name files by when
they were synced, so a first sync would date years of mail today. A Date
that is there but unreadable is not replaced: that message is skipped with a
warning.

Reading an mbox: a leading UTF-8 BOM is ignored. A line beginning `From `
starts a message when it carries a date (`From ada@x Sat Nov 21 10:00:00
2026`), or when a header line follows it and it is one word (Thunderbird's
`From -`, Gmail's `From 1844347792267117879@xxx`) or holds a time; a `From
Russia with love` left unescaped in a body does not.

Addresses: `Name <addr>` is the address in angle brackets even when the name
looks like an address (a name that is an address is no name), and a mailing
list archive's `ada at example.com (Ada)` is ada@example.com.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import re
import stat
from datetime import date, datetime, timedelta, timezone
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from cno.capture import Found, Ignored, Item, Problem, Source, SourceFile, decode_text, input_file
from cno.errors import CnoError

NO_REPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon", re.IGNORECASE)
REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs|antw|tr|rif|odp)(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# the display name may itself look like an address: `purchasing@x.example <do-not-reply@y.example>`
SIMPLE_ADDRESS = re.compile(r"\s*(?:([^<>,]*?)\s*<([^<>\s,]+@[^<>\s,]+)>|([^<>\s,]+@[^<>\s,]+))\s*$")
NOT_SIMPLE = re.compile(r'["()\\;:]')  # quotes, comments, groups: the standard library's parser
AN_ADDRESS = re.compile(r"['\"]?[^\s@<>'\"]+@[^\s@<>'\"]+['\"]?")
# pipermail/hyperkitty archives write `ada at example.com (Ada Lovelace)`
ARCHIVE_ADDRESS = re.compile(r"^(\s*[^\s@<>()\",;:]+) at ((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?=\s*(?:\(|$))")
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
MAX_HEADER_BYTES = 1 << 20  # a header block this large is not a message header
BOM = b"\xef\xbb\xbf"

# RFC 5322's own field name rule (FeedParser's): a line that is none of these ends the header
HEADER_LINE = re.compile(r"From |[\041-\071\073-\176]*:|[\t ]")
HEADER_FIELD = re.compile(rb"[\041-\071\073-\176]+:")
A_TIME = re.compile(rb"\b\d{1,2}:\d{2}\b")
OBS_FROM = re.compile(rb"From[ \t]*:")  # `From  :` is a From field (RFC 5322's obsolete syntax), not an envelope
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # a line and its end, as FeedParser splits them

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
RFC_MONTHS = {m.capitalize(): i for m, i in MONTHS.items()}
WEEKDAYS = frozenset("mon tue wed thu fri sat sun".split())
# Offsets in minutes. RFC 5322's names, then names mailers write that mean one zone only
# (IST, AST, CST-as-China are ambiguous and left out: read as UTC, as RFC 5322 says).
ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "AKST": -540, "AKDT": -480, "HST": -600, "NST": -210, "NDT": -150,
    "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "MET": 60, "MEZ": 60, "CEST": 120, "MEST": 120, "MESZ": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "HKT": 480, "SGT": 480, "AWST": 480, "JST": 540, "KST": 540,
    "ACST": 570, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}  # fmt: skip
# `Fri, 20 Nov 2026 09:15:00 +0100`: RFC 5322's form, weekday optional
RFC_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]\d{3})"
    r" (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{4})"
)
COMMENT = re.compile(r"\(([^()]*)\)")
AM_PM = re.compile(r"\b(\d{1,2})(:\d{2}(?::\d{2})?)\s*([AaPp])\.?[Mm]\b\.?")
OFFSET = re.compile(r"(?<!\S)(GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?!\S)")
ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s?(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{2,5})?",
    re.IGNORECASE,
)
FROM_LINE_DATE = re.compile(
    rb"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})"
    rb"\s+(\d{1,2}):(\d{2})(?::(\d{2}))?((?:\s+(?:[A-Za-z]{1,5}|[+-]\d{4}))*?)\s+(\d{4})\b",
    re.IGNORECASE,
)
EPOCH_DAYS = (date(1969, 12, 31), date(1970, 1, 1))  # time 0 written in some zone: no date
GIT_PATCH = datetime(2001, 9, 17)  # git format-patch's fixed `From <sha> Mon Sep 17 00:00:00 2001`

Delivered = Callable[["Header"], "tuple[datetime, str] | None"]  # when a message came, and the text saying it


def mbox_source(path: str) -> Source:
    p, head = input_file(path)
    if head and not head.removeprefix(BOM).startswith(b"From "):
        raise CnoError(f"{path} is not an mbox file (it does not begin with a 'From ' line)")
    st = p.stat()

    def files():
        yield SourceFile(str(p), st.st_size, st.st_mtime_ns, lambda me, today: read_mbox(p, me))

    return Source("mail", files)


def read_mbox(p: Path, me: frozenset[str]) -> Iterator[Item]:
    try:
        fh = open(p, "rb")
    except OSError as e:
        raise CnoError(f"can't read {p}: {e.strerror or e}") from None
    with fh:
        for n, (from_line, header) in enumerate(mbox_messages(fh), 1):
            delivered = lambda msg, line=from_line: from_line_date(line) or received_date(msg)  # noqa: E731
            yield message_item(header, me, f"{p.name}: message {n}", delivered)


def mbox_messages(fh: BinaryIO) -> Iterator[tuple[bytes, bytes]]:
    """(`From ` line, header block) of each message; the bodies are skipped, never kept."""
    readline = fh.readline
    line = readline().removeprefix(BOM)
    first = True
    while line:
        if not line.startswith(b"From ") or OBS_FROM.match(line):
            line = readline()
            continue
        following = readline()
        if first or FROM_LINE_DATE.search(line) or (HEADER_FIELD.match(following) and (len(line.split()) <= 2 or A_TIME.search(line))):
            first = False
            header, after = _mbox_header(following, readline)
            yield line, header
            line = after
        else:
            line = following


def _mbox_header(line: bytes, readline: Callable[[], bytes]) -> tuple[bytes, bytes]:
    """The header block starting at `line`, and the line after it (the body's first, or the next `From `)."""
    lines, size = [], 0
    while line and line not in (b"\n", b"\r\n") and size <= MAX_HEADER_BYTES:
        if line.startswith(b"From ") and not OBS_FROM.match(line):
            break  # the next message's envelope: this one has no body
        lines.append(line)
        size += len(line)
        line = readline()
    if line in (b"\n", b"\r\n"):
        line = readline()
    return b"".join(lines), line


def maildir_source(path: str) -> Source:
    p = Path(path).expanduser()
    if not p.exists():
        raise CnoError(f"no such folder: {path}")
    if not p.is_dir():
        raise CnoError(f"{path} is a file, not a maildir folder — for an mbox file use 'cno capture mbox'")
    subs = [p / sub for sub in ("new", "cur") if (p / sub).is_dir()]
    if not subs:
        raise CnoError(f"{path} is not a maildir (it has no cur/ or new/ folder)")
    names = []
    for sub in subs:
        try:
            names.append((sub, sorted(n for n in os.listdir(sub) if not n.startswith("."))))
        except OSError as e:
            raise CnoError(f"can't read {sub}: {e.strerror or e}") from None
    folder = p.resolve()

    def files():
        for sub, listed in names:
            where = os.path.join(folder, sub.name)
            for name in listed:
                fp = os.path.join(where, name)
                try:
                    st = os.stat(fp)
                except FileNotFoundError:  # moved from new/ to cur/ while we read
                    continue
                if stat.S_ISREG(st.st_mode):
                    yield SourceFile(fp, st.st_size, st.st_mtime_ns, lambda me, today, fp=fp: read_message_file(fp, me))

    return Source("mail", files, total=sum(len(listed) for _sub, listed in names), folders=tuple(str(folder / s.name) for s in subs))


def read_message_file(fp: str, me: frozenset[str]) -> Iterator[Item]:
    label = os.path.join(os.path.basename(os.path.dirname(fp)), os.path.basename(fp))
    try:
        with open(fp, "rb") as fh:
            header = read_header(fh)
    except OSError as e:
        yield Problem(label, f"can't read it: {e.strerror or e}")
        return
    yield message_item(header, me, label, received_date)


def read_header(fh: BinaryIO) -> bytes:
    """The header block: the lines up to the first empty one; the body is never read."""
    lines, size = [], 0
    for line in fh:
        if line in (b"\n", b"\r\n") or size > MAX_HEADER_BYTES:
            break
        lines.append(line)
        size += len(line)
    return b"".join(lines)


class Header:
    """A message's header fields as the standard library's compat32 HeaderParser reads them
    (the same lines, the same values, folding and line ends kept), without building a
    Message: that was most of the time a large folder took."""

    __slots__ = ("fields",)

    def __init__(self, text: str) -> None:
        self.fields: dict[str, list[str]] = {}
        lines: list[str] = []
        match = HEADER_LINE.match
        for line in LINE.findall(text):
            if not match(line):
                break  # not a header line: the body begins (or junk does); findall gives no empty line
            first = line[0]
            if first == " " or first == "\t":
                if lines:
                    lines.append(line)
                continue
            if lines:
                self._add(lines)
                lines = []
            if first == ":" or line.startswith("From "):
                continue  # an envelope line (misplaced, unless the first) is no field
            lines = [line]
        if lines:
            self._add(lines)

    def _add(self, lines: list[str]) -> None:
        name, value = lines[0].split(":", 1)
        value = value.lstrip(" \t")
        if len(lines) > 1:
            value += "".join(lines[1:])
        name = name.lower()
        values = self.fields.get(name)
        if values is None:
            self.fields[name] = [value.rstrip("\r\n")]
        else:
            values.append(value.rstrip("\r\n"))

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def get_all(self, name: str) -> list[str]:
        return self.fields.get(name, [])


def message_item(header: bytes, me: frozenset[str], label: str, delivered: Delivered | None = None) -> Item:
    msg = Header(decode_text(header))
    own_id = _ids(msg.get("message-id"))
    if own_id:
        label = f"{label} <{own_id[0]}>"
    try:
        return _message_item(msg, own_id, me, label, delivered)
    except RecursionError:  # the standard library's address parser on thousands of encoded words
        return Problem(label, "a header too deeply nested to read")


def _message_item(msg: Header, own_id: list[str], me: frozenset[str], label: str, delivered: Delivered | None) -> Item:
    if msg.get("list-id") or msg.get("list-unsubscribe") or (msg.get("precedence") or "").strip().lower() in ("bulk", "list", "junk"):
        return Ignored("mailing list")
    if (msg.get("auto-submitted") or "no").strip().lower() != "no":
        return Ignored("automatic reply")
    senders = _addresses(msg, "from")
    if not senders:
        return Problem(label, "no From address")
    sender = senders[0][1]
    if NO_REPLY.search(sender):
        return Ignored("no-reply sender")
    stated = (msg.get("date") or "").strip()
    posted = None
    if stated:
        when = mail_date(stated)
        if when is None:
            return Problem(label, "no readable Date header")
    else:
        posted = delivered(msg) if delivered else None
        if posted is None:
            return Problem(label, "no Date header")
        when = posted[0]
    people: dict[str, str] = {}
    for pairs in (senders, _addresses(msg, "to"), _addresses(msg, "cc")):
        for name, addr in pairs:
            if addr not in me and not people.get(addr):
                people[addr] = name
    subject = " ".join(_text(msg.get("subject") or "").split())
    note = REPLY_PREFIX.sub("", subject).strip() or None
    refs = _ids(msg.get("references")) or _ids(msg.get("in-reply-to"))
    thread = refs[0] if refs else own_id[0] if own_id else (f"subject:{note.casefold()}" if note else None)
    key = f"<{own_id[0]}>" if own_id else _digest_key(msg, posted[1] if posted else "")
    return Found(
        key=key,
        when=when,
        people=people,
        note=note,
        via="email",
        direction="out" if sender in me else "in",
        thread=thread,
    )


# -- dates ----------------------------------------------------------------------


def mail_date(value: str) -> datetime | date | None:
    """A Date header as local time (a day alone for a date without a time); None if unreadable."""
    m = RFC_DATE.fullmatch(value)
    if m is not None:
        # the form nearly every mailer writes, read as parsedate_to_datetime and the
        # odd-date reader read it (-0000 is UTC to both); what does not fit a date
        # (a 24th hour, a 32nd day) goes the long way
        day, month, year, hh, mi, ss, sign, zone = m.groups()
        offset = int(zone)
        offset = (offset // 100 * 3600 + offset % 100 * 60) * (-1 if sign == "-" else 1)
        try:
            sent = datetime(int(year), RFC_MONTHS[month], int(day), int(hh), int(mi), int(ss), tzinfo=timezone(timedelta(seconds=offset)))
            return sent.astimezone().replace(tzinfo=None)
        except (ValueError, OverflowError):
            pass
    try:
        sent = email.utils.parsedate_to_datetime(value)
        if sent.tzinfo is not None and sent.year >= 1000:  # RFC 5322: nearly every message
            return sent.astimezone().replace(tzinfo=None)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    return _odd_date(value)


def _odd_date(value: str) -> datetime | date | None:
    """The Date forms mailers write besides RFC 5322's (see the module's docstring)."""
    comments = " ".join(COMMENT.findall(value)).split()
    text = " ".join(COMMENT.sub(" ", value).split())
    text = AM_PM.sub(_24_hour, OFFSET.sub(_numeric_offset, text))
    try:
        iso = ISO_DATE.fullmatch(text)
        if iso:
            y, mo, d, hh, mi, ss, zone = iso.groups()
            if hh is None:
                return None if zone else date(int(y), int(mo), int(d))
            sent = datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0))
            tokens = [zone.replace(":", "")] if zone else []
        else:
            sent = email.utils.parsedate_to_datetime(text)
            tokens = text.split()
        if sent.year < 1000:  # RFC 5322: a three-digit year is years since 1900
            sent = sent.replace(year=sent.year + 1900)
        if sent.tzinfo is None:
            offset = _zone(tokens, known_only=False)
            if offset is None:
                offset = _zone(comments, known_only=True)
            if offset is None:
                return sent  # no zone at all: local time
            sent = sent.replace(tzinfo=timezone(timedelta(minutes=offset)))
        return sent.astimezone().replace(tzinfo=None)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _numeric_offset(m: re.Match) -> str:
    named, sign, hours, minutes = m.groups()
    if not named and minutes is None:
        return m[0]  # a bare -5 is no zone
    return f"{sign}{int(hours):02d}{minutes or '00'}"


def _24_hour(m: re.Match) -> str:
    hour = int(m[1]) % 12 + (12 if m[3] in "Pp" else 0)
    return f"{hour:02d}{m[2]}"


def _zone(tokens: list[str], *, known_only: bool) -> int | None:
    """The offset in minutes named by one of the tokens; None when none names a zone."""
    summer = 60 if any(t.upper() == "DST" for t in tokens) else 0
    for token in reversed(tokens):
        if len(token) == 5 and token[0] in "+-" and token[1:].isdigit():
            minutes = int(token[1:3]) * 60 + int(token[3:])
            return minutes if token[0] == "+" else -minutes
        upper = token.upper()
        if upper in ZONES:
            return ZONES[upper] + summer
        if known_only or not token.isalpha() or len(token) > 5:
            continue
        if upper[:3].lower() not in WEEKDAYS and upper[:3].lower() not in MONTHS and upper != "DST":
            return 0  # RFC 5322 §4.3: a zone name not known means UTC
    return None


def from_line_date(line: bytes) -> tuple[datetime, str] | None:
    """The time an mbox `From ` line gives (local time unless it names a zone), and its text."""
    m = FROM_LINE_DATE.search(line)
    if m is None:
        return None
    month, day, hh, mi, ss, zones, year = m.groups()
    try:
        posted = datetime(int(year), MONTHS[month.decode().lower()], int(day), int(hh), int(mi), int(ss or 0))
        if posted.date() in EPOCH_DAYS or posted == GIT_PATCH:
            return None
        offset = _zone(zones.decode("ascii").split(), known_only=True)
        if offset is not None:
            posted = posted.replace(tzinfo=timezone(timedelta(minutes=offset))).astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return posted, m[0].decode("ascii")


def received_date(msg: Header) -> tuple[datetime, str] | None:
    """The time the first Received header gives (its date follows the last `;`), and its text."""
    stated = (msg.get("received") or "").rpartition(";")[2].strip()
    when = mail_date(stated) if stated else None
    return (when, stated) if isinstance(when, datetime) else None


# -- addresses --------------------------------------------------------------------


def _addresses(msg: Header, field: str) -> list[tuple[str, str]]:
    """(display name, casefolded address) of a header, decoded; groups and junk left out."""
    pairs = []
    for value in msg.get_all(field):
        if " at " in value:
            value = ARCHIVE_ADDRESS.sub(r"\1@\2", value, count=1)
        pairs += _simple_addresses(value) or email.utils.getaddresses([value])
    out = []
    for name, addr in pairs:
        addr = addr.strip().casefold()
        if "@" in addr and " " not in addr:
            if name:
                name = " ".join(_text(name).split())
            if "@" in name and AN_ADDRESS.fullmatch(name):
                name = ""  # `x@y <z@w>`: the name is no name
            out.append((name, addr))
    return out


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """`Name <a@b>, c@d` read quickly; None for anything else (quotes, comments,
    groups), which the standard library's slower parser reads instead."""
    if NOT_SIMPLE.search(value):
        return None
    out = []
    for part in value.split(","):
        m = SIMPLE_ADDRESS.match(part)
        if m is None:
            return None
        out.append((m.group(1) or "", m.group(2) or m.group(3)))
    return out


def _text(value) -> str:
    """A header value with its encoded words (=?utf-8?q?...?=) decoded."""
    value = str(value)
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, HeaderParseError):
        return value


def _ids(value) -> list[str]:
    if not value:
        return []
    text = str(value).strip()
    # some mailers leave out the angle brackets around a lone id
    return MESSAGE_ID.findall(text) or ([text] if "@" in text and not any(c.isspace() for c in text) else [])


def _digest_key(msg: Header, delivered: str = "") -> str:
    # no Message-ID: the same message read twice still gives the same key
    h = hashlib.sha256()
    for field in ("date", "from", "to", "cc", "subject"):
        h.update(str(msg.get(field) or "").encode("utf-8", "surrogateescape") + b"\x00")
    if delivered:  # no Date either: when it came tells two such messages apart
        h.update(delivered.encode("utf-8", "surrogateescape"))
    return f"digest:{h.hexdigest()[:32]}"
