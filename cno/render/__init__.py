"""Rows → output: Rich tables, plain text, JSON, CSV and Markdown.

Everything user-typed is data, never markup: Rich gets `Text` cells with
markup off, control characters are escaped (`\\x1b`) before any text format
sees them, and table, plain and md also show the invisible characters that
reorder or hide text (`\\u202e`). Rich is imported only when a table is
actually drawn.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

FORMATS = ("table", "plain", "json", "csv", "md")

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Control characters, plus what reorders or hides text without being one:
# bidirectional embeddings, overrides, isolates and marks (U+061C, U+200E-F,
# U+202A-E, U+2066-9), zero-width characters (U+200B-D, U+2060, U+FEFF), and
# the line and paragraph separators, which split a line for str.splitlines.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")
# A cell that begins like a formula is still inert when it is a plain decimal
# number or a phone number: neither can name a function or a reference.
_CSV_INERT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?|\+[0-9 ().\-]*[0-9][0-9 ().\-]*")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape_char(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """Control characters (C0, DEL, C1) as visible escapes: ESC → `\\x1b`.

    What csv, vCard and iCalendar get: other characters there are data.
    """
    return _CONTROL.sub(_escape_char, text)


def visible(text: str) -> str:
    """Text as table, plain and md show it: control characters and the
    characters that reorder or hide text escaped (`\\x1b`, `\\u202e`), so what
    is read is what is stored (README "Decisions where the contract is silent").
    """
    return _INVISIBLE.sub(_escape_char, text)


def cell_text(value: Any) -> str:
    """A value as one cell of text (before escaping)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
        text = "; ".join(items)
    elif isinstance(value, (int, float)):
        return str(value)
    else:
        text = str(value)
        items = (text,)
    # Spreadsheets execute cells that start like a formula; a number or a
    # phone number stays as typed (a list of phones too: all its items inert).
    if text[:1] in _FORMULA_START and not all(_CSV_INERT.fullmatch(i) for i in items):
        text = "'" + text
    return clean(text)


def to_json(obj: Any, indent: int | None = 2) -> str:
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    # json escapes C0 itself; escape C1 and DEL too so no terminal acts on them
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass
class Col:
    """A display column of table/plain/md: where the value comes from, and how it looks."""

    key: str
    header: str
    fmt: Callable[[Any], str] | None = None
    justify: str = "left"
    style: Callable[[dict], str | None] | None = None

    def text(self, row: dict) -> str:
        v = row.get(self.key)
        return self.fmt(v) if self.fmt else cell_text(v)


def write(text: str, out=None) -> None:
    out = out or sys.stdout
    out.write(text if text.endswith("\n") or not text else text + "\n")


def emit(
    rows: list[dict],
    fmt: str,
    cols: list[Col],
    *,
    title: str | None = None,
    caption: str | None = None,
    keys: list[str] | None = None,
    empty: str | None = None,
    out=None,
) -> None:
    """Write a listing in `fmt`. `keys` are the CSV columns (default: every JSON key)."""
    out = out or sys.stdout
    if fmt == "json":
        write_json_array(rows, out)
        return
    if fmt == "csv" and keys:
        write_csv(rows, keys, out)
        return
    it = iter(rows)
    first = next(it, None)
    rows = [] if first is None else itertools.chain([first], it)  # rows are only read once, as they come
    if fmt == "csv":
        rows = list(rows)
        write(csv_text(rows, list(rows[0]) if rows else [c.key for c in cols]), out)
    elif first is None and empty:
        # Say so to a person (on stderr, so stdout stays empty); from cron or a
        # script, nothing to say means no output at all.
        if sys.stderr.isatty():
            print(empty, file=sys.stderr)
    elif fmt == "plain":
        write(plain_table(rows, cols, title=title), out)
    elif fmt == "md":
        write(md_table(rows, cols, title=title), out)
    elif _wide_text(out):
        text_table(rows, cols, out, title=title, caption=caption)
    else:
        print_rich(rich_table(list(rows), cols, title=title, caption=caption), out)


