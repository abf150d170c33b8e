"""vCard 2.1, 3.0 and 4.0 in (read by hand, card by card), vCard 4.0 out (streamed).

Files from phones, Outlook, Apple, Android, KDE, Thunderbird and SOGo are
read the way they are written, not the way RFC 6350 wishes they were (SPEC
"Reading other people's files"): one line that can't be read costs that
property, with a warning naming its line in the file; a card that holds no
name and no e-mail is skipped; the file is refused only when it holds no
card at all.

The reader is this module's own rather than vobject's: vobject stops at the
first line it can't read (every card lost), counts lines its own way, and
reads about 800 cards a second — a phone's 10,000-card export would take
longer than the rest of the import put together.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

from cno.contacts import ContactInput
from cno.io.folding import fold
from cno.io.importing import bad_file

# A file's line ends are its own: CR LF, LF, iOS's CR CR LF; CR alone only in a
# file with no LF at all (classic Mac OS). A lone CR inside an LF file is data.
_LINE_END = re.compile(r"\r*\n")
_MARK = re.compile(r"(BEGIN|END):VCARD\s*$", re.I)  # in any case, with the trailing spaces some writers add
_ANY_CARD = re.compile(rb"(?i)BEGIN:VCARD")
_NAME = re.compile(r"[A-Za-z0-9-]+")
_RAW_BYTE = re.compile("[\udc80-\udcff]")  # a byte that wasn't UTF-8 (surrogateescape)
_TEXT_ESCAPE = re.compile(r"\\(.)", re.S)
_V21_ESCAPE = re.compile(r"\\([nN;,])")

# The properties a contact is made of; every other one is passed over unread
# (so an unknown or broken one costs nothing), binary ones only checked.
_USED = {"VERSION", "FN", "N", "ORG", "TITLE", "NOTE", "EMAIL", "TEL", "BDAY", "ADR", "TZ", "URL", "X-SOCIALPROFILE", "CATEGORIES", "UID", "NICKNAME"}
_BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}
_APPLE_NO_YEAR = "1604"  # Apple Contacts' year for a birthday without one


class _Unreadable(Exception):
    """A property that can't be read: its reason, for the warning."""


