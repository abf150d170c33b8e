"""The review as one HTML page to act on from a mail client, on a desktop or a phone.

Mail clients run nothing and fetch what they like, so the page is one file:
one `<style>` block (plus the inline styles a goal's bar needs), no script,
no image, no link but `mailto:`. Every item says the `cno` command that
clears it, as text to copy. Wide, the sections are tables; under 600 px the
action tables become one card per item. Dates, ids, numbers never wrap;
names and notes wrap anywhere rather than push the page wider than the
screen.
"""

from __future__ import annotations

import html
import re
import shlex
from urllib.parse import quote

from cno.render import Col, cell_text, visible

SNOOZE = "1w"  # what a snooze command in the digest offers: until next Monday's mail

CSS = """
:root{color-scheme:light dark}
body{margin:0;padding:20px 16px;background:#fff;color:#1f2328;font:15px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;-webkit-text-size-adjust:100%}
.page{max-width:960px;margin:0 auto}
h1{font-size:20px;line-height:1.3;margin:0 0 4px} h2{font-size:16px;margin:24px 0 6px;padding-bottom:3px;border-bottom:1px solid #d0d7de}
p{margin:4px 0 8px} a{color:#0969da} .meta,.empty,.kind,.sub,.foot,.id{color:#59636e} .empty{font-style:italic} .foot{font-size:13px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e6e9ed;vertical-align:top;overflow-wrap:break-word;word-break:break-word}
th{background:#f6f8fa;font-weight:600;white-space:nowrap}
.n{text-align:right} .n,.d,.id,.nw,.when{white-space:nowrap;font-variant-numeric:tabular-nums}
.late{color:#b42318;font-weight:600} .kind,.sub{font-size:12px} .sub{margin-top:2px}
.who{min-width:7em} .what{min-width:10em} .goal{min-width:8em} .when{width:1%}
.cmd{min-width:13em} .cmd code{display:block;width:fit-content;max-width:100%;box-sizing:border-box}
code{font:13px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:1px 5px;margin:1px 0;overflow-wrap:anywhere;word-break:break-word;-webkit-user-select:all;user-select:all}
.k{display:none} .track{margin:5px 0 2px} th.who{width:20%} th.cmd{width:40%} th.progress{width:24%}
@media (max-width:600px){
body{padding:12px 10px}
td{overflow-wrap:anywhere} th,td{padding:5px}
table.stack,.stack tbody,.stack tr,.stack td{display:block;width:auto;min-width:0}
.stack thead{display:none}
.stack tr{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;margin:0 0 8px}
.stack td{border:0;padding:1px 0}
.stack td:empty{display:none}
.stack .sub,.k{display:inline} .stack .when{white-space:normal}
.stack .cmd code{display:inline-block;margin:3px 6px 0 0}
.goals td{display:inline-block;margin-right:6px} .goals td.progress{display:block;margin:0}
}
@media (prefers-color-scheme:dark){
body{background:#0d1117;color:#e6edf3}
h2,.stack tr{border-color:#3d444d} th{background:#151b23} th,td{border-color:#262c36}
a{color:#4493f8} .meta,.empty,.kind,.sub,.foot,.id{color:#9198a1} .late{color:#ff7b72}
code{background:#151b23;border-color:#3d444d;color:#e6edf3}
.track{background:#3d444d!important} .fill{background:#3fb950!important} .behind .fill{background:#d29922!important} .missed .fill{background:#f85149!important}
}
""".strip()

# A mailto: link is offered only for an address that looks like one: a
# dot-atom local part, a domain of at least two labels, no space, no quote.
_ATEXT = r"[\w!#$%&'*+/=?^`{|}~-]"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_EMAIL = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*@{_LABEL}(?:\.{_LABEL})+")
# RFC 6068: unreserved characters and these sub-delims stand as they are in a
# mailto: address; everything else is percent-encoded (as UTF-8).
_MAILTO_SAFE = "!$'()*+,;:@"
# the colours of a goal's bar, inline so it shows even where <style> is dropped
_FILL = {"reached": "#1a7f37", "on pace": "#1a7f37", "behind": "#bf8700", "missed": "#cf222e"}


def _h(text) -> str:
    """A value as HTML text (attribute-safe): invisible characters shown escaped, markup inert."""
    return html.escape(visible(cell_text(text)))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _h_text(text: str) -> str:
    """Running text as HTML, each date in it kept on one line."""
    return _ISO_DATE.sub(lambda m: f'<span class="d">{m.group()}</span>', _h(text))


