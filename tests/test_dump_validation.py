"""`import json` refuses a dump holding a value cno could not have written
(SPEC "Concurrency and safety"): exit 2, one `cno:` line naming table, row and
column but never the value, and nothing written — restore and --merge alike."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import TODAY, ok, refused

EVIL = "\r\nATTENDEE:mailto:evil@example.com"
SECRET = "s3cr3t-n0te"  # rides along in bad text values: a refusal never quotes it


def _journal_with_every_table(journal_path) -> None:
    """A journal where every dumped table has rows, made the way a user would."""
    ok("add", "Ada Lovelace", "--company", "Analytical", "--email", "ada@example.com", "--phone", "+44 20 7946 0958",
       "--tag", "mentor", "--tier", "A", "--birthday", "02-29", "--every", "3w", "--note", "line one\nline two")  # fmt: skip
    ok("add", "Grace Hopper", "--birthday", "1906-12-09", "--linkedin", "https://linkedin.com/in/grace", "--nick", "Amazing Grace")
    ok("log", "ada", "coffee", "--with", "grace", "--via", "meeting", "--minutes", "45", "--tag", "intro", "--on", "2026-11-20 09:30")
    ok("log", "grace", "a call", "--via", "call", "--on", "2026-11-18")
    ok("follow-up", "ada", "friday", "send the deck")
    ok("milestone", "add", "grace", "new job", "2026-03-01", "--yearly")
    ok("config", "set", "cadence.A", "21d")
    ok("config", "set", "me.email", "me@example.com")
    ok("referral", "give", "ada", "--for", "Grace Hopper", "--value", "1500", "--on", "2026-11-01")
    ok("referral", "receive", "grace", "--value", "200", "--on", "2026-11-02")
    ok("referral", "close", "2", "--won", "--value", "250", "--on", "2026-11-10")
    ok("goal", "add", "meet people", "--metric", "meetings", "--target", "3", "--tier", "A")
    # What only `capture` writes: a mail's direction and the captured key.
    conn = sqlite3.connect(journal_path)
    conn.execute("UPDATE touchpoints SET direction = 'out' WHERE note = 'a call'")
    conn.execute("INSERT INTO captured (source, key, touchpoint_id, captured_on) SELECT 'mail', 'msg-1', id, '2026-11-18' FROM touchpoints WHERE note = 'a call'")
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> str:
    """The dump of that journal, made once for the module (each test gets its own copy)."""
    path = tmp_path_factory.mktemp("source") / "cno.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CNO_DB", str(path))
        mp.setenv("CNO_TODAY", TODAY.isoformat())
        _journal_with_every_table(path)
        text = ok("export", "json").stdout
    assert all(json.loads(text)["tables"].values()), "every table has a row to break"
    return text


@pytest.fixture
def dump(exported) -> dict:
    return json.loads(exported)


@pytest.fixture(params=["restore", "merge"])
def target(request, tmp_path, monkeypatch):
    """The journal the dump goes into: an empty one, or one with a contact (--merge)."""
    path = tmp_path / "target" / "cno.db"
    monkeypatch.setenv("CNO_DB", str(path))
    ok("add", "Alan Turing")
    if request.param == "restore":
        ok("rm", "Alan Turing", "--yes")
    return path, ["--merge"] if request.param == "merge" else []


def _write(tmp_path, doc: dict):
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(doc), encoding="utf-8")  # NaN and Infinity spelled as JSON readers take them
    return path


def _row(doc: dict, table: str, where: dict | None = None) -> tuple[int, dict]:
    rows = doc["tables"][table]
    return next((i, r) for i, r in enumerate(rows, 1) if all(r.get(k) == v for k, v in (where or {}).items()))


# (table, which row, changes, column named, how the row is named)
CASES = [
    # the reported smuggling: a uid that ends its line and forges an ATTENDEE in ics/vCard
    ("contacts", {"name": "Ada Lovelace"}, {"uid": "0f8e6a38-2b5c-4d7e-9a1b-3c4d5e6f7a8b" + EVIL}, "uid", "(id 1)"),
    ("followups", None, {"uid": "0f8e6a38-2b5c-4d7e-9a1b-3c4d5e6f7a8b" + EVIL}, "uid", "(id "),
    ("milestones", None, {"uid": "urn:uuid:0f8e6a38-2b5c-4d7e-9a1b-3c4d5e6f7a8b"}, "uid", "(id "),
    ("goals", None, {"uid": "0F8E6A38-2B5C-4D7E-9A1B-3C4D5E6F7A8B"}, "uid", "(id "),
    ("referrals", None, {"uid": SECRET}, "uid", "(id "),
    # dates that do not exist, are out of range or not ISO
    ("touchpoints", {"note": "coffee"}, {"happened_on": "2026-02-30"}, "happened_on must be a real date", "(id "),
    ("touchpoints", {"note": "coffee"}, {"happened_at": "2026-02-30T09:30", "happened_on": "2026-02-30"}, "happened_at must be a real date", "(id "),
    ("contacts", {"name": "Grace Hopper"}, {"met_on": "1799-12-31"}, "met_on", "(id 2)"),
    ("contacts", {"name": "Grace Hopper"}, {"created_on": "3000-01-01"}, "created_on", "(id 2)"),
    ("followups", None, {"due_on": "2026-11-27" + EVIL}, "due_on", "(id "),
    ("followups", None, {"due_on": "20261127"}, "due_on", "(id "),
    ("referrals", None, {"on_date": "2026-1-5"}, "on_date", "(id "),
    ("contacts", {"name": "Grace Hopper"}, {"snoozed_until": "soon"}, "snoozed_until", "(id 2)"),
    ("touchpoints", {"note": "coffee"}, {"happened_at": "2026-11-20T24:00"}, "happened_at", "(id "),
    ("touchpoints", {"note": "coffee"}, {"happened_at": "2026-11-20 09:30"}, "happened_at", "(id "),
    ("touchpoints", {"note": "coffee"}, {"happened_at": "2026-11-19T09:30"}, "happened_on must be the date of happened_at", "(id "),
    ("touchpoint_contacts", None, {"happened_on": "2026-11-19"}, "happened_on", "(touchpoint_id "),
    ("contacts", {"name": "Ada Lovelace"}, {"birthday": "--02-30"}, "birthday", "(id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"birthday": "1990-13-01"}, "birthday", "(id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"birthday": "02-29"}, "birthday", "(id 1)"),
    # numbers: not numbers, not finite, out of range, not whole, not a flag
    ("contacts", {"name": "Ada Lovelace"}, {"strength_raw": "abc"}, "strength_raw", "(id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"strength_raw": float("nan")}, "strength_raw", "(id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"won_given": float("inf")}, "won_given", "(id 1)"),
    ("referrals", None, {"value": 1e16}, "value", "(id "),
    ("referrals", {"status": "won"}, {"closed_value": -2e15}, "closed_value", "(id "),
    ("referrals", None, {"value": "1500"}, "value", "(id "),
    ("touchpoints", {"note": "coffee"}, {"minutes": 45.5}, "minutes", "(id "),
    ("touchpoints", {"note": "coffee"}, {"minutes": 0}, "minutes", "(id "),
    ("touchpoints", {"note": "coffee"}, {"minutes": 2**63}, "minutes", "(id "),
    ("touchpoints", {"note": "coffee"}, {"gave": 2}, "gave", "(id "),
    ("contacts", {"name": "Ada Lovelace"}, {"archived": -1}, "archived", "(id 1)"),
    ("milestones", None, {"yearly": True}, "yearly", "(id "),
    ("contacts", {"name": "Ada Lovelace"}, {"cadence_days": 0}, "cadence_days", "(id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"prior_touches": -3}, "prior_touches", "(id 1)"),
    ("contact_emails", None, {"position": -1}, "position", "(contact_id 1)"),
    ("goals", None, {"target": 0}, "target", "(id "),
    ("contacts", {"name": "Ada Lovelace"}, {"id": 0}, "id", "contacts row 1"),
    # enums
    ("touchpoints", {"note": "coffee"}, {"via": "telepathy"}, "via", "(id "),
    ("touchpoints", {"note": "a call"}, {"direction": "up"}, "direction", "(id "),
    ("contacts", {"name": "Ada Lovelace"}, {"tier": "D"}, "tier", "(id 1)"),
    ("goals", None, {"tier": "a"}, "tier", "(id "),
    ("referrals", None, {"direction": "sideways"}, "direction", "(id "),
    ("referrals", None, {"status": "pending"}, "status", "(id "),
    ("referrals", None, {"kind": "both"}, "kind", "(id "),
    ("goals", None, {"per": "day"}, "per", "(id "),
    ("goals", None, {"metric": "likes"}, "metric", "(id "),
    ("captured", None, {"source": "web"}, "source", "captured row 1"),
    # durations and settings
    ("contacts", {"name": "Ada Lovelace"}, {"every": "soon"}, "every", "(id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"every": "0d"}, "every", "(id 1)"),
    ("settings", {"key": "cadence.A"}, {"value": "soon"}, "value", "settings row 1"),
    ("settings", {"key": "cadence.A"}, {"key": "cadence.Z"}, "value", "settings row 1"),
    # addresses and text
    ("contact_emails", None, {"email": "ada@example.com" + EVIL}, "email", "(contact_id 1)"),
    ("contact_phones", None, {"phone": "+44\x1b[2J" + SECRET}, "phone", "(contact_id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"note": SECRET + "\ud800"}, "note", "(id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"note": 12}, "note", "(id 1)"),
    ("contacts", {"name": "Ada Lovelace"}, {"name": None}, "name", "(id 1)"),
]


@pytest.mark.parametrize(("table", "where", "changes", "column", "named"), CASES, ids=[f"{c[0]}.{next(iter(c[2]))}-{n}" for n, c in enumerate(CASES)])
def test_a_dump_with_a_value_cno_could_not_have_written_is_refused(dump, target, tmp_path, table, where, changes, column, named):
    journal, merge = target
    position, row = _row(dump, table, where)
    row.update(changes)
    r = refused("import", "json", _write(tmp_path, dump), *merge, journal=journal, contains=f"{table} row {position}")
    line = r.stderr.strip().splitlines()[-1]
    assert column in line and named in line, line
    assert "evil@example.com" not in r.stderr and SECRET not in r.stderr and "\x1b" not in r.stderr, "the value is never quoted"


def test_the_same_dump_unbroken_restores_byte_for_byte(exported, tmp_path, monkeypatch):
    """The control for every refusal above: what they break is all that was wrong,
    and the rules refuse nothing cno writes (a --02-29 birthday, a time of day,
    a won referral, a captured mail)."""
    path = tmp_path / "dump.json"
    path.write_text(exported, encoding="utf-8")
    monkeypatch.setenv("CNO_DB", str(tmp_path / "fresh.db"))
    ok("import", "json", path)
    assert ok("export", "json").stdout == exported
    ok("import", "json", path, "--merge")
    assert ok("export", "json").stdout == exported


EDGES = [
    ("contacts", {"name": "Grace Hopper"}, {"met_on": "1800-01-01"}),
    ("contacts", {"name": "Grace Hopper"}, {"met_on": "2999-12-31"}),
    ("contacts", {"name": "Grace Hopper"}, {"birthday": "--12-31"}),
    ("referrals", None, {"value": 1e15}),
    ("touchpoints", {"note": "coffee"}, {"happened_at": "2026-11-20T23:59"}),
    ("contacts", {"name": "Grace Hopper"}, {"every": "1y"}),
    ("touchpoints", {"note": "a call"}, {"direction": "in"}),
]


@pytest.mark.parametrize(("table", "where", "changes"), EDGES, ids=[f"{e[0]}.{next(iter(e[2]))}-{n}" for n, e in enumerate(EDGES)])
def test_values_at_the_edge_of_a_rule_are_restored(dump, tmp_path, monkeypatch, table, where, changes):
    _row(dump, table, where)[1].update(changes)
    monkeypatch.setenv("CNO_DB", str(tmp_path / "fresh.db"))
    ok("import", "json", _write(tmp_path, dump))
    assert json.loads(ok("export", "json").stdout) == dump


def test_a_smuggled_uid_never_reaches_the_calendar_or_the_address_book(dump, tmp_path, monkeypatch):
    """The report: before, this dump restored and `export ics` / `export vcard` wrote
    the ATTENDEE as a line of its own."""
    _row(dump, "contacts", {"name": "Ada Lovelace"})[1]["uid"] += EVIL
    _row(dump, "followups")[1]["uid"] += EVIL
    journal = tmp_path / "fresh.db"
    monkeypatch.setenv("CNO_DB", str(journal))
    refused("import", "json", _write(tmp_path, dump), journal=journal, contains="contacts row 1 (id 1): uid")
    for kind in ("ics", "vcard"):
        assert "ATTENDEE" not in ok("export", kind).stdout


@pytest.mark.parametrize(
    ("table", "changes", "command"),
    [("contacts", {"strength_raw": "abc"}, ("list",)), ("touchpoints", {"happened_on": "2026-02-30"}, ("db", "check"))],
    ids=["strength-list", "date-db-check"],
)
def test_values_that_later_crashed_list_and_db_check_are_refused_at_import(dump, tmp_path, monkeypatch, table, changes, command):
    """The report: these restored, then `cno list` / `cno db check` exited 70."""
    position, row = _row(dump, table)
    row.update(changes)
    journal = tmp_path / "fresh.db"
    monkeypatch.setenv("CNO_DB", str(journal))
    refused("import", "json", _write(tmp_path, dump), journal=journal, contains=f"{table} row {position} (id {row['id']}): {next(iter(changes))}")
    ok(*command)


# -- read as it comes -----------------------------------------------------------------


def test_a_dump_as_export_writes_it_is_restored_a_row_at_a_time_never_read_whole(exported, tmp_path, monkeypatch):
    """A lifetime's dump is several times its size as Python objects: the file
    export json writes (and the same pretty-printed) is read as it comes."""
    from cno.io import dump as dumps

    def whole(*_args):
        raise AssertionError("the dump was read whole")

    monkeypatch.setattr(dumps, "load", whole)
    for n, text in enumerate((exported, json.dumps(json.loads(exported), indent=2, ensure_ascii=False))):
        path = tmp_path / f"dump{n}.json"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("CNO_DB", str(tmp_path / f"fresh{n}.db"))
        ok("import", "json", path)
        assert ok("export", "json").stdout == exported
        ok("import", "json", path, "--merge")
        assert ok("export", "json").stdout == exported
    # merged into a journal of someone else: every record is added, as it comes
    monkeypatch.setenv("CNO_DB", str(tmp_path / "other.db"))
    ok("add", "Zed Shaw")
    ok("import", "json", tmp_path / "dump0.json", "--merge")
    merged, source = json.loads(ok("export", "json").stdout)["tables"], json.loads(exported)["tables"]
    assert {t: len(rows) for t, rows in merged.items()} == {t: len(rows) + (t == "contacts") for t, rows in source.items()}
    ok("db", "check")


def _contacts_last(doc: dict) -> dict:
    tables = dict(doc["tables"])
    tables["contacts"] = tables.pop("contacts")
    return {**doc, "tables": tables}


LAYOUTS = {
    # a child before its parent: found once rows are written, which are undone
    "contacts-last": lambda text: json.dumps(_contacts_last(json.loads(text))),
    "tables-first": lambda text: json.dumps({"tables": json.loads(text)["tables"], "format": "cno", "version": 1}),
    "with-a-bom": lambda text: "\ufeff" + text,
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_dump_laid_out_otherwise_is_read_whole_and_restores_the_same(exported, tmp_path, monkeypatch, layout):
    path = tmp_path / "dump.json"
    path.write_text(LAYOUTS[layout](exported), encoding="utf-8")
    monkeypatch.setenv("CNO_DB", str(tmp_path / "fresh.db"))
    ok("import", "json", path)
    assert ok("export", "json").stdout == exported
    ok("import", "json", path, "--merge")
    assert ok("export", "json").stdout == exported
    ok("db", "check")


def test_a_dump_in_utf16_is_read_whole_and_restores_the_same(exported, tmp_path, monkeypatch):
    path = tmp_path / "dump.json"
    path.write_bytes(exported.encode("utf-16"))
    monkeypatch.setenv("CNO_DB", str(tmp_path / "fresh.db"))
    ok("import", "json", path)
    assert ok("export", "json").stdout == exported


def _as_export_writes(doc: dict) -> str:
    """The dump laid out as export json writes it, a row a line, so `import json` reads it as it comes."""
    parts = []
    for table, rows in doc["tables"].items():
        body = ",\n".join(json.dumps(r) for r in rows)  # NaN as JSON readers take it; a lone surrogate escaped
        parts.append(f"{json.dumps(table)}: [" + (f"\n{body}\n]" if rows else "]"))
    return f'{{"format": "cno", "version": {doc["version"]}, "tables": {{\n' + ",\n".join(parts) + "\n}}\n"


@pytest.mark.parametrize(("table", "where", "changes", "column", "named"), CASES, ids=[f"{c[0]}.{next(iter(c[2]))}-{n}" for n, c in enumerate(CASES)])
def test_a_dump_read_as_it_comes_refuses_the_same_values(dump, tmp_path, monkeypatch, table, where, changes, column, named):
    """Rows read as they come are tested a column at a time over a batch: a wrong value
    still refuses the dump naming its table, row and column, and writes nothing."""
    from cno.io import dump as dumps

    def whole(*_args):
        raise AssertionError("the dump was read whole")

    monkeypatch.setattr(dumps, "load", whole)
    position, row = _row(dump, table, where)
    row.update(changes)
    path = tmp_path / "dump.json"
    path.write_text(_as_export_writes(dump), encoding="utf-8")
    journal = tmp_path / "fresh.db"
    monkeypatch.setenv("CNO_DB", str(journal))
    r = refused("import", "json", path, journal=journal, contains=f"{table} row {position}")
    line = r.stderr.strip().splitlines()[-1]
    assert column in line and named in line, line


def test_a_long_table_read_as_it_comes_names_its_first_wrong_row(exported, tmp_path, monkeypatch):
    """Several batches of rows, all right but two: the refusal names the first of them."""
    doc = json.loads(exported)
    emails = [{"contact_id": 1, "email": f"a{n:05}@example.com", "position": n} for n in range(12_000)]
    emails[7_321]["position"] = -1
    emails[9_000]["email"] = 5
    doc["tables"]["contact_emails"] = emails
    path = tmp_path / "dump.json"
    path.write_text(_as_export_writes(doc), encoding="utf-8")
    journal = tmp_path / "fresh.db"
    monkeypatch.setenv("CNO_DB", str(journal))
    refused("import", "json", path, journal=journal, contains="contact_emails row 7322 (contact_id 1): position must be 0 or more")
    emails[7_321]["position"] = 7_321
    emails[9_000]["email"] = "a09000@example.com"
    path.write_text(_as_export_writes(doc), encoding="utf-8")
    ok("import", "json", path)
    assert json.loads(ok("export", "json").stdout)["tables"]["contact_emails"] == emails


@pytest.mark.parametrize("where", ["in its first megabyte", "after rows were written"])
def test_a_dump_holding_a_control_character_is_refused_as_binary(tmp_path, monkeypatch, where):
    """A control character no text holds is refused with its line, whether it is
    in the first part read or in one read after rows went in (which are undone)."""
    from cno.db import open_journal

    monkeypatch.setenv("CNO_DB", str(tmp_path / "source.db"))
    ok("add", "Ada Lovelace", "--note", "x" * (1_500_000 if where == "after rows were written" else 10))
    ok("add", "Grace Hopper")
    text = ok("export", "json").stdout.replace("Grace Hopper", "Grace\x01Hopper", 1)
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    open_journal(fresh, create=True).close()
    monkeypatch.setenv("CNO_DB", str(fresh))
    line = text[: text.index("\x01")].count("\n") + 1
    refused("import", "json", path, journal=fresh, contains=f"line {line}: not a text file (binary data)")
