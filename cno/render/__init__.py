"""Results → output: one `render(result, fmt, out)` for every command.

A command gets a result from the core, wraps it in its view (a `Listing` of
rows, or a `Report` of blocks) and hands it to `render`, which writes it in
the asked format: JSON and CSV from the data, `plain` and `md` from the
blocks, and `table` as aligned columns that fit the width — the terminal's
at a terminal, `COLUMNS` when set, else the width the content needs.

The width rule is here once (`_plan`). Each column declares its role:
`id`, `date`, `number`, `status` and `tier` are never cut nor wrapped (and
neither are their headers); `name` and `note` wrap, CJK text included,
before anything else gives way; when even that is not enough, notes and
then other columns move below their row as `header: value` lines, and an
`optional` column (a bar) is left out.

Everything user-typed is data, never markup: control characters are escaped
(`\\x1b`) before any text format sees them, and table, plain and md also show
the invisible characters that reorder or hide text (`\\u202e`). Colour and
bold are drawn only at a terminal without `NO_COLOR`; Rich is imported only
then (and for progress bars on stderr).
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
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

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
    if text.isascii() and text.isprintable():  # nothing to escape: the common case, at C speed
        return text
    return _INVISIBLE.sub(_escape_char, text)


def cell_text(value: Any) -> str:
    """A value as one cell of text (before escaping)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (list, tuple)):
        if all(type(v) is str for v in value):
            return ", ".join(value)
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


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # a scalar or a flat value: json's C encoder


class _NotPlain(Exception):
    pass


def _indented(obj: Any, pad: str) -> str:
    """json.dumps(obj, ensure_ascii=False, indent=2), the same text, without json's
    pure-Python encoder that any indent selects (a 10,000-row listing spent a
    third of its time there)."""
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        inner = pad + "  "
        parts = []
        for k, v in obj.items():
            if not isinstance(k, str):
                raise _NotPlain
            parts.append(f"{inner}{_ENCODE(k)}: {_indented(v, inner)}")
        return "{" + ",".join(parts) + pad + "}"
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        inner = pad + "  "
        return "[" + ",".join(inner + _indented(v, inner) for v in obj) + pad + "]"
    return _ENCODE(obj)


def to_json(obj: Any, indent: int | None = 2) -> str:
    text = None
    if indent == 2:
        try:
            text = _indented(obj, "\n")
        except _NotPlain:
            pass
    if text is None:
        text = json.dumps(obj, ensure_ascii=False, indent=indent)
    # json escapes C0 itself; escape C1 and DEL too so no terminal acts on them
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# -- columns ----------------------------------------------------------------------

# What a column holds decides how it gives way when a table is too wide:
# these are never cut nor wrapped, and neither are their headers...
FIXED_ROLES = frozenset({"id", "date", "number", "status", "tier"})
# ...these wrap (by word, CJK by character), down to this many cells.
FLEX_MIN = {"name": 12, "note": 16}
ROLES = FIXED_ROLES | set(FLEX_MIN)


@dataclass
class Col:
    """A display column of table/plain/md: where the value comes from, how it looks, what it is.

    `role` is one of ROLES (default: `number` when right-justified, else
    `name`); `short` is the header used when the table must be narrow;
    `optional` columns (a bar that repeats a percentage) are left out then.
    `spans` gives the cell as (text, style) pieces instead (a search match);
    `rich` gives, at a colour terminal, a Rich renderable drawn in its place.
    """

    key: str
    header: str
    fmt: Callable[[Any], str] | None = None
    justify: str = "left"
    style: Callable[[dict], str | None] | None = None
    role: str = ""
    short: str | None = None
    optional: bool = False
    spans: Callable[[dict], list[tuple[str, str | None]]] | None = None
    rich: Callable[[dict], Any] | None = None

    def __post_init__(self):
        if not self.role:
            self.role = "number" if self.justify == "right" else "name"
        if self.role not in ROLES:
            raise ValueError(f"unknown column role {self.role!r}")

    @property
    def fixed(self) -> bool:
        return self.role in FIXED_ROLES

    def text(self, row: dict) -> str:
        return self.texts([row])[0]

    def texts(self, rows: list[dict]) -> list[str]:
        """The cells of these rows, before escaping (a column at a time: what a
        long table off a terminal is made of)."""
        values = [r.get(self.key) for r in rows]
        if self.fmt:
            return list(map(self.fmt, values))
        return [v if type(v) is str else "" if v is None else cell_text(v) for v in values]


# -- results: what a view returns and `render` writes ------------------------------


