"""Time zones of a calendar: what a TZID names.

A TZID is read as text (`Pacific Time (US & Canada)\\, Tijuana` is
`Pacific Time (US & Canada), Tijuana`) and resolves, in this order, as an
IANA name (`Europe/Berlin`), a Windows zone name (`Eastern Standard Time`,
through icalendar's copy of the Unicode CLDR table), a "globally unique"
TZID ending in an IANA name (`/freeassociation.sourceforge.net/Tzfile/Europe/Berlin`),
the file's VTIMEZONE of that TZID (its X-LIC-LOCATION, else its own rules),
or an Outlook display name (`(UTC-05:00) Eastern Time (US & Canada)`).
What none of these name is unknown: the caller warns and reads the time as
floating.
"""

from __future__ import annotations

import bisect
import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from cno.capture.ics_text import Component, date_value, unescape

# Outlook writes display names as TZIDs, with no VTIMEZONE or beside one.
# The first place (or region) of the name decides; "&" is read as "and".
DISPLAY_NAMES = {
    "international date line west": "Etc/GMT+12",
    "coordinated universal time-11": "Etc/GMT+11",
    "hawaii": "Pacific/Honolulu",
    "alaska": "America/Anchorage",
    "pacific time (us and canada)": "America/Los_Angeles",
    "baja california": "America/Tijuana",
    "tijuana": "America/Tijuana",
    "arizona": "America/Phoenix",
    "mountain time (us and canada)": "America/Denver",
    "chihuahua": "America/Chihuahua",
    "central time (us and canada)": "America/Chicago",
    "guadalajara": "America/Mexico_City",
    "saskatchewan": "America/Regina",
    "central america": "America/Guatemala",
    "eastern time (us and canada)": "America/New_York",
    "bogota": "America/Bogota",
    "indiana (east)": "America/Indiana/Indianapolis",
    "atlantic time (canada)": "America/Halifax",
    "santiago": "America/Santiago",
    "caracas": "America/Caracas",
    "georgetown": "America/La_Paz",
    "newfoundland": "America/St_Johns",
    "brasilia": "America/Sao_Paulo",
    "buenos aires": "America/Argentina/Buenos_Aires",
    "city of buenos aires": "America/Argentina/Buenos_Aires",
    "greenland": "America/Nuuk",
    "montevideo": "America/Montevideo",
    "azores": "Atlantic/Azores",
    "cabo verde is.": "Atlantic/Cape_Verde",
    "cape verde is.": "Atlantic/Cape_Verde",
    "coordinated universal time": "UTC",
    "greenwich mean time": "Europe/London",
    "dublin": "Europe/London",
    "monrovia": "Atlantic/Reykjavik",
    "casablanca": "Africa/Casablanca",
    "amsterdam": "Europe/Berlin",
    "belgrade": "Europe/Budapest",
    "brussels": "Europe/Paris",
    "sarajevo": "Europe/Warsaw",
    "west central africa": "Africa/Lagos",
    "athens": "Europe/Bucharest",
    "cairo": "Africa/Cairo",
    "helsinki": "Europe/Helsinki",
    "jerusalem": "Asia/Jerusalem",
    "harare": "Africa/Johannesburg",
    "beirut": "Asia/Beirut",
    "amman": "Asia/Amman",
    "istanbul": "Europe/Istanbul",
    "moscow": "Europe/Moscow",
    "kuwait": "Asia/Riyadh",
    "nairobi": "Africa/Nairobi",
    "baghdad": "Asia/Baghdad",
    "tehran": "Asia/Tehran",
    "abu dhabi": "Asia/Dubai",
    "baku": "Asia/Baku",
    "kabul": "Asia/Kabul",
    "islamabad": "Asia/Karachi",
    "ekaterinburg": "Asia/Yekaterinburg",
    "chennai": "Asia/Kolkata",
    "sri jayawardenepura": "Asia/Colombo",
    "kathmandu": "Asia/Kathmandu",
    "dhaka": "Asia/Dhaka",
    "astana": "Asia/Almaty",
    "yangon (rangoon)": "Asia/Yangon",
    "bangkok": "Asia/Bangkok",
    "novosibirsk": "Asia/Novosibirsk",
    "beijing": "Asia/Shanghai",
    "kuala lumpur": "Asia/Singapore",
    "perth": "Australia/Perth",
    "taipei": "Asia/Taipei",
    "osaka": "Asia/Tokyo",
    "seoul": "Asia/Seoul",
    "adelaide": "Australia/Adelaide",
    "darwin": "Australia/Darwin",
    "brisbane": "Australia/Brisbane",
    "canberra": "Australia/Sydney",
    "hobart": "Australia/Hobart",
    "guam": "Pacific/Port_Moresby",
    "auckland": "Pacific/Auckland",
    "fiji": "Pacific/Fiji",
    "nuku'alofa": "Pacific/Tongatapu",
}
DISPLAY_PREFIX = re.compile(r"^\(\s*(?:utc|gmt)\s*(?:([+-])\s*(\d{1,2}):?(\d{2}))?\s*\)\s*", re.IGNORECASE)
OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})(?::?(\d{2}))?$")
LAST_YEAR = 2100  # a VTIMEZONE's rules are unrolled this far


