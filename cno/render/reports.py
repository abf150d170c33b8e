"""Views of the review digest, suggestions and stats."""

from __future__ import annotations

from cno.render.html import review_html

from cno.goals import status as goal_status
from cno.render import BLANK, Col, Heading, Listing, Para, Report, Table
from cno.render.referrals import intros_text, money, signed

REVIEW_FORMATS = ("table", "plain", "md", "html", "json")


def _overdue(v) -> str:
    return f"{v}d" if v > 0 else "today"


DUE_COLS = [
    Col("days_overdue", "overdue", _overdue, "right"),
    Col("name", "name"),
    Col("kind", "kind", role="status"),
    Col("due_on", "due", role="date"),
    Col("last_touch_on", "last touch", role="date"),
    Col("note", "note", role="note"),
]
COMING_COLS = [Col("on", "on", role="date"), Col("name", "name"), Col("kind", "kind", role="status"), Col("what", "what", role="note")]
GOAL_COLS = [
    Col("title", "goal"),
    Col("value", "value", justify="right"),
    Col("target", "target", justify="right"),
    Col("percent", "%", justify="right"),
    Col("period_end", "period ends", role="date"),
    Col("status", "pace", role="status"),
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
NEW_COLS = [Col("met_on", "met on", role="date"), Col("name", "name"), Col("company", "company")]


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


def review(r: dict) -> Report:
    """The digest: a heading, then each section's title, lead line and table (or what it lacks)."""

    def blocks(fmt: str) -> list:
        out = [Heading(_headline(r))]
        for title, lead, rows, cols, empty in _sections(r):
            out += [BLANK, Heading(title, 2)] + ([BLANK] if fmt == "md" else [])
            if lead:
                out += [Para(lead)] + ([BLANK] if fmt == "md" else [])
            out.append(Table(cols, rows) if rows else Para(empty, "italic"))
        return out

    return Report(r, blocks, other={"html": lambda: review_html(r)})


# -- suggest --------------------------------------------------------------------


def _term_text(terms: dict) -> str:
    return " + ".join(f"{k} {v:g}" for k, v in terms.items())


SUGGEST_COLS = [
    Col("score", "score", lambda v: f"{v:g}", "right"),
    Col("contact_id", "id", justify="right", role="id"),
    Col("name", "name", lambda v: v),
    Col("reason", "why", role="note"),
    Col("local_time", "their time", lambda v: v or "", role="date"),
]


def suggestions(rows: list[dict], explain: bool) -> Listing:
    cols = SUGGEST_COLS + ([Col("terms", "terms", _term_text, role="note")] if explain else [])
    return Listing(
        rows, cols, title="Reach out today", empty="no one to suggest today",
        shown=lambda rows: [{**r, "name": r["name"] + (" (outside 8–20h)" if r["outside_hours"] else "")} for r in rows],
        csv_row=lambda r: {**{k: v for k, v in r.items() if k != "terms"}, "terms": _term_text(r["terms"])},
    )  # fmt: skip


# -- stats ----------------------------------------------------------------------


def _bar(n: int, most: int, width: int = 30) -> str:
    return "█" * (round(width * n / most) if most else 0)


STATS_UNIT = {"week": "week of", "month": "month", "year": "year"}


def _label(per: str, start: str) -> str:
    return start if per == "week" else start[:7] if per == "month" else start[:4]


def chart_rows(s: dict) -> list[dict]:
    """The chart's rows: one per period, except that a run of empty periods is one row saying how many."""
    per, periods = s["per"], s["periods"]
    most = max((p["touchpoints"] for p in periods), default=0)
    rows, k = [], 0
    while k < len(periods):
        run = next((j for j in range(k, len(periods)) if periods[j]["touchpoints"]), len(periods)) - k
        label = _label(per, periods[k]["start"])
        if run >= 2:
            rows.append({"label": label, "touchpoints": 0, "bar": f"… {run} {per}s with nothing …"})
            k += run
        else:
            rows.append({"label": label, "touchpoints": periods[k]["touchpoints"], "bar": _bar(periods[k]["touchpoints"], most)})
            k += 1
    return rows


def stats(s: dict) -> Report:
    """JSON is the whole result (every week in `weeks`, the chart's periods in
    `periods`); CSV is the breakdown; the chart collapses runs of empty periods."""
    rate = "n/a" if s["engagement_rate"] is None else f"{s['engagement_rate'] * 100:.0f}%"
    head = f"{s['total']} touchpoints since {s['since']}; engagement (tier A within cadence): {rate}"
    chart_cols = [Col("label", STATS_UNIT[s["per"]], role="date"), Col("touchpoints", "n", justify="right"),
                  Col("bar", "", lambda v: v, role="note")]  # fmt: skip
    chart = chart_rows(s)
    by_cols = [Col("key", s["by"]), Col("touchpoints", "touchpoints", justify="right"),
               Col("contacts", "contacts", justify="right"), Col("minutes", "minutes", justify="right")]  # fmt: skip
    per_title = f"Touchpoints per {s['per']}"

    def blocks(fmt: str) -> list:
        if fmt == "plain":
            return [Para(head), BLANK, Table(chart_cols, chart), BLANK, Table(by_cols, s["breakdown"], title=f"by {s['by']}")]
        if fmt == "md":
            return [Heading(head), BLANK, Table(chart_cols, chart, title=per_title), BLANK,
                    Table(by_cols, s["breakdown"], title=f"By {s['by']}")]  # fmt: skip
        return [Heading(head), Table(chart_cols, chart, title=per_title), Table(by_cols, s["breakdown"], title=f"By {s['by']}")]

    return Report(s, blocks, csv=(["key", "touchpoints", "contacts", "minutes"], s["breakdown"]))