@dataclass
class Table:
    """A block of rows under column headers, with an optional title above and caption below."""

    cols: list[Col]
    rows: Iterable[dict]
    title: str | None = None
    caption: str | None = None
    level: int = 2  # of the title's Markdown heading

    def plain(self) -> str:
        text = plain_table(self.rows, self.cols, title=self.title).rstrip("\n")
        return text + "\n\n" + visible(self.caption) if self.caption else text

    def md(self) -> str:
        text = md_table(self.rows, self.cols, title=self.title, level=self.level).rstrip("\n")
        return text + "\n\n" + md_escape(self.caption) if self.caption else text

    def lines(self, ctx: _Context) -> list[list]:
        return _table_lines(self, ctx)


@dataclass
class Heading:
    """A line that stands out: bold in a table, `#`-prefixed in Markdown."""

    text: str
    level: int = 1

    def plain(self) -> str:
        return visible(self.text)

    def md(self) -> str:
        return f"{'#' * self.level} {md_escape(self.text)}"

    def lines(self, ctx: _Context) -> list[list]:
        return ctx.wrap([(visible(self.text), "bold")])


@dataclass
class Para:
    """A paragraph of text, wrapped to the width in a table."""

    text: str
    style: str | None = None

    def plain(self) -> str:
        return visible(self.text)

    def md(self) -> str:
        return md_escape(self.text)

    def lines(self, ctx: _Context) -> list[list]:
        return ctx.wrap([(visible(self.text), self.style)]) if self.text else [[]]


BLANK = Para("")


@dataclass
class Fields:
    """A card's label/value pairs: aligned labels, values that wrap."""

    pairs: list[tuple[str, str]]

    def plain(self) -> str:
        width = max((len(k) for k, _ in self.pairs), default=0)
        return "\n".join(f"{k.ljust(width)}  {visible(v)}" for k, v in self.pairs)

    def md(self) -> str:
        return "\n".join(["| field | value |", "|---|---|", *(f"| {k} | {md_escape(v)} |" for k, v in self.pairs)])

    def lines(self, ctx: _Context) -> list[list]:
        width = max((_width(k) for k, _ in self.pairs), default=0)
        value_width = None if ctx.width is None else max(ctx.width - width - 2, FLEX_MIN["note"])
        out = []
        for k, v in self.pairs:
            values = _wrap([(visible(v), None)], value_width)
            for i, line in enumerate(values):
                label = [(k, "bold"), (" " * (width - _width(k) + 2), None)] if i == 0 else [(" " * (width + 2), None)]
                out.append(label + line)
        return out


@dataclass
class Listing:
    """Records as a table: a JSON array and CSV of the rows, one table for the text formats.

    `keys` are the CSV columns (default: every key of the first row);
    `empty` is said on stderr to a person at a terminal when there are no
    rows (off a terminal nothing is printed at all); `shown` turns the rows
    into those the text formats show, `csv_row` a row into its CSV record.
    """

    rows: Iterable[dict]
    cols: list[Col]
    title: str | None = None
    caption: str | None = None
    keys: list[str] | None = None
    empty: str | None = None
    shown: Callable[[list[dict]], Iterable[dict]] | None = None
    csv_row: Callable[[dict], dict] | None = None


@dataclass
class Report:
    """A document: `data` is its JSON (an object), `blocks(fmt)` what table, plain and md show.

    `csv` is (keys, rows) when the report has a CSV form; `other` maps a
    further format (html, dot) to a function that returns its text.
    """

    data: Any
    blocks: Callable[[str], list]
    csv: tuple[list[str], list[dict]] | None = None
    other: dict[str, Callable[[], str]] = field(default_factory=dict)


def every_key(fmt: str) -> bool:
    """Whether `fmt` shows every key of a listing's rows (json, csv), not only its columns."""
    return fmt in ("json", "csv")


def render(result: Listing | Report, fmt: str, out=None) -> None:
    """Write `result` in `fmt` to `out` (default stdout): the one way any view is shown."""
    out = out or sys.stdout
    if isinstance(result, Listing):
        _render_listing(result, fmt, out)
    elif fmt in result.other:
        write(result.other[fmt](), out)
    elif fmt == "json":
        write(to_json(result.data), out)
    elif fmt == "csv":
        keys, rows = result.csv
        write_csv(rows, keys, out)
    else:
        _write_blocks(result.blocks(fmt), fmt, out)


def _render_listing(v: Listing, fmt: str, out) -> None:
    if fmt == "json":
        write_json_array(v.rows, out)
        return
    if fmt == "csv":
        rows = map(v.csv_row, v.rows) if v.csv_row else v.rows
        if v.keys:
            write_csv(rows, v.keys, out)
        else:
            rows = list(rows)
            write_csv(rows, list(rows[0]) if rows else [c.key for c in v.cols], out)
        return
    it = iter(v.rows)
    first = next(it, None)
    if first is None and v.empty:
        # Say so to a person (on stderr, so stdout stays empty); from cron or a
        # script, nothing to say means no output at all.
        if sys.stderr.isatty():
            print(v.empty, file=sys.stderr)
        return
    rows = [] if first is None else itertools.chain([first], it)  # read once, as they come
    if v.shown:
        rows = v.shown(list(rows))
    _write_blocks([Table(v.cols, rows, title=v.title, caption=v.caption)], fmt, out)


