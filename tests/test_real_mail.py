"""Real mail: mbox files and maildirs from other projects' test suites, captured as a user would.

The files are in tests/fixtures/real/mail/ (its README names each one's source, licence and
quirks). Each case sets my addresses and the contacts whose addresses appear, runs
`python -m cno capture mbox|maildir PATH --dry-run -f json` in a subprocess with the
machine's time zone (TZ) fixed, and checks all it says: every touchpoint's day and time,
people, direction and note, every warning, and the counts.
"""

from __future__ import annotations

import email.utils
import io
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cno.capture import decode_text
from cno.capture.mail import Header, from_line_date, mail_date, mbox_messages, message_item, read_header
from tests.conftest import ok

ROOT = Path(__file__).resolve().parents[1]
REAL = Path(__file__).parent / "fixtures" / "real" / "mail"


@dataclass
class Case:
    path: str  # under REAL: mbox/... an mbox file, maildir/... a maildir
    me: str
    tz: str
    rows: list[tuple]  # (on, names, direction, note, items)
    counts: str  # the summary line after "capture: would log "
    contacts: tuple[tuple[str, str], ...] = ()
    says: tuple[str, ...] = ()  # the other lines on stderr, whole
    create_unknown: bool = False


def _too_deep_for_the_standard_library() -> bool:
    """Whether this Python's address parser recurses too deep on stack-overflow's To header
    (3.11 does; a later parser may not, and then the message is read like any other)."""
    text = (REAL / "maildir/mimekit/cur/stack-overflow").read_text()
    to = HeaderParser(policy=compat32).parsestr(text)["to"]
    try:
        email.utils.getaddresses([to])
    except RecursionError:
        return True
    return False


DEEP = _too_deep_for_the_standard_library()
PLANS = "[Metrics-grimoire] Docker and MetricsGrimoire"
BUFFERS = "[List-name] Protocol Buffers anyone?"
MAILBOX_PERL = dict(
    me="maren@ATComputing.example",  # written Maren@ATComputing.example and maren@... in the file: one me
    tz="Europe/Amsterdam",
    contacts=(("Crispin", "crispin@mystic.es.dupont.example"), ("Magick Bugs", "magick-bugs@simple.dallas.example")),
    create_unknown=True,
    rows=[
        ("2000-06-14T16:54", ["Magick Bugs"], "in", "Annotate problems (PR#298)", 1),  # 09:54:08 -0500 (CDT)
        # my reply at 17:43 +0200 and the subject-less message it answers (11:53 EDT = 17:53 here): one thread, one day
        ("2000-06-14T17:43", ["Crispin"], "out", "your mail", 2),
        ("2000-06-14T17:49", ["Crispin"], "out", "your mail", 2),
    ],
    counts="3 touchpoints, 0 already captured, 1 with no known contact, 1 unparseable,"
    " 2 skipped as mailing list, no-reply, cancelled or declined",  # Precedence: bulk
)


def _mailbox_perl(name: str) -> Case:
    return Case(
        f"mbox/{name}",
        says=(
            f"skipped {name}: message 1: no From address",  # ELM's message has only a Reply-To
            # Crispin also wrote from another host: never a second contact of that name
            "capture: crispin@eplrx7.es.dupont.example is not a contact's address and Crispin (#1) has that name:"
            " not adding a second Crispin — if the address is theirs: cno edit 1 --email crispin@eplrx7.es.dupont.example",
        ),
        **MAILBOX_PERL,
    )