def _wide_text(out) -> bool:
    """Off a terminal with no COLUMNS: nothing wraps, so no layout engine is needed."""
    return not (hasattr(out, "isatty") and out.isatty()) and not os.environ.get("COLUMNS", "").isdigit()


def text_table(rows, cols: list[Col], out, *, title: str | None = None, caption: str | None = None) -> None:
    """Write a table in the look of the Rich tables cno draws on a terminal, as plain text.

    Used off a terminal, where a table takes the width its content needs:
    drawing it directly is an order of magnitude faster than Rich's layout
    for long listings (a cron mail of 1,000 contacts), and holds only the
    cells' text, not the rows.
    """
    grid = [tuple(c.header for c in cols)] + [tuple(visible(c.text(r)) for c in cols) for r in rows]
    widths = [max(_width(line[i]) for line in grid) for i in range(len(cols))]
    right = [c.justify == "right" for c in cols]

    def line(cells) -> str:
        parts = []
        for v, w, r in zip(cells, widths, right):
            pad = " " * (w - _width(v))
            parts.append(pad + v if r else v + pad)
        return ("  " + "   ".join(parts)).rstrip() + "\n"

    if title:
        out.write(visible(title) + "\n\n")
    out.write(line(grid[0]))
    out.write(" " + "─" * (sum(widths) + 3 * len(widths) + 1) + "\n")
    for cells in itertools.islice(grid, 1, None):
        out.write(line(cells))
    if caption:
        out.write("\n  " + visible(caption) + "\n")


def write_json_array(rows, out) -> None:
    """A JSON array written row by row (the same text as to_json of the whole list)."""
    first = True
    for row in rows:
        item = to_json(row).replace("\n", "\n  ")
        out.write(("[\n  " if first else ",\n  ") + item)
        first = False
    out.write("[]\n" if first else "\n]\n")


def write_csv(rows, keys: list[str], out) -> None:
    """CSV written row by row."""
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(keys)
    for r in rows:
        w.writerow([csv_cell(r.get(k)) for k in keys])


