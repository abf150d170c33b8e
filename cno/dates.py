"""Read the DATE and DURATION strings of SPEC "Dates and durations".

Pure functions: "today" is always passed in, nothing here reads the clock.
Past-biased parsing (`--on friday`) picks the most recent match, future-biased
parsing (a due date) the next one; a bare weekday never means today.

A DATE is a date word optionally followed by a time of day ("friday 9:30");
a due date may also be a bare DURATION ("2w"). Numeric dates other than ISO
("12/09/2026") are refused as ambiguous, naming the readings.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cno.errors import CnoError, DateError

DATE_EXAMPLE = "2026-11-03, 'Nov 3', 'yesterday', 'last friday', '3d ago' or '+2w'"
DURATION_EXAMPLE = "10d, 2w, 3m, 1y or a number of days"
MINUTES_EXAMPLE = "45, 45m, 1h, 1h30m or 1.5h"
TIME_EXAMPLE = "'today 14:30', 'friday 9:30am' or '2026-11-03 2pm'"
MAX_MINUTES = 7 * 24 * 60  # --minutes is one sitting; more than a week is a typo

WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
UNITS = {
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
    "m": "m", "mo": "m", "mon": "m", "month": "m", "months": "m",
    "y": "y", "yr": "y", "yrs": "y", "year": "y", "years": "y",
}  # fmt: skip
UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


@dataclass(frozen=True)
class Duration:
    """A count of calendar units; months and years use calendar arithmetic."""

    n: int
    unit: str  # one of d w m y

    @property
    def days(self) -> int:
        """Approximate length in days (a month counts 30, a year 365)."""
        return self.n * UNIT_DAYS[self.unit]

    def after(self, start: date) -> date:
        return shift(start, self.n, self.unit)

    def before(self, start: date) -> date:
        return shift(start, -self.n, self.unit)

    def __str__(self) -> str:
        return f"{self.n}{self.unit}"


def shift(start: date, n: int, unit: str) -> date:
    """`start` moved by n units; months clamp to the month's last day."""
    if unit in ("d", "w"):
        try:
            return start + timedelta(days=n * UNIT_DAYS[unit])
        except OverflowError:
            raise DateError(f"date out of range: {start.isoformat()} {n:+d}{unit}") from None
    months = n if unit == "m" else 12 * n
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    if not 1 <= year <= 9999:
        raise DateError(f"date out of range: {start.isoformat()} {n:+d}{unit}")
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


_DURATION_RE = re.compile(r"^(\d{1,5})\s*([a-z]*)$")


def parse_duration(text: str, *, positive: bool = True) -> Duration:
    """Read `10d`, `2w`, `3m`, `1y`, `3 weeks` or a bare number of days."""
    raw = text
    s = text.strip().lower()
    m = _DURATION_RE.match(s)
    if not m or m.group(2) not in UNITS and m.group(2) != "":
        raise DateError(f"can't read duration {raw!r} — use e.g. {DURATION_EXAMPLE}")
    n = int(m.group(1))
    if positive and n <= 0:
        raise DateError(f"duration {raw!r} must be more than zero — use e.g. {DURATION_EXAMPLE}")
    return Duration(n, UNITS[m.group(2)] if m.group(2) else "d")


# compiled on first use, like _AT (see there)
_MINUTES = r"^(?:(\d{1,6})(?:\.(\d{1,6}))? ?(?:hours?|hrs?|h) ?)?(?:(\d{1,6}) ?(?:minutes?|mins?|m)?)?$"


def parse_minutes(text: str) -> int:
    """`--minutes`: 45, 45m, 45 min, 1h, 1h30m, 1h 30m, 1.5h, 90 minutes, 2 hours."""
    raw = text
    if not isinstance(text, str):
        raise DateError(f"can't read minutes {raw!r} — use e.g. {MINUTES_EXAMPLE}")
    s = " ".join(text.strip().lower().split())
    m = re.match(_MINUTES, s)
    if not s or not m:
        raise DateError(f"can't read minutes {raw!r} — use e.g. {MINUTES_EXAMPLE}")
    hours, fraction, minutes = m.groups()
    total = int(hours or 0) * 60 + int(minutes or 0)
    if fraction:
        # integer arithmetic, not float: 1.5h is exactly 90, 1.01h is no whole number of minutes
        sixtieths, rest = divmod(int(fraction) * 60, 10 ** len(fraction))
        if rest:
            raise DateError(f"{raw!r} is not a whole number of minutes — use e.g. {MINUTES_EXAMPLE}")
        total += sixtieths
    if total <= 0:
        raise DateError(f"minutes {raw!r} must be more than zero — use e.g. {MINUTES_EXAMPLE}")
    if total > MAX_MINUTES:
        raise DateError(f"minutes {raw!r} is more than a week ({total} > {MAX_MINUTES}) — use e.g. {MINUTES_EXAMPLE}")
    return total