def _write_blocks(blocks: list, fmt: str, out) -> None:
    if fmt == "plain":
        write("\n".join(b.plain() for b in blocks), out)
    elif fmt == "md":
        write("\n".join(b.md() for b in blocks), out)
    else:
        _write_text(blocks, out)


def write(text: str, out=None) -> None:
    out = out or sys.stdout
    out.write(text if text.endswith("\n") or not text else text + "\n")


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
    write_csv(rows, keys, buf)
    return buf.getvalue()


# -- plain and md ---------------------------------------------------------------------


def _width(s: str) -> int:
    """Terminal cells: CJK wide and full-width characters take two, combining marks none."""
    if s.isascii():
        return len(s)
    return sum(_char_width(ch) for ch in s)


def _char_width(ch: str) -> int:
    return 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def plain_table(rows: Iterable[dict], cols: list[Col], *, title: str | None = None) -> str:
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


def md_marked(pieces: list[tuple[str, str | None]]) -> str:
    """Pieces of text as Markdown, the styled ones (a search match) in `**bold**`.

    The text is escaped as a whole, so no escape depends on where a piece
    ends (a `.` before a match is still the `.` inside a domain).
    """
    shown = [(visible(t), st) for t, st in pieces]
    text = "".join(t for t, _ in shown)
    chars = list(text)
    for m in _MD_ACTIVE.finditer(text):
        chars[m.start()] = _md_escape_char(m)
    out, pos = [], 0
    for t, st in shown:
        piece = "".join(chars[pos : pos + len(t)])
        out.append(f"**{piece}**" if st and t else piece)
        pos += len(t)
    return "".join(out)


def _md_cell(c: Col, row: dict) -> str:
    return md_marked(c.spans(row)) if c.spans else md_escape(c.text(row))


def md_table(rows: Iterable[dict], cols: list[Col], *, title: str | None = None, level: int = 2) -> str:
    lines = [f"{'#' * level} {md_escape(title)}", ""] if title else []
    lines.append("| " + " | ".join(c.header for c in cols) + " |")
    lines.append("|" + "|".join("---:" if c.justify == "right" else "---" for c in cols) + "|")
    for r in rows:
        lines.append("| " + " | ".join(_md_cell(c, r) for c in cols) + " |")
    return "\n".join(lines) + "\n"


# -- table: the width rule ---------------------------------------------------------------
# A line of the table format is a list of (text, style) segments; styles are
# drawn only at a colour terminal.


@dataclass
class _Context:
    width: int | None  # None: as wide as the content needs
    console: Any = None  # a Rich Console when colour is drawn
    compact: bool = False  # one table of the document needs tight spacing, so all have it
    _cells: dict = field(default_factory=dict)

    def table(self, t: Table) -> tuple[list[list], _Plan]:
        """A table's cells and its plan (the cells are read once, whatever asks)."""
        if id(t) not in self._cells:
            self._cells[id(t)] = [[_cell(c, r, self) for c in t.cols] for r in t.rows]
        cells = self._cells[id(t)]
        return cells, _plan(t.cols, [[_spans_width(cell) for cell in row] for row in cells], self.width, self.compact)

    def wrap(self, spans: list) -> list[list]:
        return _wrap(spans, self.width)


@dataclass
class _Plan:
    margin: int  # blank cells left and right of the table
    gap: int  # between columns
    kept: list[int]  # the columns of the row, in order
    widths: dict[int, int]
    headers: dict[int, str]
    moved: list[int]  # columns shown below the row as `header: value`
    right: frozenset[int]  # right-justified columns


# The ways a table gives way, tried in order until one fits: Rich's spacing,
# then tighter spacing, then short headers (the first of these that keeps
# every name and note on one line, else the first that fits with them
# wrapped), then (in `_plan`) optional columns left out and columns moved
# below their row.
_SPACING = ((2, 3, False), (1, 2, False), (1, 2, True))


