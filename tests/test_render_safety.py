"""Nothing lost, nothing smuggled: what reaches a terminal, a mail or a spreadsheet is what was stored."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
import sys

import pytest
from markdown_it import MarkdownIt

from tests.conftest import ok

# Bidirectional embeddings, overrides, isolates and marks, and zero-width characters.
INVISIBLE = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010), 0x2060, 0xFEFF, 0x061C]]


def _escaped(ch: str) -> str:
    return f"\\u{ord(ch):04x}"


@pytest.fixture
def hidden_journal():
    """One contact per invisible character, in its name and in a note, beside an ESC."""
    for i, ch in enumerate(INVISIBLE):
        ok("add", f"Eve{i}{ch}x", "--note", f"card{ch}note\x1b[2J")
        ok("log", str(i + 1), "--", f"touch{ch}note\x1b]8;;x\x07")


def _assert_shown_escaped(out: str, where: str) -> None:
    for i, ch in enumerate(INVISIBLE):
        assert ch not in out, (where, _escaped(ch))
        assert f"Eve{i}{_escaped(ch)}x" in out, (where, _escaped(ch))
    assert "\x1b" not in out and "\x07" not in out, where


@pytest.mark.parametrize("columns", [None, "400"], ids=["text-table", "rich-table"])
def test_invisible_characters_in_names_are_escaped_in_tables(hidden_journal, monkeypatch, columns):
    # without COLUMNS off a terminal the fast text table draws; with it, Rich does
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    _assert_shown_escaped(ok("list").stdout, f"list COLUMNS={columns}")
    history = ok("history").stdout
    assert "touch\\u202enote\\x1b]8;;x\\x07" in history
    assert "\u202e" not in history and "\x1b" not in history


def test_invisible_characters_in_names_and_notes_are_escaped_in_plain(hidden_journal):
    _assert_shown_escaped(ok("list", "-f", "plain").stdout, "list plain")
    history = ok("history", "-f", "plain").stdout
    for ch in INVISIBLE:
        assert f"touch{_escaped(ch)}note\\x1b]8;;x\\x07" in history
    assert not any(ch in history for ch in INVISIBLE) and "\x1b" not in history


@pytest.mark.parametrize("fmt", ["table", "plain", "md"])
def test_a_card_shows_invisible_characters_escaped(hidden_journal, fmt):
    for i, ch in enumerate(INVISIBLE):
        out = ok("show", str(i + 1), "-f", fmt).stdout
        assert ch not in out and "\x1b" not in out and "\x07" not in out, (fmt, _escaped(ch))
        if fmt == "md":  # read as a Markdown reader shows it, its own backslashes undone
            out = _render_md(out)
        assert _escaped(ch) in out.split("\n", 1)[0], (fmt, "the card's name")
        assert f"card{_escaped(ch)}note" in out, (fmt, "the card's note")
        assert f"touch{_escaped(ch)}note" in out, (fmt, "the timeline")


def test_line_separators_in_a_note_do_not_split_a_row():
    ok("add", "Ada")
    ok("log", "ada", "--", "one\u2028two\u2029three")
    for fmt in ("table", "plain"):
        out = ok("history", "-f", fmt).stdout
        assert "one\\u2028two\\u2029three" in out and "\u2028" not in out and "\u2029" not in out, fmt


@pytest.mark.parametrize("fmt", ["table", "plain", "md", "html"])
def test_the_review_shows_invisible_characters_escaped(fmt):
    ok("add", "Eve\u202eevil")
    ok("follow-up", "eve", "tomorrow", "call\u2066back\x1b[2J")
    out = ok("review", "-f", fmt).stdout
    if fmt == "md":  # read as a Markdown reader shows it, its own backslashes undone
        out = _render_md(out)
    assert "Eve\\u202eevil" in out and "call\\u2066back" in out, fmt
    assert "\u202e" not in out and "\u2066" not in out and "\x1b" not in out, fmt


def test_json_and_csv_keep_invisible_characters_as_data(hidden_journal):
    names = {r["name"] for r in ok("list", "-f", "json").json()}
    assert names == {f"Eve{i}{ch}x" for i, ch in enumerate(INVISIBLE)}
    rows = list(csv.DictReader(io.StringIO(ok("list", "-f", "csv").stdout)))
    assert {r["name"] for r in rows} == names
    assert "\x1b" not in ok("history", "-f", "csv").stdout  # control characters are still escaped there


# -- CSV: formulas -------------------------------------------------------------------

CSV_CELLS = [
    # a plain decimal number, or a phone number of digits, spaces and ().- after a +
    ("-7", "-7"), ("-12.5", "-12.5"), ("12.5", "12.5"), ("+44 20 7946 0958", "+44 20 7946 0958"),
    ("+1 (555) 010-9999", "+1 (555) 010-9999"), ("+44 (0)20.7946.0958", "+44 (0)20.7946.0958"),
    # anything else that begins like a formula
    ("-2+3", "'-2+3"), ("--12-10", "'--12-10"), ("-1e3", "'-1e3"), ("- 7", "'- 7"), ("-", "'-"),
    ("+1+1", "'+1+1"), ("+SUM(A1:A9)", "'+SUM(A1:A9)"), ("+", "'+"), ("=1+1", "'=1+1"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("@SUM(A1)", "'@SUM(A1)"), ("-x", "'-x"),
    ("\tcmd", "'\\x09cmd"), ("\rcmd", "'\\x0dcmd"), ("-7\n=1+1", "'-7\\x0a=1+1"),
    # text that does not begin like one stays as it is
    ("plain", "plain"), ("a=1", "a=1"), (" =1", " =1"),
]  # fmt: skip


def test_csv_prefixes_every_formula_start_but_plain_numbers_and_phones():
    # touchpoint notes keep every character as typed, leading tabs included
    ok("add", "Ada")
    for value, _ in CSV_CELLS:
        ok("log", "ada", "--", value)
    typed = {t["id"]: t["note"] for t in ok("history", "-f", "json").json()}
    written = {int(r["id"]): r["note"] for r in csv.DictReader(io.StringIO(ok("history", "-f", "csv").stdout))}
    assert {typed[i]: written[i] for i in typed} == dict(CSV_CELLS)


def test_csv_keeps_a_list_of_phone_numbers_as_typed():
    ok("add", "Ada", "--phone", "+44 20 7946 0958", "--phone", "+1 555 0100")
    row = next(csv.DictReader(io.StringIO(ok("list", "-f", "csv").stdout)))
    assert row["phones"] == "+44 20 7946 0958; +1 555 0100"


# -- Markdown ------------------------------------------------------------------------

MD_HOSTILE = [
    "[x](http://evil)", "![img](http://evil/p.png)", "*bold*", "**strong**", "_em_", "`code`", "~~gone~~",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<http://evil>", "# heading #", "| pipe",
    "[ref][r]", "[a [b](http://evil)", "[[x]](http://evil)", "[x\\](http://evil)", "&lt;b&gt; &#x202e;",
    "back\\*slash\\*",
]  # fmt: skip
MD_BARE_LINKS = ["https://evil.example/p", "www.evil.example"]
LIVE = ("<a", "<img", "<em>", "<strong>", "<script", "<code", "<s>", "<del", "&lt;b&gt;", "\u202e")


def _render_md(text: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)


def test_markdown_of_names_and_notes_renders_as_their_own_text():
    for i, text in enumerate(MD_HOSTILE + MD_BARE_LINKS):
        ok("add", f"{i} {text}", "--note", f"note {text}", "--company", text)
        ok("log", str(i + 1), "--", f"touch {text}")
    outputs = {
        "list": ok("list", "-f", "md").stdout,
        "history": ok("history", "-f", "md").stdout,
        **{f"show {i + 1}": ok("show", str(i + 1), "-f", "md").stdout for i in range(len(MD_HOSTILE + MD_BARE_LINKS))},
    }
    for where, md in outputs.items():
        rendered = _render_md(md)
        assert not [tag for tag in LIVE if tag in rendered], (where, md)
        # GFM links a bare URL or www. name by these sequences; none survives unescaped
        assert not re.search(r"[^\\]://|www\.", md), (where, md)
    listing = _render_md(outputs["list"])
    for i, text in enumerate(MD_HOSTILE + MD_BARE_LINKS):
        name = html.escape(f"{i} {text}", quote=False)
        # each name is one table cell, and a card's heading, holding exactly its own characters
        assert f"<td>{name}</td>" in listing, text
        assert _render_md(outputs[f"show {i + 1}"]).startswith(f"<h1>{name}</h1>"), text


def test_the_review_in_markdown_holds_no_live_markup():
    ok("add", "[x](http://evil) *Eve*")
    ok("follow-up", "eve", "tomorrow", "![img](http://evil/p.png) <script>")
    md = ok("review", "-f", "md").stdout
    rendered = _render_md(md)
    assert not [tag for tag in LIVE if tag in rendered], md
    assert "[x](http://evil) *Eve*" in rendered and "![img](http://evil/p.png) &lt;script&gt;" in rendered


# -- nothing cut off a terminal -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "plain"])
def test_show_off_a_terminal_keeps_a_300000_character_note_whole(fmt):
    note, touch = "n" * 300_000, "t" * 300_000
    ok("add", "Ada", "--note", note)
    ok("log", "ada", touch)
    out = ok("show", "ada", "-f", fmt).stdout
    assert f" {note}\n" in out and f" {touch}" in out


def test_the_review_off_a_terminal_keeps_a_long_note_whole():
    note = "w" * 150_000
    ok("add", "Ada")
    ok("follow-up", "ada", "tomorrow", note)
    assert f" {note}\n" in ok("review").stdout


# -- shell completion -----------------------------------------------------------------


def test_completion_offers_no_control_characters(journal_path):
    ok("add", "Eve Normal")
    ok("add", "Eve \x1b]8;;http://evil\x07Link")
    ok("add", "Eve \x9b2J Wipe")
    env = {**os.environ, "_CNO_COMPLETE": "complete_bash", "COMP_CWORD": "2", "COMP_WORDS": "cno log Eve"}
    out = subprocess.run([sys.executable, "-m", "cno"], env=env, capture_output=True).stdout.decode()
    assert out.splitlines() == ["Eve\\ Normal"], repr(out)