CASES = {
    # a leading BOM is ignored; `From -` starts a message, `From Russia with love` in a body does not;
    # neither message has a date (its envelope `From -` has none)
    "mimekit-unmunged": Case(
        "mbox/mimekit-unmunged.mbox",
        me="me@xamarin.example",
        tz="UTC",
        contacts=(("Jules Stanhope", "jules@xamarin.example"),),
        rows=[],
        says=("skipped mimekit-unmunged.mbox: message 1: no Date header", "skipped mimekit-unmunged.mbox: message 2: no Date header"),
        counts="0 touchpoints, 0 already captured, 0 with no known contact, 2 unparseable",
    ),
    # Gmail's `From 1844347792267117879@xxx` envelopes; 10:18:40 -0700 is 02:18 the next day in Tokyo
    "mimekit-gmail-takeout": Case(
        "mbox/mimekit-gmail-takeout.mbox",
        me="recipient@example.com",
        tz="Asia/Tokyo",
        contacts=(("Sender", "sender@example.com"),),
        rows=[
            ("2025-09-27T02:18", ["Sender"], "in", "Message 1", 1),
            ("2025-09-27T02:19", ["Sender"], "in", "Message 2", 1),
            ("2025-09-27T02:19", ["Sender"], "in", "Message 3", 1),
            ("2025-09-27T02:19", ["Sender"], "in", "Message 4", 1),
        ],
        counts="4 touchpoints, 0 already captured, 0 with no known contact, 0 unparseable",
    ),
    # `From - ` (trailing space), a one-digit hour, no Message-ID: three threads by subject
    "mimekit-simple": Case(
        "mbox/mimekit-simple.mbox",
        me="me@gnome.example",
        tz="America/New_York",
        contacts=(("Fenna", "fenna@gnome.example"),),
        rows=[
            ("2002-08-23T02:32", ["Fenna"], "in", "if a mime parser can correctly handle this, I'm impressed", 1),
            ("2002-08-23T02:32", ["Fenna"], "in", "this'll probably break a lot of mime parsers", 1),
            ("2002-08-23T02:32", ["Fenna"], "in", "this'll probably break even more mime parsers", 1),
        ],
        counts="3 touchpoints, 0 already captured, 0 with no known contact, 0 unparseable",
    ),
    # pipermail's `goran at domain.example (Name)`; the messages without Date or with an empty one
    # take their `From ` line's date and are then the same Message-ID again; `Message-Id:` empty
    # is a thread of its own (by subject); `RANDOM_Wed, 21 Sep 2016 22:42:07 +0300` is read
    "perceval-no-fields": Case(
        "mbox/perceval-no-fields.mbox",
        me="list@domain.example",
        tz="Europe/Stockholm",
        contacts=(("Göran Lastname", "goran@domain.example"),),
        rows=[
            ("2010-12-01T14:26", ["Göran Lastname"], "in", BUFFERS, 1),
            ("2010-12-01T14:26", ["Göran Lastname"], "in", BUFFERS, 1),
            ("2016-09-21T21:42", ["Göran Lastname"], "in", "[List-name] Invalid date", 1),
        ],
        counts="3 touchpoints, 3 already captured, 0 with no known contact, 0 unparseable",
    ),
    # no Date: the `From ` line's `Wed Dec  1 08:26:40 2010`, local time (Tokyo here);
    # `Date:  ` (empty) the same, and then it is that Message-ID again
    "perceval-no-date": Case(
        "mbox/perceval-no-date.mbox",
        me="list@domain.example",
        tz="Asia/Tokyo",
        contacts=(("Göran Lastname", "goran@domain.example"),),
        rows=[("2010-12-01T08:26", ["Göran Lastname"], "in", BUFFERS, 1)],
        counts="1 touchpoint, 1 already captured, 0 with no known contact, 0 unparseable",
    ),
    "perceval-pipermail": Case(
        "mbox/perceval-pipermail.mbox",
        me="me@example.net",
        tz="Europe/Madrid",
        contacts=(("Andrea Greenwood", "andy@example.com"), ("Julian M. Garrido-Barrios", "jgb@gsyc.example")),
        rows=[
            ("2015-11-14T21:29", ["Andrea Greenwood"], "in", PLANS, 1),
            ("2015-11-15T23:43", ["Julian M. Garrido-Barrios"], "in", PLANS, 1),
            ("2015-11-21T13:05", ["Andrea Greenwood"], "in", PLANS, 1),
            ("2015-11-28T21:25", ["Andrea Greenwood"], "in", PLANS, 1),
        ],
        counts="4 touchpoints, 0 already captured, 0 with no known contact, 0 unparseable",
    ),
    "mailbox-mbox.src": _mailbox_perl("mailbox-mbox.src.mbox"),
    "mailbox-mbox.win": _mailbox_perl("mailbox-mbox.win.mbox"),  # the same, CRLF
    # `From: foo` has no address; `From time to time` in its body is no second message
    "cpython-mailbox_01": Case(
        "mbox/cpython-mailbox_01.mbox",
        me="me@example.com",
        tz="UTC",
        rows=[],
        says=("skipped cpython-mailbox_01.mbox: message 1: no From address",),
        counts="0 touchpoints, 0 already captured, 0 with no known contact, 1 unparseable",
    ),
    # Thunderbird's dated `From - ` envelopes; a message I sent (+0530); a List-Id one skipped
    "thunderbird-movemailspool": Case(
        "mbox/thunderbird-movemailspool.mbox",
        me="example@example.com",
        tz="America/Los_Angeles",
        contacts=(("Pat Primary", "PrimaryEmail1@test.invalid"), ("Bugmail Reader", "bugmail@example.org")),
        rows=[
            ("2008-05-07T14:55", ["Pat Primary"], "in", "[Bug 397009] A filter will let me tag, but not untag", 1),
            ("2008-06-06T15:53", ["Bugmail Reader"], "out", "Hello, did you receive my bugmail?", 1),
        ],
        counts="2 touchpoints, 0 already captured, 0 with no known contact, 0 unparseable,"
        " 1 skipped as mailing list, no-reply, cancelled or declined",
    ),
    # `From  :<tst1@...>` is a header field, not a new message; `DATE: Fri, 7 Dec 2001 07:01:03`
    # has no zone: local time
    "spamassassin-spam-008": Case(
        "mbox/spamassassin-spam-008.mbox",
        me="jenny33436@netscape.example",
        tz="America/Los_Angeles",
        contacts=(("Tess Two", "tst2@example.com"),),
        rows=[("2001-12-07T07:01", ["Tess Two"], "in", "via.gra", 1)],
        counts="1 touchpoint, 0 already captured, 0 with no known contact, 0 unparseable",
    ),
    # `(EDT) -0400`; a BOM; `EDT` named; a name that looks like an address; a header too deep to parse
    "maildir-mimekit": Case(
        "maildir/mimekit",
        me="abuse@example.net,jang12@linux12.example,Jane_Sender@example.org",
        tz="America/New_York",
        contacts=(
            ("Joe Recipient", "Joe_Recipient@example.com"),
            ("Abuse Desk", "abusedesk@example.com"),
            ("Jang", "jang.abcdef@xyzlinux12345678.example"),
            ("Test Account", "test@test.com"),
        ),
        rows=[
            ("1995-09-20T00:19", ["Joe Recipient"], "in", "Disposition notification", 1),
            ("2005-03-08T16:40", ["Abuse Desk"], "in", "Earn money", 1),  # 17:40:36 EDT, in New York's winter
            ("2017-11-15T09:16", ["Jang"], "in", "R: R: R: I: FR-selca LA selcaE", 1),
        ]
        + ([] if DEEP else [("2017-11-03T16:00", ["Test Account"], "in", "Message Subject", 1)]),
        says=("skipped cur/stack-overflow <aasfasdfasdfa@bb>: a header too deeply nested to read",) if DEEP else (),
        counts=f"{3 if DEEP else 4} touchpoints, 0 already captured, 0 with no known contact, {1 if DEEP else 0} unparseable",
    ),
    # both Cc: and cc:; a References typo (`B00--root`) makes the child a thread of its own;
    # `Wed 29 May 2019 06:09:22 PM EDT`; a Date without a year cannot be read
    "maildir-notmuch": Case(
        "maildir/notmuch",
        me="daniel@example.org",
        tz="America/New_York",
        contacts=(
            ("Alice", "alice@example.org"),
            ("Bob", "bob@example.org"),
            ("Charles", "charles@example.org"),
            ("Test Suite", "test_suite@notmuchmail.org"),
        ),
        rows=[
            ("2016-06-16T22:14", ["Alice"], "in", "root message", 1),
            ("2016-06-16T22:14", ["Alice", "Bob", "Charles"], "in", "wowsers!", 1),
            ("2016-06-17T22:14", ["Alice"], "in", "child message", 1),
            ("2016-06-17T22:24", ["Alice"], "in", "grand-child message", 1),
            ("2019-05-29T18:09", ["Test Suite"], "in", "Lyrics", 1),
        ],
        says=(
            "skipped new/text-calendar.eml <YT3PR01MB10572EFC9F7C81F9446214768CEF72@YT3PR01MB10572.CANPRD01.PROD.OUTLOOK.COM>:"
            " no readable Date header",
        ),
        counts="5 touchpoints, 0 already captured, 0 with no known contact, 1 unparseable",
    ),
    # a two-digit year with EDT; `DATE: 18 Feb 01 12:29:13 AM` (local, 12 AM is 00); the contact
    # added for `"baz@example.com" <info@paypal.example>` is named by its own address
    "maildir-spamassassin": Case(
        "maildir/spamassassin",
        me="mrk@panda.example,user@example.com",
        tz="Europe/London",
        create_unknown=True,
        rows=[
            ("1991-10-08T15:25", ["Nadia Borowski"], "in", "multipart mail", 1),
            ("2001-02-18T00:29", ["sb55sb123456789@yahoo.example"], "in", "There yours for FREE!", 1),
            ("2004-02-09T23:17", ["info@paypal.example"], "in", "whitelist test case", 1),
        ],
        says=("skipped new/nice-003: no Date header",),
        counts="3 touchpoints, 0 already captured, 0 with no known contact, 1 unparseable, 3 new contacts to add",
    ),
    # `purchasing@... <do-not-reply@...>` is a no-reply sender (skipped, nobody added); names that
    # are addresses are no names; no Date: its first Received's `22 Aug 2016 14:23:01 -0000`
    "maildir-spamscope": Case(
        "maildir/spamscope",
        me="charlie@example.com,kinney@noth.example",
        tz="Europe/Moscow",
        create_unknown=True,
        rows=[
            ("2016-08-22T17:23", ["служба ФНС Иван Петров"], "in", "письмо уведом-е", 1),
            ("2024-01-01T15:00", ["bob@example.com", "dave@example.com", "frank@example.com"], "in",
             "Test email with email address as display name", 1),
            ("2025-11-03T20:23", ["LastßlName, FirstName", "tony.stark@example.com", "simple@example.net", 'John "Johnny" Doe'],
             "in", "Test for Comma and Name Bugs", 1),
        ],  # fmt: skip
        counts="3 touchpoints, 0 already captured, 0 with no known contact, 0 unparseable,"
        " 1 skipped as mailing list, no-reply, cancelled or declined, 8 new contacts to add",
    ),
    # `2007-11-09 18:37:09` (ISO, no zone: local); `12:00 -0500` without seconds; no Date anywhere
    "maildir-thunderbird": Case(
        "maildir/thunderbird",
        me="x@x.x",
        tz="Europe/Warsaw",
        contacts=(("Marta Milkowska", "marta.milkowska@hotmail.invalid"), ("Yves Yarrow", "y@y.y"), ("Frances Rom", "from@invalid.com")),
        rows=[
            ("2007-11-09T18:37", ["Marta Milkowska"], "in", "Attachment test", 1),
            ("2010-01-01T18:00", ["Yves Yarrow"], "in", "download on demand problem", 1),
        ],
        says=("skipped new/message1.eml: no Date header",),
        counts="2 touchpoints, 0 already captured, 0 with no known contact, 1 unparseable",
    ),
}