def _email(row: dict) -> str | None:
    """The first of a person's addresses that looks like one."""
    for e in row.get("emails") or ():
        if len(e) <= 254 and _EMAIL.fullmatch(e) and visible(e) == e:
            return e
    return None


def mailto(address: str) -> str:
    """`mailto:` and the address as RFC 6068 writes one: the local part percent-encoded
    (UTF-8), a domain with non-ASCII letters in its ASCII (punycode) form."""
    local, _, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:  # no ASCII form (a label too long): percent-encoded UTF-8 is also allowed
        pass
    return f"mailto:{quote(local, safe=_MAILTO_SAFE)}@{quote(domain, safe=_MAILTO_SAFE)}"


def _who(row: dict, late: bool = False) -> str:
    """The person's name, a mailto: link when an address is known."""
    name = _h(row["name"])
    email = _email(row)
    if email:
        name = f'<a href="{html.escape(mailto(email))}" title="{_h(email)}">{name}</a>'
    return f'<td class="who{" late" if late else ""}">{name}</td>'


def _snooze_ref(row: dict) -> str | None:
    """What names a contact to `cno snooze` (where a bare number is a follow-up id):
    their e-mail (one contact's only), else their name when typing it means them."""
    email = _email(row)
    if email:
        return shlex.quote(email)
    name = row["name"]
    # a number or #N is a follow-up id there, `@` an e-mail, `-` an option
    if visible(name) != name or "@" in name or name.startswith("-") or name.strip().lstrip("#").isdecimal():
        return None
    return shlex.quote(name.strip())


def clear_commands(row: dict) -> list[str]:
    """The `cno` commands that clear an item: done (or snooze) a follow-up, log (or snooze) a check-in."""
    if row["kind"] == "follow-up" and row.get("follow_up_id") is not None:
        fid = row["follow_up_id"]
        return [f"cno done {fid}", f"cno snooze {fid} {SNOOZE}"]
    if row["kind"] == "cadence":
        cmds = [f'cno log {row["contact_id"]} "…"']
        ref = _snooze_ref(row)
        return cmds + ([f"cno snooze {ref} {SNOOZE}"] if ref else [])
    return []  # a birthday or a milestone is an occasion, not a task


def _cmd_cell(row: dict) -> str:
    return '<td class="cmd">' + "".join(f"<code>{_h(c)}</code>" for c in clear_commands(row)) + "</td>"


def _what(row: dict, text: str, last_touch=None) -> str:
    """The item's kind (with its follow-up id), what it is about, and when you last met."""
    kind = row["kind"]
    if kind == "follow-up" and row.get("follow_up_id") is not None:
        label = f'follow-up <span class="id">#{row["follow_up_id"]}</span>'
    else:
        label = _h(kind)
    if kind == "birthday" and text.startswith("birthday"):
        label = ""  # "birthday (37)" says it
    head = f'<span class="kind">{label}</span> ' if label else ""
    sub = f'<div class="sub"><span class="k"> · </span>last touch {_date(last_touch)}</div>' if last_touch else ""
    return f'<td class="what">{head}{_h_text(text)}{sub}</td>'


def _date(value) -> str:
    return f'<span class="d">{_h(value)}</span>'


ACTION_HEAD = '<th class="who">who</th><th>what</th><th class="cmd">to clear</th>'


def _due_table(rows: list[dict], _cols) -> list[str]:
    out = [f'<table class="stack"><thead><tr><th class="when">overdue</th>{ACTION_HEAD}</tr></thead><tbody>']
    for row in rows:
        days = row["days_overdue"]
        if days > 0:
            when = f'<span class="late nw">{days}d</span><span class="k"> overdue ·</span> <div class="sub">due {_date(row["due_on"])}</div>'
        else:
            when = f'<span class="nw">today</span><span class="k"> ·</span> <div class="sub">due {_date(row["due_on"])}</div>'
        what = row["note"] or ("check in" if row["kind"] == "cadence" else "")
        out.append(
            f'<tr><td class="when">{when}</td>{_who(row, days > 0)}{_what(row, what, row["last_touch_on"])}{_cmd_cell(row)}</tr>'
        )
    out.append("</tbody></table>")
    return out