# Dates cno accepts (README "Dates"): wide enough for any life and plan, and far
# enough from the calendar's ends that date arithmetic (next birthday, a year
# back) never runs off them.
MIN_DATE = date(1800, 1, 1)
MAX_DATE = date(2999, 12, 31)


def _check_range(day: date, raw: str) -> None:
    if not MIN_DATE <= day <= MAX_DATE:
        shown = repr(raw) if raw.strip() == day.isoformat() else f"{raw!r} ({day.isoformat()})"
        raise DateError(
            f"date {shown} is outside {MIN_DATE.isoformat()}..{MAX_DATE.isoformat()} — use e.g. {DATE_EXAMPLE}"
        )


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _yearless(month: int, day: int, today: date, future: bool) -> date | None:
    """The most recent (past) or next (future) occurrence of month/day, today included."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    step = 1 if future else -1
    # Feb 29 may be up to eight years away (1900/2100 are not leap years).
    for k in range(0, 9):
        cand = _safe_date(today.year + step * k, month, day)
        if cand and (cand >= today if future else cand <= today):
            return cand
    return None


# The space form "2026-11-03 14:30" is a date word and a time, read through _AT.
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:t(\d{1,2}):(\d{2}))?$")
# _AT, _NUMERIC and _MINUTES are plain strings that re compiles on first use and
# caches: every cno command imports this module, and compiling all three here
# would add about a millisecond to each.
# "<date> 14:30", "<date> 9:30pm", "<date> 2 pm": a time needs ":" or am/pm, so "Nov 14" stays a date.
_AT = r"^(.+) (\d{1,2})(?::(\d{2}))?(?: ?([ap]m))?$"
_REL_RE = re.compile(r"^(?:(in)\s+)?(\d{1,5}|a(?= ))\s*([a-z]+)(?:\s+(ago))?$")
_SIGNED_RE = re.compile(r"^([+-])\s*(\d{1,5})\s*([a-z]*)$")
_DAY_MONTH_RE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?(?:\s+(\d{4}))?$")
_MONTH_DAY_RE = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")
# 12/09/2026, 09.12.2026, 12-09-2026, 12/9, 9.12. — or year first: 2026/11/03, 2026.11.03
_NUMERIC = r"^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4})?)?$|^(\d{4})([/.])(\d{1,2})\6(\d{1,2})$"


class AmbiguousDateError(DateError):
    """A numeric date that is not ISO: refused, naming what it could mean."""


def parse_date(text: str, today: date, *, future: bool = False, allow_time: bool = True) -> date | datetime:
    """Read a DATE; a `datetime` comes back only when a time of day was given.

    `future` selects the bias of bare weekdays and year-less dates: False for
    when something happened, True for when something is due; a due date may
    also be a bare DURATION ("2w"). Without `allow_time` a time given is
    read (and checked) but dropped: the date comes back.
    """
    if not isinstance(text, str):
        raise DateError(f"can't read date {text!r} — use e.g. {DATE_EXAMPLE}")
    raw = text
    s = " ".join(text.strip().lower().split())
    at = re.match(_AT, s)
    if at and (at.group(3) or at.group(4)):
        s = at.group(1)
    else:
        at = None
    try:
        result = _parse(s, today, future)
        if result is None and future:
            result = _ahead(s, today)
    except OverflowError:  # "tomorrow" when today is 9999-12-31
        result = None
    if result is None or (at and isinstance(result, datetime)):
        _refuse_numeric(s, raw, today, future)
        raise DateError(f"can't read date {raw!r} — use e.g. {DATE_EXAMPLE}")
    if at:
        clock = _clock(int(at.group(2)), int(at.group(3) or 0), at.group(4))
        if clock is None:
            clock_text = at.string[at.end(1) + 1 :]
            raise DateError(f"can't read date {raw!r}: {clock_text!r} is not a time of day — use e.g. {TIME_EXAMPLE}")
        result = datetime.combine(result, clock)
    _check_range(day_of(result), raw)
    if isinstance(result, datetime) and not allow_time:
        return result.date()
    return result


def _parse(s: str, today: date, future: bool) -> date | datetime | None:
    if not s:
        return None
    if s == "today":
        return today
    if s == "yesterday":
        return today - timedelta(days=1)
    if s == "tomorrow":
        return today + timedelta(days=1)
    if m := _ISO_RE.match(s):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day = _safe_date(y, mo, d)
        if day is None:
            return None
        if m.group(4) is None:
            return day
        clock = _clock(int(m.group(4)), int(m.group(5)), None)
        return None if clock is None else datetime.combine(day, clock)
    words = s.split(" ")
    if len(words) == 1 and s in WEEKDAYS:
        return _weekday(WEEKDAYS[s], today, future)
    if len(words) == 2 and words[0] in ("next", "last", "this") and words[1] in WEEKDAYS:
        wd = WEEKDAYS[words[1]]
        if words[0] == "this":
            return _weekday(wd, today, future)
        return _weekday(wd, today, words[0] == "next")
    if len(words) == 2 and words[0] in ("next", "last") and words[1] in ("week", "month", "year"):
        # today ± one unit, not "the calendar week after this one" (SPEC)
        return _shift_or_none(today, 1 if words[0] == "next" else -1, UNITS[words[1]])
    if m := _SIGNED_RE.match(s):
        unit = UNITS.get(m.group(3) or "d")
        if unit is None:
            return None
        n = int(m.group(2))
        return _shift_or_none(today, n if m.group(1) == "+" else -n, unit)
    # "3 nov" has the shape of "3 days": only a unit word makes it a relative date.
    if (m := _REL_RE.match(s)) and (unit := UNITS.get(m.group(3))):
        if bool(m.group(1)) == bool(m.group(4)):
            return None  # needs exactly one of "in N units" / "N units ago"
        if m.group(2) == "a" and m.group(3) not in ("day", "week", "month", "year"):
            return None  # "a week ago", not "a weeks ago" or "a w ago"
        n = 1 if m.group(2) == "a" else int(m.group(2))
        return _shift_or_none(today, n if m.group(1) else -n, unit)
    for rx, day_group, month_group in ((_DAY_MONTH_RE, 1, 2), (_MONTH_DAY_RE, 2, 1)):
        if m := rx.match(s):
            month = MONTHS.get(m.group(month_group))
            if month is None:
                return None
            day = int(m.group(day_group))
            if m.group(3):
                return _safe_date(int(m.group(3)), month, day)
            return _yearless(month, day, today, future)
    return None


def _clock(hour: int, minute: int, half: str | None) -> time | None:
    """14:00, 9:30, or with am/pm 2pm, 12am (midnight), 12pm (noon); None if no such time."""
    if minute > 59:
        return None
    if half is None:
        return time(hour, minute) if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None  # "0am", "13pm", "14:00pm"
    return time(hour % 12 + (12 if half == "pm" else 0), minute)


def _ahead(s: str, today: date) -> date | None:
    """A bare DURATION as a due date: "2w" is in two weeks.

    A bare number counts too ("3" is in 3 days): SPEC defines a DURATION as
    "10d, 2w, 3m, 1y, or a bare number of days" and cno reads no bare
    day-of-month anywhere, so "3" has no other reading; the confirmation
    names the date, so a surprise is seen at once.
    """
    try:
        d = parse_duration(s)
    except DateError:
        return None
    return _shift_or_none(today, d.n, d.unit)


def _refuse_numeric(s: str, raw: str, today: date, future: bool) -> None:
    """Raise AmbiguousDateError naming the ISO readings of 12/09/2026-like text."""
    m = re.match(_NUMERIC, s)
    if not m:
        return
    if m.group(5):
        readings = [_safe_date(int(m.group(5)), int(m.group(7)), int(m.group(8)))]
    else:
        a, b = int(m.group(1)), int(m.group(3))
        # (month, day): "12/09" is read month-first first, "09.12." day-first first (its custom)
        pairs = [(b, a), (a, b)] if m.group(2) == "." else [(a, b), (b, a)]
        year = m.group(4)
        readings = [_safe_date(int(year), mo, d) if year else _yearless(mo, d, today, future) for mo, d in pairs]
    found = list(dict.fromkeys(r.isoformat() for r in readings if r and MIN_DATE <= r <= MAX_DATE))
    if found:
        question = f"{found[0]} or {found[1]}?" if len(found) == 2 else f"did you mean {found[0]}?"
        raise AmbiguousDateError(f"ambiguous date {raw!r}: {question} Write it as YYYY-MM-DD (e.g. 2026-11-03)")


def _shift_or_none(today: date, n: int, unit: str) -> date | None:
    try:
        return shift(today, n, unit)
    except (DateError, OverflowError, ValueError):
        return None


def _weekday(wd: int, today: date, future: bool) -> date:
    """The next (future) or previous (past) `wd`, never today itself."""
    if future:
        return today + timedelta(days=(wd - today.weekday() - 1) % 7 + 1)
    return today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1)


def parse_past(text: str, today: date, *, allow_time: bool = True) -> date | datetime:
    """A date something happened on: past-biased, and never after today."""
    when = parse_date(text, today, future=False, allow_time=allow_time)
    if day_of(when) > today:
        raise DateError(f"{text!r} is in the future ({day_of(when).isoformat()}); today is {today.isoformat()}")
    return when


def parse_due(text: str, today: date) -> date:
    """A due date: future-biased, date only."""
    return parse_date(text, today, future=True, allow_time=False)  # type: ignore[return-value]


def parse_since(text: str, today: date) -> date:
    """`--since`: a DURATION back from today, or a DATE."""
    try:
        return parse_duration(text).before(today)
    except DateError:
        pass
    try:
        return day_of(parse_date(text, today, future=False))
    except AmbiguousDateError:
        raise  # its readings help more than "a date or duration"
    except DateError:
        raise DateError(
            f"can't read {text!r} as a date or duration — use e.g. 2w, 3m or 2026-11-03"
        ) from None


def day_of(when: date | datetime) -> date:
    return when.date() if isinstance(when, datetime) else when


def check_not_future(when: date | datetime, today: date, what: str, verb: str = "be") -> None:
    """Refuse a day after today: what happened can't be in the future (README "Dates and durations")."""
    if day_of(when) > today:
        raise CnoError(f"{what} can't {verb} in the future ({iso(when)}); today is {today.isoformat()}")


