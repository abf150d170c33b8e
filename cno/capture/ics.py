"""Calendar exports (iCalendar): every event occurrence with a contact in it.

An event becomes `via video` when it carries a conference (RFC 7986
CONFERENCE, Google's and Microsoft's conference properties) or a known
video-call link in its location, URL or description; else `via meeting`.
Dates are the machine's local time (`TZ`); an all-day event is dated by its
day and has no minutes. Recurring events (RRULE, RDATE, EXDATE and moved or
cancelled occurrences) are expanded up to today.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from cno.capture import Found, Ignored, Item, Problem, Source, SourceFile, decode_text, input_file
from cno.dates import day_of
from cno.errors import CnoError

VIDEO_LINK = re.compile(
    r"zoom\.us/|meet\.google\.com/|teams\.microsoft\.com/|teams\.live\.com/|webex\.com/|whereby\.com/"
    r"|meet\.jit\.si/|gotomeet(?:ing)?\.(?:com|me)/|chime\.aws/|bluejeans\.com/|join\.skype\.com/"
    r"|facetime\.apple\.com/|around\.co/|meet\.goto\.com/",
    re.IGNORECASE,
)
CONFERENCE = ("conference", "x-google-conference", "x-microsoft-skypeteamsmeetingurl", "x-microsoft-onlinemeetingconflink")
# A daily meeting for over half a century: past this a series is cut off with a warning.
MAX_OCCURRENCES = 20_000


def source(path: str) -> Source:
    p, _head = input_file(path)
    st = p.stat()

    def files():
        yield SourceFile(str(p), st.st_size, st.st_mtime_ns, lambda me, today: read(p, me, today))

    return Source("ics", files)


@contextmanager
def _quiet_vobject():
    # vobject reports an unknown TZID through the root logger; the event is
    # still read (as local time), so that is no message for the user
    previous = logging.root.manager.disable
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(previous)


def read(p: Path, me: frozenset[str], today: date) -> Iterator[Item]:
    import vobject
    from vobject.base import ParseError

    text = decode_text(p.read_bytes())
    with _quiet_vobject():
        try:
            calendars = list(vobject.readComponents(text, transform=False, ignoreUnreadable=True))
        except ParseError as e:
            line = getattr(e, "lineNumber", None)
            where = f"line {line}: " if line else ""
            raise CnoError(f"{p}: not a readable calendar ({where}{_why(e)})") from None
        if not calendars:
            raise CnoError(f"{p}: not a calendar (the file holds no BEGIN:VCALENDAR)")
        for cal in calendars:
            if cal.name != "VCALENDAR":
                raise CnoError(f"{p}: not a calendar (it holds a {cal.name}, not a VCALENDAR)")
        for cal in calendars:
            yield from _calendar(cal, p.name, me, today)


def _calendar(cal, filename: str, me: frozenset[str], today: date) -> Iterator[Item]:
    children = list(cal.getChildren())
    for c in children:
        if c.name == "VTIMEZONE":  # registers its TZID for the events below
            try:
                c.transformToNative()
            except Exception:
                pass  # events in that zone are then read as local time
    masters, moved = [], {}
    for n, ev in enumerate((c for c in children if c.name == "VEVENT"), 1):
        label = _label(ev, filename, n)
        try:
            ev.transformToNative()
            ev.transformChildrenToNative()
            if "dtstart" not in ev.contents:
                raise ValueError("it has no DTSTART")
        except Exception as e:
            yield Problem(label, _why(e))
            continue
        uid = _value(ev, "uid") or f"no-uid:{label}"
        if "recurrence-id" in ev.contents:
            moved.setdefault(uid, {})[_stamp(ev.recurrence_id.value)] = (ev, label)
        else:
            masters.append((uid, ev, label))
    for uid, ev, label in masters:
        try:
            yield from _occurrences(uid, ev, label, moved.get(uid, {}), me, today)
        except Exception as e:  # a rule dateutil cannot expand
            yield Problem(label, _why(e))
    for uid, by_stamp in moved.items():
        for stamp, (ev, label) in by_stamp.items():
            start = ev.dtstart.value
            yield _item(f"{uid}|{stamp}", ev, _fix_zone(start), me)


def _occurrences(uid, ev, label, moved, me, today) -> Iterator[Item]:
    start = ev.dtstart.value
    if not any(name in ev.contents for name in ("rrule", "rdate")):
        yield _item(uid, ev, start, me)
        return
    all_day = not isinstance(start, datetime)
    for n, occurrence in enumerate(ev.getrruleset(addRDate=True)):
        if n == MAX_OCCURRENCES:
            yield Problem(label, f"more than {MAX_OCCURRENCES} past occurrences; the rest were not read")
            return
        occurrence = occurrence.date() if all_day else _fix_zone(occurrence)
        stamp = _stamp(occurrence)
        if stamp in moved:  # the moved occurrence stands for it
            continue
        yield _item(f"{uid}|{stamp}", ev, occurrence, me)
        if day_of(_local(occurrence)) > today:
            return  # occurrences come in order: the rest are later still


def _item(key: str, ev, start, me: frozenset[str]) -> Item:
    status = (_value(ev, "status") or "").upper()
    if status == "CANCELLED":
        return Ignored("cancelled")
    people: dict[str, str] = {}
    for name in ("organizer", "attendee"):
        for line in ev.contents.get(name, []):
            email = _email(line)
            if not email:
                continue
            declined = _param(line, "PARTSTAT").upper() == "DECLINED"
            if email in me:
                if declined:
                    return Ignored("declined")
                continue
            if declined:
                people.pop(email, None)
                continue
            if email not in people or not people[email]:
                people[email] = _param(line, "CN")
    summary = " ".join((_value(ev, "summary") or "").split())
    return Found(
        key=key,
        when=_local(start),
        people=people,
        note=summary or None,
        via="video" if _is_video(ev) else "meeting",
        minutes=None if not isinstance(start, datetime) else _minutes(ev),
    )


def _minutes(ev) -> int | None:
    start = ev.dtstart.value
    if "dtend" in ev.contents:
        end = ev.dtend.value
        if not isinstance(end, datetime) or (start.tzinfo is None) != (end.tzinfo is None):
            return None
        length = end - start
    elif "duration" in ev.contents and isinstance(ev.duration.value, timedelta):
        length = ev.duration.value
    else:
        return None
    minutes = round(length.total_seconds() / 60)
    return minutes if minutes > 0 else None


def _is_video(ev) -> bool:
    if any(name in ev.contents for name in CONFERENCE):
        return True
    return any(VIDEO_LINK.search(str(line.value)) for name in ("location", "url", "description") for line in ev.contents.get(name, []))


def _email(line) -> str:
    value = _param(line, "EMAIL") or str(line.value or "")
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.strip().casefold()
    return value if "@" in value else ""


def _param(line, name: str) -> str:
    values = line.params.get(name) or line.params.get(name.lower()) or []
    return " ".join(str(values[0]).split()) if values else ""


def _value(ev, name: str) -> str | None:
    lines = ev.contents.get(name)
    return str(lines[0].value) if lines and lines[0].value is not None else None


def _label(ev, filename: str, n: int) -> str:
    uid = _value(ev, "uid")
    summary = " ".join((_value(ev, "summary") or "").split())
    return f"{filename}: event {n}" + (f" {uid}" if uid else "") + (f" ({summary})" if summary else "")


def _why(e: Exception) -> str:
    # vobject wraps a bad value as "... (<DTSTART{}garbage>)": name the property instead
    m = re.search(r"\(<([A-Za-z-]+)\{[^}]*\}(.*)>\)\s*$", str(e))
    if m:
        return f"can't read {m.group(1)} {m.group(2)!r}"
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _fix_zone(value):
    # pytz zones (which vobject uses for known TZIDs) keep the offset of the
    # series' first start on every occurrence: re-localise across DST changes
    tz = getattr(value, "tzinfo", None)
    if tz is not None and hasattr(tz, "localize"):
        return tz.localize(value.replace(tzinfo=None))
    return value


def _stamp(value) -> str:
    """An occurrence's start as a RECURRENCE-ID: UTC for a zoned time, as written otherwise."""
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d") if isinstance(value, date) else str(value)
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%dT%H%M%S")


def _local(value):
    """A start in the machine's local time; a floating time is local already."""
    if isinstance(value, datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value
    return value