def _plan(cols: list[Col], cell_widths: list[list[int]], width: int | None, compact: bool = False) -> _Plan:
    """How a table fits `width`: which columns stay in the row, and how wide each is.

    Never-cut columns get the width of their widest value and header; name
    and note columns share what is left, each down to its FLEX_MIN, fairly
    (the narrowest needs are met first). Off a terminal (`width` None) every
    column takes its natural width. `compact` starts from tight spacing.
    A column with nothing in it is left out when a name or a note would
    wrap otherwise, and may be left out like an optional one.
    """
    n = len(cols)
    values = [max((r[i] for r in cell_widths), default=0) for i in range(n)]
    natural = [max(values[i], _width(c.header)) for i, c in enumerate(cols)]
    right = frozenset(i for i, c in enumerate(cols) if c.justify == "right")
    if width is None:
        return _Plan(2, 3, list(range(n)), dict(enumerate(natural)), {i: c.header for i, c in enumerate(cols)}, [], right)

    def header(i: int, short: bool) -> str:
        return cols[i].short if short and cols[i].short else cols[i].header

    def least(i: int, short: bool) -> int:
        c, h = cols[i], header(i, short)
        longest_word = max((_width(w) for w in h.split()), default=0)
        if c.fixed:  # a short header may wrap between its words, never inside one
            return max(values[i], longest_word if short else _width(h))
        return min(natural[i], max(FLEX_MIN[c.role], longest_word))

    optional = [i for i in range(n) if cols[i].optional or not values[i]]
    first_flex = next((i for i in range(n) if not cols[i].fixed), None)
    movable = [i for i in reversed(range(1, n)) if i not in optional and i != first_flex and cols[i].role != "id"]
    # notes first, then other names, then never-cut columns, each from the right
    order = sorted(movable, key=lambda i: (cols[i].role != "note", cols[i].fixed))
    steps = [(m, g, s, []) for m, g, s in _SPACING[1 if compact else 0 :]]
    steps += [(1, 2, True, optional + order[:k]) for k in range(len(order) + 1)]
    empty = [i for i in range(n) if not values[i]]

    def attempt(margin: int, gap: int, short: bool, out: list[int], last: bool) -> _Plan | None:
        kept = [i for i in range(n) if i not in out]
        avail = width - 2 * margin - gap * (len(kept) - 1)
        widths = {i: least(i, short) for i in kept}
        spare = avail - sum(widths.values())
        if spare < 0 and not last:
            return None
        flexible = [i for i in kept if not cols[i].fixed]
        _share(widths, flexible, natural, spare)
        if any(widths[i] < natural[i] for i in flexible) and any(i in kept for i in empty):
            # a name or a note would wrap: the cells of an empty column are worth more to it
            return attempt(margin, gap, short, sorted(set(out) | set(empty)), last)
        moved = [i for i in out if i not in optional]
        return _Plan(margin, gap, kept, widths, {i: header(i, short) for i in kept}, moved, right)

    def wraps(plan: _Plan) -> bool:
        return any(plan.widths[i] < natural[i] for i in plan.kept if not cols[i].fixed)

    fits = None  # the widest spacing that fits with names or notes wrapped
    for k, (margin, gap, short, out) in enumerate(steps):
        if out and fits is not None:
            break  # columns move below their row only when wrapping is not enough
        plan = attempt(margin, gap, short, out, k == len(steps) - 1)
        if plan is not None and (out or not wraps(plan)):
            return plan  # a tighter spacing keeps every name and note on one line
        fits = fits or plan
    assert fits is not None, "the last step always returns"
    return fits


