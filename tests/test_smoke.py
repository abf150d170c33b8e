from tests.conftest import cno, ok


def test_add_log_due_round_trip(journal_path):
    ok("add", "Ada Lovelace", "--tier", "A", "--email", "ada@example.com")
    ok("log", "ada", "coffee", "--via", "meeting", "--on", "2026-10-01")
    items = ok("due", "-f", "json").json()
    assert items[0]["name"] == "Ada Lovelace"
    assert items[0]["due_on"] == "2026-10-31"
    assert items[0]["days_overdue"] == 22
    assert journal_path.stat().st_mode & 0o777 == 0o600
    assert cno("due", "--check").code == 1
