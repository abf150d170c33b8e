"""Calendar exports (iCalendar): every event occurrence with a contact in it.

An event becomes `via video` when it carries a conference (RFC 7986
CONFERENCE, Google's and Microsoft's conference properties) or a known
video-call link in its location, URL or description; else `via meeting`.
Dates are the machine's local time (`TZ`); an all-day event is dated by its
day and has no minutes.

Time zones: a TZID resolves as `ics_zones` says; a floating time (no TZID,
no Z) follows the calendar's X-WR-TIMEZONE when it has one, and so does a
UTC start, so that a Google series keeps its local hour across DST (what
x-wr-timezone does); an unknown zone is a warning naming it, and its times
are read as floating.

Recurrence: RRULE, RDATE (dates, date-times, periods) and DTSTART make the
occurrences; EXDATE in any zone (or a date) removes one; a RECURRENCE-ID
override stands for the occurrence it names. When a UID (with a
RECURRENCE-ID) appears more than once, the copy with the highest SEQUENCE,
then the latest DTSTAMP, wins: later updates of a rescheduled meeting
supersede earlier ones. A floating or dated value inside a zoned event is
taken in the event's zone.

Rooms, resources and groups (CUTYPE) and calendar addresses (Google's
`*.calendar.google.com`) are never people; an ORGANIZER or ATTENDEE that is
not an address (Confluence writes its parameters into the value) is skipped
with a warning, never stored as an e-mail.

The text is read by `ics_text` (see there why not vobject or icalendar);
an event that cannot be read is skipped with a warning naming its line, a
property that cannot be read is dropped with a warning, and a file cut short
gives its complete events.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Iterator

from cno.capture import Found, Ignored, Item, Notice, Problem, Source, SourceFile, decode_text, input_file
from cno.capture.ics_text import Component, Prop, date_value, duration_value, parse, unescape
from cno.dates import day_of
from cno.errors import CnoError

# Video-call hosts, looked for as plain text: many `in` tests are several
# times faster than one regex of alternatives over a long description.
VIDEO_HOSTS = (
    "zoom.us/", "meet.google.com/", "teams.microsoft.com/", "teams.live.com/", "webex.com/", "whereby.com/",
    "meet.jit.si/", "gotomeet.com/", "gotomeeting.com/", "gotomeet.me/", "gotomeeting.me/", "chime.aws/",
    "bluejeans.com/", "join.skype.com/", "facetime.apple.com/", "around.co/", "meet.goto.com/",
)  # fmt: skip
CONFERENCE = ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-MICROSOFT-ONLINEMEETINGCONFLINK")
# A daily meeting for over half a century: past this a series is cut off with a warning.
MAX_OCCURRENCES = 20_000
NOT_PEOPLE = frozenset({"ROOM", "RESOURCE", "GROUP"})
# An address as calendars write it: no spaces, no parameter or URI punctuation around the @.
ADDRESS = re.compile(r"[^\s@:;,<>\"()\[\]\\]+@[^\s@:;,<>\"'()\[\]\\]+")
CALENDAR_DOMAIN = ".calendar.google.com"  # group., import., resource., group.v.: calendars, not people

KEEP = {
    "VCALENDAR": frozenset({"X-WR-TIMEZONE"}),
    "VEVENT": frozenset(
        {"UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "SEQUENCE", "DTSTAMP",
         "STATUS", "SUMMARY", "ORGANIZER", "ATTENDEE", "LOCATION", "URL", "DESCRIPTION", *CONFERENCE}
    ),  # fmt: skip
    "VTIMEZONE": frozenset({"TZID", "X-LIC-LOCATION"}),
    "STANDARD": frozenset({"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE", "TZNAME"}),
    "DAYLIGHT": frozenset({"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE", "TZNAME"}),
}


def source(path: str) -> Source:
    p, _head = input_file(path)
    st = p.stat()

    def files():
        yield SourceFile(str(p), st.st_size, st.st_mtime_ns, lambda me, today: read(p, me, today))

    return Source("ics", files)


class Unreadable(ValueError):
    """A value that cannot be read, said as the user sees it: `can't read DTSTART 'garbage'`."""


def read(p: Path, me: frozenset[str], today: date) -> Iterator[Item]:
    calendars, notice = _calendars(p)
    if notice is not None:
        yield notice
    yield from _read(p.name, calendars, me, today)


def read_group(paths: list[Path], me: frozenset[str], today: date) -> Iterator[Item]:
    """Files holding parts of the same events, read as one calendar.

    A vdir (khal's and vdirsyncer's folder of `.ics` files) keeps one event
    per file, but a recurring event's overrides may sit in files of their own
    under the same UID: read apart, the series would count an occurrence its
    override moved or cancelled. A file that can't be read is skipped with a
    warning naming it; the others are read.
    """
    from cno.capture.ics_text import Component

    calendars: list[Component] = []
    origin: dict[int, str] = {}
    for p in paths:
        try:
            cals, notice = _calendars(p)
        except CnoError as e:
            yield Problem(p.name, str(e).removeprefix(f"{p}: "))
            continue
        except OSError as e:
            yield Problem(p.name, f"it can't be read ({e.strerror or e})")
            continue
        if notice is not None:
            yield notice
        for cal in cals:
            origin.update((id(child), p.name) for child in cal.children)
        calendars += cals
    if not calendars:
        return
    first = calendars[0]
    merged = Component("VCALENDAR", first.line, dict(first.props), [c for cal in calendars for c in cal.children], first.end)
    yield from _read(paths[0].name, [merged], me, today, origin)


def _calendars(p: Path):
    """The file's calendars and, when it is cut short, the notice saying so; CnoError when it holds none."""
    doc = parse(decode_text(p.read_bytes()), KEEP)  # the text is not kept: a large file's memory is its events
    calendars = [c for c in doc.roots if c.name == "VCALENDAR"]
    if not calendars:
        if doc.roots:
            raise CnoError(f"{p}: not a calendar (it holds a {doc.roots[0].name}, not a VCALENDAR)")
        raise CnoError(f"{p}: not a calendar (the file holds no BEGIN:VCALENDAR)")
    events = [e for cal in calendars for e in cal.children if e.name == "VEVENT"]
    complete = [e for e in events if e.end is not None]
    if events and not complete:
        raise CnoError(f"{p}: not a readable calendar (line {events[0].line}: BEGIN:VEVENT has no END:VEVENT)")
    notice = None
    if any(cal.end is None for cal in calendars):
        notice = Notice(f"{p.name} is cut short at line {doc.last_line} (it has no END:VCALENDAR):"
                        f" its {len(complete)} complete event{'' if len(complete) == 1 else 's'} were read")  # fmt: skip
    return calendars, notice