def _share(widths: dict[int, int], flexible: list[int], natural: list[int], spare: int) -> None:
    """Give `spare` cells to the flexible columns, each up to its natural width, narrowest needs first."""
    open_ = sorted((i for i in flexible if widths[i] < natural[i]), key=lambda i: natural[i] - widths[i])
    while spare > 0 and open_:
        share = max(1, spare // len(open_))
        for i in list(open_):
            add = min(share, natural[i] - widths[i], spare)
            widths[i] += add
            spare -= add
            if widths[i] >= natural[i]:
                open_.remove(i)
            if not spare:
                break


def _table_lines(t: Table, ctx: _Context) -> list[list]:
    cols = t.cols
    cells, plan = ctx.table(t)
    kept, w = plan.kept, plan.widths
    lines: list[list] = []
    if t.title:
        lines += ctx.wrap([(visible(t.title), "bold")])
    lines.append([])  # the blank top edge Rich draws
    heads = [_wrap([(plan.headers[i], "bold")], w[i]) for i in kept]
    lines += _side_by_side(heads, plan, bottom=True)
    table_width = 2 * plan.margin + sum(w.values()) + plan.gap * (len(kept) - 1)
    if plan.moved and ctx.width:
        table_width = ctx.width
    lines.append([(" " * (plan.margin - 1) + "─" * (table_width - 2 * (plan.margin - 1)), None)])
    indent = _indent(cols, plan, ctx.width)
    for row in cells:
        lines += _side_by_side([_cell_lines(row[i], w[i], ctx) for i in kept], plan)
        if plan.moved:
            lines += _below(cols, row, plan.moved, indent, ctx.width)
    lines.append([])  # the bottom edge
    if t.caption:
        lines += [[("  ", None), *line] for line in _wrap([(visible(t.caption), None)], ctx.width and ctx.width - 2)]
    return lines


def _cell(c: Col, row: dict, ctx: _Context):
    if c.rich and ctx.console is not None:
        return _RichCell(c.rich(row), c.text(row))
    if c.spans:
        return [(visible(t), st) for t, st in c.spans(row)]
    return [(visible(c.text(row)), c.style(row) if c.style else None)]


@dataclass
class _RichCell:
    """A cell Rich draws (the goals bar in colour), as wide as its text form."""

    renderable: Any
    text: str


def _spans_width(cell) -> int:
    if isinstance(cell, _RichCell):
        return _width(cell.text)
    return sum(_width(t) for t, _ in cell)


def _cell_lines(cell, width: int, ctx: _Context) -> list[list]:
    if isinstance(cell, _RichCell):
        con = ctx.console
        return [[(s.text, s.style) for s in line] for line in con.render_lines(cell.renderable, con.options.update_width(width), pad=False)]
    return _wrap(cell, width)


def _side_by_side(columns: list[list[list]], plan: _Plan, *, bottom: bool = False) -> list[list]:
    """The lines of one row: each column's lines padded to its width, joined by the gap."""
    height = max((len(c) for c in columns), default=0)
    if bottom:  # headers sit on the line above the rule
        columns = [[[]] * (height - len(c)) + c for c in columns]
    out = []
    for k in range(height):
        line = [(" " * plan.margin, None)]
        for j, i in enumerate(plan.kept):
            segs = columns[j][k] if k < len(columns[j]) else []
            pad = (" " * (plan.widths[i] - sum(_width(t) for t, _ in segs)), None)
            line += [pad, *segs] if i in plan.right else [*segs, pad]
            if j < len(plan.kept) - 1:
                line.append((" " * plan.gap, None))
        out.append(line)
    return out


def _indent(cols: list[Col], plan: _Plan, width: int | None) -> int:
    """Where `header: value` lines below a row begin: under the row's first name, if that leaves room."""
    x = plan.margin
    for i in plan.kept:
        if not cols[i].fixed:
            break
        x += plan.widths[i] + plan.gap
    else:
        x = plan.margin
    return x if width is None or width - x >= 30 else plan.margin + 2


def _below(cols: list[Col], row: list, moved: list[int], indent: int, width: int | None) -> list[list]:
    """The moved columns of a row, packed as `header: value` parts on lines under it."""
    avail = None if width is None else width - indent
    parts = []
    for i in sorted(moved):
        cell = row[i]
        if _spans_width(cell) == 0:
            continue
        spans = [(cell.text, None)] if isinstance(cell, _RichCell) else cell
        parts.append([(cols[i].header + ": ", "dim"), *spans])
    lines: list[list] = []
    cur: list = []
    for part in parts:
        pw = _spans_width(part)
        used = _spans_width(cur)
        if cur and (avail is None or used + 3 + pw <= avail):
            cur += [("   ", None), *part]
            continue
        if cur:
            lines.append(cur)
        if avail is None or pw <= avail:
            cur = part
        else:
            *done, cur = _wrap(part, avail)
            lines += done
    if cur:
        lines.append(cur)
    return [[(" " * indent, None), *line] for line in lines]


# CJK text breaks between any two characters, except before closing
# punctuation and small kana, and after opening brackets (kinsoku).
_NO_BREAK_BEFORE = frozenset("、。，．・：；？！）」』】〕〉》］｝〙〗〟’”｠»ーぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々〻,.;:!?)]}")
_NO_BREAK_AFTER = frozenset("（「『【〔〈《［｛〘〖〝‘“｟«([{")


def _tokens(spans: list) -> list[tuple[str, list]]:
    """(kind, [(char, style)...]) where kind is `space`, `word` (breaks only around it) or `wide`."""
    tokens: list[tuple[str, list]] = []
    for text, style in spans:
        for ch in text:
            kind = "space" if ch == " " else "wide" if _char_width(ch) == 2 else "word"
            prev = tokens[-1] if tokens else None
            glue = prev is not None and prev[0] != "space" and (
                (kind == "word" and prev[0] == "word")
                or (kind != "space" and ch in _NO_BREAK_BEFORE)
                or (kind != "space" and prev[1][-1][0] in _NO_BREAK_AFTER)
            )
            if glue or (prev is not None and kind == "space" == prev[0]):
                prev[1].append((ch, style))
            else:
                tokens.append((kind, [(ch, style)]))
    return tokens


def _hyphen_pieces(chars: list) -> list[list]:
    """A word split after the hyphens of a compound (`Hohenzollern-` `Sigmaringen`),
    never inside a date or a number (`2026-11-22`)."""
    pieces, cur = [], []
    for k, ch in enumerate(chars):
        cur.append(ch)
        after = chars[k + 1][0] if k + 1 < len(chars) else ""
        if ch[0] == "-" and k and chars[k - 1][0].isalpha() and after.isalpha():
            pieces.append(cur)
            cur = []
    return pieces + [cur] if cur else pieces


def _wrap(spans: list, width: int | None) -> list[list]:
    """Styled text as lines of at most `width` cells: broken at spaces, CJK between characters,
    and a word longer than a line after its hyphens, else folded; nothing is ever dropped."""
    if width is None or sum(_width(t) for t, _ in spans) <= width:
        return [spans]
    width = max(width, 2)
    lines, cur, used, space = [], [], 0, []
    for kind, chars in _tokens(spans):
        if kind == "space":
            space = chars if cur else []
            continue
        w = sum(_char_width(ch) for ch, _ in chars)
        if used + len(space) + w <= width:
            cur += space + chars
            used += len(space) + w
        elif w <= width:
            lines.append(cur)
            cur, used = list(chars), w
        else:  # a word longer than a line: from a line of its own, broken after
            if cur:  # its hyphens, and what is still too long folded
                lines.append(cur)
            cur, used = [], 0
            for piece in _hyphen_pieces(chars):
                pw = sum(_char_width(ch) for ch, _ in piece)
                if cur and used + pw > width:
                    lines.append(cur)
                    cur, used = [], 0
                for ch in piece:
                    cw = _char_width(ch[0])
                    if used + cw > width and cur:
                        lines.append(cur)
                        cur, used = [], 0
                    cur.append(ch)
                    used += cw
        space = []
    lines.append(cur)
    return [_segments(line) for line in lines]


def _segments(chars: list) -> list:
    """[(char, style)...] → [(text, style)...], one segment per run of a style."""
    out: list = []
    for ch, style in chars:
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + ch, style)
        else:
            out.append((ch, style))
    return out


