"""Two-way syncs of the journal with vdirs: folders of one-item files (`.vcf`
cards, `.ics` to-dos) that vdirsyncer carries to a CardDAV/CalDAV server and
khard and khal read (README "Your phone and other machines").

`files` holds what every sync shares (the folder check, reading it, writing
into it only while a file is still what was read); `contacts` is `cno sync
contacts DIR`, `tasks` is `cno sync tasks DIR`. cno opens no network
connection: the folder is the other side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