def capture(case: Case, tz: str, *extra: str, where: Path = REAL) -> tuple[int, list, list[str]]:
    """`cno capture` of the case's file in a subprocess (the journal is the test's, via CNO_DB);
    (exit code, the rows printed, the stderr lines)."""
    kind = "mbox" if case.path.startswith("mbox/") else "maildir"
    argv = [sys.executable, "-m", "cno", "capture", kind, str(where / case.path), "-f", "json", *extra]
    if case.create_unknown:
        argv.append("--create-unknown")
    r = subprocess.run(argv, cwd=ROOT, env={**os.environ, "TZ": tz}, capture_output=True, text=True, timeout=300)
    return r.returncode, json.loads(r.stdout or "[]"), [line for line in r.stderr.splitlines() if line.strip()]


def set_up(case: Case) -> None:
    ok("config", "set", "me.email", case.me)
    for name, address in case.contacts:
        ok("add", name, "--email", address)


def test_the_corpus_is_real_small_and_documented():
    files = [p for p in REAL.rglob("*") if p.is_file() and p.name != "README.md"]
    readme = (REAL / "README.md").read_text()
    assert len(files) >= 15 and sum(p.stat().st_size for p in files) < 1_000_000
    for p in files:
        rel = p.relative_to(REAL).as_posix()
        assert p.name in readme, f"{rel} is not in the README"
        assert any(rel == c.path or rel.startswith(c.path + "/") for c in CASES.values()), f"no test reads {rel}"


