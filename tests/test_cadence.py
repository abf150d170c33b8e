"""When a contact is due (SPEC "Follow-ups and cadence")."""

from __future__ import annotations

from tests.conftest import cno, ok


def due(*args):
    return ok("due", "-f", "json", *args).json()


def next_due(ref):
    return ok("show", ref, "-f", "json").json()["next_due_on"]


def test_backdated_touch_restarts_cadence_from_its_date():
    ok("add", "Ada", "--every", "30d")
    ok("log", "ada", "--on", "2026-10-01")
    assert next_due("ada") == "2026-10-31"
    # typed today, happened earlier: the older date does not move the due date back
    ok("log", "ada", "--on", "2026-09-01")
    assert next_due("ada") == "2026-10-31"


def test_never_touched_is_due_created_plus_every():
    ok("add", "Ada", "--every", "2w", "--as-of", "2026-11-01")
    assert next_due("ada") == "2026-11-15"
    (item,) = due()
    assert item["kind"] == "cadence" and item["days_overdue"] == 7 and item["last_touch_on"] is None


def test_cadence_precedence_own_then_shortest_tag_then_tier():
    ok("config", "set", "cadence.tag.family", "14d")
    ok("config", "set", "cadence.tag.friends", "3w")
    ok("config", "set", "cadence.A", "21d")
    ok("add", "Own", "--tier", "A", "--tag", "family", "--every", "5d")
    ok("add", "Tagged", "--tier", "A", "--tag", "family", "--tag", "friends")
    ok("add", "Tiered", "--tier", "A")
    ok("add", "Untiered")
    rows = {r["name"]: r for r in ok("list", "-f", "json").json()}
    assert rows["Own"]["every_days"] == 5
    assert rows["Tagged"]["every_days"] == 14
    assert rows["Tiered"]["every_days"] == 21 and rows["Tiered"]["next_due_on"] == "2026-12-13"
    assert rows["Untiered"]["every_days"] is None and rows["Untiered"]["next_due_on"] is None


def test_tier_defaults_and_month_cadence_use_calendar_months():
    ok("add", "B person", "--tier", "B")
    ok("add", "Monthly", "--every", "1m")
    ok("log", "monthly", "--on", "2026-01-31")
    rows = {r["name"]: r for r in ok("list", "-f", "json").json()}
    assert rows["B person"]["every_days"] == 90 and rows["B person"]["next_due_on"] == "2027-02-20"
    assert rows["Monthly"]["every_days"] == 30 and rows["Monthly"]["next_due_on"] == "2026-02-28"


def test_changing_a_tier_cadence_redates_existing_contacts():
    ok("add", "Ada", "--tier", "A")
    assert next_due("ada") == "2026-12-22"
    ok("config", "set", "cadence.A", "7d")
    assert next_due("ada") == "2026-11-29"
    ok("config", "unset", "cadence.A")
    assert next_due("ada") == "2026-12-22"


def test_overdue_first_most_overdue_first_then_window_in_date_order():
    ok("add", "Soon", "--every", "10d", "--as-of", "2026-11-15")  # due 11-25
    ok("add", "Late", "--every", "10d", "--as-of", "2026-11-01")  # due 11-11
    ok("add", "Later", "--every", "10d", "--as-of", "2026-10-01")  # due 10-11
    ok("add", "Today", "--every", "10d", "--as-of", "2026-11-12")  # due 11-22
    ok("add", "Far", "--every", "10d", "--as-of", "2026-11-21")  # due 12-01, outside 7d
    items = due()
    assert [i["name"] for i in items] == ["Later", "Late", "Today", "Soon"]
    assert [i["days_overdue"] for i in items] == [42, 11, 0, -3]
    assert [i["name"] for i in due("--within", "9d")][-1] == "Far"  # today + 9d included


def test_check_exits_1_only_when_something_is_overdue():
    ok("add", "Today", "--every", "10d", "--as-of", "2026-11-12")
    assert cno("due", "--check").code == 0  # due today is not overdue
    ok("add", "Late", "--every", "10d", "--as-of", "2026-11-01")
    r = cno("due", "--check", "-f", "json")
    assert r.code == 1 and len(r.json()) == 2


def test_archived_contacts_are_never_due():
    ok("add", "Ada", "--every", "1d", "--as-of", "2026-01-01")
    ok("follow-up", "ada", "2026-11-01")
    ok("archive", "ada")
    assert due() == []
    ok("unarchive", "ada")
    assert len(due()) == 2


def test_snooze_moves_the_check_in_and_a_newer_touch_ends_it():
    ok("add", "Ada", "--every", "10d", "--as-of", "2026-10-01")
    ok("snooze", "ada", "2w")
    assert next_due("ada") == "2026-12-06"
    assert due() == []
    ok("log", "ada", "--on", "2026-11-20")  # older than the snooze: it stays
    assert next_due("ada") == "2026-12-06"
    ok("log", "ada")  # a touch today ends the snooze
    assert next_due("ada") == "2026-12-02"


def test_follow_ups_due_done_and_snooze():
    ok("add", "Ada")
    ok("follow-up", "ada", "friday", "send deck")  # due dates look forward: 2026-11-27
    ok("follow-up", "ada", "2026-11-20", "intro to Bob")
    items = due()
    assert [(i["due_on"], i["note"]) for i in items] == [("2026-11-20", "intro to Bob"), ("2026-11-27", "send deck")]
    first = items[0]["follow_up_id"]
    ok("snooze", str(first), "3d")
    assert due()[0]["due_on"] == "2026-11-25"
    ok("done", str(first))
    assert [i["note"] for i in due()] == ["send deck"]
    ok("done", "ada")
    assert due() == []
    rows = ok("followups", "list", "--all", "-f", "json").json()
    assert all(r["done_on"] == "2026-11-22" for r in rows)


def test_log_follow_up_option_creates_a_follow_up_for_the_first_contact():
    ok("add", "Ada")
    ok("add", "Bob")
    ok("log", "ada", "lunch", "--with", "bob", "--follow-up", "in 2 weeks")
    (item,) = due("--within", "3w")
    assert item["name"] == "Ada" and item["due_on"] == "2026-12-06" and item["kind"] == "follow-up"


def test_due_filters_and_limit():
    ok("add", "A1", "--tier", "A", "--tag", "vip", "--as-of", "2026-01-01")
    ok("add", "A2", "--tier", "A", "--as-of", "2026-02-01")
    ok("add", "C1", "--tier", "C", "--as-of", "2025-01-01")
    assert [i["name"] for i in due("--tier", "A")] == ["A1", "A2"]
    assert [i["name"] for i in due("--tag", "vip")] == ["A1"]
    assert [i["name"] for i in due("--limit", "1")] == ["C1"]


def test_deleting_the_latest_touch_recomputes_the_due_date():
    ok("add", "Ada", "--every", "10d", "--as-of", "2026-11-01")
    ok("log", "ada", "--on", "2026-11-05")
    ok("log", "ada", "--on", "2026-11-15")
    assert next_due("ada") == "2026-11-25"
    latest = ok("history", "-f", "json").json()[0]["id"]
    ok("touch", "rm", str(latest))
    assert next_due("ada") == "2026-11-15"
    ok("touch", "edit", str(latest - 1), "--on", "2026-11-10")
    assert next_due("ada") == "2026-11-20"
