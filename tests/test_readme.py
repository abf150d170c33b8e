"""The README's examples, followed in order on a fresh journal, all work, and
every output the README shows is what cno prints.

Every ```sh and ```console block is run top to bottom against one new
journal (today fixed to AS_OF, in a scratch folder holding the files the
examples read); a block after a paragraph "On the demo journal …" runs
against the demo the Quickstart's `cno demo` writes (today fixed to AS_OF, as
`cno demo --as-of AS_OF`). A ```console block's output is
compared with what the command writes (stdout, then stderr); a last line
`...` means the rest is left out. ```text blocks are synopses, not examples.
The time of day in a change's summary is the clock's and is not compared.

After changing cno's output, regenerate the outputs with
`python tests/test_readme.py` (as examples/review.md is, see test_examples).
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
AS_OF = "2026-11-22"
DEMO_MARK = "On the demo journal"
_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}\b")
SHOWN_TIME = "09:12"  # what the README shows for the clock's time of day

# What the examples read that a reader has of their own (their LinkedIn
# export, a phone's cards, a spreadsheet, a mail folder, a calendar).
OWN_FILES = {
    "Downloads/Connections.csv": (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Katherine,Johnson,https://www.linkedin.com/in/katherine-johnson-example,,NASA Langley,Mathematician,12 Mar 2024\n"
    ),
    "contacts.vcf": "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mary Jackson\r\nN:Jackson;Mary;;;\r\nEMAIL:mary@nasa.example\r\nEND:VCARD\r\n",
    "people.csv": "Full Name,Email,Company\nDorothy Vaughan,dorothy@nasa.example,NASA\n",
}
FIXTURES = ROOT / "tests" / "fixtures" / "undo"


@dataclass
class Block:
    lang: str
    first: int  # index of its first line in the README
    lines: list[str]
    demo: bool


@dataclass
class Command:
    line: str  # as written after `$ `
    expected: list[str] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    lines = text.split("\n")
    out, k = [], 0
    while k < len(lines):
        m = re.fullmatch(r"```(\w*)", lines[k])
        if not m:
            k += 1
            continue
        end = lines.index("```", k + 1)
        paragraph = "\n".join(lines[:k]).rstrip().rsplit("\n\n", 1)[-1]
        out.append(Block(m.group(1), k + 1, lines[k + 1 : end], paragraph.strip().startswith(DEMO_MARK)))
        k = end + 1
    return out


def console_commands(block: Block) -> list[Command]:
    cmds: list[Command] = []
    for line in block.lines:
        if line.startswith("$ "):
            cmds.append(Command(line[2:]))
        else:
            cmds[-1].expected.append(line)
    return cmds


def cno_argvs(line: str, home: Path) -> list[list[str]]:
    """The cno invocations of one shell line: each `&&` part that is cno, up to a pipe or a redirect."""
    tokens = shlex.split(line, comments=True)
    argvs, part = [], []
    for tok in tokens + ["&&"]:
        if tok == "&&":
            if part and part[0] == "cno":
                cut = next((i for i, t in enumerate(part) if t in ("|", ">", ">>")), len(part))
                argvs.append([str(home) + t[1:] if t.startswith("~/") else t for t in part[1:cut]])
            part = []
        else:
            part.append(tok)
    return argvs


def _shown(text: str) -> str:
    return _TIME.sub(rf"\1 {SHOWN_TIME}", text)


class Walk:
    """The README followed in order: each block run, each console output compared (or rewritten)."""

    def __init__(self, folder: Path, monkeypatch, today: str = AS_OF):
        self.folder, self.mp = folder, monkeypatch
        self.home = folder / "home"
        self.problems: list[str] = []
        for name, content in OWN_FILES.items():
            target = (self.home if name.startswith("Downloads/") else folder) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        for sub in ("cur", "new", "tmp"):
            (self.home / "Mail" / "INBOX" / sub).mkdir(parents=True)
        shutil.copy(FIXTURES / "maildir-message.eml", self.home / "Mail" / "INBOX" / "cur" / "1.eml:2,S")
        (self.home / "mail").mkdir()
        shutil.copy(FIXTURES / "in.mbox", self.home / "mail" / "archive.mbox")
        shutil.copy(FIXTURES / "cal.ics", self.home / "calendar.ics")
        # the folders vdirsyncer keeps (README "Your phone and other machines"): a calendar, a to-do list
        (self.home / ".local/share/vdir/calendars/personal").mkdir(parents=True)
        shutil.copy(FIXTURES / "cal.ics", self.home / ".local/share/vdir/calendars/personal/cal.ics")
        (self.home / ".local/share/vdir/tasks/cno").mkdir(parents=True)
        shutil.copytree(ROOT / "examples", folder / "examples")
        monkeypatch.chdir(folder)
        monkeypatch.setenv("HOME", str(self.home))
        monkeypatch.setenv("CNO_TODAY", today)

    def mkdir(self, line: str) -> None:
        """`mkdir -p DIR…` as the README tells a reader to: the folders a sync or capture then reads."""
        words = shlex.split(line, comments=True)
        if words[:2] == ["mkdir", "-p"]:
            for d in words[2:]:
                (self.home / d[2:] if d.startswith("~/") else self.folder / d).mkdir(parents=True, exist_ok=True)

    def run(self, argv: list[str], demo: bool, where: str) -> str:
        from tests.conftest import cno

        if demo:
            argv = ["--db", str(self.folder / "cno-demo.db"), *argv]
        r = cno(*argv)
        if r.code != 0:
            self.problems.append(f"README line {where}: cno {shlex.join(argv)} → exit {r.code}: {r.stderr.strip()}")
        return _shown(r.stdout + r.stderr)

    def block(self, b: Block, rewrite: bool) -> list[str]:
        """Run one block; its lines as they should read (the outputs regenerated)."""
        if b.lang == "sh":
            for k, line in enumerate(b.lines):
                self.mkdir(line)
                for argv in cno_argvs(line, self.home):
                    self.run(argv, b.demo, str(b.first + k + 1))
            return b.lines
        if b.lang != "console" and not b.demo:
            return b.lines
        new: list[str] = []
        for cmd in console_commands(b):
            where = str(b.first + b.lines.index("$ " + cmd.line) + 1)
            out = "".join(self.run(argv, b.demo, where) for argv in cno_argvs(cmd.line, self.home))
            got = out.rstrip("\n").split("\n") if out.strip() else []
            want = cmd.expected
            if want and want[-1] == "...":
                got = got[: len(want) - 1] + ["..."] if len(got) >= len(want) else got
            if got != want and not rewrite:
                self.problems.append(
                    f"README line {where}: `$ {cmd.line}` shows\n" + "\n".join(want) + "\nbut cno prints\n" + "\n".join(got)
                )
            new += ["$ " + cmd.line, *got]
        return new


def walk(folder: Path, monkeypatch, rewrite: bool = False, today: str = AS_OF) -> tuple[list[str], str]:
    """Follow the README in order; the problems found, and the README with its outputs regenerated."""
    text = README.read_text()
    w = Walk(folder, monkeypatch, today)
    done = [(b, w.block(b, rewrite)) for b in blocks(text)]
    lines = text.split("\n")
    for b, new in reversed(done):  # from the end, so earlier line numbers hold
        lines[b.first : b.first + len(b.lines)] = new
    return w.problems, "\n".join(lines)


def test_the_readme_examples_work_in_order_and_show_what_cno_prints(tmp_path, monkeypatch):
    problems, _ = walk(tmp_path, monkeypatch)
    assert not problems, "\n\n".join(problems) + "\n\n(regenerate the outputs with `python tests/test_readme.py`)"


@pytest.mark.parametrize("today", ["2026-11-23", "2026-11-25", "2026-11-27"])  # a Monday, Wednesday, Friday
def test_the_readme_examples_work_in_order_on_any_day(tmp_path, monkeypatch, today):
    problems, _ = walk(tmp_path, monkeypatch, rewrite=True, today=today)  # outputs differ by the day; none may fail
    assert not problems, "\n\n".join(problems)


def test_a_console_block_that_drifted_is_reported(tmp_path, monkeypatch):
    w = Walk(tmp_path, monkeypatch)
    b = Block("console", 0, ["$ cno add 'Ada Lovelace'", "added Ada Lovelace (#2), next check-in never"], False)
    w.block(b, rewrite=False)
    assert len(w.problems) == 1 and "added Ada Lovelace (#1)" in w.problems[0]


if __name__ == "__main__":  # rewrite the outputs the README shows
    import tempfile

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CNO_DB", str(Path(tmp) / "data" / "cno.db"))
        for var in ("CNO_DEBUG", "NO_COLOR", "COLUMNS"):
            mp.delenv(var, raising=False)
        (Path(tmp) / "walk").mkdir()
        problems, text = walk(Path(tmp) / "walk", mp, rewrite=True)
    README.write_text(text)
    print("rewrote the outputs in README.md")
    for p in problems:
        print(p, file=sys.stderr)
    sys.exit(1 if problems else 0)
