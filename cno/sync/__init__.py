"""Two-way syncs of the journal with a vdir: a folder of one-item files
(`.vcf` cards, `.ics` to-dos) that vdirsyncer carries to a CardDAV/CalDAV
server and khard and khal read (README "Your phone and other machines").

What every such sync shares lives here: the folder check, reading its
items with their hashes, and writing or removing an item only when it is
still what was read (temporary hidden file, renamed into place). cno opens
no network connection: the folder is the other side.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cno.errors import CnoError

COUNTS = ("added", "updated", "archived", "removed", "written")


@dataclass
class Result:
    """What a sync did (or, in a dry run, would do): the JSON object of `-f json`."""

    added: int = 0  # records added to the journal from new items
    updated: int = 0  # records of the journal changed from the folder
    archived: int = 0  # contacts archived because their card was deleted
    removed: int = 0  # items removed from the folder
    written: int = 0  # items written (new or changed) into the folder
    conflicts: list[dict] = field(default_factory=list)  # {uid, name, field, kept, other}
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def data(self) -> dict:
        return {**{k: getattr(self, k) for k in COUNTS}, "conflicts": self.conflicts}


def vdir(path: str, suffix: str) -> Path:
    """The folder DIR names; exit 2 when it does not exist, is not a folder, or
    is not a vdir of `suffix` items: it holds none of them but its subfolders
    do (the parent vdirsyncer makes for several collections), or it holds the
    other kind of items (a calendar's `.ics` for a contacts sync)."""
    p = Path(path).expanduser()
    if not p.exists():
        raise CnoError(f"{path} does not exist — create the folder (or let vdirsyncer discover create it) first")
    if not p.is_dir():
        raise CnoError(f"{path} is not a folder — give the vdir folder that holds one file per item")
    try:
        names = [(e.name, e.is_dir()) for e in os.scandir(p) if not e.name.startswith(".")]
        if not any(n.lower().endswith(suffix) for n, d in names if not d):
            other = next((n for n, d in names if not d and n.lower().endswith(tuple(OTHER[suffix]))), None)
            if other:
                raise CnoError(f"{path} is not a vdir of {suffix} files: it holds {other} — give the folder of your {KIND[suffix]}")
            for n, d in names:
                if d and any(x.name.lower().endswith(suffix) for x in os.scandir(p / n)):
                    raise CnoError(f"{path} holds {KIND[suffix]} in subfolders ({n}/) — give one of them as DIR")
    except OSError as e:
        raise CnoError(f"can't read {path}: {e.strerror or e}") from None
    return p.resolve()


KIND = {".vcf": "contacts (.vcf)", ".ics": "to-dos (.ics)"}
OTHER = {".vcf": (".ics",), ".ics": (".vcf",)}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Item:
    """One file of the folder, as read."""

    name: str
    data: bytes
    hash: str


def read_items(folder: Path, suffix: str, warnings: list[str]) -> list[Item]:
    """The folder's `*suffix` files (hidden ones, such as temporary files, left
    out), in name order; one that can't be read is a warning."""
    items = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        raise CnoError(f"can't read {folder}: {e.strerror or e}") from None
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.lower().endswith(suffix):
            continue
        try:
            if not entry.is_file():
                continue
            with open(entry.path, "rb") as f:
                data = f.read()
        except OSError as e:
            warnings.append(f"{entry.name}: can't be read ({e.strerror or e}); left as it is")
            continue
        items.append(Item(entry.name, data, digest(data)))
    return items


def current_hash(path: Path) -> str | None:
    """The hash of the file now; None when there is none."""
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError as e:
        raise CnoError(f"can't read {path}: {e.strerror or e}") from None


def put(folder: Path, name: str, data: bytes, expected: str | None) -> bool:
    """Write `data` as `name` if the file is still what was read (`expected`:
    its hash, None: absent); False, untouched, when it changed meanwhile.

    The bytes go to a hidden temporary file in the folder, then are renamed
    over the name: a reader (vdirsyncer, khard) or a killed sync leaves the
    old card or the new one, never half of one. `flush` makes them durable
    once for the whole sync, rather than a disk flush per card.
    """
    from cno.db import temp_beside

    dest = folder / name
    if current_hash(dest) != expected:
        return False
    tmp = temp_beside(dest)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        try:
            with open(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as e:  # a read-only folder, a full disk: the whole sync fails, the journal as it was
        raise CnoError(f"can't write {dest}: {e.strerror or e}") from None
    return True


def begin(folder: Path) -> None:
    """Before a sync writes: remove the temporary files a killed sync left."""
    from cno.db import sweep_leftovers

    sweep_leftovers(folder)


def flush(folder: Path) -> None:
    """After a sync wrote, before the journal commits: its files on disk."""
    if hasattr(os, "sync"):
        os.sync()


def remove(folder: Path, name: str, expected: str) -> bool:
    """Remove `name` if it is still what was read; False when it changed meanwhile."""
    dest = folder / name
    if current_hash(dest) != expected:
        return False
    try:
        dest.unlink(missing_ok=True)
    except OSError as e:
        raise CnoError(f"can't remove {dest}: {e.strerror or e}") from None
    return True
