"""Names and notes are data: never markup, never raw control bytes, never formulas."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cno.render import _JSON_UNSAFE, clean, csv_cell, to_json
from tests.conftest import cno, ok

HOSTILE = "[red]x[/red] \x1b[31mred\x1b]8;;http://evil\x07 \x9b2J"
FORMATS = ["table", "plain", "md", "csv"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_markup_and_escape_bytes_are_shown_not_interpreted(fmt):
    ok("add", HOSTILE, "--company", "=HYPERLINK(\"http://x\")")
    ok("log", "1", "note with \x1b[2J and [bold]markup[/bold]")
    for argv in (["list"], ["history"], ["show", "1"], ["due", "--within", "1y"]):
        out = ok(*argv, "-f", fmt).stdout
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out, (argv, fmt)
        if argv != ["due", "--within", "1y"]:
            assert "[red]x[/red]" in out, (argv, fmt, out)
            assert "\\x1b[31mred" in out


def test_json_keeps_the_text_exactly_but_escapes_control_bytes():
    ok("add", HOSTILE)
    out = ok("list", "-f", "json").stdout
    assert "\x1b" not in out and "\x9b" not in out
    import json

    assert json.loads(out)[0]["name"] == " ".join(HOSTILE.split())


def test_csv_prefixes_formula_cells_but_not_numbers_or_phones():
    ok("add", "=cmd|' /C calc'!A0", "--phone", "+44 20 7946 0958", "--company", "@SUM(A1)", "--role", "-7")
    rows = list(csv.DictReader(io.StringIO(ok("list", "-f", "csv").stdout)))
    assert rows[0]["name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["phones"] == "+44 20 7946 0958"
    assert rows[0]["company"] == "'@SUM(A1)"
    assert rows[0]["role"] == "-7"


@pytest.mark.parametrize(
    "value, expected",
    [("-7", "-7"), ("+1 (555) 010-9999", "+1 (555) 010-9999"), ("-2+3", "'-2+3"), ("--12-10", "'--12-10"), ("-x", "'-x"),
     ("\tcmd", "'\\x09cmd"), ("\rcmd", "'\\x0dcmd"), ("plain", "plain"), (5, "5")],
)  # fmt: skip
def test_csv_cell(value, expected):
    assert csv_cell(value) == expected


def test_clean_escapes_c0_c1_and_del_only():
    assert clean("a\x00b\x1bc\x7fd\x85e\u00e9\u200f") == "a\\x00b\\x1bc\\x7fd\\x85e\u00e9\u200f"


def test_tables_off_a_terminal_are_not_cut_to_80_columns():
    long_note = "word " * 60
    ok("add", "Ada Lovelace")
    ok("log", "ada", long_note.strip())
    out = ok("history").stdout
    assert long_note.strip() in out
    assert max(len(line) for line in out.splitlines()) > 300


def test_columns_is_honoured_off_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    ok("add", "Ada Lovelace")
    ok("log", "ada", "word " * 60)
    out = ok("history").stdout
    assert max(len(line) for line in out.splitlines()) <= 60


def test_plain_has_no_box_characters():
    ok("add", "Ada Lovelace", "--tier", "A")
    out = ok("list", "-f", "plain").stdout
    assert not set(out) & set("│─┃━┏╭╰┌└")
    assert out.splitlines()[1].split()[:3] == ["1", "Ada", "Lovelace"]


def test_md_is_a_table_and_escapes_pipes():
    ok("add", "A | B")
    out = ok("list", "-f", "md").stdout
    lines = out.splitlines()
    assert lines[0].startswith("| id | name |")
    assert "A \\| B" in out


def test_subprocess_output_has_no_ansi_and_messages_go_to_stderr(journal_path):
    env = {**os.environ, "CNO_DB": str(journal_path), "CNO_TODAY": "2026-11-22"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "cno", *a], capture_output=True, text=True, env=env)  # noqa: E731
    added = run("add", "Ada Lovelace", "--tier", "A")
    assert added.returncode == 0 and added.stdout == "" and "added Ada Lovelace (#1)" in added.stderr
    listed = run("list")
    assert "Ada Lovelace" in listed.stdout and "\x1b" not in listed.stdout


def test_nothing_to_say_means_no_output_off_a_terminal():
    # cron mails any output: an empty report must be silent on both streams
    ok("add", "Ada Lovelace")
    for argv in (["due"], ["due", "-f", "plain"], ["history"], ["milestone", "list"], ["review", "--quiet-if-empty"]):
        r = ok(*argv)
        assert (r.stdout, r.stderr) == ("", ""), argv


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_json_output_is_the_text_json_dumps_writes(obj):
    assert to_json(obj) == _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False, indent=2))


def test_json_output_of_keys_that_are_not_text_is_still_json():
    assert json.loads(to_json({1: "a", None: [True]})) == {"1": "a", "null": [True]}


COMMANDS_WITH_TABLES = [
    ("list",), ("list", "--sort", "strength"), ("due", "--within", "30d"), ("history",), ("search", "the"),
    ("referrals",), ("goals",), ("review",), ("show", "1"), ("followups",),
]


@pytest.mark.parametrize("args", COMMANDS_WITH_TABLES, ids=[" ".join(a) for a in COMMANDS_WITH_TABLES])
def test_tables_off_a_terminal_are_drawn_the_same_by_the_fast_path(journal_path, monkeypatch, args):
    """Off a terminal with no COLUMNS a table is made from its cells' text alone
    (a 100k-row listing in a second or two): the same text the general drawing makes,
    names with control characters and CJK included."""
    from cno import render

    ok("demo", str(journal_path))
    ok("add", "名前 \x1b[31m the red", "--note", "the \u202e note")
    monkeypatch.delenv("COLUMNS", raising=False)
    fast = cno(*args).stdout
    drawn = lambda t, ctx: ["".join(text for text, _ in line) for line in render._table_lines(t, ctx)]  # noqa: E731
    monkeypatch.setattr(render, "_natural_table", drawn)
    assert fast == cno(*args).stdout
    assert fast.strip()
