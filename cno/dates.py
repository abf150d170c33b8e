"""Read the DATE and DURATION strings of SPEC "Dates and durations".

Pure functions: "today" is always passed in, nothing here reads the clock.
Past-biased parsing (`--on friday`) picks the most recent match, future-biased
parsing (a due date) the next one; a bare weekday never means today.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cno.errors import DateError

DATE_EXAMPLE = "2026-11-03, 'Nov 3', 'yesterday', 'last friday', '3d ago' or '+2w'"
DURATION_EXAMPLE = "10d, 2w, 3m, 1y or a number of days"

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
UNIT_WORDS = {"d": "day", "w": "week", "m": "month", "y": "year"}


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


_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](\d{1,2}):(\d{2}))?$")
_REL_RE = re.compile(r"^(?:(in)\s+)?(\d{1,5})\s*([a-z]+)(?:\s+(ago))?$")
_SIGNED_RE = re.compile(r"^([+-])\s*(\d{1,5})\s*([a-z]*)$")
_DAY_MONTH_RE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?(?:\s+(\d{4}))?$")
_MONTH_DAY_RE = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")


def parse_date(text: str, today: date, *, future: bool = False, allow_time: bool = True) -> date | datetime:
    """Read a DATE; a `datetime` comes back only when a time of day was given.

    `future` selects the bias of bare weekdays and year-less dates: False for
    when something happened, True for when something is due.
    """
    if not isinstance(text, str):
        raise DateError(f"can't read date {text!r} — use e.g. {DATE_EXAMPLE}")
    raw = text
    s = " ".join(text.strip().lower().split())
    try:
        result = _parse(s, today, future)
    except OverflowError:  # "tomorrow" when today is 9999-12-31
        result = None
    if result is None:
        raise DateError(f"can't read date {raw!r} — use e.g. {DATE_EXAMPLE}")
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
        hh, mm = int(m.group(4)), int(m.group(5))
        if hh > 23 or mm > 59:
            return None
        return datetime(day.year, day.month, day.day, hh, mm)
    words = s.split(" ")
    if len(words) == 1 and s in WEEKDAYS:
        return _weekday(WEEKDAYS[s], today, future)
    if len(words) == 2 and words[0] in ("next", "last", "this") and words[1] in WEEKDAYS:
        wd = WEEKDAYS[words[1]]
        if words[0] == "this":
            return _weekday(wd, today, future)
        return _weekday(wd, today, words[0] == "next")
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
        n = int(m.group(2))
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
    except DateError:
        raise DateError(
            f"can't read {text!r} as a date or duration — use e.g. 2w, 3m or 2026-11-03"
        ) from None


def day_of(when: date | datetime) -> date:
    return when.date() if isinstance(when, datetime) else when


def iso(when: date | datetime | None) -> str | None:
    """`YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM` when a time was given."""
    if when is None:
        return None
    if isinstance(when, datetime):
        # not strftime("%Y-..."): glibc writes year 999 as "999", not "0999"
        return f"{when.date().isoformat()}T{when:%H:%M}"
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