def iso(when: date | datetime | None) -> str | None:
    """`YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM` when a time was given."""
    if when is None:
        return None
    if isinstance(when, datetime):
        # not strftime("%Y-..."): glibc writes year 999 as "999", not "0999"
        return f"{when.date().isoformat()}T{when.hour:02d}:{when.minute:02d}"
    return when.isoformat()


_BDAY_RE = re.compile(r"^(?:--)?(\d{1,2})-(\d{1,2})$")


def parse_birthday(text: str) -> str:
    """A birthday as stored: `YYYY-MM-DD`, or `--MM-DD` without a year."""
    s = " ".join(text.strip().lower().split())
    err = DateError(f"can't read birthday {text!r} — use e.g. 1990-04-17, 04-17 or 'Apr 17'")
    if m := _BDAY_RE.match(s):
        mo, d = int(m.group(1)), int(m.group(2))
        if _safe_date(2000, mo, d) is None:  # 2000 is a leap year: Feb 29 is fine
            raise err
        return f"--{mo:02d}-{d:02d}"
    if m := _ISO_RE.match(s):
        if m.group(4) is not None:
            raise err
        day = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is None:
            raise err
        _check_range(day, text)
        return day.isoformat()
    for rx, day_group, month_group in ((_DAY_MONTH_RE, 1, 2), (_MONTH_DAY_RE, 2, 1)):
        if m := rx.match(s):
            month = MONTHS.get(m.group(month_group))
            d = int(m.group(day_group))
            if month is None or _safe_date(int(m.group(3) or 2000), month, d) is None:
                raise err
            if m.group(3):
                _check_range(date(int(m.group(3)), month, d), text)
                return date(int(m.group(3)), month, d).isoformat()
            return f"--{month:02d}-{d:02d}"
    raise err


def next_anniversary(stored: str, today: date) -> date | None:
    """The next occurrence (today included) of a `YYYY-MM-DD` or `--MM-DD` date."""
    month, day = int(stored[-5:-3]), int(stored[-2:])
    return _yearless(month, day, today, future=True)
