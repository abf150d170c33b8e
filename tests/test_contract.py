"""The JSON keys SPEC.md names are a contract: pin them (pipx-style, with TypedDicts)."""

from __future__ import annotations

from typing import TypedDict

from tests.conftest import ok


class ListRow(TypedDict):
    id: int
    name: str
    company: str | None
    role: str | None
    emails: list
    phones: list
    tags: list
    tier: str | None
    every_days: int | None
    birthday: str | None
    timezone: str | None
    last_touch_on: str | None
    next_due_on: str | None
    strength: float | None
    archived: bool


class DueRow(TypedDict):
    kind: str
    contact_id: int
    name: str
    due_on: str
    days_overdue: int
    last_touch_on: str | None
    note: str | None
    follow_up_id: int | None
    tier: str | None


class HistoryRow(TypedDict):
    id: int
    contact_ids: list
    names: list
    on: str
    via: str
    minutes: int | None
    gave: bool
    asked: bool
    note: str | None
    tags: list


def _keys(td) -> set[str]:
    return set(td.__annotations__)


def _journal():
    ok("add", "Ada Lovelace", "--tier", "A", "--email", "ada@example.com", "--tag", "mentor",
       "--birthday", "12-10", "--tz", "Europe/London", "--phone", "+44 20 7946 0958")  # fmt: skip
    ok("add", "Grace Hopper", "--every", "2w")
    ok("log", "ada", "coffee", "--with", "grace", "--on", "2026-10-01 09:30", "--via", "meeting",
       "--minutes", "45", "--gave", "--tag", "bni")  # fmt: skip
    ok("follow-up", "grace", "2026-11-20", "send the deck")


def test_list_json_has_every_pinned_key_with_its_type():
    _journal()
    rows = ok("list", "-f", "json").json()
    assert len(rows) == 2
    for row in rows:
        assert _keys(ListRow) <= set(row)
    ada = rows[0]
    assert ada["emails"] == ["ada@example.com"] and ada["phones"] == ["+44 20 7946 0958"]
    assert ada["tags"] == ["mentor"] and ada["tier"] == "A" and ada["every_days"] == 30
    assert ada["birthday"] == "--12-10" and ada["timezone"] == "Europe/London"
    assert ada["last_touch_on"] == "2026-10-01" and ada["next_due_on"] == "2026-10-31"
    assert 0 < ada["strength"] <= 100 and ada["archived"] is False
    assert rows[1]["every_days"] == 14


def test_due_json_keys_and_kinds():
    _journal()
    items = ok("due", "-f", "json").json()
    assert {i["kind"] for i in items} == {"cadence", "follow-up"}
    for item in items:
        assert _keys(DueRow) <= set(item)
    fu = next(i for i in items if i["kind"] == "follow-up")
    assert fu["note"] == "send the deck" and fu["days_overdue"] == 2 and isinstance(fu["follow_up_id"], int)


def test_history_json_keys_and_time_format():
    _journal()
    (row,) = ok("history", "-f", "json").json()
    assert _keys(HistoryRow) <= set(row)
    assert row["on"] == "2026-10-01T09:30"
    assert row["names"] == ["Ada Lovelace", "Grace Hopper"] and row["contact_ids"] == [1, 2]
    assert row["via"] == "meeting" and row["minutes"] == 45 and row["gave"] is True and row["asked"] is False
    assert row["tags"] == ["bni"] and row["note"] == "coffee"


def test_show_json_is_one_object_with_the_list_keys_and_the_timeline():
    _journal()
    card = ok("show", "ada", "-f", "json").json()
    assert isinstance(card, dict)
    assert _keys(ListRow) <= set(card)
    assert card["touchpoints"][0]["on"] == "2026-10-01T09:30"
    assert card["local_time"] is not None


def test_milestone_list_json():
    _journal()
    ok("milestone", "add", "ada", "wedding anniversary", "2019-06-14", "--yearly")
    (m,) = ok("milestone", "list", "-f", "json").json()
    assert m["name"] == "Ada Lovelace" and m["on"] == "2019-06-14" and m["yearly"] is True
    assert m["next_on"] == "2027-06-14"
