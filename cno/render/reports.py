"""Views of the review digest, suggestions and stats."""

from __future__ import annotations

import html

from cno.goals import status as goal_status
from cno.render import (
    Col,
    emit,
    cell_text,
    csv_text,
    md_escape,
    md_table,
    plain_table,
    print_rich,
    rich_group,
    rich_table,
    rich_text,
    to_json,
    visible,
    write,
)
from cno.render.referrals import intros_text, money, signed

REVIEW_FORMATS = ("table", "plain", "md", "html", "json")


def _overdue(v) -> str:
    return f"{v}d" if v > 0 else "today"


DUE_COLS = [
    Col("days_overdue", "overdue", _overdue, "right"),
    Col("name", "name"),
    Col("kind", "kind"),
    Col("due_on", "due"),
    Col("last_touch_on", "last touch"),
    Col("note", "note"),
]
COMING_COLS = [Col("on", "on"), Col("name", "name"), Col("kind", "kind"), Col("what", "what")]
GOAL_COLS = [
    Col("title", "goal"),
    Col("value", "value", justify="right"),
    Col("target", "target", justify="right"),
    Col("percent", "%", justify="right"),
    Col("period_end", "period ends"),
    Col("status", "pace"),
]
REFERRAL_COLS = [
    Col("name", "name"),
    Col("given", "given", justify="right"),
    Col("received", "received", justify="right"),
    Col("intros", "intros", justify="right"),
    Col("balance", "balance", signed, "right"),
]
COOLING_COLS = [
    Col("name", "name"),
    Col("strength_then", "was", lambda v: f"{v:.0f}", "right"),
    Col("strength", "now", lambda v: f"{v:.0f}", "right"),
    Col("drop", "drop", lambda v: f"{v:.0f}", "right"),
]
NEW_COLS = [Col("met_on", "met on"), Col("name", "name"), Col("company", "company")]


def _sections(r: dict) -> list[tuple[str, str, list[dict], list[Col], str]]:
    """(title, lead line, rows, columns, text when empty) for each section, in reading order."""
    ref = r["referrals"]
    time = r["time"]
    budget = time["budget_goal"]
    time_row = [{"what": "minutes with people", "value": time["minutes"]},
                {"what": "touchpoints", "value": time["touchpoints"]}]  # fmt: skip
    if budget:
        time_row.append({"what": f"budget: {budget['title']}", "value": f"{budget['value']} / {budget['target']} this {budget['period']}"})
    ref_summary = (
        f"given {ref['given']}, received {ref['received']}, {intros_text(ref)}, "
        f"won {money(ref['won_value_given'])} given / {money(ref['won_value_received'])} received"
    )
    # the words of `cno goals`, from the one place that decides them
    goal_rows = [{**g, "status": goal_status(g)} for g in r["goals"]]
    def more(key: str) -> str:
        shown, total = len(r[key]), r["totals"][key]
        return f"the first {shown} of {total}" if total > shown else ""

    return [
        ("Overdue", more("overdue"), r["overdue"], DUE_COLS, "Nothing overdue."),
        ("Due today", more("due_today"), r["due_today"], DUE_COLS, "Nothing due today."),
        (f"Coming up (to {r['horizon']})", more("coming_up"), r["coming_up"], COMING_COLS, "Nothing coming up."),
        ("Goals", "", goal_rows, GOAL_COLS, "No goals set (cno goal add)."),
        (f"Referrals, last {r['days']} days", ref_summary, ref["contacts"], REFERRAL_COLS, "No referral activity."),
        (f"Time, last {r['days']} days", "", time_row, [Col("what", "what"), Col("value", "value", justify="right")], ""),
        ("Cooling fastest", "", r["cooling"], COOLING_COLS, "No relationship cooled."),
        ("New contacts", "", r["new_contacts"], NEW_COLS, "No new contacts."),
    ]


def _headline(r: dict) -> str:
    return (
        f"cno review — {r['period']} to {r['as_of']}: {r['totals']['overdue']} overdue, "
        f"{r['totals']['due_today']} due today, {r['totals']['coming_up']} coming up"
    )


def review(r: dict, fmt: str) -> None:
    if fmt == "json":
        write(to_json(r))
    elif fmt == "plain":
        parts = [_headline(r)]
        for title, lead, rows, cols, empty in _sections(r):
            parts += ["", title] + ([visible(lead)] if lead else [])
            parts.append(plain_table(rows, cols).rstrip("\n") if rows else empty)
        write("\n".join(p for p in parts if p is not None))
    elif fmt == "md":
        parts = [f"# {md_escape(_headline(r))}"]
        for title, lead, rows, cols, empty in _sections(r):
            parts += ["", f"## {md_escape(title)}", ""] + ([md_escape(lead), ""] if lead else [])
            parts.append(md_table(rows, cols).rstrip("\n") if rows else md_escape(empty))
        write("\n".join(parts))
    elif fmt == "html":
        write(review_html(r))
    else:
        blocks = [rich_text(_headline(r), "bold")]
        for title, lead, rows, cols, empty in _sections(r):
            blocks += [rich_text(""), rich_text(title, "bold")] + ([rich_text(lead)] if lead else [])
            blocks.append(rich_table(rows, cols) if rows else rich_text(empty, "italic"))
        print_rich(rich_group(*blocks))


CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;max-width:760px;margin:24px auto;padding:0 12px;line-height:1.4}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid #ddd;padding-bottom:3px}
table{border-collapse:collapse;width:100%;font-size:14px} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f5f5f5;font-weight:600} td.n,th.n{text-align:right;white-space:nowrap} .empty{color:#777;font-style:italic}
.late{color:#b00020;font-weight:600} .meta{color:#666;font-size:13px}
""".strip()


def _h(text) -> str:
    return html.escape(visible(cell_text(text)))


def review_html(r: dict) -> str:
    """One self-contained page with inline CSS, readable in a mail client."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(_headline(r))}</title><style>{CSS}</style></head><body>",
        f"<h1>{_h(_headline(r))}</h1>",
        f'<p class="meta">Window {_h(r["window_start"])} – {_h(r["window_end"])}</p>',
    ]
    for title, lead, rows, cols, empty in _sections(r):
        out.append(f"<h2>{_h(title)}</h2>")
        if lead:
            out.append(f"<p>{_h(lead)}</p>")
        if not rows:
            if empty:
                out.append(f'<p class="empty">{_h(empty)}</p>')
            continue
        out.append("<table><thead><tr>")
        out += [f'<th{" class=n" if c.justify == "right" else ""}>{_h(c.header)}</th>' for c in cols]
        out.append("</tr></thead><tbody>")
        for row in rows:
            late = row.get("days_overdue", 0) and row["days_overdue"] > 0
            cells = []
            for c in cols:
                cls = ["n"] if c.justify == "right" else []
                if late and c.key in ("days_overdue", "name"):
                    cls.append("late")
                attr = f' class="{" ".join(cls)}"' if cls else ""
                cells.append(f"<td{attr}>{_h(c.text(row))}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# -- suggest --------------------------------------------------------------------


def suggestions(rows: list[dict], fmt: str, explain: bool) -> None:
    def term_text(terms: dict) -> str:
        return " + ".join(f"{k} {v:g}" for k, v in terms.items())

    cols = [
        Col("score", "score", lambda v: f"{v:g}", "right"),
        Col("contact_id", "id", justify="right"),
        Col("name", "name", lambda v: v),
        Col("reason", "why"),
        Col("local_time", "their time", lambda v: v or ""),
    ]
    display = [
        {**r, "name": r["name"] + (" (outside 8–20h)" if r["outside_hours"] else "")} for r in rows
    ] if fmt not in ("json", "csv") else rows  # fmt: skip
    if explain:
        cols.append(Col("terms", "terms", term_text))
    if fmt == "csv":
        flat = [{**{k: v for k, v in r.items() if k != "terms"}, "terms": term_text(r["terms"])} for r in rows]
        write(csv_text(flat, list(flat[0]) if flat else [c.key for c in cols]))
        return
    emit(display, fmt, cols, title="Reach out today", empty="no one to suggest today")


# -- stats ----------------------------------------------------------------------


def _bar(n: int, most: int, width: int = 30) -> str:
    return "█" * (round(width * n / most) if most else 0)


def stats(s: dict, fmt: str) -> None:
    rate = "n/a" if s["engagement_rate"] is None else f"{s['engagement_rate'] * 100:.0f}%"
    head = (
        f"{s['total']} touchpoints since {s['since']}; engagement (tier A within cadence): {rate}"
    )
    most = max((w["touchpoints"] for w in s["weeks"]), default=0)
    week_cols = [Col("week_start", "week of"), Col("touchpoints", "n", justify="right"),
                 Col("bar", "", lambda v: v)]  # fmt: skip
    weeks = [{**w, "bar": _bar(w["touchpoints"], most)} for w in s["weeks"]]
    by_cols = [Col("key", s["by"]), Col("touchpoints", "touchpoints", justify="right"),
               Col("contacts", "contacts", justify="right"), Col("minutes", "minutes", justify="right")]  # fmt: skip
    if fmt == "json":
        write(to_json(s))
    elif fmt == "csv":
        write(csv_text(s["breakdown"], ["key", "touchpoints", "contacts", "minutes"]))
    elif fmt == "plain":
        write("\n".join([head, "", plain_table(weeks, week_cols).rstrip("\n"), "",
                         plain_table(s["breakdown"], by_cols, title=f"by {s['by']}").rstrip("\n")]))  # fmt: skip
    elif fmt == "md":
        write("\n".join([f"# {md_escape(head)}", "", md_table(weeks, week_cols, title="Touchpoints per week").rstrip("\n"),
                         "", md_table(s["breakdown"], by_cols, title=f"By {s['by']}").rstrip("\n")]))  # fmt: skip
    else:
        print_rich(rich_group(rich_text(head, "bold"), rich_table(weeks, week_cols, title="Touchpoints per week"),
                              rich_table(s["breakdown"], by_cols, title=f"By {s['by']}")))  # fmt: skip
