"""vCard 2.1, 3.0 and 4.0 in (through vobject), vCard 4.0 out (streamed by hand).

Each card is parsed on its own so an error names the line it starts on, and
one card vobject can't read is reported there rather than as "somewhere in
the file".
"""

from __future__ import annotations

import re

from cno.io.folding import fold
from cno.io.importing import Record, bad_file

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.I)
_END = re.compile(r"^END:VCARD\s*$", re.I)


def _cards(text: str, where: str) -> list[tuple[int, str]]:
    """(first line number, text) of each BEGIN:VCARD … END:VCARD block."""
    cards, start, buf = [], None, []
    for n, line in enumerate(text.splitlines(), 1):
        if start is None:
            if _BEGIN.match(line):
                start, buf = n, [line]
            elif line.strip():
                raise bad_file(where, n, "not a vCard (expected BEGIN:VCARD)")
            continue
        buf.append(line)
        if _END.match(line):
            cards.append((start, "\n".join(buf) + "\n"))
            start = None
    if start is not None:
        raise bad_file(where, start, "this vCard has no END:VCARD")
    if not cards:
        raise bad_file(where, 1, "no vCard in the file (expected BEGIN:VCARD)")
    return cards


def _values(card, key: str) -> list:
    return [line.value for line in card.contents.get(key, [])]


def _text(card, key: str) -> str | None:
    for v in _values(card, key):
        v = " ".join(v) if isinstance(v, list) else str(v)
        if v.strip():
            return v.strip()
    return None


def _name(card) -> str:
    fn = _text(card, "fn")
    if fn:
        return fn
    for n in _values(card, "n"):
        parts = [n.prefix, n.given, n.additional, n.family, n.suffix]
        text = " ".join(" ".join(p) if isinstance(p, list) else p for p in parts if p)
        if text.strip():
            return text
    return ""


def _birthday(card) -> str | None:
    for line in card.contents.get("bday", []):
        v = str(line.value).strip()
        omit = line.params.get("X-APPLE-OMIT-YEAR", [None])[0]
        # --MMDD, --MM-DD, YYYYMMDD, YYYY-MM-DD, with or without a time part
        m = re.match(r"^(--|\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$", v)
        if not m:
            return v  # left for the shared check, which warns
        year, month, day = m.groups()
        if year == "--" or year == omit:
            return f"--{month}-{day}"
        return f"{year}-{month}-{day}"
    return None


def _org(card) -> str | None:
    for v in _values(card, "org"):
        parts = v if isinstance(v, list) else [v]
        if parts and str(parts[0]).strip():
            return str(parts[0]).strip()
    return None


def _categories(card) -> list[str]:
    out = []
    for v in _values(card, "categories"):
        out += v if isinstance(v, list) else str(v).split(",")
    return out


def _linkedin(card) -> str | None:
    urls = _values(card, "url") + _values(card, "x-socialprofile")
    return next((u.strip() for u in urls if isinstance(u, str) and "linkedin.com/" in u.casefold()), None)


def _location(card) -> str | None:
    for adr in _values(card, "adr"):
        parts = [adr.city, adr.region, adr.country]
        text = ", ".join(" ".join(p) if isinstance(p, list) else p for p in parts if p)
        if text.strip():
            return text
    return None


def _failed_line(error, block: str, start: int) -> int:
    """The file line vobject choked on, found by its text."""
    text = str(error).partition("Failed to parse line: ")[2].strip()
    for i, line in enumerate(block.splitlines()):
        if text and line.strip() == text:
            return start + i
    return start


def read(text: str, where: str) -> list[Record]:
    import vobject

    records = []
    for line, block in _cards(text, where):
        try:
            card = vobject.readOne(block, validate=False, allowQP=True)  # vCard 2.1's soft line breaks
            name = _name(card)
            rec = Record(
                name=name, line=line, company=_org(card), role=_text(card, "title"),
                birthday=_birthday(card), note=_text(card, "note"), location=_location(card),
                timezone=_text(card, "tz"), linkedin=_linkedin(card),
                emails=[str(v) for v in _values(card, "email")],
                phones=[str(v).removeprefix("tel:") for v in _values(card, "tel")],
                tags=_categories(card),
            )  # fmt: skip
        except vobject.base.ParseError as e:
            reason = re.sub(r"^At line \d+: ", "", str(e))  # vobject's count is relative and off for CRLF
            raise bad_file(where, _failed_line(e, block, line), f"can't read this vCard ({reason})") from None
        except (ValueError, TypeError, AttributeError) as e:
            # vobject raises these for malformed values (bad encodings, broken N/ADR)
            raise bad_file(where, line, f"can't read this vCard ({e})") from None
        if not name.strip():
            raise bad_file(where, line, "this vCard has no name (FN or N)")
        records.append(rec)
    return records


# -- export ---------------------------------------------------------------------


def escape(text: str) -> str:
    """A TEXT value of vCard 4.0 / iCalendar: backslash, comma, semicolon and newlines escaped.

    Other control characters may not appear in these formats at all, and must
    never reach a terminal raw: they are written as visible `\\xNN` text.
    """
    from cno.render import clean

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\\n".join(
        clean(part).replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;") for part in text.split("\n")
    )


def _n(name: str) -> str:
    """N (family;given;;;) from a full name: the last word is taken as the family name."""
    words = name.split()
    family = words[-1] if len(words) > 1 else name
    given = " ".join(words[:-1]) if len(words) > 1 else ""
    return f"{escape(family)};{escape(given)};;;"


def card(c: dict) -> str:
    """One contact (a row with emails/phones/tags lists) as a vCard 4.0.

    Every line goes through `fold`, which writes any control character left
    in a value (a uid, a URI, a parameter) as visible text.
    """
    props = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:uuid:{c['uid']}",
        f"FN:{escape(c['name'])}",
        f"N:{_n(c['name'])}",
    ]
    props += [f"EMAIL:{escape(e)}" for e in c["emails"]]
    props += [f"TEL;VALUE=text:{escape(p)}" for p in c["phones"]]
    if c["company"]:
        props.append(f"ORG:{escape(c['company'])}")
    if c["role"]:
        props.append(f"TITLE:{escape(c['role'])}")
    if c["birthday"]:
        props.append(f"BDAY:{_bday(c['birthday'])}")
    if c["location"]:
        props.append(f"ADR;LABEL={_param(c['location'])}:;;;{escape(c['location'])};;;")
    if c["timezone"]:
        props.append(f"TZ;VALUE=text:{escape(c['timezone'])}")
    if c["linkedin"]:
        props.append(f"URL:{c['linkedin']}")  # a URI: no text escaping
    if c["tags"]:
        props.append("CATEGORIES:" + ",".join(escape(t) for t in c["tags"]))
    if c["note"]:
        props.append(f"NOTE:{escape(c['note'])}")
    props.append("END:VCARD")
    return "".join(fold(p) for p in props)


def _param(text: str) -> str:
    # a parameter value can't hold a double quote or a line break (RFC 6868 aside);
    # other control characters are left to `fold`, like those of every line
    return '"' + " ".join(text.replace('"', "'").split()) + '"'


def _bday(stored: str) -> str:
    """A stored birthday as BDAY: YYYYMMDD, or --MMDD without a year."""
    return "--" + stored[2:].replace("-", "") if stored.startswith("--") else stored.replace("-", "")