@pytest.mark.parametrize("name", CASES)
def test_a_real_mail_file_is_read_right(name):
    case = CASES[name]
    set_up(case)
    code, rows, err = capture(case, case.tz, "--dry-run")
    assert code == 0, err
    got = sorted((r["on"], r["names"], r["direction"], r["note"], r["items"]) for r in rows)
    assert got == sorted(case.rows)
    assert err == [*case.says, f"capture: would log {case.counts}"]


@pytest.mark.parametrize("name", ["perceval-no-fields", "maildir-spamscope", "mailbox-mbox.src"])
def test_a_real_file_captured_again_in_another_zone_logs_nothing_twice(name, tmp_path):
    """Message-ID idempotency, and for a message with neither Message-ID nor Date, a key made of
    what the file says (not of the local time it is read as)."""
    case = CASES[name]
    copy = tmp_path / "copy" / case.path
    if (REAL / case.path).is_dir():
        shutil.copytree(REAL / case.path, copy)
    else:
        copy.parent.mkdir(parents=True)
        shutil.copy(REAL / case.path, copy)
    set_up(case)
    code, rows, err = capture(case, case.tz, where=tmp_path / "copy")
    assert code == 0 and len(rows) == len(case.rows), err
    later = time.time() + 60
    for p in [copy, *copy.rglob("*")]:
        os.utime(p, (later, later))  # changed files: read again, not skipped as unchanged
    code, rows, err = capture(case, "Pacific/Kiritimati", where=tmp_path / "copy")
    assert code == 0 and rows == [], err
    assert len(ok("history", "-f", "json").json()) == len(case.rows)


