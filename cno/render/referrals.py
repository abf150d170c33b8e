"""Views of the Givers Gain ledger: the referral list, the report, a card's section."""

from __future__ import annotations

import math

from cno.render import Col, Listing


def money(v) -> str:
    if v is None:
        return ""
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def signed(v) -> str:
    """A balance as every view shows it: `+2`, `0`, `-1` (ASCII minus, so scripts read it as a number)."""
    return f"{v:+d}" if v else "0"


def _balance_style(row: dict) -> str | None:
    b = row.get("balance")
    return "green" if b and b > 0 else "red" if b and b < 0 else None


REFERRAL_COLS = [
    Col("id", "id", justify="right", role="id"),
    Col("on", "on", role="date"),
    Col("direction", "dir", role="status"),
    Col("name", "contact"),
    Col("kind", "kind", role="status"),
    Col("prospect", "for"),
    Col("value", "value", money, "right"),
    Col("status", "status", role="status"),
    Col("closed_value", "closed", money, "right"),
    Col("closed_on", "closed on", role="date"),
    Col("note", "note", role="note"),
]
# On a contact's card the contact is implied.
CARD_COLS = [c for c in REFERRAL_COLS if c.key != "name"]

REPORT_COLS = [
    Col("contact_id", "id", justify="right", role="id"),
    Col("name", "contact", style=lambda r: "bold" if r.get("contact_id") is None else None),
    Col("given", "given", justify="right"),
    Col("received", "received", justify="right", short="recv"),
    Col("intros", "intros", justify="right"),
    Col("won_value_given", "won given", money, "right"),
    Col("won_value_received", "won received", money, "right", short="won recv"),
    Col("balance", "balance", signed, "right", _balance_style, short="bal"),
]


def referral_list(rows: list[dict]) -> Listing:
    return Listing(rows, REFERRAL_COLS, empty="no referrals")


def ratio_text(totals: dict) -> str:
    """The Givers Gain ratio of the window, said sensibly when nothing was received."""
    from cno.referrals import givers_gain_ratio

    given, received = totals["given"], totals["received"]
    r = givers_gain_ratio(given, received)
    if r is None:
        text = "Givers Gain ratio n/a (no referrals given or received)"
    elif math.isinf(r):
        text = f"Givers Gain ratio ∞ ({given} given, none received)"
    else:
        text = f"Givers Gain ratio {r:.2f} ({given} given ÷ {received} received)"
    return f"{text}; {intros_text(totals)}"


def intros_text(totals: dict) -> str:
    """The window's introductions, with the sum of the `intros` column they make.

    An introduction is one touchpoint with two people and counts in both
    people's `intros` (and balance), so the column — and the totals row,
    which sums the columns — holds each introduction twice (once when one of
    the two has since been deleted). Both numbers are said, so the totals
    row and this line can be checked against each other: `3 introductions (6
    in intros: each counts for both people)`.
    """
    n = totals["intros"]
    return f"{n} introduction{'s' * (n != 1)} ({totals['introduced']} in intros: each counts for both people)"


def _totals_row(rows: list[dict]) -> dict:
    """Column sums of the rows shown (an intro counts in both people's rows)."""
    keys = ("given", "received", "intros", "won_value_given", "won_value_received", "balance")
    return {"contact_id": None, "name": "total", **{k: sum(r[k] for r in rows) for k in keys}}


def report(rows: list[dict], totals: dict | None, *, window: str) -> Listing:
    """`cno referrals`: JSON/CSV hold exactly the rows; the other formats add a totals row and the ratio."""
    if totals is None:  # no journal yet
        return Listing([], REPORT_COLS, title=f"Givers Gain ledger, {window}", empty=f"no referrals or introductions ({window})")
    caption = ratio_text(totals)
    if totals["contacts"] > len(rows):
        caption += f"; top {len(rows)} of {totals['contacts']} contacts"
    return Listing(
        rows, REPORT_COLS, title=f"Givers Gain ledger, {window}", caption=caption,
        empty=f"no referrals or introductions ({window})", shown=lambda rows: [*rows, _totals_row(rows)],
    )  # fmt: skip


def balance_text(b: dict) -> str:
    return f"given {b['given']}, received {b['received']}, intros {b['intros']}, balance {signed(b['balance'])}"