def _read(name: str, calendars, me: frozenset[str], today: date, origin: dict[int, str] | None = None) -> Iterator[Item]:
    from cno.capture.ics_zones import Zones

    zones = Zones([c for cal in calendars for c in cal.children if c.name == "VTIMEZONE"])
    reader = _Reader(name, zones, me, today, origin=origin or {})
    for cal in calendars:
        reader.floating = reader.zone_named(cal.text("X-WR-TIMEZONE"), "X-WR-TIMEZONE")
        for item in reader.calendar(cal):
            yield from reader.said()  # warnings (a zone, an attendee) before the event they are about
            yield item
        yield from reader.said()


@dataclass
class Event:
    comp: Component
    reader: "_Reader"
    n: int  # its place among the calendar's events
    uid: str
    start: date | datetime  # as placed: a date, an aware datetime, or a naive one (local time)
    zone: tzinfo | None  # the zone its wall-clock times are in (None: local time, or a date)
    floating: bool  # written without a zone: its keys keep the wall-clock form
    length: timedelta | None
    sequence: int = 0
    rid: tuple | None = None  # the RECURRENCE-ID as an instant key
    rid_stamp: str = ""
    rid_day: date | None = None  # its day, on its own clock: what it names in a series of days
    # what reading the series' occurrences found: the overrides it met, what it excludes, how far it went
    claimed: set = field(default_factory=set)
    excluded: tuple[set, set] = (set(), set())
    reached: tuple | None = None
    complete: bool = False  # every occurrence was read (the series ends on or before today)
    content: object = None  # who, what and how: read once for all its occurrences

    def has(self, override: Event) -> bool:
        """Whether this series (read already) has the occurrence `override` names."""
        all_day = not isinstance(self.start, datetime)
        name = ("day", override.rid_day) if all_day else override.rid
        if name in self.claimed:
            return True
        keys, days = self.excluded
        if name in keys or override.rid_day in days:
            return False
        # beyond what was read (the series goes on after today): not known to be gone
        return not self.complete and self.reached is not None and name > self.reached

    @property
    def label(self) -> str:  # for warnings only: reading a UID and a SUMMARY for each event costs
        return self.reader.label(self.comp, self.n)