class Zones:
    """The zones of one file: TZID → tzinfo, each looked up once."""

    def __init__(self, vtimezones: list[Component]):
        self._vtimezones: dict[str, Component] = {}
        for c in vtimezones:
            tzid = c.text("TZID")
            if tzid:
                self._vtimezones.setdefault(tzid.strip(), c)
                self._vtimezones.setdefault(tzid.strip().casefold(), c)
        self._cache: dict[str, tzinfo | None] = {}

    def get(self, tzid: str) -> tzinfo | None:
        if tzid not in self._cache:
            self._cache[tzid] = self._resolve(tzid)
        return self._cache[tzid]

    def _resolve(self, tzid: str) -> tzinfo | None:
        name = unescape(tzid).strip().strip('"').strip()
        if not name:
            return None
        tz = iana(name) or windows(name)
        if tz is None and "/" in name:
            parts = name.strip("/").split("/")
            tz = next((z for z in (iana("/".join(parts[i:])) for i in range(1, len(parts))) if z), None)
        if tz is None:
            comp = self._vtimezones.get(name) or self._vtimezones.get(name.casefold())
            if comp is not None:
                tz = iana((comp.text("X-LIC-LOCATION") or "").strip()) or from_vtimezone(comp)
        return tz or display_name(name)


def iana(name: str) -> tzinfo | None:
    if not name or name.startswith(("/", ".")) or ".." in name or " " in name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, LookupError):  # ZoneInfoNotFoundError is a KeyError
        return None


def windows(name: str) -> tzinfo | None:
    # Imported only here: icalendar's import costs ~0.25 s, paid only by a
    # calendar that names a zone the IANA database does not know.
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    olson = WINDOWS_TO_OLSON.get(name) or _casefolded(WINDOWS_TO_OLSON).get(name.casefold())
    return iana(olson) if olson else None


_folded: dict[int, dict[str, str]] = {}


def _casefolded(table: dict[str, str]) -> dict[str, str]:
    if id(table) not in _folded:
        _folded[id(table)] = {k.casefold(): v for k, v in table.items()}
    return _folded[id(table)]


def display_name(name: str) -> tzinfo | None:
    """`(UTC-05:00) Eastern Time (US & Canada)`, `Pacific Time (US & Canada), Tijuana`: the zone its first place names."""
    m = DISPLAY_PREFIX.match(name)
    rest = name[m.end() :] if m else name
    text = " ".join(rest.casefold().replace("&", "and").split())
    for part in re.split(r"\s*[,;:]\s*", text):
        olson = DISPLAY_NAMES.get(part.strip())
        if olson:
            tz = iana(olson)
            if tz is not None and m and m.group(1) and not _has_standard_offset(tz, m):
                return None  # the name's place and its offset disagree: not a name we know
            return tz
    return None


def _has_standard_offset(tz: tzinfo, m: re.Match) -> bool:
    sign = -1 if m.group(1) == "-" else 1
    want = sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    year = datetime.now().year
    return any(datetime(year, month, 15, 12, tzinfo=tz).utcoffset() == want for month in (1, 7))


