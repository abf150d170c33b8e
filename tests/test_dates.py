"""cno.dates against SPEC "Dates and durations" and "Today": pure functions, today passed in."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cno.dates import (
    Duration,
    day_of,
    iso,
    next_anniversary,
    parse_birthday,
    parse_date,
    parse_due,
    parse_duration,
    parse_past,
    parse_since,
    shift,
)
from cno.errors import CnoError, DateError

TODAY = date(2026, 11, 22)  # a Sunday
FRIDAY = date(2026, 11, 20)
THURSDAY = date(2026, 11, 19)

# conftest's autouse fixture is function-scoped; these tests don't use it.
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

D = date


# -- every accepted form ------------------------------------------------------

# (text, as a past date, as a due date) with today = Sunday 2026-11-22
FORMS = [
    ("2026-11-03", D(2026, 11, 3), D(2026, 11, 3)),
    ("today", TODAY, TODAY),
    ("yesterday", D(2026, 11, 21), D(2026, 11, 21)),
    ("tomorrow", D(2026, 11, 23), D(2026, 11, 23)),
    ("friday", D(2026, 11, 20), D(2026, 11, 27)),
    ("fri", D(2026, 11, 20), D(2026, 11, 27)),
    ("monday", D(2026, 11, 16), D(2026, 11, 23)),
    ("saturday", D(2026, 11, 21), D(2026, 11, 28)),
    ("last friday", D(2026, 11, 20), D(2026, 11, 20)),
    ("next friday", D(2026, 11, 27), D(2026, 11, 27)),
    ("last monday", D(2026, 11, 16), D(2026, 11, 16)),
    ("next monday", D(2026, 11, 23), D(2026, 11, 23)),
    ("3d ago", D(2026, 11, 19), D(2026, 11, 19)),
    ("3 days ago", D(2026, 11, 19), D(2026, 11, 19)),
    ("2 weeks ago", D(2026, 11, 8), D(2026, 11, 8)),
    ("3 months ago", D(2026, 8, 22), D(2026, 8, 22)),
    ("1y ago", D(2025, 11, 22), D(2025, 11, 22)),
    ("in 3 days", D(2026, 11, 25), D(2026, 11, 25)),
    ("in 2 weeks", D(2026, 12, 6), D(2026, 12, 6)),
    ("in 1 month", D(2026, 12, 22), D(2026, 12, 22)),
    ("+3d", D(2026, 11, 25), D(2026, 11, 25)),
    ("+3", D(2026, 11, 25), D(2026, 11, 25)),
    ("-2w", D(2026, 11, 8), D(2026, 11, 8)),
    ("+1m", D(2026, 12, 22), D(2026, 12, 22)),
    ("-1y", D(2025, 11, 22), D(2025, 11, 22)),
    ("3 Nov 2026", D(2026, 11, 3), D(2026, 11, 3)),
    ("3 November 2027", D(2027, 11, 3), D(2027, 11, 3)),
    ("Nov 3, 2026", D(2026, 11, 3), D(2026, 11, 3)),
    # year-less: most recent occurrence in the past, the next one when due
    ("Nov 3", D(2026, 11, 3), D(2027, 11, 3)),
    ("3 Nov", D(2026, 11, 3), D(2027, 11, 3)),
    ("3rd Nov", D(2026, 11, 3), D(2027, 11, 3)),
    ("Dec 25", D(2025, 12, 25), D(2026, 12, 25)),
    ("25 December", D(2025, 12, 25), D(2026, 12, 25)),
    ("3 May", D(2026, 5, 3), D(2027, 5, 3)),
    ("Feb 29", D(2024, 2, 29), D(2028, 2, 29)),
    ("29 Feb", D(2024, 2, 29), D(2028, 2, 29)),
]


@pytest.mark.parametrize("text,past,due", FORMS)
def test_every_accepted_form_reads_with_its_bias(text, past, due):
    assert parse_date(text, TODAY) == past
    assert parse_date(text, TODAY, future=False) == past
    assert parse_due(text, TODAY) == due
    assert parse_date(text, TODAY, future=True) == due


@pytest.mark.parametrize("text,past,due", FORMS)
@pytest.mark.parametrize("case", [str.upper, str.title, str.swapcase])
def test_dates_are_case_insensitive(text, past, due, case):
    assert parse_date(case(text), TODAY) == past
    assert parse_due(case(text), TODAY) == due


@pytest.mark.parametrize("text", ["  in   3   days ", "\tin 3 days\n", "in\u00a03\u00a0days"])
def test_extra_whitespace_is_ignored(text):
    assert parse_date(text, TODAY) == D(2026, 11, 25)


def test_iso_date_with_time_is_a_datetime():
    when = parse_date("2026-11-03 14:30", TODAY)
    assert type(when) is datetime
    assert when == datetime(2026, 11, 3, 14, 30)
    assert parse_date("2026-11-03T14:30", TODAY) == datetime(2026, 11, 3, 14, 30)


def test_plain_dates_are_dates_not_datetimes():
    assert type(parse_date("2026-11-03", TODAY)) is date
    assert type(parse_date("yesterday", TODAY)) is date


def test_without_allow_time_the_time_is_dropped():
    assert parse_date("2026-11-03 14:30", TODAY, allow_time=False) == D(2026, 11, 3)
    assert type(parse_date("2026-11-03 14:30", TODAY, allow_time=False)) is date


def test_due_dates_are_dates_even_with_a_time():
    due = parse_due("2026-12-01 09:00", TODAY)
    assert type(due) is date
    assert due == D(2026, 12, 1)


# -- weekday biases -----------------------------------------------------------


def test_bare_weekday_never_means_today():
    # TODAY is a Sunday
    assert parse_date("sunday", TODAY) == D(2026, 11, 15)
    assert parse_due("sunday", TODAY) == D(2026, 11, 29)
    assert parse_past("sunday", TODAY) == D(2026, 11, 15)


def test_bare_weekday_on_that_weekday_is_a_week_away():
    assert parse_past("friday", FRIDAY) == D(2026, 11, 13)
    assert parse_due("friday", FRIDAY) == D(2026, 11, 27)


def test_next_and_last_on_that_weekday_skip_today():
    assert parse_date("next friday", FRIDAY) == D(2026, 11, 27)
    assert parse_date("last friday", FRIDAY) == D(2026, 11, 13)
    assert parse_due("next friday", FRIDAY) == D(2026, 11, 27)
    assert parse_due("last friday", FRIDAY) == D(2026, 11, 13)


def test_next_weekday_is_the_first_after_today_even_tomorrow():
    # "next friday" on a Thursday is tomorrow: the first Friday after today
    assert parse_date("next friday", THURSDAY) == FRIDAY
    assert parse_date("last thursday", FRIDAY) == THURSDAY


def test_next_is_refused_as_a_past_date():
    with pytest.raises(DateError, match="next friday"):
        parse_past("next friday", TODAY)


WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@PROPERTY
@given(today=st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)), wd=st.integers(0, 6))
def test_weekday_biases_hold_for_any_today(today, wd):
    name = WEEKDAY_NAMES[wd]
    past, due = parse_past(name, today), parse_due(name, today)
    assert past.weekday() == wd and 1 <= (today - past).days <= 7
    assert due.weekday() == wd and 1 <= (due - today).days <= 7
    assert parse_date(f"last {name}", today) == past
    assert parse_date(f"next {name}", today) == due


# -- year-less dates ----------------------------------------------------------


def test_yearless_date_of_today_is_today_as_past():
    assert parse_past("Nov 22", TODAY) == TODAY


def test_yearless_date_of_today_is_today_as_due():
    # unlike a bare weekday, SPEC does not exclude today: "Nov 22" names that day
    assert parse_due("Nov 22", TODAY) == TODAY


def test_yearless_date_tomorrow_as_past_is_last_year():
    assert parse_past("Nov 23", TODAY) == D(2025, 11, 23)
    assert parse_due("Nov 21", TODAY) == D(2027, 11, 21)


def test_feb_29_skips_to_a_leap_year():
    assert parse_due("Feb 29", D(2028, 2, 29)) == D(2028, 2, 29)
    assert parse_past("Feb 29", D(2028, 2, 28)) == D(2024, 2, 29)
    assert parse_due("Feb 29", D(2028, 3, 1)) == D(2032, 2, 29)
    # 2100 is not a leap year: eight years between Feb 29s
    assert parse_due("Feb 29", D(2097, 3, 1)) == D(2104, 2, 29)
    assert parse_past("Feb 29", D(2103, 12, 31)) == D(2096, 2, 29)


def test_a_day_no_month_has_is_refused():
    for text in ("Feb 30", "31 Apr", "Nov 31", "Nov 0", "Nov 32"):
        with pytest.raises(DateError):
            parse_date(text, TODAY)
        with pytest.raises(DateError):
            parse_due(text, TODAY)


@PROPERTY
@given(today=st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)), day=st.dates(min_value=D(2000, 1, 1), max_value=D(2000, 12, 31)))
def test_yearless_dates_are_the_nearest_occurrence(today, day):
    text = f"{day:%b} {day.day}"
    past, due = parse_past(text, today), parse_due(text, today)
    assert (past.month, past.day) == (due.month, due.day) == (day.month, day.day)
    assert past <= today <= due
    # nothing of that month/day lies between: the most recent and the next
    for year in range(past.year + 1, due.year):
        with pytest.raises(ValueError):
            date(year, day.month, day.day)
    assert due.year - past.year <= (8 if (day.month, day.day) == (2, 29) else 1)


# -- the past -----------------------------------------------------------------


def test_parse_past_refuses_the_future_quoting_the_input():
    with pytest.raises(DateError) as e:
        parse_past("tomorrow", TODAY)
    assert "'tomorrow'" in str(e.value)
    with pytest.raises(DateError, match="'2026-11-23'"):
        parse_past("2026-11-23", TODAY)
    with pytest.raises(DateError, match="'in 3 days'"):
        parse_past("in 3 days", TODAY)


def test_parse_past_accepts_later_today_since_dates_compare_not_times():
    assert parse_past("2026-11-22 23:59", TODAY) == datetime(2026, 11, 22, 23, 59)
    assert parse_past("today", TODAY) == TODAY


def test_parse_past_refuses_tomorrow_at_midnight():
    with pytest.raises(DateError):
        parse_past("2026-11-23 00:00", TODAY)


def test_parse_past_allow_time_false_gives_a_date():
    assert parse_past("2026-11-03 14:30", TODAY, allow_time=False) == D(2026, 11, 3)


def test_date_error_is_a_cno_error_with_exit_2():
    with pytest.raises(CnoError) as e:
        parse_date("whenever", TODAY)
    assert e.value.exit_code == 2


# -- unreadable dates ---------------------------------------------------------

UNREADABLE = [
    "", "   ", "whenever", "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-11-00",
    "0000-01-01", "2026-11-03 24:00", "2026-11-03 12:60", "2026-11-03 14:30:00", "26-11-03",
    "2026/11/03", "in 3 days ago", "in 3", "3 ago", "next", "last", "next funday",
    "next 3 days", "+3x", "3 Nov 26", "Smarch 3", "3 Smarch", "friday next", "+", "3d 2h ago",
    "in 999999 days", "\x00", "\x1b[31mfriday",
]  # fmt: skip


@pytest.mark.parametrize("text", UNREADABLE)
def test_unreadable_dates_quote_the_input_and_show_an_example(text):
    for parse in (parse_date, parse_due, parse_past):
        with pytest.raises(DateError) as e:
            parse(text, TODAY)
        assert repr(text) in str(e.value)
        assert "2026-11-03" in str(e.value)


def test_non_string_is_a_date_error():
    with pytest.raises(DateError):
        parse_date(None, TODAY)  # type: ignore[arg-type]


def test_far_relative_dates_are_refused_not_crashing():
    for text in ("in 99999 years", "+99999y", "99999y ago", "in 99999 months"):
        with pytest.raises(DateError):
            parse_date(text, TODAY)


def test_dates_at_the_edges_of_the_calendar_are_refused_not_crashing():
    with pytest.raises(DateError):
        parse_date("tomorrow", date.max)
    with pytest.raises(DateError):
        parse_date("yesterday", date.min)
    with pytest.raises(DateError):
        parse_due("friday", date.max)


# Tokens that reach every branch of the parser, for the fuzzing below.
TOKENS = st.sampled_from(
    ["in", "ago", "next", "last", "this", "today", "friday", "fri", "nov", "november", "feb", "d", "w", "m",
     "y", "days", "weeks", "mon", "+", "-", "3", "29", "99999", "0", "2026", "2026-11-03", "14:30", "t", ",",
     ".", "rd", "--", "１２", "²", "\x00", "\x1b", "\n", " ", ""]
)  # fmt: skip
JUNK = st.one_of(
    st.text(),
    st.text(st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.lists(TOKENS, max_size=6).map(" ".join),
    st.lists(TOKENS, max_size=6).map("".join),
)
ANY_DAY = st.one_of(st.just(TODAY), st.dates(), st.sampled_from([date.min, date.max]))


@PROPERTY
@given(text=JUNK, today=ANY_DAY, future=st.booleans())
def test_parse_date_raises_only_date_error(text, today, future):
    try:
        when = parse_date(text, today, future=future)
    except DateError as e:
        assert repr(text) in str(e)
        assert "2026-11-03" in str(e)
    else:
        assert isinstance(when, date)


@PROPERTY
@given(text=JUNK, today=ANY_DAY)
def test_parse_past_and_due_raise_only_date_error(text, today):
    try:
        assert day_of(parse_past(text, today)) <= today
    except DateError:
        pass
    try:
        assert type(parse_due(text, today)) is date
    except DateError:
        pass


@PROPERTY
@given(text=JUNK)
def test_parse_duration_raises_only_date_error(text):
    try:
        d = parse_duration(text)
    except DateError as e:
        assert repr(text) in str(e)
        assert "10d" in str(e)
    else:
        assert d.n > 0 and d.unit in "dwmy"


@PROPERTY
@given(text=JUNK, today=ANY_DAY)
def test_parse_since_raises_only_date_error(text, today):
    try:
        assert isinstance(parse_since(text, today), date)
    except DateError as e:
        assert repr(text) in str(e)


@PROPERTY
@given(text=JUNK)
def test_parse_birthday_raises_only_date_error(text):
    try:
        stored = parse_birthday(text)
    except DateError as e:
        assert repr(text) in str(e)
        assert "1990-04-17" in str(e)
    else:
        assert next_anniversary(stored, TODAY) is not None


# -- round trips --------------------------------------------------------------


@PROPERTY
@given(d=st.dates(min_value=D(1800, 1, 1), max_value=D(2999, 12, 31)))
@example(D(1800, 1, 1))
@example(D(2999, 12, 31))
def test_iso_dates_round_trip(d):
    assert parse_date(d.isoformat(), TODAY) == d
    assert iso(parse_date(d.isoformat(), TODAY)) == d.isoformat()


@PROPERTY
@given(d=st.one_of(st.dates(max_value=D(1799, 12, 31)), st.dates(min_value=D(3000, 1, 1))))
@example(D(1, 1, 1))
@example(D(9999, 12, 31))
def test_dates_outside_1800_to_2999_are_refused(d):
    with pytest.raises(DateError, match="outside 1800-01-01..2999-12-31"):
        parse_date(d.isoformat(), TODAY)
    with pytest.raises(DateError, match="outside"):
        parse_birthday(d.isoformat())


@PROPERTY
@given(dt=st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2999, 12, 31, 23, 59)))
def test_iso_datetimes_round_trip_to_t_form(dt):
    dt = dt.replace(second=0, microsecond=0)
    text = f"{dt.date().isoformat()} {dt:%H:%M}"
    assert parse_date(text, TODAY) == dt
    assert iso(parse_date(text, TODAY)) == text.replace(" ", "T")


def test_iso_writes_four_digit_years():
    assert iso(datetime(999, 1, 2, 3, 4)) == "0999-01-02T03:04"
    assert iso(D(999, 1, 2)) == "0999-01-02"
    assert iso(datetime(2026, 11, 3, 14, 30, 59)) == "2026-11-03T14:30"
    assert iso(None) is None


def test_day_of():
    assert day_of(datetime(2026, 11, 3, 14, 30)) == D(2026, 11, 3)
    assert day_of(D(2026, 11, 3)) == D(2026, 11, 3)


# -- durations ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text,n,unit,days",
    [
        ("10d", 10, "d", 10), ("2w", 2, "w", 14), ("3m", 3, "m", 90), ("1y", 1, "y", 365),
        ("5", 5, "d", 5), ("10D", 10, "d", 10), ("2W", 2, "w", 14), (" 3 weeks ", 3, "w", 21),
        ("2 months", 2, "m", 60), ("1 year", 1, "y", 365), ("12 days", 12, "d", 12),
    ],
)  # fmt: skip
def test_durations(text, n, unit, days):
    d = parse_duration(text)
    assert d == Duration(n, unit)
    assert d.days == days


def test_duration_str_is_its_short_form():
    assert str(parse_duration("3 weeks")) == "3w"
    assert str(parse_duration("7")) == "7d"


@pytest.mark.parametrize("text", ["0", "0d", "0w", "00m"])
def test_zero_durations_are_refused(text):
    with pytest.raises(DateError, match="more than zero") as e:
        parse_duration(text)
    assert repr(text) in str(e.value)


def test_zero_is_allowed_when_asked():
    assert parse_duration("0", positive=False) == Duration(0, "d")


@pytest.mark.parametrize("text", ["-3d", "-1", "", "abc", "1.5w", "3x", "w", "3 fortnights", "d3", "3d ago", "+3d", "3 weeks 2 days"])
def test_unreadable_durations_quote_the_input_and_show_an_example(text):
    with pytest.raises(DateError) as e:
        parse_duration(text)
    assert repr(text) in str(e.value)
    assert "10d" in str(e.value)


def test_month_durations_use_calendar_months():
    assert Duration(1, "m").after(D(2026, 1, 31)) == D(2026, 2, 28)
    assert Duration(1, "m").after(D(2028, 1, 31)) == D(2028, 2, 29)
    assert Duration(3, "m").after(D(2026, 11, 30)) == D(2027, 2, 28)
    assert Duration(1, "m").before(D(2026, 3, 31)) == D(2026, 2, 28)
    assert Duration(1, "y").after(D(2028, 2, 29)) == D(2029, 2, 28)
    assert Duration(13, "m").after(D(2026, 12, 15)) == D(2028, 1, 15)
    assert Duration(2, "w").after(D(2026, 11, 22)) == D(2026, 12, 6)
    assert Duration(10, "d").before(D(2026, 11, 22)) == D(2026, 11, 12)


def test_month_durations_keep_the_time_of_a_datetime():
    assert Duration(1, "m").after(datetime(2026, 1, 31, 9, 30)) == datetime(2026, 2, 28, 9, 30)


def test_shifting_off_the_calendar_is_a_date_error():
    with pytest.raises(DateError):
        shift(D(9999, 6, 1), 1, "y")
    with pytest.raises(DateError):
        shift(D(9999, 12, 31), 1, "d")
    with pytest.raises(DateError):
        shift(D(1, 1, 1), -1, "w")
    with pytest.raises(DateError):
        Duration(99999, "w").after(D(9000, 1, 1))


SHIFT_RANGE = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))


@PROPERTY
@given(start=SHIFT_RANGE, n=st.integers(-2400, 2400))
@example(D(2026, 1, 31), 1)
@example(D(2024, 2, 29), 12)
def test_month_shift_matches_relativedelta(start, n):
    assert shift(start, n, "m") == start + relativedelta(months=n)


@PROPERTY
@given(start=SHIFT_RANGE, n=st.integers(-200, 200))
@example(D(2024, 2, 29), 1)
def test_year_shift_matches_relativedelta(start, n):
    assert shift(start, n, "y") == start + relativedelta(years=n)
    assert Duration(abs(n), "y").after(start) == start + relativedelta(years=abs(n))
    assert Duration(abs(n), "y").before(start) == start - relativedelta(years=abs(n))


@PROPERTY
@given(start=SHIFT_RANGE, n=st.integers(-5000, 5000))
def test_day_and_week_shifts_are_plain_arithmetic(start, n):
    assert shift(start, n, "d") == start + timedelta(days=n)
    assert shift(start, n, "w") == start + timedelta(weeks=n)


# -- --since ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("4w", D(2026, 10, 25)), ("10d", D(2026, 11, 12)), ("3m", D(2026, 8, 22)), ("1y", D(2025, 11, 22)),
        ("7", D(2026, 11, 15)), ("2026-01-01", D(2026, 1, 1)), ("yesterday", D(2026, 11, 21)),
        ("Nov 3", D(2026, 11, 3)), ("friday", D(2026, 11, 20)), ("2026-11-03 14:30", D(2026, 11, 3)),
    ],
)  # fmt: skip
def test_since_reads_a_duration_back_from_today_or_a_date(text, expected):
    since = parse_since(text, TODAY)
    assert since == expected
    assert type(since) is date


@pytest.mark.parametrize("text", ["0", "whenever", "-", "2026-02-30"])
def test_unreadable_since_quotes_the_input(text):
    with pytest.raises(DateError) as e:
        parse_since(text, TODAY)
    assert repr(text) in str(e.value)
    assert "2026-11-03" in str(e.value)


def test_since_far_back_from_an_early_today_is_a_date_error():
    with pytest.raises(DateError):
        parse_since("99999w", D(1900, 1, 1))


# -- birthdays ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text,stored",
    [
        ("1990-04-17", "1990-04-17"), ("04-17", "--04-17"), ("4-17", "--04-17"), ("--04-17", "--04-17"),
        ("Apr 17", "--04-17"), ("april 17", "--04-17"), ("17 April", "--04-17"), ("17 April 1990", "1990-04-17"),
        ("APR 17, 1990", "1990-04-17"), ("02-29", "--02-29"), ("Feb 29", "--02-29"), ("2000-02-29", "2000-02-29"),
        (" 12-31 ", "--12-31"),
    ],
)  # fmt: skip
def test_birthdays(text, stored):
    assert parse_birthday(text) == stored


@pytest.mark.parametrize(
    "text",
    ["13-01", "02-30", "00-10", "04-00", "04-31", "2023-02-29", "29 Feb 2023", "Apr 31", "1990-04-17 10:00",
     "1990-13-01", "-04-17", "junk", "", "Smarch 3", "17", "1990"],
)  # fmt: skip
def test_bad_birthdays_are_refused_with_an_example(text):
    with pytest.raises(DateError) as e:
        parse_birthday(text)
    assert repr(text) in str(e.value)
    assert "1990-04-17" in str(e.value)


@PROPERTY
@given(d=st.dates(min_value=D(1800, 1, 1), max_value=D(2999, 12, 31)))
def test_birthdays_round_trip(d):
    assert parse_birthday(d.isoformat()) == d.isoformat()
    yearless = f"--{d.month:02d}-{d.day:02d}"
    assert parse_birthday(yearless) == yearless
    assert parse_birthday(f"{d.month:02d}-{d.day:02d}") == yearless
    assert parse_birthday(f"{d:%b} {d.day}") == yearless


def test_next_anniversary_includes_today_and_skips_to_leap_years():
    assert next_anniversary("1990-11-22", TODAY) == TODAY
    assert next_anniversary("--11-21", TODAY) == D(2027, 11, 21)
    assert next_anniversary("--02-29", TODAY) == D(2028, 2, 29)
    assert next_anniversary("1992-02-29", D(2097, 3, 1)) == D(2104, 2, 29)