def _isatty(out) -> bool:
    return hasattr(out, "isatty") and out.isatty()


def _columns() -> int | None:
    cols = os.environ.get("COLUMNS", "")
    return int(cols) if cols.isdigit() and int(cols) > 0 else None


def text_width(out) -> int | None:
    """The width a table gets: COLUMNS if set, else the terminal's; None (as wide as needed) off a terminal."""
    width = _columns()
    if width is None and _isatty(out):
        try:
            width = os.get_terminal_size(out.fileno()).columns
        except (AttributeError, OSError, ValueError):
            width = 80
    return width


def _colour_console(out):
    """A Rich Console that draws colour on `out`, or None when there is none to draw (NO_COLOR, not a terminal)."""
    if not _isatty(out) or "NO_COLOR" in os.environ:
        return None
    from rich.console import Console

    c = Console(file=out, force_terminal=True, markup=False, highlight=False, emoji=False, soft_wrap=True, width=text_width(out))
    return c if c.color_system is not None else None


def _write_text(blocks: list, out) -> None:
    """The table format: every block's lines, blank edges dropped; colour only at a colour terminal."""
    ctx = _Context(text_width(out), _colour_console(out))
    if ctx.width is None and ctx.console is None:
        _write_lines((line for b in blocks for line in _natural_lines(b, ctx)), out)
        return
    tables = [b for b in blocks if isinstance(b, Table)]
    if ctx.width and len(tables) > 1:  # the tables of one document are spaced alike
        ctx.compact = any(ctx.table(t)[1].margin == 1 for t in tables)
    lines = [line for b in blocks for line in b.lines(ctx)]
    texts = ["".join(t for t, _ in line).rstrip() for line in lines]
    first = next((k for k, t in enumerate(texts) if t), len(texts))
    last = next((k for k in reversed(range(len(texts))) if texts[k]), -1)
    if first > last:
        return
    if ctx.console is None:
        out.write("\n".join(texts[first : last + 1]) + "\n")
        return
    from rich.text import Text

    shown = Text()
    for k in range(first, last + 1):
        if k > first:
            shown.append("\n")
        left = len(texts[k])  # the trailing blanks are dropped
        for t, style in lines[k]:
            if left <= 0:
                break
            shown.append(t[:left], style)
            left -= len(t)
    ctx.console.print(shown, soft_wrap=True)


def _natural_lines(block, ctx: _Context) -> Iterable[str]:
    if isinstance(block, Table):
        return _natural_table(block, ctx)
    return ("".join(t for t, _ in line) for line in block.lines(ctx))


