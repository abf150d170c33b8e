"""Readable at any width: the daily views at a real terminal of 60 and 80 columns
(README "The daily loop": at a terminal a table fits its width).

Each command runs as its own process on a pseudo-terminal whose size is set
with TIOCSWINSZ (COLUMNS unset), on a journal made to be hard to lay out: long
names and notes, Japanese notes without a space, values of 20,000 and more.
Whatever the width, every id, date and number is printed whole — the same
numbers as the uncut output off a terminal — no line is wider than the
terminal (CJK characters count two), and NO_COLOR writes no escape at all.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-22"
LONG_NAME = "Maximiliane Theodora Wilhelmina von Hohenzollern-Sigmaringen"
LONG_NOTE = (
    "Long conversation about the future of cross-border payments in the European Union, regulatory "
    "sandboxes, a 120-page report, and whether the new instant payment rules will change how small "
    "merchants in rural areas accept cards"
)
CJK_NOTE = "東京で打ち合わせをしました。新しいプロジェクトの予算と日程について長い時間話し合いました。来月もう一度会う予定です。"
CJK_FOLLOW_UP = "見積書を送る。予算の確認と契約書の草案も一緒に送ること。"

JOURNAL = [
    ["add", LONG_NAME, "--company", "Internationale Gesellschaft für Zusammenarbeit und Entwicklung", "--tier", "A",
     "--tag", "fintech", "--tag", "longtagname-for-testing", "--every", "2w", "--email", "maxi@example.com",
     "--as-of", "2025-01-01"],
    ["add", "Ada Lovelace", "--tier", "A", "--company", "Analytical Engines", "--as-of", "2025-06-01"],
    ["add", "山田太郎", "--tier", "B", "--company", "株式会社山田商事", "--as-of", "2025-06-01"],
    ["add", "Grace Brewster Murray Hopper", "--tier", "C", "--every", "1w"],
    ["log", "maxi", LONG_NOTE, "--via", "meeting", "--minutes", "1h30m", "--on", "2026-10-01", "--gave"],
    ["log", "山田", CJK_NOTE, "--via", "meeting", "--minutes", "45", "--on", "2026-09-15", "--with", "ada"],
    ["log", "ada", "call", "--via", "call", "--on", "2026-11-20", "--minutes", "10080"],
    ["follow-up", "maxi", "2026-11-30", "Send the regulatory comparison report and the slides from the Frankfurt conference"],
    ["follow-up", "山田", "2026-11-10", CJK_FOLLOW_UP],
    ["referral", "give", "maxi", "--value", "20000", "--on", "2026-11-02", "--note", "Großauftrag"],
    ["referral", "receive", "ada", "--value", "1234567.5", "--for", "a very large enterprise contract with a long description",
     "--on", "2026-11-03"],
    ["referral", "give", "山田", "--for", "Ada Lovelace", "--value", "987654321", "--on", "2026-11-04"],
    ["referral", "close", "2", "--won", "--value", "1234567.5"],
    ["referral", "close", "3", "--won", "--value", "987654321"],
    ["referral", "give", "ada", "--for", "山田太郎", "--value", "20000", "--on", "2026-11-21"],
    ["goal", "add", "Meet the most important people in the whole wide network at least this often",
     "--metric", "meetings", "--target", "100000", "--per", "year"],
    ["goal", "add", "CNO time budget", "--metric", "minutes", "--target", "150", "--per", "week"],
    ["milestone", "add", "maxi", "Silver wedding anniversary with a very long label indeed", "2001-11-25", "--yearly"],
]  # fmt: skip

VIEWS = {
    "due": ["due"],
    "list": ["list"],
    "show": ["show", "maxi"],
    "show-others": ["show", "ada"],
    "show-cjk": ["show", "山田"],
    "history": ["history"],
    "referrals": ["referrals"],
    "goals": ["goals"],
    "review": ["review"],
}
# What each view must show whole, beyond "the same numbers as off a terminal".
MUST_SHOW = {
    "due": ["2026-10-15", "2026-11-10", "2026-11-29", "38d", "12d", "in 7d"],
    "list": ["2026-12-20", "2026-10-15", "2026-12-14", "2026-11-29"],
    "show": ["20,000", "2026-11-30", "2001-11-25", "2026-11-25", "90"],
    "show-others": ["1,234,567.50", "20,000", "10080"],
    "show-cjk": ["987,654,321", "2026-11-10"],
    "history": ["10080", "2026-11-20", "2026-10-01", "2026-09-15"],
    "referrals": ["1,234,567.50", "987,654,321"],
    "goals": ["2/100000", "10080/150", "6720%", "2026-W47"],
    "review": ["10080", "100000", "2026-12-31", "2026-10-15"],
}

_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# An id, a date, an amount, a count, a ratio: any run of these characters that holds a digit.
_NUMBERISH = re.compile(r"[0-9A-Za-z,.:/%+()\-]*[0-9][0-9A-Za-z,.:/%+()\-]*")


def build(db: Path) -> None:
    from tests.conftest import ok

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CNO_TODAY", TODAY)
        mp.delenv("CNO_DB", raising=False)
        for argv in JOURNAL:
            ok("--db", str(db), *argv)


@pytest.fixture(scope="module")
def journal(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("widths") / "wide.db"
    build(db)
    return db


def _env(db: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "CNO_DEBUG")}
    env.update(CNO_DB=str(db), CNO_TODAY=TODAY, TERM="xterm-256color", **extra)
    return env


def at_terminal(argv: list[str], columns: int, env: dict) -> str:
    """What `python -m cno ARGV` writes to a terminal `columns` wide (stderr kept apart)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cno", *argv], stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    os.close(slave)
    chunks, deadline = [], time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()
    proc.stderr.close()
    return b"".join(chunks).decode().replace("\r\n", "\n")  # the terminal's own newline translation


