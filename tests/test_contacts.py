"""Contacts and touchpoints, end to end through the CLI."""

from __future__ import annotations

from tests.conftest import cno, ok


def contact(ref):
    return ok("show", ref, "-f", "json").json()


def test_add_records_every_field():
    ok("add", "Ada Lovelace", "--company", "Analytical", "--role", "CTO", "--email", "ada@example.com",
       "--email", "ada@work.example", "--phone", "+44 1", "--tag", "Mentor", "--tag", "#fintech", "--tier", "a",
       "--every", "3w", "--birthday", "Dec 10", "--tz", "Europe/London", "--location", "London",
       "--met", "BNI breakfast", "--met-on", "last friday", "--linkedin", "https://linkedin.com/in/ada",
       "--note", "likes tea")  # fmt: skip
    c = contact("ada")
    assert c["company"] == "Analytical" and c["role"] == "CTO"
    assert c["emails"] == ["ada@example.com", "ada@work.example"] and c["phones"] == ["+44 1"]
    assert c["tags"] == ["fintech", "mentor"] and c["tier"] == "A" and c["every"] == "3w" and c["every_days"] == 21
    assert c["birthday"] == "--12-10" and c["timezone"] == "Europe/London" and c["location"] == "London"
    assert c["met"] == "BNI breakfast" and c["met_on"] == "2026-11-20"
    assert c["linkedin"] == "https://linkedin.com/in/ada" and c["note"] == "likes tea"
    assert c["created_on"] == "2026-11-22"


def test_met_on_defaults_to_today():
    ok("add", "Bob")
    assert contact("bob")["met_on"] == "2026-11-22"


def test_edit_renames_adds_untags_and_clears():
    ok("add", "Ada", "--tag", "a", "--tag", "b", "--company", "X", "--every", "1w", "--email", "ada@x.example")
    ok("edit", "ada", "--name", "Ada Lovelace", "--untag", "a", "--tag", "c", "--clear", "company",
       "--clear", "every", "--email", "ada@y.example")  # fmt: skip
    c = contact("lovelace")
    assert c["name"] == "Ada Lovelace" and c["tags"] == ["b", "c"] and c["company"] is None and c["every"] is None
    assert c["emails"] == ["ada@x.example", "ada@y.example"]
    ok("edit", "ada", "--clear", "emails", "--clear", "tags")
    c = contact("ada")
    assert c["emails"] == [] and c["tags"] == []


def test_an_email_belongs_to_one_contact():
    ok("add", "Ada", "--email", "ada@x.example")
    r = cno("add", "Other", "--email", "ADA@x.example")
    assert r.code == 2 and "already belongs to Ada" in r.stderr


def test_list_filters_and_sorts():
    ok("add", "Zed", "--tier", "A", "--company", "Acme Corp", "--tag", "vip", "--as-of", "2026-01-01")
    ok("add", "Amy", "--tier", "B", "--company", "Other")
    ok("add", "Old", "--tier", "A")
    ok("log", "amy", "--on", "2026-11-01")
    ok("log", "zed", "--on", "2026-11-10")
    ok("archive", "old")
    names = lambda *a: [r["name"] for r in ok("list", "-f", "json", *a).json()]  # noqa: E731
    assert names() == ["Amy", "Zed"]
    assert names("--archived") == ["Old"]
    assert names("--all") == ["Amy", "Old", "Zed"]
    assert names("--tier", "A") == ["Zed"]
    assert names("--tag", "VIP") == ["Zed"]
    assert names("--company", "acme") == ["Zed"]
    assert names("--sort", "last") == ["Amy", "Zed"]
    assert names("--sort", "next") == ["Zed", "Amy"]
    assert ok("ls", "-f", "json").json() == ok("list", "-f", "json").json()


def test_rm_keeps_shared_touchpoints_and_deletes_only_theirs():
    ok("add", "Ada")
    ok("add", "Bob")
    ok("log", "ada", "alone")
    ok("log", "ada", "together", "--with", "bob")
    ok("follow-up", "ada", "friday")
    ok("rm", "ada", "--yes")
    hist = ok("history", "-f", "json").json()
    assert [(h["note"], h["names"]) for h in hist] == [("together", ["Bob"])]
    assert ok("due", "-f", "json", "--within", "1y").json() == []  # her follow-up went with her
    assert [r["name"] for r in ok("list", "-f", "json").json()] == ["Bob"]


