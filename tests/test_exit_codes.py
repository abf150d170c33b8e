"""No input reaches exit 70 (README "Exit codes"): every command, fed huge
numbers, calendar-edge dates, non-finite numbers and hostile text, exits 0, 1, 2 or 3."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import cno, ok

# Each command: its words, how many positionals it takes, and its options.
DATE_OPTS = ["--on", "--as-of", "--since", "--until"]
COMMANDS = [
    (["add"], 1, ["--every", "--birthday", "--met-on", "--tier", "--tz", "--email", "--phone", "--as-of"]),
    (["edit"], 1, ["--every", "--birthday", "--met-on", "--tier", "--name", "--clear", "--as-of"]),
    (["show"], 1, ["-f", "--as-of"]), (["list"], 0, ["--sort", "--tier", "-f", "--as-of"]),
    (["archive"], 1, []), (["unarchive"], 1, []), (["rm"], 1, ["--yes"]), (["merge"], 2, ["--yes"]),
    (["milestone", "add"], 3, ["--yearly"]), (["milestone", "list"], 0, ["-f", "--as-of"]), (["milestone", "rm"], 1, []),
    (["log"], 2, ["--on", "--minutes", "--via", "--follow-up", "--with", "--as-of"]),
    (["history"], 1, ["--since", "--until", "--limit", "-n", "--via", "-f", "--as-of"]),
    (["touch", "edit"], 1, ["--on", "--minutes", "--via", "--note"]), (["touch", "rm"], 1, []),
    (["follow-up"], 3, ["--as-of"]), (["done"], 1, ["--as-of"]), (["snooze"], 2, ["--as-of"]),
    (["due"], 0, ["--within", "--limit", "-n", "--tier", "--as-of", "-f"]),
    (["followups", "list"], 0, ["-f"]), (["followups", "edit"], 1, ["--due", "--note"]), (["followups", "rm"], 1, []),
    (["referral", "give"], 1, ["--value", "--on", "--for", "--as-of"]), (["referral", "receive"], 1, ["--value", "--on"]),
    (["referral", "close"], 1, ["--won", "--lost", "--value", "--on"]), (["referral", "list"], 0, ["--since", "-f"]),
    (["referral", "edit"], 1, ["--value", "--on"]), (["referral", "rm"], 1, []), (["intro"], 3, ["--on", "--as-of"]),
    (["referrals"], 0, ["--since", "--period", "--top", "-n", "--as-of", "-f"]),
    (["goal", "add"], 1, ["--metric", "--target", "--per"]), (["goal", "edit"], 1, ["--target", "--per"]),
    (["goal", "rm"], 1, []), (["goals"], 0, ["--history", "--as-of", "-f"]),
    (["review"], 0, ["--period", "--as-of", "-f"]), (["suggest"], 0, ["-n", "--as-of", "--explain", "-f"]),
    (["stats"], 0, ["--since", "--by", "--as-of", "-f"]), (["search"], 1, ["--limit", "-f"]), (["graph"], 0, ["-f"]),
    (["export", "json"], 0, []), (["export", "ics"], 0, ["--as-of"]), (["export", "vcard"], 0, []),
    (["export", "csv"], 0, []), (["config", "set"], 2, []), (["config", "get"], 1, []), (["config", "list"], 0, []),
    (["db", "check"], 0, []),
]  # fmt: skip
EDGES = [
    "9223372036854775808", "9223372036854775807", "-9223372036854775809", "99999999999999999999999999",
    "1e308", "1e309", "-1e308", "inf", "-inf", "nan", "1e15", "1000000000000001", "9999-12-31", "0001-01-01",
    "1799-12-31", "3000-01-01", "2999-12-31", "1800-01-01", "--12-31", "--02-30", "02-29", "99999d", "99999y",
    "+99999y", "-99999w", "in 99999 years", "99999 years ago", "9999-12-31 23:59", "0", "-1", "1", "2", "#1", "²",
    "1.5", "\x1b[31m", "\u202e", "\x00", "", "ada", "ada@example.com", "grace", "A", "cadence.A", "me.email",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(EDGES),
    st.sampled_from(EDGES),
    st.sampled_from(EDGES),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)


@st.composite
def argv_for(draw):
    words, positionals, options = draw(st.sampled_from(COMMANDS))
    argv = list(words) + [draw(VALUES) for _ in range(draw(st.integers(0, positionals)))]
    for opt in draw(st.lists(st.sampled_from(options or ["-f"]), max_size=3)):
        argv += [opt, draw(VALUES)]
    return argv


ARGV = argv_for()

# The sweep: every positional slot and every option of every command gets each of these.
NASTIEST = [
    "9223372036854775808", "-9223372036854775809", "1e309", "inf", "nan", "9999-12-31", "0001-01-01",
    "3000-01-01", "+99999y", "in 99999 years", "²", "\x00\x1b]8;;x\x07",
]  # fmt: skip
SANE = ["ada", "grace", "x"]  # what the other positionals hold meanwhile


@settings(max_examples=int(__import__("os").environ.get("CNO_EXAMPLES", 400)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=ARGV)
def test_no_input_reaches_exit_70(journal_path, argv):
    _seed(journal_path)
    _assert_clean_exit(argv)


def test_every_slot_of_every_command_takes_the_nastiest_values(journal_path):
    _seed(journal_path)
    for words, positionals, options in COMMANDS:
        for value in NASTIEST:
            for slot in range(positionals):
                args = SANE[:positionals]
                args[slot] = value
                _assert_clean_exit(words + args)
            for opt in options:
                _assert_clean_exit(words + SANE[:positionals] + [opt, value])


def _assert_clean_exit(argv):
    r = cno(*argv)
    assert r.code in (0, 1, 2, 3), (argv, r.code, r.stderr)
    assert "Traceback" not in r.stderr
    assert "Infinity" not in r.stdout and "NaN" not in r.stdout


def _seed(journal_path):
    if not journal_path.exists():
        ok("add", "Ada Lovelace", "--email", "ada@example.com", "--tier", "A", "--birthday", "--12-31")
        ok("add", "Grace Hopper", "--every", "2w")
        ok("log", "ada", "coffee", "--with", "grace", "--follow-up", "friday")
        ok("referral", "give", "ada", "--value", "1e15")
        ok("milestone", "add", "ada", "new job", "2999-12-31", "--yearly")
        ok("goal", "add", "Meet", "--metric", "meetings", "--target", "3")