def _natural_table(t: Table, ctx: _Context) -> Iterable[str]:
    """A table at the width its content needs, as `_table_lines` draws it, holding
    only the cells' text: off a terminal nothing wraps, so a listing of 100,000
    contacts needs no layout (README "Performance": its peak memory).

    The texts are made a column at a time over a chunk of rows (the rows
    themselves are let go chunk by chunk); a column of printable ASCII (most
    are) is checked, measured and padded as a whole."""
    cols = t.cols
    texts: list[list[str]] = [[] for _ in cols]
    rows = iter(t.rows)
    while chunk := list(itertools.islice(rows, 2000)):
        for c, column in zip(cols, texts):
            column += _column_texts(c, chunk)
    widths, specs = [], []
    for c, column in zip(cols, texts):
        right = c.justify == "right"
        if all(map(str.isascii, column)):  # str.format pads by length: right for ASCII
            w = max(_width(c.header), max(map(len, column), default=0))
            specs.append(f"{{:{'>' if right else '<'}{w}}}")
        else:  # a wide (CJK) character takes two cells: padded here, by width
            cells = [len(v) if v.isascii() else _width(v) for v in column]
            w = max(_width(c.header), *cells)
            column[:] = [" " * (w - n) + v if right else v + " " * (w - n) for v, n in zip(column, cells)]
            specs.append("{}")
        widths.append(w)
    line = ("  " + "   ".join(specs)).format
    if t.title:
        yield visible(t.title)
    yield ""  # the blank top edge
    yield "  " + "   ".join(_pad(c.header, w, c.justify == "right") for c, w in zip(cols, widths))
    yield " " + "─" * (sum(widths) + 3 * (len(cols) - 1) + 2)
    yield from itertools.starmap(line, zip(*texts))
    yield ""  # the bottom edge
    if t.caption:
        yield "  " + visible(t.caption)


def _column_texts(c: Col, rows: list[dict]) -> list[str]:
    """One column's cells as _cell draws them off a terminal (no colour, no Rich cell)."""
    if c.spans:
        return ["".join(visible(t) for t, _ in c.spans(r)) for r in rows]
    made = c.texts(rows)
    if "".join(made).isprintable():  # nothing to escape (the common case), checked at C speed
        return made
    return list(map(visible, made))


def _pad(v: str, w: int, right: bool) -> str:
    fill = " " * (w - (len(v) if v.isascii() else _width(v)))
    return fill + v if right else v + fill


def _write_lines(lines: Iterable[str], out) -> None:
    """Lines written as they come: trailing blanks dropped, and blank lines at either end."""
    started, blanks = False, 0
    for text in lines:
        text = text.rstrip()
        if not text:
            blanks += started
            continue
        out.write("\n" * blanks + text + "\n")
        started, blanks = True, 0


# -- Rich -----------------------------------------------------------------------


def no_color_help() -> None:
    """Under NO_COLOR a command's --help, which Typer draws with Rich, has no
    escape at all: Rich alone drops the colours but keeps the bold (README
    "The daily loop")."""
    if "NO_COLOR" in os.environ:
        from typer import rich_utils

        rich_utils.COLOR_SYSTEM = None


def console(out=None):
    """A Console that never interprets markup, and draws no colour or bold under NO_COLOR.

    Off a terminal the width is COLUMNS if set, else a wide default.
    """
    from rich.console import Console

    out = out or sys.stdout
    tty = _isatty(out)
    width = _columns()
    if width is None and not tty:
        width = 100_000
    no_color = "NO_COLOR" in os.environ or not tty
    return Console(
        file=out,
        width=width,
        markup=False,
        highlight=False,
        emoji=False,
        force_terminal=tty,
        no_color=no_color,
        color_system=None if no_color else "auto",
        soft_wrap=False,
    )


