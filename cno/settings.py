"""Settings kept in the journal (`cno config get|set|unset|list`)."""

from __future__ import annotations

import re
import sqlite3

from cno.dates import parse_duration
from cno.errors import CnoError

TIER_CADENCE_DEFAULTS = {"A": "30d", "B": "90d", "C": "180d"}

_TAG_KEY = re.compile(r"^cadence\.tag\.(.+)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

KNOWN_KEYS = (
    "cadence.A, cadence.B, cadence.C (a duration such as 21d), "
    "cadence.tag.TAG (a duration), me.email (comma-separated addresses)"
)


def normalise(key: str, value: str) -> tuple[str, str]:
    """Validate a setting; returns the key and value as stored."""
    key = key.strip()
    if key in ("cadence.a", "cadence.b", "cadence.c"):
        key = key.upper().replace("CADENCE", "cadence")
    if key in ("cadence.A", "cadence.B", "cadence.C") or _TAG_KEY.match(key):
        if m := _TAG_KEY.match(key):
            key = "cadence.tag." + normalise_tag(m.group(1))
        return key, str(parse_duration(value))
    if key == "me.email":
        emails = [e.strip() for e in value.split(",") if e.strip()]
        bad = [e for e in emails if not _EMAIL.match(e)]
        if bad or not emails:
            raise CnoError(f"not an e-mail address: {(bad or [value])[0]!r}")
        return key, ",".join(emails)
    raise CnoError(f"unknown setting {key!r} — known: {KNOWN_KEYS}")


def normalise_tag(tag: str) -> str:
    t = " ".join(tag.strip().lstrip("#").lower().split())
    if not t:
        raise CnoError(f"empty tag {tag!r}")
    return t


def get_all(conn: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT key, value FROM settings ORDER BY key")}


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else get_default(key)


def get_default(key: str) -> str | None:
    return TIER_CADENCE_DEFAULTS.get(key.removeprefix("cadence."))


def put(conn: sqlite3.Connection, key: str, value: str) -> tuple[str, str]:
    key, value = normalise(key, value)
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
    return key, value


def unset(conn: sqlite3.Connection, key: str) -> str:
    if key.lower() in ("cadence.a", "cadence.b", "cadence.c"):
        key = "cadence." + key[-1].upper()
    if conn.execute("DELETE FROM settings WHERE key = ?", (key,)).rowcount == 0:
        raise CnoError(f"setting {key!r} is not set")
    return key


def listing(conn: sqlite3.Connection) -> list[dict]:
    return default_listing(get_all(conn))


def default_listing(stored: dict[str, str] | None = None) -> list[dict]:
    """Every setting in effect, the tier defaults included (marked as such)."""
    stored = stored or {}
    tier_keys = [f"cadence.{t}" for t in TIER_CADENCE_DEFAULTS]
    rows = [
        {"key": k, "value": stored.get(k, TIER_CADENCE_DEFAULTS[k[-1]]), "default": k not in stored}
        for k in tier_keys
    ]
    rows += [{"key": k, "value": v, "default": False} for k, v in stored.items() if k not in tier_keys]
    return rows
