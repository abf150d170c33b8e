"""`cno sync contacts` with the real programs around it (README "Your phone and other
machines"): Radicale as the CardDAV server, vdirsyncer as its client, khard on
the same folder. They are test extras: these tests run, they are never skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ok
from tests.dav import Khard, Radicale, Vdirsyncer, request


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "contacts" / "cno"
    path.mkdir(parents=True)
    return path


def sync(folder: Path) -> dict:
    return ok("sync", "contacts", str(folder), "-f", "json").json()


def test_a_card_changed_on_the_server_comes_into_cno_and_a_cno_edit_reaches_the_server(tmp_path, folder, journal_path):
    ok("add", "Ada Lovelace", "--email", "ada@example.org", "--role", "Countess", "--tier", "A")
    ok("add", "Grace Hopper", "--email", "grace@navy.example", "--phone", "+1 555 0100")
    assert sync(folder)["written"] == 2
    with Radicale(tmp_path) as server:
        url = server.collection("contacts", "addressbook")
        pair = Vdirsyncer(tmp_path, "contacts", local=folder, url=url, fileext=".vcf")
        pair.sync()
        hrefs = server.items(url)
        assert len(hrefs) == 2
        ada_uid = ok("show", "ada", "-f", "json").json()["uid"]
        href = next(h for h in hrefs if ada_uid in h)
        status, body = request("GET", server.base + href)
        assert status == 200
        # the phone's edit, over HTTP: a new title and a second address
        text = body.decode().replace("TITLE:Countess", "TITLE:Mathematician")
        text = text.replace("EMAIL:ada@example.org", "EMAIL:ada@example.org\r\nEMAIL:ada@engines.example")
        status, _ = request("PUT", server.base + href, text.encode(), {"Content-Type": "text/vcard; charset=utf-8"})
        assert status in (201, 204), status
        pair.sync()
        out = sync(folder)
        assert out["updated"] == 1 and out["conflicts"] == []
        ada = ok("show", "ada", "-f", "json").json()
        assert ada["role"] == "Mathematician"
        assert ada["emails"] == ["ada@example.org", "ada@engines.example"]
        assert ada["tier"] == "A"
        # and back: an edit in cno reaches the server, and a deletion there archives
        ok("edit", "grace", "--role", "Rear Admiral")
        assert sync(folder)["written"] == 1
        pair.sync()
        grace_uid = ok("show", "grace", "-f", "json").json()["uid"]
        grace_href = next(h for h in server.items(url) if grace_uid in h)
        assert "TITLE:Rear Admiral" in request("GET", server.base + grace_href)[1].decode()
        assert request("DELETE", server.base + grace_href)[0] in (200, 204)
        pair.sync()
        assert sync(folder)["archived"] == 1
        assert ok("show", "grace", "-f", "json").json()["archived"] is True
        pair.sync()
        assert len(server.items(url)) == 1
        # quiet at last: nothing moves on either side
        assert {k: v for k, v in sync(folder).items() if k != "conflicts"} == dict.fromkeys(
            ["added", "updated", "archived", "removed", "written"], 0
        )


def test_khard_reads_the_folder_cno_wrote_and_a_contact_made_with_khard_comes_into_cno(tmp_path, folder, journal_path):
    ok("add", "Ada Lovelace", "--email", "ada@example.org", "--phone", "+44 20 7946 0958", "--birthday", "1815-12-10")
    ok("add", "Grace Hopper", "--email", "grace@navy.example", "--birthday", "12-09")
    sync(folder)
    khard = Khard(tmp_path, folder)
    listed = khard("list")
    assert "Ada Lovelace" in listed and "Grace Hopper" in listed
    assert "ada@example.org" in khard("email") and "grace@navy.example" in khard("email")
    assert "+44 20 7946 0958" in khard("phone")
    birthdays = khard("birthdays")
    assert "1815-12-10" in birthdays and "--12-09" in birthdays and "Grace Hopper" in birthdays
    template = tmp_path / "new.yaml"
    template.write_text(
        "First name : Alan\nLast name : Turing\nEmail :\n    work : alan@example.org\n"
        "Phone :\n    cell : +44 161 555 0100\nOrganisation : Bletchley Park\nBirthday : 1912-06-23\n"
    )
    khard("new", "-a", "cno", "-i", str(template))
    out = sync(folder)
    assert out["added"] == 1
    alan = ok("show", "alan", "-f", "json").json()
    assert alan["name"] == "Alan Turing"
    assert alan["emails"] == ["alan@example.org"] and alan["phones"] == ["+44 161 555 0100"]
    assert alan["company"] == "Bletchley Park" and alan["birthday"] == "1912-06-23"
    # khard's card keeps its own name and UID: no second card for Alan
    assert len(list(folder.glob("*.vcf"))) == 3
    assert sync(folder)["written"] == 0


def test_the_harness_carries_a_vtodo_both_ways_through_a_calendar_collection(tmp_path):
    """What a `cno sync tasks` test will stand on: a calendar collection, a local
    folder of `.ics` files, a VTODO completed on the server coming down."""
    folder = tmp_path / "tasks"
    folder.mkdir()
    todo = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cno test//EN\r\nBEGIN:VTODO\r\nUID:todo-1\r\n"
            "DTSTAMP:20261122T000000Z\r\nDUE;VALUE=DATE:20261130\r\nSUMMARY:Follow up with Ada\r\n"
            "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")  # fmt: skip
    (folder / "todo-1.ics").write_text(todo)
    with Radicale(tmp_path) as server:
        url = server.collection("tasks", "calendar")
        pair = Vdirsyncer(tmp_path, "tasks", local=folder, url=url, fileext=".ics")
        pair.sync()
        (href,) = server.items(url)
        done = todo.replace("STATUS:NEEDS-ACTION", "STATUS:COMPLETED\r\nCOMPLETED:20261123T100000Z")
        assert request("PUT", server.base + href, done.encode(), {"Content-Type": "text/calendar"})[0] in (201, 204)
        pair.sync()
    assert "STATUS:COMPLETED" in (folder / "todo-1.ics").read_text()
