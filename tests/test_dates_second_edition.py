"""cno.dates against SPEC "Dates and durations", "Also accepted (second edition)".

Every expected date is written out for TODAY = Sunday 2026-11-22; the
readings of a time of day are checked against `strptime`, not against the
parser's own table.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cno.dates import (
    DATE_EXAMPLE,
    MAX_MINUTES,
    AmbiguousDateError,
    parse_date,
    parse_due,
    parse_minutes,
    parse_past,
    parse_since,
)
from cno.errors import DateError

TODAY = date(2026, 11, 22)
D = date
DT = datetime
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_today_is_a_sunday():
    assert TODAY.weekday() == 6


def refused(parse, text, *args, **kw) -> str:
    """The DateError message `parse` gives for `text`, after checking it quotes it."""
    with pytest.raises(DateError) as e:
        parse(text, *args, **kw)
    assert repr(text) in str(e.value)
    return str(e.value)


# -- next/last week|month|year, "a week ago", "in a month" --------------------

RELATIVE = [
    ("next week", D(2026, 11, 29)),
    ("last week", D(2026, 11, 15)),
    ("next month", D(2026, 12, 22)),
    ("last month", D(2026, 10, 22)),
    ("next year", D(2027, 11, 22)),
    ("last year", D(2025, 11, 22)),
    ("a day ago", D(2026, 11, 21)),
    ("a week ago", D(2026, 11, 15)),
    ("a month ago", D(2026, 10, 22)),
    ("a year ago", D(2025, 11, 22)),
    ("in a day", D(2026, 11, 23)),
    ("in a week", D(2026, 11, 29)),
    ("in a month", D(2026, 12, 22)),
    ("in a year", D(2027, 11, 22)),
    ("in 2 months", D(2027, 1, 22)),
    ("in 1 month", D(2026, 12, 22)),
    ("2 months ago", D(2026, 9, 22)),
    ("In A Week", D(2026, 11, 29)),
    ("NEXT MONTH", D(2026, 12, 22)),
]


@pytest.mark.parametrize("text,expected", RELATIVE)
def test_relative_words_are_today_plus_or_minus_a_unit_whatever_the_bias(text, expected):
    assert parse_date(text, TODAY) == expected
    assert parse_due(text, TODAY) == expected


@pytest.mark.parametrize(
    "text,today,expected",
    [
        ("next month", D(2026, 1, 31), D(2026, 2, 28)),
        ("in a month", D(2028, 1, 31), D(2028, 2, 29)),
        ("a month ago", D(2026, 3, 31), D(2026, 2, 28)),
        ("last month", D(2026, 1, 15), D(2025, 12, 15)),
        ("next year", D(2028, 2, 29), D(2029, 2, 28)),
        ("a year ago", D(2028, 2, 29), D(2027, 2, 28)),
        ("last week", D(2026, 1, 3), D(2025, 12, 27)),
    ],
)  # fmt: skip
def test_months_and_years_are_calendar_units_clamped_to_the_month(text, today, expected):
    assert parse_date(text, today) == expected


def test_next_mon_is_still_monday_not_a_month():
    assert parse_date("next mon", TODAY) == D(2026, 11, 23)
    assert parse_date("last mon", TODAY) == D(2026, 11, 16)


def test_last_week_is_a_past_date_and_next_week_is_not():
    assert parse_past("last week", TODAY) == D(2026, 11, 15)
    assert parse_past("a month ago", TODAY) == D(2026, 10, 22)
    assert "future" in refused(parse_past, "next week", TODAY)
    assert "future" in refused(parse_past, "in a day", TODAY)


@pytest.mark.parametrize(
    "text",
    ["a weeks ago", "a w ago", "a wk ago", "an week ago", "a week", "in a", "a ago", "aweek ago", "in a 2 weeks",
     "this week", "next weeks", "last w", "next day", "last 2 weeks", "a week from now", "in a week ago"],
)  # fmt: skip
def test_misshapen_relative_words_are_refused(text):
    for parse in (parse_date, parse_due, parse_past):
        assert DATE_EXAMPLE in refused(parse, text, TODAY)


# -- a time of day after a date word ------------------------------------------

# (text, past reading) with today = Sunday 2026-11-22
TIMED = [
    ("yesterday 14:00", DT(2026, 11, 21, 14, 0)),
    ("friday 9:30", DT(2026, 11, 20, 9, 30)),
    ("today 2pm", DT(2026, 11, 22, 14, 0)),
    ("today 2 pm", DT(2026, 11, 22, 14, 0)),
    ("last friday 10am", DT(2026, 11, 20, 10, 0)),
    ("Nov 3 14:30", DT(2026, 11, 3, 14, 30)),
    ("3 Nov 2026 9am", DT(2026, 11, 3, 9, 0)),
    ("2026-11-03 2:30pm", DT(2026, 11, 3, 14, 30)),
    ("2026-11-03 14:30", DT(2026, 11, 3, 14, 30)),
    ("2026-11-03 09:05", DT(2026, 11, 3, 9, 5)),
    ("3d ago 9:00", DT(2026, 11, 19, 9, 0)),
    ("a week ago 8:15am", DT(2026, 11, 15, 8, 15)),
    ("-2w 0:00", DT(2026, 11, 8, 0, 0)),
    ("today 12am", DT(2026, 11, 22, 0, 0)),
    ("today 12pm", DT(2026, 11, 22, 12, 0)),
    ("today 12:30am", DT(2026, 11, 22, 0, 30)),
    ("today 11:59pm", DT(2026, 11, 22, 23, 59)),
    ("Today 2PM", DT(2026, 11, 22, 14, 0)),
]


@pytest.mark.parametrize("text,expected", TIMED)
def test_a_time_after_a_date_word_gives_a_datetime(text, expected):
    when = parse_date(text, TODAY)
    assert type(when) is datetime
    assert when == expected
    assert parse_past(text, TODAY) == expected


@pytest.mark.parametrize("text,expected", TIMED)
def test_without_allow_time_the_new_forms_give_the_date(text, expected):
    when = parse_date(text, TODAY, allow_time=False)
    assert type(when) is date
    assert when == expected.date()
    assert parse_past(text, TODAY, allow_time=False) == expected.date()


def test_a_time_keeps_the_bias_of_its_date_word():
    assert parse_date("friday 9:30", TODAY, future=True) == DT(2026, 11, 27, 9, 30)
    assert parse_date("Nov 3 14:30", TODAY, future=True) == DT(2027, 11, 3, 14, 30)


def test_a_due_date_drops_its_time():
    due = parse_due("friday 9:30", TODAY)
    assert type(due) is date and due == D(2026, 11, 27)
    assert parse_due("tomorrow 2pm", TODAY) == D(2026, 11, 23)


def test_later_today_is_a_past_date_but_tomorrow_at_midnight_is_not():
    assert parse_past("today 11:59pm", TODAY) == DT(2026, 11, 22, 23, 59)
    assert "future" in refused(parse_past, "tomorrow 12am", TODAY)


@pytest.mark.parametrize("clock", ["25:00", "24:00", "13pm", "0am", "0:30am", "14:00pm", "9:60", "12:60pm", "00am"])
def test_impossible_times_are_refused_naming_the_time(clock):
    text = f"today {clock}"
    for parse in (parse_date, parse_due, parse_past):
        message = refused(parse, text, TODAY)
        assert f"{clock!r} is not a time of day" in message
        assert "2026-11-03 2pm" in message
    message = refused(parse_date, text, TODAY, allow_time=False)
    assert "not a time of day" in message


@pytest.mark.parametrize(
    "text",
    ["14:00", "2pm", "9:30 today", "today 9:5", "today 930", "today 2", "today 2 p.m.", "whenever 9:00",
     "2026-11-03 14:30 2pm", "2026-11-03t14:30 2pm", "today 14:30:00", "today at 2pm", "today 2pmm"],
)  # fmt: skip
def test_a_time_needs_a_date_word_before_it(text):
    assert DATE_EXAMPLE in refused(parse_date, text, TODAY)


@pytest.mark.parametrize("text", ["2026-11-03T24:00", "2026-11-03T12:60", "2026-11-03T9:5"])
def test_the_iso_t_form_checks_its_time_too(text):
    assert DATE_EXAMPLE in refused(parse_date, text, TODAY)


def test_a_number_after_a_month_is_a_day_not_a_time():
    assert parse_date("Nov 14", TODAY) == D(2026, 11, 14)
    assert parse_date("3 Nov 2026", TODAY) == D(2026, 11, 3)


@PROPERTY
@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_every_24_hour_time_reads(hour, minute):
    expected = DT(2026, 11, 21, hour, minute)
    assert parse_date(f"yesterday {hour}:{minute:02d}", TODAY) == expected
    assert parse_date(f"yesterday {hour:02d}:{minute:02d}", TODAY) == expected


@PROPERTY
@given(hour=st.integers(1, 12), minute=st.integers(0, 59), half=st.sampled_from(["am", "pm"]))
@example(12, 0, "am")
@example(12, 0, "pm")
def test_every_12_hour_time_reads_as_strptime_does(hour, minute, half):
    clock = datetime.strptime(f"{hour}:{minute:02d} {half.upper()}", "%I:%M %p").time()
    expected = datetime.combine(D(2026, 11, 21), clock)
    assert parse_date(f"yesterday {hour}:{minute:02d}{half}", TODAY) == expected
    if minute == 0:
        assert parse_date(f"yesterday {hour}{half}", TODAY) == expected


# -- a bare duration as a due date --------------------------------------------

BARE_DURATIONS = [
    ("2w", D(2026, 12, 6)),
    ("10d", D(2026, 12, 2)),
    ("3m", D(2027, 2, 22)),
    ("1y", D(2027, 11, 22)),
    ("3", D(2026, 11, 25)),
    ("3 days", D(2026, 11, 25)),
    ("2 weeks", D(2026, 12, 6)),
    ("2W", D(2026, 12, 6)),
]


@pytest.mark.parametrize("text,expected", BARE_DURATIONS)
def test_a_bare_duration_is_a_due_date_that_far_ahead(text, expected):
    assert parse_due(text, TODAY) == expected
    assert parse_date(text, TODAY, future=True) == expected


@pytest.mark.parametrize("text,_", BARE_DURATIONS)
def test_a_bare_duration_is_not_a_date_of_the_past(text, _):
    for parse in (parse_date, parse_past):
        assert DATE_EXAMPLE in refused(parse, text, TODAY)


def test_a_bare_month_duration_is_a_calendar_month():
    assert parse_due("1m", D(2026, 1, 31)) == D(2026, 2, 28)
    assert parse_due("1y", D(2028, 2, 29)) == D(2029, 2, 28)


@pytest.mark.parametrize("text", ["0", "0d", "1.5w", "3x", "3 fortnights"])
def test_a_bare_duration_that_cannot_be_read_is_refused_as_a_date(text):
    assert DATE_EXAMPLE in refused(parse_due, text, TODAY)


def test_a_bare_duration_past_2999_is_refused():
    assert "outside 1800-01-01..2999-12-31" in refused(parse_due, "99999w", TODAY)


def test_a_day_month_still_wins_over_a_duration():
    # "3 may" is May 3rd, not three of some unit
    assert parse_due("3 may", TODAY) == D(2027, 5, 3)


# -- numeric dates other than ISO ---------------------------------------------

AMBIGUOUS = [
    ("12/09/2026", "2026-12-09 or 2026-09-12?"),
    ("09.12.2026", "2026-12-09 or 2026-09-12?"),
    ("12-09-2026", "2026-12-09 or 2026-09-12?"),
    ("12/9", "2025-12-09 or 2026-09-12?"),
    ("9.12.", "2025-12-09 or 2026-09-12?"),
    ("1/2/2027", "2027-01-02 or 2027-02-01?"),
    ("12/09/2026 14:00", "2026-12-09 or 2026-09-12?"),
]


@pytest.mark.parametrize("text,readings", AMBIGUOUS)
def test_numeric_dates_with_two_readings_are_refused_naming_both(text, readings):
    for parse in (parse_date, parse_past):
        message = refused(parse, text, TODAY)
        assert "ambiguous" in message and "YYYY-MM-DD" in message
        assert readings in message


def test_a_yearless_numeric_date_names_its_readings_with_the_bias():
    assert "2026-12-09 or 2027-09-12?" in refused(parse_due, "12/9", TODAY)
    assert "2025-12-09 or 2026-09-12?" in refused(parse_past, "12/9", TODAY)


ONE_READING = [
    ("12/31/2026", "2026-12-31"),
    ("31.12.2026", "2026-12-31"),
    ("31-12-2026", "2026-12-31"),
    ("5/5/2026", "2026-05-05"),
    ("2026/11/03", "2026-11-03"),
    ("2026.11.03", "2026-11-03"),
    ("31/12", "2025-12-31"),
]


@pytest.mark.parametrize("text,reading", ONE_READING)
def test_numeric_dates_with_one_reading_are_still_refused_naming_it(text, reading):
    for parse in (parse_date, parse_past, parse_due):
        message = refused(parse, text, TODAY)
        assert "ambiguous" in message and "YYYY-MM-DD" in message
    assert f"did you mean {reading}?" in refused(parse_past, text, TODAY)


@pytest.mark.parametrize("text", ["13/13/2026", "12/09/26", "32.1.2026", "12/09/1700"])
def test_numeric_dates_with_no_reading_are_unreadable(text):
    message = refused(parse_date, text, TODAY)
    assert DATE_EXAMPLE in message and "ambiguous" not in message


def test_since_keeps_the_readings_of_an_ambiguous_date():
    with pytest.raises(AmbiguousDateError, match="2026-12-09 or 2026-09-12"):
        parse_since("12/09/2026", TODAY)


# -- parse_date never raises anything else, with the new tokens ----------------

TOKENS = st.sampled_from(
    ["a", "an", "in", "ago", "next", "last", "week", "month", "year", "day", "today", "friday", "nov", "3", "12",
     "9", "31", "0", "13", "25", "2026", "99999", "2w", "3m", "/", ".", "-", ":", ":00", "14:00", "9:30", "am",
     "pm", "2pm", "12am", "0am", "t", " ", "", "１２", "\x00"]
)  # fmt: skip
TEXTS = st.one_of(st.text(), st.lists(TOKENS, max_size=6).map(" ".join), st.lists(TOKENS, max_size=6).map("".join))
DAYS = st.one_of(st.just(TODAY), st.dates(), st.sampled_from([date.min, date.max]))


@PROPERTY
@given(text=TEXTS, today=DAYS, future=st.booleans(), allow_time=st.booleans())
@example("12/09/2026 25:00", TODAY, False, True)
@example("a week ago 13pm", TODAY, False, True)
def test_new_forms_raise_only_date_error_quoting_the_input(text, today, future, allow_time):
    try:
        when = parse_date(text, today, future=future, allow_time=allow_time)
    except DateError as e:
        assert repr(text) in str(e)
        assert "2026-11-03" in str(e)
    else:
        assert isinstance(when, date)
        assert allow_time or type(when) is date


# -- --minutes ----------------------------------------------------------------

MINUTES = [
    ("45", 45), ("45m", 45), ("45 min", 45), ("45 mins", 45), ("45 minutes", 45), ("1 minute", 1),
    ("1h", 60), ("1h30m", 90), ("1h 30m", 90), ("1h30", 90), ("1.5h", 90), ("0.25h", 15), ("1.50h", 90),
    ("90 minutes", 90), ("2 hours", 120), ("1 hour", 60), ("2hrs", 120), ("1 hr 5 min", 65),
    (" 45  MIN ", 45), ("168h", 10080), ("10080", 10080), ("1h 90m", 150),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", MINUTES)
def test_minutes(text, expected):
    assert parse_minutes(text) == expected
    assert type(parse_minutes(text)) is int


def test_a_week_is_ten_thousand_and_eighty_minutes():
    assert MAX_MINUTES == 7 * 24 * 60 == 10080


@pytest.mark.parametrize(
    "text,why",
    [
        ("0", "more than zero"), ("0m", "more than zero"), ("0h", "more than zero"), ("0.0h", "more than zero"),
        ("10081", "more than a week"), ("168h 1m", "more than a week"), ("999999", "more than a week"),
        ("1.01h", "whole number of minutes"), ("0.01h", "whole number of minutes"),
        ("-5", "can't read"), ("-1h", "can't read"), ("1.5m", "can't read"), ("1.5", "can't read"),
        ("abc", "can't read"), ("", "can't read"), ("h", "can't read"), ("m", "can't read"), ("1hm", "can't read"),
        ("30m 1h", "can't read"), ("1,5h", "can't read"), ("1 h 30 m x", "can't read"), ("1d", "can't read"),
        ("1234567", "can't read"),
    ],
)  # fmt: skip
def test_bad_minutes_are_refused_quoting_them_with_an_example(text, why):
    message = refused(parse_minutes, text)
    assert why in message
    assert "1h30m" in message


def test_six_minutes_is_a_tenth_of_an_hour():
    assert parse_minutes("0.1h") == 6


@PROPERTY
@given(hours=st.integers(0, 167), minutes=st.integers(0, 59))
def test_hours_and_minutes_add_up(hours, minutes):
    total = hours * 60 + minutes
    if total == 0:
        return
    assert parse_minutes(f"{hours}h{minutes}m") == total
    assert parse_minutes(f"{hours}h {minutes}m") == total
    assert parse_minutes(f"{total}") == total
    assert parse_minutes(f"{total} minutes") == total


@PROPERTY
@given(text=st.one_of(st.text(), st.from_regex(r"\A[0-9. hminutesor-]{0,12}\Z")))
@example("9" * 5000)
@example("1." + "5" * 5000 + "h")
@example(None)
def test_parse_minutes_raises_only_date_error(text):
    try:
        n = parse_minutes(text)
    except DateError as e:
        assert repr(text) in str(e)
        assert "1h30m" in str(e)
    else:
        assert type(n) is int and 1 <= n <= MAX_MINUTES