# -- the parts, on the same files ----------------------------------------------------


def _headers():
    for p in sorted(REAL.rglob("*")):
        if not p.is_file() or p.name == "README.md":
            continue
        if p.parent.name == "mbox":
            with open(p, "rb") as fh:
                yield from (header for _line, header in mbox_messages(fh))
        else:
            with open(p, "rb") as fh:
                yield read_header(fh)


def _compat32(text: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for k, v in HeaderParser(policy=compat32).parsestr(text).items():
        fields.setdefault(k.lower(), []).append(v)
    return fields


def test_the_header_reader_reads_every_real_header_as_the_standard_library_does():
    headers = list(_headers())
    assert len(headers) > 50
    for header in headers:
        text = decode_text(header)
        assert Header(text).fields == _compat32(text)


_field = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,12}", fullmatch=True)
_value = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=30)
_line = st.one_of(
    st.builds(lambda f, v: f"{f}:{v}", _field, _value),
    st.builds(lambda f, v: f"{f} : {v}", _field, _value),
    st.builds(lambda v: f" {v}", _value),
    st.builds(lambda v: f"\t{v}", _value),
    st.builds(lambda v: f"From {v}", _value),
    st.just(":no name"),
    _value,
)


@given(st.lists(_line, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_header_reader_agrees_with_the_standard_library(lines, end):
    text = end.join(lines)
    assert Header(text).fields == _compat32(text)




@pytest.mark.parametrize(
    "value, expected",
    [
        ("2012-12-08 00:48", datetime(2012, 12, 8, 0, 48)),  # no zone: local time
        ("2012-12-08T05:48:00Z", datetime(2012, 12, 8, 0, 48)),
        ("2012-12-08 06:48:00 +01:00", datetime(2012, 12, 8, 0, 48)),
        ("2012-12-08 05:48 (UTC)", datetime(2012, 12, 8, 0, 48)),
        ("2012-12-08", date(2012, 12, 8)),
        ("Mon, 3 Dec 2012 10:00:00", datetime(2012, 12, 3, 10, 0)),  # no zone: local time
        ("Mon, 3 Dec 12 07:00:00 PST", datetime(2012, 12, 3, 10, 0)),
        ("Mon, 3 Dec 2012 16:00:00 CET", datetime(2012, 12, 3, 10, 0)),
        ("Mon, 3 Dec 2012 16:00:00 +01:00", datetime(2012, 12, 3, 10, 0)),
        ("Mon, 3 Dec 2012 15:00:00 (UTC)", datetime(2012, 12, 3, 10, 0)),
        ("Mon, 3 Dec 2012 15:00:00 -0000", datetime(2012, 12, 3, 10, 0)),  # UTC, its zone unknown
        ("Mon, 3 Dec 2012 15:00:00 XYZ", datetime(2012, 12, 3, 10, 0)),  # RFC 5322: an unknown name is UTC
        ("Mon, 3 Dec 2012 03:00:00 PM +0000", datetime(2012, 12, 3, 10, 0)),
        ("Mon, 3 Dec 112 15:00:00 +0000", datetime(2012, 12, 3, 10, 0)),  # years since 1900
        ("Sun, 8 Aug 1999 16:04:17 +0200 (MET DST)", datetime(1999, 8, 8, 10, 4, 17)),
        ("Thu Jan 01 00:00:10 +0000", None),
        ("Whenever", None),
        ("Tue, 7 Apr 2026 10:00:t <rimap-test@example.test>", None),
    ],
)
def test_dates_mailers_write(tz, value, expected):
    tz("America/New_York")
    assert mail_date(value) == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        (b"From goran at domain.example  Wed Dec  1 08:26:40 2010\n", datetime(2010, 12, 1, 8, 26, 40)),  # local time
        (b"From crispin@x.example Wed Jun 14 23:05 MET DST 2000\n", datetime(2000, 6, 14, 17, 5)),
        (b"From 1844@xxx Wed Mar 03 18:26:06 +0000 2021\n", datetime(2021, 3, 3, 13, 26, 6)),
        (b"From MAILER-DAEMON Sun Aug  7 11:40:37 2022 extra info\n", datetime(2022, 8, 7, 11, 40, 37)),
        (b"From nobody Thu Jan  1 00:00:00 1970\n", None),  # the epoch: no date
        (b"From 3a5b1c Mon Sep 17 00:00:00 2001\n", None),  # git format-patch's constant
        (b"From -\n", None),
    ],
)
def test_the_date_of_an_mbox_from_line(tz, line, expected):
    tz("America/New_York")
    got = from_line_date(line)
    assert (got and got[0]) == expected


