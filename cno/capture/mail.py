"""Mail folders (mbox, maildir): every message between me and a contact.

Only the headers of a message are read, so a folder of large messages
streams with flat memory. A message is dated by its Date header in the
machine's local time (`TZ`). Its thread is the first Message-ID of its
References (the thread's root), else its In-Reply-To, else its own
Message-ID (it starts a thread); a message with none of these falls back to
its subject with Re:/Fwd: prefixes removed. Skipped: mailing-list and bulk
mail (List-Id, List-Unsubscribe, Precedence: bulk/list/junk), automatic
replies (Auto-Submitted) and no-reply senders.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import re
import stat
from datetime import timezone
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path
from typing import BinaryIO, Iterator

from cno.capture import Found, Ignored, Item, Problem, Source, SourceFile, decode_text, input_file
from cno.errors import CnoError

NO_REPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon", re.IGNORECASE)
REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs|antw|tr|rif|odp)(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
SIMPLE_ADDRESS = re.compile(r"\s*(?:([^<>@,]*?)\s*<([^<>\s,]+@[^<>\s,]+)>|([^<>\s,]+@[^<>\s,]+))\s*$")
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
MAX_HEADER_BYTES = 1 << 20  # a header block this large is not a message header


def mbox_source(path: str) -> Source:
    p, head = input_file(path)
    if head and not head.startswith(b"From "):
        raise CnoError(f"{path} is not an mbox file (it does not begin with a 'From ' line)")
    st = p.stat()

    def files():
        yield SourceFile(str(p), st.st_size, st.st_mtime_ns, lambda me, today: read_mbox(p, me))

    return Source("mail", files)


def read_mbox(p: Path, me: frozenset[str]) -> Iterator[Item]:
    import mailbox

    try:
        box = mailbox.mbox(str(p), create=False)
        keys = box.iterkeys()
    except OSError as e:
        raise CnoError(f"can't read {p}: {e.strerror or e}") from None
    try:
        for n, key in enumerate(keys, 1):
            with box.get_file(key) as fh:
                header = read_header(fh)
            yield message_item(header, me, f"{p.name}: message {n}")
    finally:
        box.close()


def maildir_source(path: str) -> Source:
    p = Path(path).expanduser()
    if not p.exists():
        raise CnoError(f"no such folder: {path}")
    if not p.is_dir():
        raise CnoError(f"{path} is a file, not a maildir folder — for an mbox file use 'cno capture mbox'")
    subs = [p / sub for sub in ("new", "cur") if (p / sub).is_dir()]
    if not subs:
        raise CnoError(f"{path} is not a maildir (it has no cur/ or new/ folder)")
    names = []
    for sub in subs:
        try:
            names.append((sub, sorted(n for n in os.listdir(sub) if not n.startswith("."))))
        except OSError as e:
            raise CnoError(f"can't read {sub}: {e.strerror or e}") from None
    folder = p.resolve()

    def files():
        for sub, listed in names:
            where = os.path.join(folder, sub.name)
            for name in listed:
                fp = os.path.join(where, name)
                try:
                    st = os.stat(fp)
                except FileNotFoundError:  # moved from new/ to cur/ while we read
                    continue
                if stat.S_ISREG(st.st_mode):
                    yield SourceFile(fp, st.st_size, st.st_mtime_ns, lambda me, today, fp=fp: read_message_file(fp, me))

    return Source("mail", files, total=sum(len(listed) for _sub, listed in names), folders=tuple(str(folder / s.name) for s in subs))


def read_message_file(fp: str, me: frozenset[str]) -> Iterator[Item]:
    label = os.path.join(os.path.basename(os.path.dirname(fp)), os.path.basename(fp))
    try:
        with open(fp, "rb") as fh:
            header = read_header(fh)
    except OSError as e:
        yield Problem(label, f"can't read it: {e.strerror or e}")
        return
    yield message_item(header, me, label)


def read_header(fh: BinaryIO) -> bytes:
    """The header block: the lines up to the first empty one; the body is never read."""
    lines, size = [], 0
    for line in fh:
        if line in (b"\n", b"\r\n") or size > MAX_HEADER_BYTES:
            break
        lines.append(line)
        size += len(line)
    return b"".join(lines)


def message_item(header: bytes, me: frozenset[str], label: str) -> Item:
    msg = HeaderParser(policy=compat32).parsestr(decode_text(header))
    own_id = _ids(msg.get("message-id"))
    if own_id:
        label = f"{label} <{own_id[0]}>"
    if msg.get("list-id") or msg.get("list-unsubscribe") or (msg.get("precedence") or "").strip().lower() in ("bulk", "list", "junk"):
        return Ignored("mailing list")
    if (msg.get("auto-submitted") or "no").strip().lower() != "no":
        return Ignored("automatic reply")
    senders = [a for _n, a in _addresses(msg, "from")]
    if not senders:
        return Problem(label, "no From address")
    sender = senders[0]
    if NO_REPLY.search(sender):
        return Ignored("no-reply sender")
    try:
        sent = email.utils.parsedate_to_datetime(msg.get("date") or "")
        if sent.tzinfo is None:  # "-0000": a time in UTC, its zone unknown
            sent = sent.replace(tzinfo=timezone.utc)
        when = sent.astimezone().replace(tzinfo=None)
    except (TypeError, ValueError, IndexError, OverflowError):
        return Problem(label, "no readable Date header")
    people: dict[str, str] = {}
    for field in ("from", "to", "cc"):
        for name, addr in _addresses(msg, field):
            if addr not in me and not people.get(addr):
                people[addr] = name
    subject = " ".join(_text(msg.get("subject") or "").split())
    note = REPLY_PREFIX.sub("", subject).strip() or None
    refs = _ids(msg.get("references")) or _ids(msg.get("in-reply-to"))
    thread = refs[0] if refs else own_id[0] if own_id else (f"subject:{note.casefold()}" if note else None)
    key = f"<{own_id[0]}>" if own_id else _digest_key(msg)
    return Found(
        key=key,
        when=when,
        people=people,
        note=note,
        via="email",
        direction="out" if sender in me else "in",
        thread=thread,
    )


def _addresses(msg, field: str) -> list[tuple[str, str]]:
    """(display name, casefolded address) of a header, decoded; groups and junk left out."""
    pairs = []
    for value in msg.get_all(field) or []:
        pairs += _simple_addresses(str(value)) or email.utils.getaddresses([str(value)])
    out = []
    for name, addr in pairs:
        addr = addr.strip().casefold()
        if "@" in addr and " " not in addr:
            out.append((" ".join(_text(name).split()), addr))
    return out


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """`Name <a@b>, c@d` read quickly; None for anything else (quotes, comments,
    groups), which the standard library's slower parser reads instead."""
    if any(c in value for c in '"()\\;:'):
        return None
    out = []
    for part in value.split(","):
        m = SIMPLE_ADDRESS.match(part)
        if m is None:
            return None
        out.append((m.group(1) or "", m.group(2) or m.group(3)))
    return out


def _text(value) -> str:
    """A header value with its encoded words (=?utf-8?q?...?=) decoded."""
    value = str(value)
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, HeaderParseError):
        return value


def _ids(value) -> list[str]:
    if not value:
        return []
    text = str(value).strip()
    # some mailers leave out the angle brackets around a lone id
    return MESSAGE_ID.findall(text) or ([text] if "@" in text and not any(c.isspace() for c in text) else [])


def _digest_key(msg) -> str:
    # no Message-ID: the same message read twice still gives the same key
    h = hashlib.sha256()
    for field in ("date", "from", "to", "cc", "subject"):
        h.update(str(msg.get(field) or "").encode("utf-8", "surrogateescape") + b"\x00")
    return f"digest:{h.hexdigest()[:32]}"