def parse_offset(text: str | None) -> timedelta | None:
    m = OFFSET.match((text or "").strip())
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3)), seconds=int(m.group(4) or 0))


def from_vtimezone(comp: Component) -> tzinfo | None:
    """A VTIMEZONE's own rules as a tzinfo; None when they cannot be read (no offsets, no onset).

    Its observances are unrolled once into a sorted list of transitions, so a
    time is placed by bisection: icalendar's `to_tz` (dateutil's tzical)
    walks the rules on every call, ~0.6 ms a time for Exchange's rules that
    start in 1601.
    """
    from dateutil.rrule import rrulestr

    transitions: list[tuple[datetime, timedelta, str | None, timedelta]] = []  # (UTC instant, offset after, name, before)
    for sub in comp.children:
        if sub.name not in ("STANDARD", "DAYLIGHT"):
            continue
        to = parse_offset(sub.text("TZOFFSETTO"))
        frm = parse_offset(sub.text("TZOFFSETFROM")) or to
        start = sub.get("DTSTART")
        if to is None or start is None:
            return None
        try:
            first = date_value(start.value)
        except ValueError:
            return None
        if not isinstance(first, datetime):  # a day, as some generators write it: its midnight
            first = datetime(first.year, first.month, first.day)
        first = first.replace(tzinfo=None)
        onsets = [first]
        for rule in sub.all("RRULE"):
            try:
                value = _until_as_local(rule.value, frm)
                r = rrulestr("RRULE:" + value, dtstart=first, cache=False)
                for onset in r:
                    if onset.year > LAST_YEAR:
                        break
                    onsets.append(onset)
            except (ValueError, TypeError, OverflowError):
                return None
        for rdate in sub.all("RDATE"):
            for part in rdate.value.split(","):
                try:
                    onset = date_value(part.split("/")[0])
                except ValueError:
                    continue
                if isinstance(onset, datetime):
                    onsets.append(onset.replace(tzinfo=None))
        name = sub.text("TZNAME")
        transitions += [(onset - frm, to, name, frm) for onset in onsets]
    if not transitions:
        return None
    transitions.sort(key=lambda t: t[0])
    return Observances(comp.text("TZID") or "", transitions)


def _until_as_local(rule: str, offset: timedelta) -> str:
    # an onset rule's UNTIL is in UTC while its DTSTART is local: make both local
    def local(m: re.Match) -> str:
        try:
            when = datetime.strptime(m.group(1), "%Y%m%dT%H%M%S") + offset
        except ValueError:
            return m.group(0)
        return "UNTIL=" + when.strftime("%Y%m%dT%H%M%S")

    return re.sub(r"UNTIL=(\d{8}T\d{6})Z", local, rule, flags=re.IGNORECASE)


class Observances(tzinfo):
    """A zone from a VTIMEZONE's transitions: (UTC instant, offset from then on, its name, offset before)."""

    def __init__(self, name: str, transitions: list[tuple[datetime, timedelta, str | None, timedelta]]):
        self._name = name
        self._utc = [t[0] for t in transitions]
        self._offsets = [t[1] for t in transitions]
        self._names = [t[2] for t in transitions]
        # a wall time is in a transition's offset from the moment the clock shows it
        self._before = transitions[0][3]
        self._wall = [t[0] + (transitions[i - 1][1] if i else self._before) for i, t in enumerate(transitions)]

    def _index(self, dt: datetime) -> int:
        return bisect.bisect_right(self._wall, dt.replace(tzinfo=None)) - 1

    def utcoffset(self, dt):
        if dt is None:
            return None
        i = self._index(dt)
        return self._offsets[i] if i >= 0 else self._before

    def dst(self, dt):
        return None

    def tzname(self, dt):
        if dt is None:
            return self._name
        i = self._index(dt)
        return (self._names[i] if i >= 0 else None) or self._name

    def fromutc(self, dt):
        i = bisect.bisect_right(self._utc, dt.replace(tzinfo=None)) - 1
        offset = self._offsets[i] if i >= 0 else self._before
        return (dt + offset).replace(tzinfo=self)

    def __repr__(self):
        return f"Observances({self._name!r})"


UTC = timezone.utc
