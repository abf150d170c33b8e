"""A calendar kept as a folder of `.ics` files, as vdirsyncer and khal keep one (a vdir).

Each file holds one event (khal's own storage, vdirsyncer's local storage),
in the folder or in collection folders under it (one per calendar of an
account); hidden files and folders (`.`-prefixed: temporary files,
vdirsyncer's metadata) are not read. Every file is read by the calendar
reader (`capture.ics`), with capture's incremental rules: the same
`captured` keys as `cno capture ics` (UID and recurrence id), and a file
whose size and modification time are unchanged is not read again.

A recurring event whose overrides (RECURRENCE-ID) sit in files of their own
under the same UID is read as one: when any of its files is read, all of them
are, together (README "Calendars kept as folders: cno capture vdir"). Which
files share a UID is found by a quick look at their UID lines, made only on
a run that has a file to read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cno.capture import Source, SourceFile

# a UID line, after unfolding: the value up to the end of the line
_UID = re.compile(rb"^UID(?:;[^:\r\n]*)?:[ \t]*(.*?)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_FOLD = re.compile(rb"\r?\n[ \t]")


def calendar_files(where: Path) -> list[Path]:
    """Every visible `.ics` file of the folder and the folders under it, in a stable order."""
    out = []
    for root, dirs, names in os.walk(where):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out += [Path(root) / n for n in sorted(names) if n.lower().endswith(".ics") and not n.startswith(".")]
    return out


def uids(path: Path) -> set[bytes]:
    try:
        data = path.read_bytes()
    except OSError:
        return set()
    return {m.group(1) for m in _UID.finditer(_FOLD.sub(b"", data)) if m.group(1)}


def source(path: str) -> Source:
    from cno.capture import ics
    from cno.sync.files import folder

    where = folder(path)
    paths = calendar_files(where)
    groups: dict[Path, list[Path]] = {}
    done: set[tuple[Path, ...]] = set()

    def group(p: Path) -> list[Path]:
        """The files that share a UID with `p`, itself included, found once for the run."""
        if not groups:
            by_uid: dict[bytes, list[Path]] = {}
            of: dict[Path, set[bytes]] = {q: uids(q) for q in paths}
            for q, found in of.items():
                for uid in found:
                    by_uid.setdefault(uid, []).append(q)
            for q in paths:
                members, todo = {q}, [q]
                while todo:
                    for uid in of[todo.pop()]:
                        for other in by_uid[uid]:
                            if other not in members:
                                members.add(other)
                                todo.append(other)
                groups[q] = sorted(members)
        return groups.get(p, [p])

    def read(p: Path):
        def items(me, today):
            members = tuple(group(p))
            if members in done:  # read already with another file of its event
                return
            done.add(members)
            yield from ics.read_group(list(members), me, today)

        return items

    def files():
        for p in paths:
            try:
                st = p.stat()
            except OSError:
                continue  # removed since the folder was listed
            yield SourceFile(str(p), st.st_size, st.st_mtime_ns, read(p))

    return Source("ics", files, folders=(str(where),))
