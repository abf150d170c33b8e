"""The folder side of a sync: a vdir, read once, written through temporary files.

The rules (README "Your phone and other machines"):
- DIR must be an existing folder; cno never creates it (a typo would start a
  second, empty vdir that vdirsyncer then uploads);
- a file is written under a hidden temporary name in the folder and renamed
  into place, so vdirsyncer (and a phone) never sees half a file, and a
  killed run leaves nothing under a real name (its leftovers are swept by the
  next run);
- a file is replaced or removed only while it still holds the bytes that were
  read: one changed meanwhile is left alone and read again on the next sync;
- a file whose content would not change is not touched at all (same bytes,
  mtime and inode), so vdirsyncer uploads nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cno.errors import CnoError


@dataclass
class Read:
    """One file of the folder as read: its name, its bytes and their digest (None: it could not be read)."""

    name: str
    data: bytes | None
    digest: str | None
    error: str | None = None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def folder(path: str, *, items: str | None = None) -> Path:
    """The vdir at `path`, absolute; exit 2 when it is missing or not a folder.

    With `items` (a suffix such as ".ics"), a folder holding none of them must
    not be the parent of several collections (the calendars of an account:
    files written there would reach no server) nor a folder of the other kind
    of items (a calendar given to the contacts sync).
    """
    if not path.strip():
        raise CnoError("no folder given — give the vdir's path, e.g. ~/.local/share/vdir/tasks")
    p = Path(path).expanduser()
    try:
        exists, is_dir = p.exists(), p.is_dir()
    except (OSError, ValueError):
        exists = is_dir = False
    if not exists:
        raise CnoError(f"no such folder: {path} (create it, or point vdirsyncer's storage at it first)")
    if not is_dir:
        raise CnoError(f"{path} is not a folder — give the vdir (a folder of files, one item each)")
    p = p.resolve()
    names = _names(p) if items is not None else []
    if items is not None and not any(n.lower().endswith(items) for n in names):
        other = next((n for n in names if n.lower().endswith(OTHER[items])), None)
        if other is not None:
            raise CnoError(f"{path} is not a vdir of {items} files: it holds {other} — give the folder of your {KIND[items]}")
        nested = sorted(d.name for d in _subfolders(p) if any(_has(d, items)))
        if nested:
            raise CnoError(f"{path} is not one collection: its folders {', '.join(n + '/' for n in nested[:3])} hold"
                           f" {items} files — give one of them")  # fmt: skip
    return p


KIND = {".vcf": "contacts (.vcf)", ".ics": "to-dos (.ics)"}
OTHER = {".vcf": ".ics", ".ics": ".vcf"}  # a folder of the other kind of items is the wrong folder


def _names(p: Path) -> list[str]:
    try:
        return [e.name for e in os.scandir(p) if not e.name.startswith(".") and e.is_file()]
    except OSError:
        return []


def _subfolders(p: Path):
    try:
        return [Path(e.path) for e in os.scandir(p) if not e.name.startswith(".") and e.is_dir()]
    except OSError:
        return []


def _has(d: Path, suffix: str):
    try:
        return (e for e in os.scandir(d) if e.name.endswith(suffix))
    except OSError:
        return iter(())


def scan(where: Path, suffix: str) -> list[Read]:
    """Every visible `*suffix` file directly in the folder, by name, with its bytes."""
    out = []
    try:
        entries = sorted(os.scandir(where), key=lambda e: e.name)
    except OSError as e:
        raise CnoError(f"can't read folder {where}: {e.strerror or e}") from None
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.lower().endswith(suffix):
            continue
        try:
            if not entry.is_file():
                continue
            with open(entry.path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            out.append(Read(entry.name, None, None, e.strerror or str(e)))
            continue
        out.append(Read(entry.name, data, digest(data)))
    return out


def still(where: Path, name: str, expected: str | None) -> bool:
    """Whether the file holds what was read (expected None: that there is still no file)."""
    try:
        with open(where / name, "rb") as fh:
            return expected is not None and digest(fh.read()) == expected
    except FileNotFoundError:
        return expected is None
    except OSError:
        return False


def put(where: Path, name: str, data: bytes, expected: str | None) -> bool:
    """Write `data` as the file `name` unless it changed since it was read; False when left alone.

    An identical file is not rewritten. The bytes go to a hidden temporary
    file beside it, renamed over the old one: a killed run leaves the old file
    or the new one, never half of one. Not fsync'ed file by file (4,000 to-dos
    took 11 s of fsync on a busy disk); `settle` makes the folder's renames
    durable once, before the journal commits.
    """
    from cno.db import temp_beside

    if expected is not None and expected == digest(data) and still(where, name, expected):
        return True
    if not still(where, name, expected):
        return False
    dest = where / name
    tmp = temp_beside(dest)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with open(fd, "wb") as fh:
            fh.write(data)
        if not still(where, name, expected):  # changed while we wrote: theirs stays
            return False
        os.replace(tmp, dest)
    except OSError as e:  # a read-only folder, a full disk: the sync fails as a whole, the journal untouched
        raise CnoError(f"can't write {name} into {where}: {e.strerror or e}") from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
    return True


def settle(where: Path) -> None:
    """Make the files written into the folder durable: the folder's entries, once."""
    try:
        fd = os.open(where, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # a filesystem that can't: the renames still happened
        pass
    finally:
        os.close(fd)


def remove(where: Path, name: str, expected: str) -> bool:
    """Remove the file unless it changed since it was read; False when left alone."""
    if not still(where, name, expected):
        return False
    try:
        os.unlink(where / name)
    except FileNotFoundError:
        pass
    except OSError:  # after the commit: left for the next sync, which removes it then
        return False
    return True


def sweep(where: Path) -> None:
    """Remove temporary files that a killed sync left in the folder."""
    from cno.db import sweep_leftovers

    sweep_leftovers(where)