def _coming_table(rows: list[dict], _cols) -> list[str]:
    out = [f'<table class="stack"><thead><tr><th class="when">on</th>{ACTION_HEAD}</tr></thead><tbody>']
    for row in rows:
        out.append(f'<tr><td class="when">{_date(row["on"])}</td>{_who(row)}{_what(row, row["what"])}{_cmd_cell(row)}</tr>')
    out.append("</tbody></table>")
    return out


def _bar(percent: int, status: str) -> str:
    """A goal's progress as a bar (full once the target is met), in plain divs every mail client draws."""
    width = max(0, min(100, int(percent)))
    return (
        '<div class="track" style="background:#e6e9ed;height:8px;border-radius:4px;overflow:hidden">'
        f'<div class="fill" style="width:{width}%;height:8px;background:{_FILL.get(status, "#1a7f37")}"></div></div>'
    )


def _goal_table(rows: list[dict], _cols) -> list[str]:
    out = [
        '<table class="stack goals"><thead><tr><th class="n">#</th><th>goal</th><th class="progress">progress</th>'
        "<th>period ends</th><th>pace</th></tr></thead><tbody>"
    ]
    for g in rows:
        status = g["status"]
        progress = (
            f'<span class="nw">{_h(g["value"])} / {_h(g["target"])}</span> '
            f'<span class="nw">({_h(g["percent"])}%)</span>{_bar(g["percent"], status)}'
        )
        out.append(
            f'<tr class="{_h(status.replace(" ", "-"))}"><td class="n id">#{_h(g["id"])}</td><td class="goal">{_h(g["title"])}</td>'
            f'<td class="progress">{progress}</td><td class="d"><span class="k">ends </span>{_h(g["period_end"])}'
            f'<span class="k"> ·</span></td><td>{_h(status)}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


DATE_KEYS = {"on", "due_on", "last_touch_on", "met_on", "period_end"}  # the review's date columns: kept on one line
NUM = ' class="n"'


def _table(rows: list[dict], cols: list[Col]) -> list[str]:
    """A listing as a table, a person's row led by their id and named with a mailto: link."""
    def ident(row):
        return row.get("contact_id", row.get("id")) if "name" in row else None

    ids = any(ident(r) is not None for r in rows)
    head = ['<th class="n">#</th>'] if ids else []
    head += [f'<th{NUM if c.justify == "right" else ""}>{_h(c.header)}</th>' for c in cols]
    out = ["<table><thead><tr>" + "".join(head) + "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        if ids:
            cid = ident(row)
            cells.append(f'<td class="n id">{f"#{_h(cid)}" if cid is not None else ""}</td>')
        for c in cols:
            if c.key == "name":
                cells.append(_who(row))
            elif c.justify == "right":
                cells.append(f'<td class="n">{_h(c.text(row))}</td>')
            elif c.key in DATE_KEYS:
                cells.append(f'<td class="d">{_h(c.text(row))}</td>')
            else:
                cells.append(f"<td>{_h(c.text(row))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return out


def review_html(r: dict) -> str:
    """One self-contained page with one <style> block, readable in a mail client."""
    from cno.render import reports as views  # the sections, titles and counts every format shares

    # a section's columns say what it lists: the action sections and the goals get
    # their own layout here, the other listings a plain table of those columns
    layout = {id(views.DUE_COLS): _due_table, id(views.COMING_COLS): _coming_table, id(views.GOAL_COLS): _goal_table}
    headline = views._headline(r)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">',
        f"<title>{_h(headline)}</title><style>{CSS}</style></head><body><div class=\"page\">",
        f"<h1>{_h_text(headline)}</h1>",
        f'<p class="meta">Window <span class="d">{_h(r["window_start"])}</span> – <span class="d">{_h(r["window_end"])}</span></p>',
    ]
    for title, lead, rows, cols, empty in views._sections(r):
        out.append(f"<h2>{_h_text(title)}</h2>")
        if lead:
            out.append(f"<p>{_h_text(lead)}</p>")
        if not rows:
            if empty:
                out.append(f'<p class="empty">{_h(empty)}</p>')
            continue
        out += layout.get(id(cols), _table)(rows, cols)
    out.append(
        '<p class="foot">The commands are for a terminal: copy one to clear its item'
        f" (a snooze moves it {SNOOZE} on). This mail runs and fetches nothing.</p>"
    )
    out.append("</div></body></html>")
    return "\n".join(out) + "\n"