@dataclass
class _Reader:
    filename: str
    zones: object
    me: frozenset[str]
    today: date
    floating: tzinfo | None = None  # where floating times are: X-WR-TIMEZONE, else local time (None)
    origin: dict = field(default_factory=dict)  # a component's file, when several are read as one (read_group)
    _warned: set = field(default_factory=set)
    _notices: list = field(default_factory=list)

    def warn_once(self, key, message: str) -> None:
        """A warning that skips nothing (an unknown zone, a bad attendee): said once, through the plan."""
        if key not in self._warned:
            self._warned.add(key)
            self._notices.append(Notice(message))

    def said(self):
        while self._notices:
            yield self._notices.pop(0)

    def zone_named(self, tzid: str | None, what: str = "TZID") -> tzinfo | None:
        if not tzid or not tzid.strip():
            return None
        tz = self.zones.get(tzid)
        if tz is None:
            shown = unescape(tzid).strip()
            then = "floating times were read as local time" if what == "X-WR-TIMEZONE" else "its times were read as floating"
            self.warn_once(("zone", what, shown), f"{self.filename}: {what} {shown!r} is not a time zone I know"
                           f" (no VTIMEZONE, IANA or Windows zone of that name): {then}")  # fmt: skip
        return tz

    # -- one calendar ---------------------------------------------------------

    def calendar(self, cal: Component) -> Iterator[Item]:
        best: dict[tuple, Event] = {}  # (UID, RECURRENCE-ID) → the copy that wins
        stamps: dict[int, datetime | None] = {}
        for n, comp in enumerate((c for c in cal.children if c.name == "VEVENT"), 1):
            if comp.end is None:
                yield Problem(self.label(comp, n), "it is cut short (the file ends, or another event begins, before its END:VEVENT)")
                continue
            try:
                ev = self.event(comp, n)
            except Unreadable as e:
                yield Problem(self.label(comp, n), str(e))
                continue
            except Exception as e:  # noqa: BLE001 — whatever else one event holds, the rest are read
                yield Problem(self.label(comp, n), f"it can't be read ({_why(e)})")
                continue
            key = (ev.uid, ev.rid)
            other = best.get(key)
            if other is None or self.newer(ev, other, stamps):
                best[key] = ev
        series: dict[str, Event] = {}
        moved: dict[str, dict[tuple, Event]] = {}
        for (uid, rid), ev in best.items():
            if rid is None:
                series[uid] = ev
            else:
                moved.setdefault(uid, {})[rid] = ev
        for uid, ev in series.items():
            yield from self.guarded(ev, self.occurrences(ev, moved.get(uid, {})))
        for uid, by_rid in moved.items():
            master = series.get(uid)
            for ev in by_rid.values():
                if master is not None and ev.sequence < master.sequence and not master.has(ev):
                    continue  # an older override of an occurrence the series' newer version no longer has
                yield from self.guarded(ev, iter([self.item(f"{uid}|{ev.rid_stamp}", ev, ev.start, ev.length)]))

    def guarded(self, ev: Event, items: Iterator[Item]) -> Iterator[Item]:
        try:
            yield from items
        except Exception as e:  # noqa: BLE001 — a series that breaks midway is skipped from there, with a warning
            yield Problem(ev.label, f"it can't be read ({_why(e)})")

    def newer(self, ev: Event, other: Event, stamps: dict[int, datetime | None]) -> bool:
        """Whether `ev` supersedes `other`: a higher SEQUENCE, then a later DTSTAMP (a tie keeps the first)."""
        if ev.sequence != other.sequence:
            return ev.sequence > other.sequence
        a, b = self.dtstamp(ev, stamps), self.dtstamp(other, stamps)
        return a is not None and (b is None or a > b)

    def dtstamp(self, ev: Event, stamps: dict[int, datetime | None]) -> datetime | None:
        if id(ev) not in stamps:
            p = ev.comp.get("DTSTAMP")
            try:
                value = date_value(p.value) if p is not None else None
            except ValueError:
                value = None
            if isinstance(value, date) and not isinstance(value, datetime):
                value = datetime.combine(value, time())
            stamps[id(ev)] = value.replace(tzinfo=None) if value is not None else None
        return stamps[id(ev)]

    def label(self, comp: Component, n: int) -> str:
        uid = " ".join((comp.text("UID") or "").split())
        summary = " ".join((comp.text("SUMMARY") or "").split())
        return f"{self.origin.get(id(comp), self.filename)}, line {comp.line}: event " + (uid or f"#{n}") + (f" ({summary})" if summary else "")

    # -- one event --------------------------------------------------------------

    def event(self, comp: Component, n: int) -> Event:
        start_prop = comp.get("DTSTART")
        if start_prop is None:
            raise Unreadable("it has no DTSTART")
        start, zone, floating = self.when(start_prop)
        uid = " ".join((comp.text("UID") or "").split()) or f"no-uid:{self.origin.get(id(comp), self.filename)}:{comp.line}"
        ev = Event(comp, self, n, uid, start, zone, floating, None)
        ev.length = self.length(ev)
        seq = comp.text("SEQUENCE")
        if seq:
            try:
                ev.sequence = int(seq.strip())
            except ValueError:
                self.warn_once((ev.uid, "SEQUENCE"), f"{ev.label}: dropped SEQUENCE {seq.strip()!r} (not a number)")
        rid_prop = comp.get("RECURRENCE-ID")
        if rid_prop is not None:
            try:
                rid, rid_zone, rid_floating = self.when(rid_prop, zone)
            except Unreadable as e:
                raise Unreadable(f"{e} (its RECURRENCE-ID)") from None
            ev.rid = instant_key(rid)
            ev.rid_stamp = stamp(rid, rid_floating)
            ev.rid_day = wall(rid, rid_zone).date() if isinstance(rid, datetime) else rid
        return ev

    def when(self, prop: Prop, zone: tzinfo | None = None) -> tuple[date | datetime, tzinfo | None, bool]:
        """A DTSTART-like value, placed: (the value, the zone of its wall clock, written floating).

        A floating value takes `zone` when given (a value inside a zoned
        event), else the calendar's floating zone; UTC takes X-WR-TIMEZONE's
        wall clock when the calendar has one.
        """
        text = prop.value.strip()
        try:
            value = date_value(text)
        except ValueError:
            raise Unreadable(f"can't read {prop.name} {text!r}") from None
        if not isinstance(value, datetime):
            return value, None, True
        if prop.param("VALUE").upper() == "DATE":
            return value.date(), None, True
        tzid = prop.param("TZID")
        if tzid:  # a TZID wins over a Z written beside it, as Google reads such a time
            tz = self.zone_named(tzid)
            if tz is not None:
                return value.replace(tzinfo=tz), tz, False
        if value.tzinfo is not None:  # UTC
            if self.floating is not None:
                return value.astimezone(self.floating), self.floating, False
            return value, timezone.utc, False
        if value.tzinfo is not None:  # a Z beside a TZID that is not known
            return value, timezone.utc, False
        tz = zone or self.floating
        return (value.replace(tzinfo=tz) if tz is not None else value), tz, True

    def length(self, ev: Event) -> timedelta | None:
        if not isinstance(ev.start, datetime):
            return None
        end_prop = ev.comp.get("DTEND")
        if end_prop is not None:
            try:
                end, _zone, _floating = self.when(end_prop, ev.zone)
            except Unreadable as e:
                self.warn_once((ev.uid, "DTEND"), f"{ev.label}: dropped DTEND at line {end_prop.line} ({e})")
                return None
            if not isinstance(end, datetime):
                return None
            return absolute(end) - absolute(ev.start)
        dur = ev.comp.get("DURATION")
        if dur is not None:
            try:
                return duration_value(dur.value)
            except ValueError:
                self.warn_once((ev.uid, "DURATION"), f"{ev.label}: dropped DURATION {dur.value.strip()!r} at line {dur.line}")
        return None

    # -- occurrences ------------------------------------------------------------

    def occurrences(self, ev: Event, moved: dict[tuple, Event]) -> Iterator[Item]:
        comp = ev.comp
        if "RRULE" not in comp.props and "RDATE" not in comp.props:
            if moved and instant_key(ev.start) in moved:  # a one-off "moved" by an override of itself
                ev.claimed.add(instant_key(ev.start))
                return
            yield self.item(ev.uid, ev, ev.start, ev.length)
            return
        all_day = not isinstance(ev.start, datetime)
        wall_start = wall(ev.start, ev.zone)
        excluded, excluded_days = ev.excluded = self.exdates(ev)
        moved_days = {m.rid_day for m in moved.values()} if all_day else set()
        for n, (occurrence, length) in enumerate(self.walls(ev, wall_start)):
            if n == MAX_OCCURRENCES:
                yield Problem(ev.label, f"more than {MAX_OCCURRENCES} past occurrences; the rest were not read")
                return
            if all_day:
                value = occurrence.date()
                day = value
            else:
                value = occurrence.replace(tzinfo=ev.zone) if ev.zone is not None else occurrence
                day = occurrence.date()
            if day in excluded_days:
                continue
            if all_day:
                ev.reached = ("day", day)
                if day in moved_days:
                    ev.claimed.add(("day", day))
                    continue
            elif excluded or moved:
                key = ev.reached = instant_key(value)
                if key in excluded:
                    continue
                if key in moved:
                    ev.claimed.add(key)
                    continue
            when = local(value)
            yield self.item(f"{ev.uid}|{stamp(value, ev.floating)}", ev, value, ev.length if length is None else length, when)
            if day_of(when) > self.today:
                return  # occurrences come in order: the rest are later still
        ev.complete = True

    def walls(self, ev: Event, start: datetime) -> Iterator[tuple[datetime, timedelta | None]]:
        """The series' occurrences as wall-clock times in its zone, in order, each once; with an RDATE period's length."""
        from dateutil.rrule import rrulestr

        streams: list[Iterator[tuple[datetime, timedelta | None]]] = [iter([(start, None)])]
        for rule in ev.comp.all("RRULE"):
            if not rule.value.strip():
                continue  # "RRULE:" written empty, as some generators do: no rule
            try:
                r = rrulestr("RRULE:" + self.rule_text(rule.value, ev), dtstart=start, cache=False)
                first = next(iter(r), None)  # dateutil checks some of a rule only when it is iterated
            except (ValueError, TypeError, KeyError, OverflowError) as e:
                self.warn_once((ev.uid, "RRULE", rule.line),
                               f"{ev.label}: dropped RRULE at line {rule.line} ({_why(e)}): its first occurrence was read")  # fmt: skip
                continue
            if first is not None:
                streams.append(((when, None) for when in r))
        rdates = sorted(self.rdates(ev), key=lambda t: t[0])
        if rdates:
            streams.append(iter(rdates))
        previous = None
        try:
            for when, length in heapq.merge(*streams, key=lambda t: t[0]):
                if when != previous:
                    previous = when
                    yield when, length
        except (ValueError, OverflowError) as e:  # a rule running past year 9999
            self.warn_once((ev.uid, "walls"), f"{ev.label}: its recurrence stops being readable after {previous} ({_why(e)})")

    def rule_text(self, rule: str, ev: Event) -> str:
        """The RRULE as dateutil reads it: its UNTIL in the series' wall clock (beside a naive DTSTART),
        without what generators add that means nothing (a repeated `RRULE:`, a part with no `=`, COUNT=-1)."""
        rule = re.sub(r"^(?:\s*RRULE:)+", "", rule.strip(), flags=re.IGNORECASE)
        parts = [p.strip() for p in rule.split(";") if _meaningful(p)]
        rule = ";".join(parts)
        m = re.search(r"UNTIL=([0-9TZtz:\-]+)", rule)
        if not m:
            return rule
        try:
            until = date_value(m.group(1))
        except ValueError:
            raise ValueError(f"can't read UNTIL {m.group(1)!r}") from None
        if not isinstance(until, datetime):
            until = datetime.combine(until, time(23, 59, 59))
        elif until.tzinfo is not None:
            until = wall(until, ev.zone) if ev.zone is not None else until.astimezone().replace(tzinfo=None)
        if not isinstance(ev.start, datetime):
            until = datetime.combine(until.date(), time(23, 59, 59))
        return rule[: m.start(1)] + until.strftime("%Y%m%dT%H%M%S") + rule[m.end(1) :]

    def rdates(self, ev: Event) -> Iterator[tuple[datetime, timedelta | None]]:
        all_day = not isinstance(ev.start, datetime)
        for prop in ev.comp.all("RDATE"):
            period = prop.param("VALUE").upper() == "PERIOD"
            for part in prop.value.split(","):
                part = part.strip()
                if not part:
                    continue
                begin, _, rest = part.partition("/")
                try:
                    value, _zone, _floating = self.when(Prop("RDATE", prop.params, begin, prop.line), ev.zone)
                    length = None
                    if rest or period:
                        if rest[:1] in ("P", "p", "+", "-"):
                            length = duration_value(rest)
                        else:
                            end, _z, _f = self.when(Prop("RDATE", prop.params, rest, prop.line), ev.zone)
                            if isinstance(end, datetime) and isinstance(value, datetime):
                                length = absolute(end) - absolute(value)
                except (Unreadable, ValueError, TypeError):
                    self.warn_once((ev.uid, "RDATE", part), f"{ev.label}: dropped RDATE {part!r} at line {prop.line}")
                    continue
                if all_day:
                    yield datetime.combine(value if not isinstance(value, datetime) else wall(value, ev.zone).date(), time()), None
                elif isinstance(value, datetime):
                    yield wall(value, ev.zone), length
                else:  # a day in a timed series: at the series' time of day
                    yield datetime.combine(value, wall(ev.start, ev.zone).time()), length

    def exdates(self, ev: Event) -> tuple[set, set]:
        keys: set = set()
        days: set = set()
        for prop in ev.comp.all("EXDATE"):
            for part in prop.value.split(","):
                part = part.strip()
                if not part:
                    continue
                try:
                    value, _zone, _floating = self.when(Prop("EXDATE", prop.params, part, prop.line), ev.zone)
                except Unreadable:
                    self.warn_once((ev.uid, "EXDATE", part), f"{ev.label}: dropped EXDATE {part!r} at line {prop.line}")
                    continue
                if isinstance(value, datetime):
                    keys.add(instant_key(value))
                    if not isinstance(ev.start, datetime):
                        days.add(wall(value, ev.zone).date())
                else:
                    days.add(value)
        return keys, days

    # -- what an occurrence is --------------------------------------------------

    def item(self, key: str, ev: Event, start, length: timedelta | None, when=None) -> Item:
        content = self.content(ev)
        if isinstance(content, Ignored):
            return content
        people, note, via = content
        minutes = None
        if isinstance(start, datetime) and length is not None:
            m = round(length.total_seconds() / 60)
            minutes = m if m > 0 else None
        return Found(key=key, when=local(start) if when is None else when, people=people, note=note, via=via, minutes=minutes)

    def content(self, ev: Event):
        """Who, what and how of an event, read once for all its occurrences."""
        if ev.content is not None:
            return ev.content
        comp = ev.comp
        status = (comp.text("STATUS") or "").strip().upper()
        if status == "CANCELLED":
            result: object = Ignored("cancelled")
        else:
            result = self.people(ev)
            if not isinstance(result, Ignored):
                summary = " ".join((comp.text("SUMMARY") or "").split())
                result = (result, summary or None, "video" if is_video(comp) else "meeting")
        ev.content = result
        return result

    def people(self, ev: Event) -> dict[str, str] | Ignored:
        people: dict[str, str] = {}
        for name in ("ORGANIZER", "ATTENDEE"):
            for prop in ev.comp.all(name):
                params = prop.params
                if params and params.get("CUTYPE", "").strip().upper() in NOT_PEOPLE:
                    continue
                email = self.address(prop, ev)
                if not email or email.endswith(CALENDAR_DOMAIN):
                    continue
                declined = params.get("PARTSTAT", "").strip().upper() == "DECLINED"
                if email in self.me:
                    if declined:
                        return Ignored("declined")
                    continue
                if declined:
                    people.pop(email, None)
                    continue
                if not people.get(email):
                    people[email] = " ".join(params.get("CN", "").split())
        return people

    def address(self, prop: Prop, ev: Event) -> str:
        """The e-mail of an ORGANIZER or ATTENDEE: its EMAIL parameter, else its mailto: value; "" when it has none."""
        value = (prop.params.get("EMAIL") or prop.value).strip().strip('"').strip()
        if value[:7].lower() == "mailto:":
            value = value[7:]
        if " " in value or "\t" in value:  # a line folded with two spaces leaves one inside the address
            value = "".join(value.split())
        if "@" not in value:
            return ""  # a urn:uuid: or a name: not an address, and not broken either
        if ADDRESS.fullmatch(value) is None:
            shown = prop.value.strip()
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            self.warn_once((ev.uid, prop.line), f"{ev.label}: skipped {prop.name} at line {prop.line}, not an address: {shown!r}")
            return ""
        return value.casefold()


