"""The columns cno keeps current so a read needs no history, each declared once.

A maintained column of `contacts` is computed from the contact's history:
refresh (cno.followups, by contact or for everyone) stores exactly what the
column's `compute` gives, `cno db check` recomputes it the same way and
compares (README "Your data"), and a migration that adds one leaves it to
the refresh that follows the upgrade (migrations.FILLED_BY_REFRESH). A copied
column repeats a column of another row, so a read needs no join; `db check`
compares the two.

Adding a maintained column: its migration, and a line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Facts:
    """What one contact's maintained values are computed from (cno.followups gathers it)."""

    last_touch: str | None  # the day of its latest touchpoint
    prior: int  # its touchpoints in the year up to that day
    cadence_days: int | None  # its effective cadence in days (a month counts 30)
    due: str | None  # last touch (never touched: created) + cadence, or the snooze
    snooze: tuple  # (until, on, after) as typed; all None once a later touchpoint ended it
    raw: float  # its touchpoints' then its referrals' contributions (cno.scoring)
    ledger: tuple  # referrals given, received, introductions, won value given, received


@dataclass(frozen=True)
class Column:
    kind: str  # "date", "int" or "real": what `db check` accepts in it
    compute: Callable[[Facts], object]


# In the order refresh writes them.
CONTACTS: dict[str, Column] = {
    "last_touch_on": Column("date", lambda f: f.last_touch),
    "prior_touches": Column("int", lambda f: f.prior),
    "cadence_days": Column("int", lambda f: f.cadence_days),
    "next_due_on": Column("date", lambda f: f.due),
    # a snooze is typed, not computed: refresh keeps it until a touchpoint
    # logged after it, dated on or after snoozed_on, ends it
    "snoozed_until": Column("date", lambda f: f.snooze[0]),
    "snoozed_on": Column("date", lambda f: f.snooze[1]),
    "snoozed_after": Column("int", lambda f: f.snooze[2]),  # the newest touchpoint id when it was made
    "strength_raw": Column("real", lambda f: f.raw),
    # the all-time referral ledger (README "The Givers Gain ledger")
    "ref_given": Column("int", lambda f: f.ledger[0]),
    "ref_received": Column("int", lambda f: f.ledger[1]),
    "intros": Column("int", lambda f: f.ledger[2]),
    "won_given": Column("real", lambda f: f.ledger[3]),
    "won_received": Column("real", lambda f: f.ledger[4]),
}

# (table, column, table copied from, the column pointing at its id)
COPIED = (("touchpoint_contacts", "happened_on", "touchpoints", "touchpoint_id"),)


def kind(table: str, column: str) -> str | None:
    """The kind of a maintained column ("date", "int", "real"); None for any other."""
    col = CONTACTS.get(column) if table == "contacts" else None
    return col.kind if col else None


def values(facts: Facts) -> tuple:
    """A contact's maintained values, in the order of CONTACTS."""
    return tuple(col.compute(facts) for col in CONTACTS.values())
