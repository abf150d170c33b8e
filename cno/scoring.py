"""Relationship strength: a 0–100 score from recency-weighted interactions.

Each touchpoint adds its channel's weight (plus a bonus when I gave), each
referral given or received adds REFERRAL_WEIGHT, and every contribution
halves every HALF_LIFE_DAYS days. The sum S maps to 0–100 as
100 · (1 − e^(−S / SCALE)): one e-mail today is ~12, a meeting a month for a
year ~84, weekly meetings ~100, one meeting a year ago ~2; no history is 0.

The sum is kept in `contacts.strength_raw` scaled to a fixed epoch
(Σ w · 2^((day − EPOCH) / HALF_LIFE)), so today's strength is one
multiplication — no command rereads a contact's history to show it.
"""

from __future__ import annotations

import math
from datetime import date

HALF_LIFE_DAYS = 90
SCALE = 8.0
EPOCH = date(2000, 1, 1)
CHANNEL_WEIGHTS = {
    "meeting": 3.0, "video": 2.5, "event": 2.0, "call": 2.0,
    "email": 1.0, "message": 0.75, "social": 0.5, "other": 1.0,
}  # fmt: skip
GAVE_BONUS = 0.5
REFERRAL_WEIGHT = 3.0
# 2^±1000 stays a finite float: exact for dates within ~246 years of EPOCH
_MAX_EXP = 1000.0


def scale(day: date) -> float:
    e = (day - EPOCH).days / HALF_LIFE_DAYS
    return 2.0 ** max(-_MAX_EXP, min(_MAX_EXP, e))


def touch_weight(via: str, gave: bool) -> float:
    return CHANNEL_WEIGHTS.get(via, 1.0) + (GAVE_BONUS if gave else 0.0)


def contribution(weight: float, day: date | str) -> float:
    """What one interaction adds to strength_raw."""
    return weight * scale(day if isinstance(day, date) else date.fromisoformat(day[:10]))


def strength(raw: float | None, today: date) -> float:
    """The 0–100 strength shown to users, one decimal."""
    return round(exact_strength(raw, today), 1)


def strength_on(today: date):
    """`strength(raw, today)` as a function of raw alone, for a listing of many:
    today's scale is worked out once."""
    at = scale(today)
    return lambda raw: round(_exact(raw, at), 1)


def exact_strength(raw: float | None, today: date) -> float:
    """Strength before rounding, for ranking."""
    return _exact(raw, scale(today))


def _exact(raw: float | None, at: float) -> float:
    """Strength from the epoch-scaled raw sum and today's scale: S = raw / at."""
    if not raw:
        return 0.0
    return 100.0 * (1.0 - math.exp(-(raw / at) / SCALE))


def raw_for(conn, contact_ids) -> dict[int, float]:
    """Recompute strength_raw for these contacts from their touchpoints and
    referrals, exactly as refresh does (cno.followups adds the terms in one
    fixed order, so the float is the same however it is asked for)."""
    from cno import followups, maintained

    at = list(maintained.CONTACTS).index("strength_raw")
    return {cid: math.nan if v is None else v[at] for cid, v in followups.computed(conn, contact_ids)}