def rich_table(t: Table, coloured: bool):
    """A Table as a Rich renderable, for code that composes Rich output itself
    (cno's own table format draws through `render`)."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    rt = RichTable(
        title=Text(visible(t.title), style="bold") if t.title else None,
        caption=Text(visible(t.caption)) if t.caption else None,
        box=box.SIMPLE_HEAD,
        header_style="bold",
        title_justify="left",
    )
    for c in t.cols:
        rt.add_column(c.header, justify=c.justify)
    for r in t.rows:
        rt.add_row(*(c.rich(r) if c.rich and coloured else Text(visible(c.text(r)), style=(c.style(r) if c.style else None) or "") for c in t.cols))
    return rt


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


# -- the views ----------------------------------------------------------------
# One function per kind of output: it takes the core's result and returns a
# Listing or a Report; the CLI hands that to `render` with the asked format.


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
    Col("id", "id", justify="right", role="id"),
    Col("name", "name"),
    Col("company", "company"),
    Col("tier", "tier", role="tier"),
    Col("tags", "tags"),
    Col("every_days", "every", _days, "right"),
    Col("last_touch_on", "last touch", role="date"),
    Col("next_due_on", "next due", role="date"),
    Col("strength", "strength", lambda v: "" if v is None else f"{v:.0f}", "right", short="str"),
]


CONTACT_KEYS = [
    "id", "name", "company", "role", "emails", "phones", "tags", "tier", "every_days", "birthday", "timezone",
    "last_touch_on", "next_due_on", "strength", "archived",
]  # fmt: skip


def contact_list(rows) -> Listing:
    return Listing(rows, CONTACT_COLS, keys=CONTACT_KEYS, empty="no contacts")


# The first column is what `cno done` and `cno snooze` take: a follow-up's
# id; a check-in has none (log a touchpoint, or snooze the contact by name).
DUE_COLS = [
    Col("follow_up_id", "id", lambda v: "" if v is None else str(v), "right", role="id"),
    Col("days_overdue", "overdue", lambda v: f"{v}d" if v > 0 else "today" if v == 0 else f"in {-v}d", "right", _overdue_style),
    Col("due_on", "due", role="date"),
    Col("name", "name", style=_overdue_style),
    Col("tier", "tier", role="tier"),
    Col("kind", "kind", role="status"),
    Col("last_touch_on", "last touch", role="date"),
    Col("note", "note", role="note"),
]


def due(items: list[dict], today) -> Listing:
    overdue = sum(1 for i in items if i["days_overdue"] > 0)
    title = f"Due as of {today.isoformat()}: {overdue} overdue, {len(items) - overdue} coming up"
    return Listing(items, DUE_COLS, title=title, empty=f"nothing due as of {today.isoformat()}")


HISTORY_COLS = [
    Col("id", "id", justify="right", role="id"),
    Col("on", "on", role="date"),
    Col("names", "with"),
    Col("via", "via", role="status"),
    Col("minutes", "min", justify="right"),
    Col("gave", "gave", _yes, role="status"),
    Col("asked", "asked", _yes, role="status"),
    Col("tags", "tags"),
    Col("note", "note", role="note"),
]


def history(rows: Iterable[dict]) -> Listing:
    return Listing(rows, HISTORY_COLS, empty="no touchpoints")


MILESTONE_COLS = [
    Col("id", "id", justify="right", role="id"),
    Col("name", "contact"),
    Col("label", "milestone"),
    Col("on", "on", role="date"),
    Col("yearly", "yearly", _yes, role="status"),
    Col("next_on", "next", role="date"),
]


def milestone_list(rows: list[dict]) -> Listing:
    return Listing(rows, MILESTONE_COLS, empty="no milestones")


FOLLOW_UP_COLS = [
    Col("id", "id", justify="right", role="id"),
    Col("due_on", "due", role="date"),
    Col("name", "contact"),
    Col("note", "note", role="note"),
    Col("every", "repeats", lambda v: f"every {v}" if v else "", role="status"),
    Col("done_on", "done", role="date"),
]


def follow_up_list(rows: list[dict]) -> Listing:
    return Listing(rows, FOLLOW_UP_COLS, empty="no follow-ups")


SETTING_COLS = [Col("key", "key"), Col("value", "value", role="note"), Col("default", "default", _yes, role="status")]


def settings_list(rows: list[dict]) -> Listing:
    return Listing(rows, SETTING_COLS)


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


# On the card the contact is implied: its timeline's "with" names only the others.
TIMELINE_COLS = [c for c in HISTORY_COLS if c.key != "names"] + [Col("others", "with")]


def _timeline(card: dict) -> tuple[list[dict], list[Col]]:
    """The card's touchpoints with the other people in each; no "with" column when there are none."""
    rows = [
        {**t, "others": [n for i, n in zip(t["contact_ids"], t["names"]) if i != card["id"]]}
        for t in card["touchpoints"]
    ]  # fmt: skip
    cols = TIMELINE_COLS if any(r["others"] for r in rows) else TIMELINE_COLS[:-1]
    return rows, cols


def card(card: dict) -> Report:
    """`cno show`: the card, its open follow-ups, milestones, referrals and timeline."""
    from cno.render.referrals import CARD_COLS as referral_cols, balance_text

    pairs = _card_pairs(card)
    balance = card["referral_balance"]
    if any(balance.values()):
        pairs.append(("referrals", balance_text(balance)))
    timeline, timeline_cols = _timeline(card)
    sections = [
        ("Open follow-ups", card["follow_ups"], [c for c in FOLLOW_UP_COLS if c.key not in ("name", "done_on")]),
        ("Milestones", card["milestones"], [c for c in MILESTONE_COLS if c.key != "name"]),
        ("Referrals", card["referrals"], referral_cols),
        ("Timeline", timeline, timeline_cols),
    ]

    def blocks(fmt: str) -> list:
        if fmt == "plain":
            out = [Para(card["name"]), Fields(pairs)]
            for title, rows, cols in sections:
                if rows:
                    out += [BLANK, Table(cols, rows, title=title.removeprefix("Open ").lower())]
        elif fmt == "md":
            out = [Heading(card["name"]), BLANK, Fields(pairs)]
            for title, rows, cols in sections:
                if rows:
                    out += [BLANK, Table(cols, rows, title=title.removeprefix("Open ").capitalize())]
        else:
            out = [Heading(card["name"]), Fields(pairs), BLANK]
            out += [Table(cols, rows, title=title) for title, rows, cols in sections if rows]
        return out

    # CSV is one row: the nested lists stay out, the balance is its number
    keys = [k for k in card if k not in ("follow_ups", "milestones", "touchpoints", "referrals")]
    return Report(card, blocks, csv=(keys, [{**card, "referral_balance": balance["balance"]}]))