def off_terminal(argv: list[str], env: dict) -> str:
    r = subprocess.run([sys.executable, "-m", "cno", *argv], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout


def cells(line: str) -> int:
    """Terminal cells, counted independently of cno: wide and full-width characters take two."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def numbers(text: str) -> Counter:
    return Counter(_NUMBERISH.findall(text))


@pytest.fixture(scope="module")
def uncut(journal) -> dict[str, str]:
    """Each view as written off a terminal, where nothing is cut."""
    return {name: off_terminal(argv, _env(journal)) for name, argv in VIEWS.items()}


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_id_date_and_number_is_whole_at_a_narrow_terminal(journal, uncut, view, columns):
    plain = at_terminal(VIEWS[view], columns, _env(journal, NO_COLOR="1"))
    assert "\x1b" not in plain, f"NO_COLOR output holds an escape: {plain!r}"
    too_wide = [line for line in plain.splitlines() if cells(line) > columns]
    assert not too_wide, f"{view} at {columns} columns:\n" + "\n".join(too_wide)
    assert "…" not in plain, plain
    assert numbers(plain) == numbers(uncut[view]), f"{view} at {columns} columns cut or split a number:\n{plain}"
    for text in MUST_SHOW[view]:
        assert re.search(rf"(?<![\w,.]){re.escape(text)}(?![\w,.])", plain), f"{text!r} not whole in {view}:\n{plain}"


@pytest.mark.parametrize("view", ["due", "show", "goals"])
def test_colour_at_a_terminal_draws_the_same_text(journal, view):
    coloured = at_terminal(VIEWS[view], 60, _env(journal))
    assert _ESCAPE.search(coloured), "no colour or bold at a terminal"
    assert _ESCAPE.sub("", coloured) == at_terminal(VIEWS[view], 60, _env(journal, NO_COLOR="1"))


@pytest.mark.parametrize("argv", [["--help"], ["log", "--help"], ["referral"], ["goal", "add", "-h"]])
def test_help_under_no_color_has_no_escape(journal, argv):
    out = at_terminal(argv, 80, _env(journal, NO_COLOR="1"))
    assert "Usage" in out and "\x1b" not in out, out


def _timeline(card: str) -> list[str]:
    return card.split("Timeline", 1)[1].strip("\n").splitlines()


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_card_timeline_does_not_repeat_the_contacts_own_name(journal, columns):
    card = at_terminal(["show", "maxi"], columns, _env(journal, NO_COLOR="1"))
    assert card.count("Maximiliane") == 1, card  # the card's heading, nowhere else
    assert "with" not in _timeline(card)[0].split(), card  # nobody else was there
    card = at_terminal(["show", "ada"], columns, _env(journal, NO_COLOR="1"))
    assert card.count("Ada Lovelace") == 1, card
    timeline = _timeline(card)
    assert "with" in timeline[0].split() and "山田太郎" in "\n".join(timeline), card  # only the others


def test_a_compound_name_breaks_after_its_hyphen_and_a_date_never(monkeypatch):
    import io

    from cno.render import Col, Listing, render

    monkeypatch.setenv("COLUMNS", "34")
    rows = [{"id": 7, "on": "2026-11-22", "name": "Hohenzollern-Sigmaringen", "note": "due 2026-11-22-ish"}]
    cols = [Col("id", "id", justify="right", role="id"), Col("on", "on", role="date"), Col("name", "name"),
            Col("note", "note", role="note")]  # fmt: skip
    out = io.StringIO()
    render(Listing(rows, cols), "table", out)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert any(line.endswith("Hohenzollern-") for line in lines), out.getvalue()
    assert any(line.strip() == "Sigmaringen" for line in lines), out.getvalue()
    assert "2026-11-22-ish" in out.getvalue(), out.getvalue()
    monkeypatch.setenv("COLUMNS", "16")  # a compound that fits a line of its own is not broken
    out = io.StringIO()
    render(Listing([{"name": "Tim Berners-Lee"}], [Col("name", "name")]), "table", out)
    assert [line.strip() for line in out.getvalue().splitlines()[2:]] == ["Tim", "Berners-Lee"], out.getvalue()


def test_an_empty_column_gives_its_cells_to_a_note_that_would_wrap(monkeypatch):
    import io

    from cno.render import Col, Listing, render

    rows = [{"id": 1, "tags": "", "note": "a note long enough to wrap at sixty columns, and then some more words"}]
    cols = [Col("id", "id", justify="right", role="id"), Col("tags", "tags"), Col("note", "note", role="note")]

    def header(columns: str | None) -> list[str]:
        if columns:
            monkeypatch.setenv("COLUMNS", columns)
        out = io.StringIO()
        render(Listing(rows, cols), "table", out)
        return out.getvalue().splitlines()[0].split()

    assert header(None) == ["id", "tags", "note"]  # nothing wraps: the table is as it is
    assert header("60") == ["id", "note"]


def test_tighter_spacing_comes_before_wrapping_a_name(monkeypatch):
    import io

    from cno.render import Col, Listing, render

    rows = [{"id": 6, "who": "Ada Lovelace, Shafi Goldwasser", "on": "2026-09-22", "note": "fintech market map"}]
    cols = [Col("id", "id", justify="right", role="id"), Col("who", "who"), Col("on", "on", role="date"),
            Col("note", "note", role="note")]  # fmt: skip
    out = io.StringIO()
    render(Listing(rows, cols), "table", out)
    natural = max(len(line) for line in out.getvalue().splitlines())  # Rich's spacing: 2 at the edges, 3 between
    monkeypatch.setenv("COLUMNS", str(natural - 2))
    out = io.StringIO()
    render(Listing(rows, cols), "table", out)
    assert "Ada Lovelace, Shafi Goldwasser" in out.getvalue() and len(out.getvalue().splitlines()) == 3, out.getvalue()


def test_off_a_terminal_a_table_is_written_row_by_row_as_the_layout_would_draw_it():
    from cno.render import Col, Table, _Context, _natural_table, _table_lines

    cols = [Col("id", "id", justify="right", role="id"), Col("name", "name"), Col("empty", "nothing"),
            Col("note", "note", role="note", spans=lambda r: [("see ", None), (r["note"], "bold red")]),
            Col("value", "value", lambda v: f"{v:,}", "right")]  # fmt: skip
    rows = [{"id": 1, "name": LONG_NAME, "note": CJK_NOTE, "value": 20000},
            {"id": 12, "name": "山田太郎", "note": "x", "value": 987654321}]  # fmt: skip
    for title, caption in ((None, None), ("Title", "a caption")):
        drawn = ["".join(t for t, _ in line).rstrip() for line in _table_lines(Table(cols, rows, title, caption), _Context(None))]
        assert [line.rstrip() for line in _natural_table(Table(cols, iter(rows), title, caption), _Context(None))] == drawn


if __name__ == "__main__":  # a journal to look at by hand: python tests/test_widths.py PATH
    build(Path(sys.argv[1]))