def test_merge_moves_everything_and_fills_empty_fields():
    ok("add", "Ada Lovelace", "--email", "ada@x.example", "--tier", "A")
    ok("add", "A. Lovelace", "--email", "al@y.example", "--company", "Analytical", "--tag", "mentor")
    ok("log", "a. lovelace", "old chat", "--on", "2026-11-01")
    ok("follow-up", "a. lovelace", "friday", "deck")
    ok("milestone", "add", "a. lovelace", "new job", "2026-06-01")
    ok("merge", "A. Lovelace", "Ada Lovelace", "--yes")
    c = contact("ada lovelace")
    assert c["company"] == "Analytical" and c["tier"] == "A"
    assert c["emails"] == ["ada@x.example", "al@y.example"] and c["tags"] == ["mentor"]
    assert [t["note"] for t in c["touchpoints"]] == ["old chat"]
    assert [f["note"] for f in c["follow_ups"]] == ["deck"]
    assert [m["label"] for m in c["milestones"]] == ["new job"]
    assert c["last_touch_on"] == "2026-11-01"
    assert len(ok("list", "-f", "json").json()) == 1


def test_log_several_people_and_history_filters():
    ok("add", "Ada", "--tag", "fintech")
    ok("add", "Bob")
    ok("log", "ada", "lunch", "--with", "bob", "--via", "meeting", "--minutes", "60", "--on", "2026-11-02")
    ok("log", "bob", "call", "--via", "call", "--on", "2026-11-20", "--tag", "deal")
    ok("log", "ada", "old", "--on", "2026-06-01", "--asked")
    notes = lambda *a: [h["note"] for h in ok("history", "-f", "json", *a).json()]  # noqa: E731
    assert notes() == ["call", "lunch", "old"]
    assert notes("ada") == ["lunch", "old"]
    assert notes("--since", "4w") == ["call", "lunch"]
    assert notes("--since", "2026-11-03") == ["call"]
    assert notes("--until", "2026-11-02") == ["lunch", "old"]
    assert notes("--via", "call") == ["call"]
    assert notes("--tag", "deal") == ["call"]
    assert notes("--tag", "fintech") == ["lunch", "old"]
    assert notes("-n", "1") == ["call"]


def test_log_create_adds_unknown_people():
    ok("log", "Carol New", "met at the meetup", "--create", "--with", "Dan New")
    assert [r["name"] for r in ok("list", "-f", "json").json()] == ["Carol New", "Dan New"]


def test_touch_edit_changes_fields_and_people():
    ok("add", "Ada")
    ok("add", "Bob")
    ok("log", "ada", "hi", "--tag", "x")
    ok("touch", "edit", "1", "--via", "video", "--minutes", "20", "--gave", "--note", "hello", "--with", "bob",
       "--untag", "x", "--tag", "y", "--on", "2026-11-21 10:00")  # fmt: skip
    (h,) = ok("history", "-f", "json").json()
    assert (h["via"], h["minutes"], h["gave"], h["note"], h["names"], h["tags"], h["on"]) == (
        "video", 20, True, "hello", ["Ada", "Bob"], ["y"], "2026-11-21T10:00")  # fmt: skip
    ok("touch", "edit", "1", "--without", "ada", "--clear", "minutes")
    (h,) = ok("history", "-f", "json").json()
    assert h["names"] == ["Bob"] and h["minutes"] is None
    assert contact("ada")["last_touch_on"] is None


def test_milestones_add_list_edit_rm():
    ok("add", "Ada")
    ok("milestone", "add", "ada", "anniversary", "2019-12-01", "--yearly")
    ok("milestone", "add", "ada", "new job", "2026-10-01")
    rows = ok("milestone", "list", "-f", "json").json()
    assert [(m["label"], m["next_on"]) for m in rows] == [("anniversary", "2026-12-01"), ("new job", None)]
    ok("milestone", "edit", "2", "--label", "promoted", "--once")
    ok("milestone", "rm", "1")
    assert [m["label"] for m in ok("milestone", "list", "-c", "ada", "-f", "json").json()] == ["promoted"]


def test_config_list_shows_defaults_and_settings():
    ok("config", "set", "cadence.tag.Family", "2w")
    rows = {r["key"]: r for r in ok("config", "list", "-f", "json").json()}
    assert rows["cadence.A"] == {"key": "cadence.A", "value": "30d", "default": True}
    assert rows["cadence.tag.family"]["value"] == "2w"
    assert ok("config", "get", "cadence.tag.family").stdout == "2w\n"