def load(data: bytes, where: str, warnings: list[str]) -> list[ContactInput]:
    """The contacts in a vCard file's bytes (see `read`).

    Decoding is left to each property: a vCard 2.1 property names its own
    CHARSET (Shift_JIS, Windows-1250...), and writers fold lines in the
    middle of a UTF-8 character, which only decodes once the fold is undone.
    """
    from cno.io.importing import decode

    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or not _ANY_CARD.search(data):
        # UTF-16, or no vCard at all: the shared reading, which names a binary file for what it is
        return read(decode(data, where, warnings), where, warnings)
    return read(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape"), where, warnings)


def read(text: str, where: str, warnings: list[str] | None = None) -> list[ContactInput]:
    """One ContactInput per BEGIN:VCARD … END:VCARD block, in the file's order.

    What can't be read is reported in `warnings` with its line in the file;
    a card without a usable name comes back with an empty one, for the
    import to skip and count. CnoError (exit 2) only when there is no
    complete card in the file.
    """
    warnings = [] if warnings is None else warnings
    lines = _LINE_END.split(text) if "\n" in text else text.split("\r")
    blocks, stray, unfinished = _blocks(lines)
    if not blocks:
        if unfinished:
            raise bad_file(where, unfinished[0], "the file ends inside this vCard (no END:VCARD): it holds no complete card")
        if stray:
            raise bad_file(where, stray[0], "not a vCard (expected BEGIN:VCARD)")
        raise bad_file(where, 1, "no vCard in the file (expected BEGIN:VCARD)")
    if stray:
        shown = ", ".join(map(str, stray[:5])) + (f" and {len(stray) - 5} more" if len(stray) > 5 else "")
        warnings.append(f"{where}, line {stray[0]}: ignored text outside any vCard (line{'s' * (len(stray) > 1)} {shown})")
    for start in unfinished:
        warnings.append(f"{where}, line {start}: the file ends inside this vCard (no END:VCARD) — cut short? It was not read")
    return [_record(start, [(n + 1, lines[n]) for n in body], where, warnings) for start, body in blocks]


def _blocks(lines: list[str]) -> tuple[list[tuple[int, list[int]]], list[int], list[int]]:
    """(first line, indexes of its property lines) of every complete card; the
    lines of text outside any card; the first lines of cards never ended.

    A BEGIN:VCARD inside a card starts a card of its own (vCard 2.1's AGENT,
    Android's nested cards); the outer one goes on after its END.
    """
    blocks, open_cards, outside = [], [], []
    for i, line in enumerate(lines):
        mark = _MARK.match(line) if line[-1:] in "Dd \t\r" else None
        if mark:
            if mark.group(1).upper() == "BEGIN":
                open_cards.append((i + 1, []))
            elif open_cards:
                blocks.append(open_cards.pop())
            else:
                outside.append(i + 1)
        elif open_cards:
            open_cards[-1][1].append(i)
        elif line.strip():
            outside.append(i + 1)
    blocks.sort()
    return blocks, outside, [start for start, _ in open_cards]


def _logical(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """[line number, text] of each property, its folds undone.

    Besides RFC folding (a line that starts with a space or a tab goes on the
    one before), vCard 2.1 has quoted-printable soft breaks: a line ending in
    `=` goes on at the start of the next, unless a blank line comes between
    (Android ends a value so). Blank lines are dropped.
    """
    props: list[tuple[int, list[str]]] = []
    after_blank = False
    for n, line in lines:
        if not line.strip():
            after_blank = True
            continue
        if props:
            pieces = props[-1][1]
            if line[0] in " \t":
                pieces.append(line[1:])
                continue
            if not after_blank and pieces[-1].endswith("=") and "QUOTED-PRINTABLE" in header("".join(pieces)).upper():
                pieces[-1] = pieces[-1][:-1]
                pieces.append(line)
                continue
        after_blank = False
        props.append((n, [line]))
    return [(n, "".join(pieces)) for n, pieces in props]


def header(raw: str) -> str:
    """The name and parameters of a property line: all before its first colon outside quotes."""
    colon = raw.find(":")
    if colon < 0:
        return raw
    if '"' in raw[:colon]:
        quoted = False
        for i, ch in enumerate(raw):
            if ch == '"':
                quoted = not quoted
            elif ch == ":" and not quoted:
                return raw[:i]
        return raw
    return raw[:colon]


def _is_base64(header: str) -> bool:
    h = header.upper()
    return "BASE64" in h or "ENCODING=B" in h


def _param_value(params: str, name: str) -> str | None:
    """The first value of the parameter `name` in `;TYPE="home,work";CHARSET=UTF-8`, unquoted."""
    for part in _split(params, ";", quotes=True)[1:]:
        key, eq, value = part.partition("=")
        if eq and key.strip().upper() == name:
            return _split(value, ",", quotes=True)[0].strip().strip('"')
    return None


def _split(text: str, sep: str, *, quotes: bool = False) -> list[str]:
    """`text` split at each `sep` not escaped by a backslash (nor, with
    `quotes`, inside double quotes), the pieces left as they are."""
    if "\\" not in text and not (quotes and '"' in text):
        return text.split(sep)
    parts, start, i, quoted = [], 0, 0, False
    while i < len(text):
        ch = text[i]
        if ch == "\\" and not quotes:
            i += 2
            continue
        if ch == '"' and quotes:
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


class _Card:
    """The properties of one card, read one at a time; a bad one is noted, not fatal."""

    def __init__(self):
        self.v21 = False
        self.props: dict[str, list[tuple[int, str, str]]] = {}  # name: [(line, text, parameters)]
        # (line, text before, text after) of each warning: the card's name goes between
        self.problems: list[tuple[int, str, str]] = []

    def add(self, n: int, raw: str) -> None:
        colon = raw.find(":")
        if colon < 0:
            self.ignored(n, "a line that is not a vCard property", _shown(raw))
            return
        semi = raw.find(";", 0, colon)
        name = raw[: semi if semi >= 0 else colon].rpartition(".")[2].strip()
        key = name.upper()
        if key not in _USED and key not in _BINARY:
            if not _NAME.fullmatch(name):
                what = _shown(name) if name else "a line with no property name"
                self.ignored(n, what, "not a valid property name" if name else _shown(raw))
            return
        if semi >= 0 and '"' in raw[semi:colon]:
            colon = len(header(raw))  # a quoted parameter value may hold a colon
        params = raw[semi:colon] if semi >= 0 else ""
        if key in _BINARY:
            if reason := _binary_problem(params, raw[colon + 1 :]):
                self.ignored(n, key, reason)
            return
        try:
            value = self.decode(n, key, params, raw[colon + 1 :])
        except _Unreadable as e:
            self.ignored(n, key, str(e))
            return
        if key == "VERSION":
            self.v21 = value.strip() == "2.1"
        self.props.setdefault(key, []).append((n, value, params))

    def decode(self, n: int, name: str, params: str, value: str) -> str:
        """A value as text: quoted-printable undone, then its bytes read as UTF-8,
        else in its CHARSET; with no CHARSET, as Windows-1252 (with a warning),
        the code page of the Windows programs that write such files."""
        qp = "QUOTED-PRINTABLE" in params.upper()
        if not qp and not _RAW_BYTE.search(value):
            return value
        raw = value.encode("utf-8", "surrogateescape")
        if qp:
            raw = binascii.a2b_qp(raw)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        charset = _param_value(params, "CHARSET") if "CHARSET" in params.upper() else None
        if charset:
            try:
                codecs.lookup(charset)
            except LookupError:
                charset = None
        if charset:
            try:
                return raw.decode(charset)
            except UnicodeDecodeError:
                raise _Unreadable(f"not valid {charset}, the CHARSET it names") from None
        self.problems.append((n, name, " is not UTF-8 and names no CHARSET: read as Windows-1252"))
        return raw.decode("cp1252", "replace")

    def ignored(self, n: int, what: str, why: str) -> None:
        self.problems.append((n, f"ignored {what}", f": {why}"))

    def texts(self, name: str) -> list[str]:
        return [v for _, v, _ in self.props.get(name, ())]

    def unescape(self, text: str) -> str:
        # vCard 2.1 escapes only what Android's and Outlook's writers do: \; \, and \n
        if "\\" not in text:
            return text
        if self.v21:
            return _V21_ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)
        return _TEXT_ESCAPE.sub(_unescape_one, text)

    def first(self, name: str) -> str | None:
        for v in self.texts(name):
            v = " ".join(self.unescape(v).split())
            if v:
                return v
        return None

    def components(self, name: str) -> list[list[str]]:
        """Each structured value (N, ADR, ORG) as its components, still escaped
        (an escaped comma is text; a bare one, in 3.0 and 4.0, separates values)."""
        return [_split(v, ";") for v in self.texts(name)]


def unescape(text: str) -> str:
    """A vCard 3.0/4.0 TEXT value with its escapes undone."""
    return _TEXT_ESCAPE.sub(_unescape_one, text)


def _unescape_one(m: re.Match) -> str:
    ch = m.group(1)
    if ch in "nN":
        return "\n"
    return ch if ch in "\\,;:\"" else m.group(0)  # \" is how Gmail writes a quote


def _binary_problem(params: str, value: str) -> str | None:
    """Why a PHOTO/LOGO/SOUND/KEY value can't be read, if it can't (cno keeps none of them)."""
    data = value
    if _is_base64(params):
        pass
    elif value[:5].lower() == "data:" and ";base64," in value[:80].lower():
        data = value.partition(",")[2]
    else:
        return None  # a URI, or a value in no encoding: nothing to check
    try:
        base64.b64decode("".join(data.split()).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as e:
        return f"not valid base64 ({e})"
    return None


def _shown(text: str, limit: int = 40) -> str:
    """A bit of the file as a warning quotes it: bytes that weren't text shown as �."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _record(start: int, lines: list[tuple[int, str]], where: str, warnings: list[str]) -> ContactInput:
    card = _Card()
    for n, raw in _logical(lines):
        card.add(n, raw)
    # a card with no FN or N keeps an empty name: the import names it from its
    # e-mail (`Name <address>` kept as written for that), or skips it
    name = card.first("FN") or _name_from_n(card) or ""
    rec = ContactInput(
        name=name, line=start, company=_org(card), role=card.first("TITLE"), birthday=_birthday(card),
        note=_notes(card), location=_location(card), timezone=_timezone(card), linkedin=_linkedin(card),
        emails=_emails(card), phones=_phones(card), tags=_categories(card), uid=card.first("UID"),
        nicks=[" ".join(card.unescape(n).split()) for v in card.texts("NICKNAME") for n in _split(v, ",")],
    )  # fmt: skip
    whose = f" of {' '.join(name.split())}" if name.strip() else ""
    for n, before, after in sorted(card.problems):
        warnings.append(f"{where}, line {n}: {before}{whose}{after}")
    return rec


def _name_from_n(card: _Card) -> str | None:
    for parts in card.components("N"):
        family, given, additional, prefix, suffix = (parts + [""] * 5)[:5]
        values = (prefix, given, additional, family, suffix)
        text = " ".join(card.unescape(v) for p in values for v in ([p] if card.v21 else _split(p, ",")))
        if text.strip():
            return " ".join(text.split())
    return None


def _org(card: _Card) -> str | None:
    # ORG is text, its first component the company: Outlook's `ORG:Company, The;Dept` is `Company, The`
    for parts in card.components("ORG"):
        company = " ".join(card.unescape(parts[0]).split())
        if company:
            return company
    return None


def _notes(card: _Card) -> str | None:
    notes = [card.unescape(v).strip() for v in card.texts("NOTE")]
    return "\n\n".join(n for n in notes if n) or None


def _birthday(card: _Card) -> str | None:
    """BDAY in the journal's form: `YYYY-MM-DD`, or `--MM-DD` without a year.

    Reads `--MMDD`, `--MM-DD`, `YYYYMMDD`, `YYYY-MM-DD` with or without a
    time, and Apple's year 1604 (or X-APPLE-OMIT-YEAR) meaning "no year".
    """
    for _, value, params in card.props.get("BDAY", ()):
        v = value.strip()
        m = re.fullmatch(r"(--|\d{4})-?(\d{2})-?(\d{2})(?:T[0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?", v)
        if not m:
            return card.unescape(v) if v else None  # left for the shared check, which warns
        year, month, day = m.groups()
        omit = _param_value(params, "X-APPLE-OMIT-YEAR") if "OMIT" in params.upper() else None
        if year in ("--", _APPLE_NO_YEAR, omit):
            return f"--{month}-{day}"
        return f"{year}-{month}-{day}"
    return None


def _emails(card: _Card) -> list[str]:
    out = []
    for v in card.texts("EMAIL"):
        v = " ".join(card.unescape(v).split())
        out.append(v[7:] if v[:7].lower() == "mailto:" else v)
    return out


def _timezone(card: _Card) -> str | None:
    """TZ as a zone name; vCard 3.0 and most writers give a UTC offset (`-05:00`),
    which is the fixed zone Etc/GMT+5 when it is a whole number of hours."""
    tz = card.first("TZ")
    m = re.fullmatch(r"([+-]?)(\d{1,2}):?(\d{2})", tz or "")
    hours = int(m[2]) if m else None
    if hours is None or m[3] != "00" or hours > (12 if m[1] == "-" else 14):
        return tz  # a zone name, or an offset no zone has: left for the shared check
    return f"Etc/GMT{'+' if m[1] == '-' else '-'}{hours}" if hours else "UTC"  # POSIX signs run backwards


def _phones(card: _Card) -> list[str]:
    out = []
    for v in card.texts("TEL"):
        v = card.unescape(v).strip()
        if v[:4].lower() == "tel:":
            v = v[4:].replace(";ext=", " ext. ")
        out.append(v)
    return out


def _categories(card: _Card) -> list[str]:
    return [card.unescape(t) for v in card.texts("CATEGORIES") for t in _split(v, ",")]


def _linkedin(card: _Card) -> str | None:
    urls = [card.unescape(v).strip() for v in card.texts("URL") + card.texts("X-SOCIALPROFILE")]
    return next((u for u in urls if "linkedin.com/" in u.casefold()), None)


def _location(card: _Card) -> str | None:
    for parts in card.components("ADR"):
        parts = (parts + [""] * 7)[:7]
        text = ", ".join(" ".join(card.unescape(p).split()) for p in (parts[3], parts[4], parts[6]) if p.strip())
        if text:
            return text
    return None


# -- export ---------------------------------------------------------------------


def escape(text: str, *, tabs: bool = False) -> str:
    """A TEXT value of vCard 4.0 / iCalendar: backslash, comma, semicolon and newlines escaped.

    Other control characters may not appear in these formats at all, and must
    never reach a terminal raw: they are written as visible `\\xNN` text. With
    `tabs`, a TAB stays a TAB: RFC 6350's TEXT allows one (WSP), and no
    escape for it exists.
    """
    from cno.render import clean

    def one(part: str) -> str:
        part = "\t".join(clean(p) for p in part.split("\t")) if tabs else clean(part)
        return part.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\\n".join(one(part) for part in text.split("\n"))


def fold_keeping_tabs(line: str) -> str:
    """`fold(line)` with each TAB left a TAB (fold writes control characters as
    `\\x09` text); `line` holds no other control character."""
    folded = fold(line.replace("\t", " "))  # a TAB is one octet, like the space folded in its place
    if "\t" not in line:
        return folded
    pieces, at = [], 0
    for i, segment in enumerate(folded[:-2].split("\r\n")):
        size = len(segment) - (i > 0)  # a continuation line starts with the fold's space
        pieces.append(line[at : at + size])
        at += size
    return "\r\n ".join(pieces) + "\r\n"


def n_value(name: str) -> str:
    """N (family;given;;;) from a full name: the last word is taken as the family name."""
    words = name.split()
    family = words[-1] if len(words) > 1 else name
    given = " ".join(words[:-1]) if len(words) > 1 else ""
    return f"{escape(family)};{escape(given)};;;"


def card(c: dict) -> str:
    """One contact (a row with emails/phones/tags lists) as a vCard 4.0.

    Every line goes through `fold`, which writes any control character left
    in a value (a uid, a URI, a parameter) as visible text; the note keeps
    its TABs, which survive `export vcard` → `import vcard`.
    """
    props = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:uuid:{c['uid']}",
        f"FN:{escape(c['name'])}",
        f"N:{n_value(c['name'])}",
    ]
    props += [f"EMAIL:{escape(e)}" for e in c["emails"]]
    props += [f"TEL;VALUE=text:{escape(p)}" for p in c["phones"]]
    if c["company"]:
        props.append(f"ORG:{escape(c['company'])}")
    if c["role"]:
        props.append(f"TITLE:{escape(c['role'])}")
    if c["birthday"]:
        props.append(f"BDAY:{bday_value(c['birthday'])}")
    if c["location"]:
        props.append(f"ADR;LABEL={param_text(c['location'])}:;;;{escape(c['location'])};;;")
    if c["timezone"]:
        props.append(f"TZ;VALUE=text:{escape(c['timezone'])}")
    if c["linkedin"]:
        props.append(f"URL:{c['linkedin']}")  # a URI: no text escaping
    if c["tags"]:
        props.append("CATEGORIES:" + ",".join(escape(t) for t in c["tags"]))
    out = "".join(fold(p) for p in props)
    if c["note"]:
        out += fold_keeping_tabs(f"NOTE:{escape(c['note'], tabs=True)}")
    return out + fold("END:VCARD")


def param_text(text: str) -> str:
    # a parameter value can't hold a double quote or a line break (RFC 6868 aside);
    # other control characters are left to `fold`, like those of every line
    return '"' + " ".join(text.replace('"', "'").split()) + '"'


def bday_value(stored: str) -> str:
    """A stored birthday as BDAY: YYYYMMDD, or --MMDD without a year."""
    return "--" + stored[2:].replace("-", "") if stored.startswith("--") else stored.replace("-", "")
