"""`cno sync contacts` and `cno sync tasks` with the real programs around it (README "Your phone and other
machines"): Radicale as the CardDAV/CalDAV server, vdirsyncer as its client, khard on
the contacts folder. They are test extras: these tests run, they are never skipped."""

from __future__ import annotations

import os
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


def test_a_to_do_completed_on_the_server_closes_the_follow_up_and_a_cno_follow_up_reaches_the_server(tmp_path, journal_path):
    import icalendar

    tasks = tmp_path / "tasks" / "cno"
    tasks.mkdir(parents=True)
    ok("add", "Ada Lovelace", "--email", "ada@example.org", "--tier", "A")
    ok("follow-up", "ada", "2026-11-25", "send the deck")
    fu_uid = ok("followups", "list", "-f", "json").json()[0]["uid"]
    written = ok("sync", "tasks", str(tasks), "-f", "json").json()["written"]
    assert written == 2  # the follow-up and Ada's check-in
    with Radicale(tmp_path) as server:
        url = server.collection("tasks", "calendar")
        pair = Vdirsyncer(tmp_path, "tasks", local=tasks, url=url, fileext=".ics")
        pair.sync()
        hrefs = server.items(url)
        assert len(hrefs) == 2
        href = next(h for h in hrefs if fu_uid in h)
        status, body = request("GET", server.base + href)
        assert status == 200 and b"SUMMARY:" in body and b"send the deck" in body
        # the phone ticks it off, over HTTP, as a CalDAV client does
        cal = icalendar.Calendar.from_ical(body)
        todo = next(c for c in cal.walk("VTODO"))
        todo["STATUS"] = "COMPLETED"
        todo.add("COMPLETED", icalendar.vDatetime.from_ical("20261121T093000Z"))
        todo.add("PERCENT-COMPLETE", 100)
        todo["SEQUENCE"] = int(todo.get("SEQUENCE", 0)) + 1
        status, _ = request("PUT", server.base + href, cal.to_ical(), {"Content-Type": "text/calendar; charset=utf-8"})
        assert status in (201, 204), status
        pair.sync()
        out = ok("sync", "tasks", str(tasks), "-f", "json").json()
        assert (out["done"], out["removed"]) == (1, 1)
        (fu,) = ok("followups", "list", "--all", "-f", "json").json()
        assert fu["done_on"] == "2026-11-21"
        pair.sync()
        assert [h for h in server.items(url) if fu_uid in h] == []  # the completed to-do left the server too
        # and a follow-up made in cno reaches the server
        ok("follow-up", "ada", "2026-12-04", "book the room")
        assert ok("sync", "tasks", str(tasks), "-f", "json").json()["written"] == 1
        pair.sync()
        bodies = [request("GET", server.base + h)[1] for h in server.items(url)]
        assert any(b"book the room" in b for b in bodies) and len(bodies) == 2


def test_the_readmes_own_vdirsyncer_config_carries_the_folder_to_the_server(tmp_path, journal_path):
    import re

    from tests.dav import BIN, USER, run

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (config,) = [b for b in re.findall(r"```ini\n(.*?)```", readme, re.S) if "[pair cno_contacts]" in b]
    home = tmp_path / "home"
    folder = home / ".contacts" / "cno"
    folder.mkdir(parents=True)
    ok("add", "Ada Lovelace", "--email", "ada@example.org")
    assert sync(folder)["written"] == 1
    with Radicale(tmp_path) as server:
        url = server.collection("contacts", "addressbook")
        # the reader's own server and password: the rest as the README writes it
        mine = re.sub(r'^url = ".*"$', f'url = "{url}"', config, flags=re.M)
        mine = re.sub(r"^username = .*$", f'username = "{USER}"', mine, flags=re.M)
        mine = re.sub(r"^password\.fetch = .*$", 'password = "unused"', mine, flags=re.M)
        assert mine.count(url) == 1 and 'password = "unused"' in mine
        (home / "vdirsyncer.conf").write_text(mine)
        env = {**os.environ, "HOME": str(home)}
        vdirsyncer = [str(BIN / "vdirsyncer"), "--config", str(home / "vdirsyncer.conf")]
        run([*vdirsyncer, "discover", "cno_contacts"], env=env)
        run([*vdirsyncer, "sync", "cno_contacts"], env=env)
        assert len(server.items(url)) == 1