def csv_text(rows: list[dict], keys: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(keys)
    for r in rows:
        w.writerow([csv_cell(r.get(k)) for k in keys])
    return buf.getvalue()


def _width(s: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def plain_table(rows: list[dict], cols: list[Col], *, title: str | None = None) -> str:
    grid = [[c.header for c in cols]] + [[visible(c.text(r)) for c in cols] for r in rows]
    widths = [max(_width(line[i]) for line in grid) for i in range(len(cols))]
    lines = [visible(title)] if title else []
    for line in grid:
        cells = []
        for i, (c, v) in enumerate(zip(cols, line)):
            pad = " " * (widths[i] - _width(v))
            cells.append(pad + v if c.justify == "right" else v + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


# What makes Markdown out of inline text. md data always sits in a table cell
# or after a heading's `#`, never at the start of a line, so block markers
# (`-`, `+`, `1.`, `>`) and link definitions cannot act there; what can is
# escaped: backslash, code, emphasis and GFM's strikethrough, table pipes,
# heading closers, entity references, HTML and autolinks, the `](` that
# makes a link or an image (`[x][ref]` needs a definition, which no data can
# write), and the `:` of a scheme and the `.` inside a domain, so GFM does not
# link a bare `https://…` or `www.…`.
_MD_ACTIVE = re.compile(r"[\\`*_~|#&<>]|\](?=\()|(?<=[A-Za-z]):(?=\S)|(?<=\w)\.(?=[^\W\d_])")
_MD_ENTITY = {"<": "&lt;", ">": "&gt;"}


def md_escape(text: str) -> str:
    """Text as inline Markdown that renders as exactly these characters.

    Backslash escapes where CommonMark has them, entities for `<` and `>`.
    An e-mail address may still be shown as a mailto link by GitHub's
    renderer, which links addresses whatever their escapes; its text is then
    its own address, so nothing is disguised.
    """
    return _MD_ACTIVE.sub(_md_escape_char, visible(text))


def _md_escape_char(m: re.Match) -> str:
    ch = m.group()
    return _MD_ENTITY.get(ch) or "\\" + ch


def md_table(rows: list[dict], cols: list[Col], *, title: str | None = None, level: int = 2) -> str:
    lines = [f"{'#' * level} {md_escape(title)}", ""] if title else []
    lines.append("| " + " | ".join(c.header for c in cols) + " |")
    lines.append("|" + "|".join("---:" if c.justify == "right" else "---" for c in cols) + "|")
    for r in rows:
        lines.append("| " + " | ".join(md_escape(c.text(r)) for c in cols) + " |")
    return "\n".join(lines) + "\n"


# -- Rich ---------------------------------------------------------------------


def console(out=None):
    """A Console that never interprets markup.

    Off a terminal the width is COLUMNS if set, else a wide default that
    `print_rich` widens to what its content needs.
    """
    from rich.console import Console

    out = out or sys.stdout
    tty = hasattr(out, "isatty") and out.isatty()
    width = None
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    elif not tty:
        width = 100_000
    return Console(
        file=out,
        width=width,
        markup=False,
        highlight=False,
        emoji=False,
        force_terminal=tty,
        no_color="NO_COLOR" in os.environ or not tty,
        color_system="auto" if tty else None,
        soft_wrap=False,
    )


def print_rich(renderable, out=None) -> None:
    out = out or sys.stdout
    c = console(out)
    if c.is_terminal:
        c.print(renderable)
        return
    if not os.environ.get("COLUMNS", "").isdigit():
        # Off a terminal nothing is cut or wrapped (README "From shell aliases
        # and cron"): the width is what the widest line needs, however long.
        from rich.measure import Measurement

        need = Measurement.get(c, c.options.update_width(sys.maxsize), renderable).maximum
        c.width = max(need, 1)
    # Off a terminal (cron mail, a pipe) Rich pads every line to the table's
    # width: drop that padding and the blank edges.
    with c.capture() as cap:
        c.print(renderable)
    lines = [line.rstrip() for line in cap.get().splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    out.write("\n".join(lines) + "\n")


def rich_table(rows: list[dict], cols: list[Col], *, title: str | None = None, caption: str | None = None):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    t = Table(
        title=Text(visible(title), style="bold") if title else None,
        caption=Text(visible(caption)) if caption else None,
        box=box.SIMPLE_HEAD,
        header_style="bold",
        title_justify="left",
    )
    for c in cols:
        t.add_column(c.header, justify=c.justify)
    for r in rows:
        t.add_row(*(Text(visible(c.text(r)), style=(c.style(r) if c.style else None) or "") for c in cols))
    return t


PROGRESS_MIN = 2000  # items: below this the work is over before a bar could be read


class Progress:
    """A Rich progress bar on stderr when stderr is a terminal and the work is long; nothing otherwise.

    `with Progress("importing", total) as bar:` then `bar.advance()` or
    `bar.update(done, total)`; a total of None means unknown (a bar is shown).
    """

    def __init__(self, label: str, total: int | None):
        self.label, self.total = label, total
        self._bar = self._task = None

    def __enter__(self):
        if sys.stderr.isatty() and (self.total is None or self.total >= PROGRESS_MIN):
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=console(sys.stderr), transient=True,
            )  # fmt: skip
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total)
        return self

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def update(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()


def rich_group(*renderables):
    from rich.console import Group

    return Group(*[r for r in renderables if r is not None])


def rich_text(text: str, style: str = ""):
    from rich.text import Text

    return Text(visible(text), style=style)


def rich_fields(pairs: list[tuple[str, str]]):
    """A two-column key/value grid for a card."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for k, v in pairs:
        grid.add_row(Text(k), Text(visible(v)))
    return grid


# -- the views ----------------------------------------------------------------
# One function per kind of output; the CLI hands each its rows and a format.


def _yes(v) -> str:
    return "yes" if v else ""


def _overdue_style(row: dict) -> str | None:
    d = row.get("days_overdue")
    return "bold red" if d is not None and d > 0 else "yellow" if d == 0 else None


def _days(v) -> str:
    return "" if v is None else f"{v}d"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def birthday_text(v) -> str:
    """A stored birthday as people read it: `--12-09` → `Dec 9`, `1990-12-09` → `Dec 9, 1990`.

    For table, plain and md; JSON and CSV keep the stored form. The month
    names are fixed, not the locale's, so a cron mail reads the same
    everywhere. Anything else (a damaged value) is shown as stored.
    """
    if v is None:
        return ""
    m = re.fullmatch(r"(--|(\d{4})-)(\d{2})-(\d{2})", str(v))
    if not m or not 1 <= int(m.group(3)) <= 12:
        return cell_text(v)
    day = f"{_MONTHS[int(m.group(3)) - 1]} {int(m.group(4))}"
    return f"{day}, {m.group(2)}" if m.group(2) else day


CONTACT_COLS = [
    Col("id", "id", justify="right"),
    Col("name", "name"),
    Col("company", "company"),
    Col("tier", "tier"),
    Col("tags", "tags"),
    Col("every_days", "every", _days, "right"),
    Col("last_touch_on", "last touch"),
    Col("next_due_on", "next due"),
    Col("strength", "strength", lambda v: "" if v is None else f"{v:.0f}", "right"),
]


CONTACT_KEYS = [
    "id", "name", "company", "role", "emails", "phones", "tags", "tier", "every_days", "birthday", "timezone",
    "last_touch_on", "next_due_on", "strength", "archived",
]  # fmt: skip


def contact_list(rows, fmt: str) -> None:
    emit(rows, fmt, CONTACT_COLS, keys=CONTACT_KEYS, empty="no contacts")


def due(items: list[dict], fmt: str, today) -> None:
    # The first column is what `cno done` and `cno snooze` take: a follow-up's
    # id; a check-in has none (log a touchpoint, or snooze the contact by name).
    cols = [
        Col("follow_up_id", "id", lambda v: "" if v is None else str(v), "right"),
        Col("days_overdue", "overdue", lambda v: f"{v}d" if v > 0 else "today" if v == 0 else f"in {-v}d", "right", _overdue_style),
        Col("due_on", "due"),
        Col("name", "name", style=_overdue_style),
        Col("tier", "tier"),
        Col("kind", "kind"),
        Col("last_touch_on", "last touch"),
        Col("note", "note"),
    ]
    overdue = sum(1 for i in items if i["days_overdue"] > 0)
    title = f"Due as of {today.isoformat()}: {overdue} overdue, {len(items) - overdue} coming up"
    emit(items, fmt, cols, title=title, empty=f"nothing due as of {today.isoformat()}")


HISTORY_COLS = [
    Col("id", "id", justify="right"),
    Col("on", "on"),
    Col("names", "with"),
    Col("via", "via"),
    Col("minutes", "min", justify="right"),
    Col("gave", "gave", _yes),
    Col("asked", "asked", _yes),
    Col("tags", "tags"),
    Col("note", "note"),
]


def history(rows: list[dict], fmt: str) -> None:
    emit(rows, fmt, HISTORY_COLS, empty="no touchpoints")


MILESTONE_COLS = [
    Col("id", "id", justify="right"),
    Col("name", "contact"),
    Col("label", "milestone"),
    Col("on", "on"),
    Col("yearly", "yearly", _yes),
    Col("next_on", "next"),
]


def milestone_list(rows: list[dict], fmt: str) -> None:
    emit(rows, fmt, MILESTONE_COLS, empty="no milestones")


FOLLOW_UP_COLS = [
    Col("id", "id", justify="right"),
    Col("due_on", "due"),
    Col("name", "contact"),
    Col("note", "note"),
    Col("every", "repeats", lambda v: f"every {v}" if v else ""),
    Col("done_on", "done"),
]


def follow_up_list(rows: list[dict], fmt: str) -> None:
    emit(rows, fmt, FOLLOW_UP_COLS, empty="no follow-ups")


def settings_list(rows: list[dict], fmt: str) -> None:
    emit(rows, fmt, [Col("key", "key"), Col("value", "value"), Col("default", "default", _yes)])


CARD_FIELDS = [
    ("id", "id"), ("nicks", "also called"), ("company", "company"), ("role", "role"), ("emails", "e-mail"), ("phones", "phone"),
    ("tags", "tags"), ("tier", "tier"), ("every_days", "cadence"), ("last_touch_on", "last touch"),
    ("next_due_on", "next due"), ("snoozed_until", "snoozed until"), ("strength", "strength"),
    ("birthday", "birthday"), ("timezone", "time zone"), ("local_time", "their time"),
    ("location", "location"), ("met", "met"), ("met_on", "met on"), ("linkedin", "LinkedIn"),
    ("note", "note"), ("archived", "archived"),
]  # fmt: skip


def _card_pairs(card: dict) -> list[tuple[str, str]]:
    pairs = []
    for key, label in CARD_FIELDS:
        v = card.get(key)
        if v in (None, "", [], False):
            continue
        if key == "every_days":
            v = f"every {v} days" + (f" (own: {card['every']})" if card.get("every") else "")
        elif key == "next_due_on" and card.get("days_overdue") is not None and card["days_overdue"] > 0:
            v = f"{v} ({card['days_overdue']}d overdue)"
        elif key == "local_time":
            v = v.replace("T", " ")
        elif key == "birthday":
            v = birthday_text(v)
        pairs.append((label, cell_text(v)))
    return pairs


TIMELINE_COLS = [c for c in HISTORY_COLS if c.key != "names"] + [Col("names", "with")]


def card(card: dict, fmt: str) -> None:
    """`cno show`: the card, its open follow-ups, milestones, referrals and timeline."""
    from cno.render.referrals import CARD_COLS as referral_cols, balance_text

    fu_cols = [c for c in FOLLOW_UP_COLS if c.key not in ("name", "done_on")]
    ms_cols = [c for c in MILESTONE_COLS if c.key != "name"]
    pairs = _card_pairs(card)
    balance = card["referral_balance"]
    if any(balance.values()):
        pairs.append(("referrals", balance_text(balance)))
    sections = [
        ("Open follow-ups", card["follow_ups"], fu_cols),
        ("Milestones", card["milestones"], ms_cols),
        ("Referrals", card["referrals"], referral_cols),
        ("Timeline", card["touchpoints"], TIMELINE_COLS),
    ]
    if fmt == "json":
        write(to_json(card))
    elif fmt == "csv":
        # one row: the nested lists stay out, the balance is its number
        keys = [k for k in card if k not in ("follow_ups", "milestones", "touchpoints", "referrals")]
        write(csv_text([{**card, "referral_balance": balance["balance"]}], keys))
    elif fmt == "plain":
        width = max(len(k) for k, _ in pairs)
        parts = [visible(card["name"]), *(f"{k.ljust(width)}  {visible(v)}" for k, v in pairs)]
        for title, rows, cols in sections:
            if rows:
                parts.append("")
                parts.append(plain_table(rows, cols, title=title.removeprefix("Open ").lower()).rstrip("\n"))
        write("\n".join(parts))
    elif fmt == "md":
        parts = [f"# {md_escape(card['name'])}", "", "| field | value |", "|---|---|"]
        parts += [f"| {k} | {md_escape(v)} |" for k, v in pairs]
        for title, rows, cols in sections:
            if rows:
                parts += ["", md_table(rows, cols, title=title.removeprefix("Open ").capitalize()).rstrip("\n")]
        write("\n".join(parts))
    else:
        blocks = [rich_text(card["name"], "bold"), rich_fields(pairs)]
        for title, rows, cols in sections:
            if rows:
                blocks.append(rich_table(rows, cols, title=title))
        print_rich(rich_group(*blocks))