def _meaningful(part: str) -> bool:
    key, eq, value = part.partition("=")
    if key.strip().upper() == "COUNT":
        return value.strip().isdigit() and int(value) > 0
    return bool(eq)


def is_video(comp: Component) -> bool:
    if any(name in comp.props for name in CONFERENCE):
        return True
    for name in ("LOCATION", "URL", "DESCRIPTION"):
        for rest, _line in comp.props.get(name, ()):
            text = rest.lower()
            if any(host in text for host in VIDEO_HOSTS):
                return True
    return False


def wall(value, zone: tzinfo | None) -> datetime:
    """A date-time as the clock of `zone` shows it (naive); a naive one is a wall-clock time already; a date is its midnight."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time())
    if value.tzinfo is None:
        return value
    return value.astimezone(zone).replace(tzinfo=None) if zone is not None else value.astimezone().replace(tzinfo=None)


def absolute(value: datetime) -> datetime:
    """An instant comparable with any other: naive times are local time."""
    return value if value.tzinfo is not None else value.astimezone()


def instant_key(value) -> tuple:
    """What an occurrence, an EXDATE and a RECURRENCE-ID are matched by: the day, or the instant in UTC."""
    if not isinstance(value, datetime):
        return ("day", value)
    return ("at", absolute(value).astimezone(timezone.utc).replace(tzinfo=None))


def stamp(value, floating: bool) -> str:
    """An occurrence's key as `captured` remembers it: UTC for a zoned time, as written for a floating one or a day."""
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if floating or value.tzinfo is None:
        return value.replace(tzinfo=None).strftime("%Y%m%dT%H%M%S")
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def local(value):
    """A start in the machine's local time; a floating time is local already."""
    if isinstance(value, datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value
    return value


def _why(e: Exception) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 160 else text[:157] + "..."