def test_an_mbox_from_line_needs_a_date_or_a_header_after_it():
    assert len(list(mbox_messages(io.BytesIO(b"From the first line, whatever it says\nSubject: hi\n\n")))) == 1
    box = (
        b"From - \nFrom: a@example.com\n\nFrom Russia with love\nYear: 1963\n\n"
        b"From b@example.com Sat Nov 21 10:00:00 2026\nthis is not a header\n\n"
        b"From - Mon, 03 Dec 2012 10:00:00 +0000\nFrom: c@example.com\n\nFrom time to time\n"
        b"From  :<d@example.com>\nTo: e@example.com\n"
    )
    assert [line for line, _h in mbox_messages(io.BytesIO(box))] == [
        b"From - \n",
        b"From b@example.com Sat Nov 21 10:00:00 2026\n",
        b"From - Mon, 03 Dec 2012 10:00:00 +0000\n",
    ]


def test_messages_without_date_or_message_id_are_told_apart_by_when_they_came(monkeypatch):
    """Two such messages alike but for their `From ` lines are two messages; the same one read
    again, in any zone, is one."""
    text = (REAL / "mbox/perceval-no-date.mbox").read_bytes().split(b"\n\n")[0]
    header = b"\n".join(line for line in text.split(b"\n")[1:] if not line.startswith(b"Message-ID"))
    me = frozenset({"list@domain.example"})

    def key(from_line: bytes, tz: str) -> str:
        monkeypatch.setenv("TZ", tz)
        time.tzset()
        return message_item(header, me, "m", lambda _msg: from_line_date(from_line)).key

    try:
        first, second = b"From goran  Wed Dec  1 08:26:40 2010", b"From goran  Thu Dec  2 08:26:40 2010"
        assert key(first, "UTC") == key(first, "UTC") != key(second, "UTC")
        zoned = b"From 1844@xxx Wed Mar 03 18:26:06 +0000 2021"  # Gmail's: the same instant, other local times
        assert key(zoned, "UTC") == key(zoned, "Asia/Tokyo")
    finally:
        monkeypatch.undo()
        time.tzset()
