"""Time whole cno processes against the floor `python -c "import sqlite3"`.

    python tests/bench/run.py [--runs 10] [--quick] [--cache DIR] [--write-results]

Builds (or takes from --cache) a 1k-contact journal (1k contacts, 10k
touchpoints, 500 referrals) and a 100k one (100k / 1M / 50k) with
make_journal.py, then times each command as a whole process, its output a
default Rich table sent to a pipe. Every round runs the floor, the command on
the 1k journal and on the 100k journal, in a rotating order, after one
warm-up of each: these machines are shared and noisy, so only ratios
measured side by side mean anything. The medians, their ratios and each
command's peak memory (its own max RSS) are printed as a Markdown table,
then the budgets and whether each is met; the exit status is 1 when one is
not. `--write-results` also writes the table to tests/bench/RESULTS.md.

Writing commands (log, add, done) run on a copy of each journal, so the
journals the reports read stay as built; `done` closes a different open
follow-up every run, and `add` adds a differently named person every run (cno
refuses a name a contact already has, without --again).

Then the cost of the change history (cno.history), in a second table, "Undo
log". "Without the undo log" is a copy of the journal with every `_cno_h_*`
trigger dropped: the triggers are the whole cost of recording, nothing else in
cno changes (history.begin/end still run, and find nothing to record).

- `cno log` on the 1k journal without the log runs in the same rounds as the
  floor and `cno log` with it (the main table's row), on its own copy.
- `cno import linkedin` of a generated 10,000-row Connections.csv, each run
  into a fresh copy of the 1k journal, with and without the triggers, then
  `cno undo` of that import; beside them `sqlite-utils insert DB t FILE --csv`
  of the same file into a new file, as the yardstick; interleaved, 3 runs
  (fewer with --runs < 3) after a warm-up of each.
- On a copy of the 100k journal: `cno config set cadence.A 21d`, then `cno
  undo`, once each: time, peak memory, and the undo log's size after each
  (rows; an estimate of its bytes; its pages from dbstat when SQLite has it).
  make_journal.py already sets cadence.A to 21d, which would make the set a
  change of nothing; so the copy first has it unset (back to the default 30d,
  re-dating the tier-A contacts; not timed) and its history emptied, and the
  timed set is the change from the default the command is about.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
TODAY = "2026-11-22"
SEED = 1
SMALL = (1_000, 10_000, 500)
BIG = (100_000, 1_000_000, 50_000)
FLOOR = [sys.executable, "-c", "import sqlite3"]
SLOW_S = 5.0  # a command slower than this on the big journal gets only 3 timed runs there
MAX_MB = 150
# the undo log (cno.history): with its triggers over without, and undo over the change it takes back
LOG_WITH_OVER_WITHOUT = 1.10  # `cno log` on 1k
IMPORT_WITH_OVER_WITHOUT = 1.30  # `cno import linkedin` of IMPORT_ROWS rows into the 1k journal
UNDO_OVER_IMPORT = 2.0  # `cno undo` of that import over the import itself (with the log)
IMPORT_ROWS = 10_000
IMPORT_RUNS = 3
CADENCE = ("cadence.A", "21d")  # set on the 100k journal, then undone
HISTORY_TRIGGERS = r"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '\_cno\_h\_%' ESCAPE '\'"
LOG_ESTIMATE = (
    "SELECT count(*), sum(length(tbl) + coalesce(length(col), 0) + coalesce(length(CAST(val AS BLOB)), 8) + 24)"
    " FROM _cno_undo"
)
LOG_PAGES = "SELECT sum(pgsize) FROM dbstat WHERE name IN ('_cno_undo', '_cno_undo_change')"

# label, argv ({ref}, {fid} and {new} are filled in per journal), writes?
COMMANDS = [
    ("cno log", ["log", "{ref}", "benchmark coffee", "--via", "meeting", "--minutes", "30"], True),
    ("cno add", ["add", "{new}", "--tier", "B", "--tag", "bench"], True),
    ("cno done", ["done", "{fid}"], True),
    ("cno due", ["due"], False),
    ("cno due --limit 50", ["due", "--limit", "50"], False),
    ("cno list", ["list"], False),
    ("cno show", ["show", "{ref}"], False),
    ("cno referrals --top 20", ["referrals", "--top", "20"], False),
    ("cno goals", ["goals"], False),
    ("cno review", ["review"], False),
    ("cno suggest", ["suggest"], False),
    ("cno search", ["search", "kubernetes"], False),
    ("cno --help", ["--help"], False),
]
# (label, limit, what): a ratio to the floor on the 1k journal ...
FLOOR_BUDGETS = [("cno log", 5), ("cno add", 5), ("cno done", 5), ("cno due", 8), ("cno list", 8), ("cno show", 8)]
# ... and the 100k journal's time over the 1k journal's
SCALE_BUDGETS = [("cno due --limit 50", 1.5), ("cno referrals --top 20", 1.5), ("cno review", 3), ("cno suggest", 2)]


PYTHON_M = False  # --python-m: time the checkout that is the current folder


def cno_exe() -> list[str]:
    """The `cno` script of this interpreter's environment (how users run it), else `python -m cno`."""
    script = Path(sys.executable).parent / "cno"
    return [str(script)] if script.exists() and not PYTHON_M else [sys.executable, "-m", "cno"]


def sqlite_utils_exe() -> list[str]:
    script = Path(sys.executable).parent / "sqlite-utils"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sqlite_utils"]


def cno_env(db: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "CNO_DEBUG", "CNO_DB")}
    return {**env, "CNO_DB": str(db), "CNO_TODAY": TODAY}


@dataclass
class Journal:
    label: str
    path: Path  # as built: what read commands use
    work: Path  # a copy for the writing commands
    ref: str  # a unique, active contact's exact name
    follow_ups: list[int] = field(default_factory=list)  # open follow-ups `done` may close
    added: int = 0  # people `add` has added: the next is "Bench Person <added + 1>"

    def env(self, writes: bool) -> dict:
        return cno_env(self.work if writes else self.path)

    def argv(self, args: list[str]) -> list[str]:
        if "{fid}" in args:
            fid = str(self.follow_ups.pop(0))
            args = [fid if a == "{fid}" else a for a in args]
        if "{new}" in args:
            self.added += 1
            args = [f"Bench Person {self.added}" if a == "{new}" else a for a in args]
        return [*cno_exe(), *(self.ref if a == "{ref}" else a for a in args)]


def build(folder: Path, sizes: tuple[int, int, int]) -> tuple[Path, float | None]:
    """The journal of these sizes in `folder`, built unless already there; and how long its build took."""
    c, t, r = sizes
    path = folder / f"bench-{c}-{t}-{r}-seed{SEED}.db"
    seconds = Path(f"{path}.build-seconds")  # kept beside a cached journal, so a reuse still reports it
    if path.exists():
        return path, float(seconds.read_text()) if seconds.exists() else None
    partial = path.with_suffix(".partial")
    for p in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        p.unlink(missing_ok=True)
    print(f"building {path.name} …", file=sys.stderr)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(HERE / "make_journal.py"), str(partial), "--contacts", str(c), "--touchpoints", str(t),
         "--referrals", str(r), "--seed", str(SEED), "--today", TODAY],
        check=True,
    )  # fmt: skip
    took = time.perf_counter() - start
    partial.rename(path)
    seconds.write_text(f"{took:.1f}\n")
    return path, took


def prepare(label: str, path: Path, folder: Path) -> Journal:
    # A read command migrates a journal an older cno built, once, before any timing.
    run([*cno_exe(), "due", "-f", "json"], {**os.environ, "CNO_DB": str(path), "CNO_TODAY": TODAY})
    work = folder / f"work-{path.name}"
    shutil.copyfile(path, work)
    conn = sqlite3.connect(f"file:{work}?mode=ro", uri=True)
    try:
        (ref,) = conn.execute(
            "SELECT name FROM contacts WHERE archived = 0 AND name_key IN"
            " (SELECT name_key FROM contacts GROUP BY name_key HAVING count(*) = 1) ORDER BY id LIMIT 1"
        ).fetchone()
        fids = [r[0] for r in conn.execute("SELECT id FROM followups WHERE done_on IS NULL ORDER BY id")]
    finally:
        conn.close()
    return Journal(label, path, work, ref, fids)


def run(argv: list[str], env: dict) -> tuple[float, float]:
    """Run one process to its end: (wall seconds, its own peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    # Reading the pipe (as a shell pipeline would) keeps a big table from blocking it.
    while proc.stdout.read(1 << 16):
        pass
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not all children's
    took = time.perf_counter() - start
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = subprocess.run(argv, env=env, capture_output=True, text=True).stderr.strip()
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {err}")
    return took, usage.ru_maxrss / 1024  # Linux reports KiB


@dataclass
class Result:
    label: str
    floor: float
    small: float
    big: float
    runs: int
    big_runs: int
    peak_mb: float
    others: dict[str, float] = field(default_factory=dict)  # medians of the extra jobs, same rounds
    other_peaks: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.small / self.floor

    @property
    def scale(self) -> float:
        return self.big / self.small


def measure(
    label: str, args: list[str], writes: bool, small: Journal, big: Journal, runs: int,
    extra: dict[str, Journal] | None = None,
) -> Result:
    """Medians of the floor and of the command on both journals (and on each
    `extra` journal), interleaved round by round."""
    jobs = {"floor": lambda: run(FLOOR, small.env(False))}
    for name, j in (("small", small), ("big", big), *(extra or {}).items()):
        jobs[name] = lambda j=j: run(j.argv(args), j.env(writes))
    times: dict[str, list[float]] = {k: [] for k in jobs}
    warm = {k: job() for k, job in jobs.items()}  # warm-up: page cache, .pyc files
    peaks = {k: m for k, (_, m) in warm.items()}
    big_runs = runs if warm["big"][0] < SLOW_S else min(runs, 3)
    order = list(jobs)
    for i in range(runs):
        k = i % len(order)
        for name in order[k:] + order[:k]:  # rotate, so no job always follows another
            if name == "big" and i >= big_runs:
                continue
            took, mb = jobs[name]()
            times[name].append(took)
            peaks[name] = max(peaks[name], mb)
    med = {k: statistics.median(v) for k, v in times.items()}
    peak = max(peaks[k] for k in ("floor", "small", "big"))
    others = {k: med[k] for k in extra or {}}
    return Result(label, med["floor"], med["small"], med["big"], runs, big_runs, peak, others,
                  {k: peaks[k] for k in extra or {}})  # fmt: skip


# -- the undo log -------------------------------------------------------------------


@dataclass
class LogSize:
    """The undo log (_cno_undo and its index) of a journal."""

    rows: int
    estimate: int  # bytes: LOG_ESTIMATE
    pages: int | None  # bytes in its b-tree pages (dbstat); None without dbstat


@dataclass
class Step:
    label: str
    seconds: float  # median
    runs: int
    peak_mb: float
    log: LogSize | None = None  # after it (the last run's)


@dataclass
class Undo:
    log_with: Step
    log_without: Step
    import_with: Step
    import_without: Step
    import_undo: Step
    yardstick: Step
    cadence_set: Step | None  # None: not measured
    cadence_undo: Step | None


def fresh_copy(src: Path, dst: Path) -> Path:
    for p in (dst, Path(f"{dst}-wal"), Path(f"{dst}-shm"), Path(f"{dst}-checked")):
        p.unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


def looked_at(path: Path) -> None:
    """Let cno check a journal it has not seen (a copy, a file changed behind its
    back) with a read, so the command timed next doesn't pay that check."""
    run([*cno_exe(), "due", "--limit", "1", "-f", "json"], cno_env(path))


def upgraded(path: Path) -> None:
    """Apply any migration still pending on disk (a read upgrades only a copy in
    memory): a write's upgrade would reinstall the history triggers."""
    code = "import sys; from pathlib import Path; from cno.db import open_journal; open_journal(Path(sys.argv[1]), create=True).close()"
    subprocess.run([sys.executable, "-c", code, str(path)], env=cno_env(path), check=True)


def history_triggers(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute(HISTORY_TRIGGERS)]
    finally:
        conn.close()


def without_log(src: Path, dst: Path) -> Path:
    """A copy of the journal with every history trigger dropped: it records no undo log."""
    fresh_copy(src, dst)
    upgraded(dst)
    conn = sqlite3.connect(dst, isolation_level=None)
    try:
        names = [r[0] for r in conn.execute(HISTORY_TRIGGERS)]
        if not names:
            raise SystemExit(f"{src} has no _cno_h_* triggers: is this a journal with the change history?")
        conn.execute("BEGIN")
        for name in names:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("COMMIT")
    finally:
        conn.close()
    return dst


def still_without(path: Path) -> None:
    if history_triggers(path):
        raise SystemExit(f"{path}: the history triggers came back (an upgrade?), so 'without the log' was not")


def log_size(path: Path) -> LogSize:
    """The undo log of a journal no cno process has open, read without touching it:
    even a read-only connection leaves a -wal and -shm behind, and a changed
    -wal makes cno check the whole file again on its next run (the next timed
    command). cno's last connection checkpoints and removes its -wal."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        raise SystemExit(f"{wal} is not empty: a cno process still has {path} open?")
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        rows, estimate = conn.execute(LOG_ESTIMATE).fetchone()
        try:
            (pages,) = conn.execute(LOG_PAGES).fetchone()
        except sqlite3.OperationalError:  # SQLite built without SQLITE_ENABLE_DBSTAT_VTAB
            pages = None
    finally:
        conn.close()
    return LogSize(rows, estimate or 0, pages)


def connections_csv(path: Path, n: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
        for i in range(n):
            f.write(f"First{i},Last{i},https://www.linkedin.com/in/p{i},,Company {i % 97},Role,26 Jul 2025\n")
    return path


def measure_import(small: Journal, tmp: Path, runs: int) -> tuple[Step, Step, Step, Step]:
    """`cno import linkedin` with and without the log, `cno undo` of it, and the
    yardstick, interleaved, each import into a fresh copy of the 1k journal."""
    csv = connections_csv(tmp / "Connections.csv", IMPORT_ROWS)
    with_t = fresh_copy(small.path, tmp / "import-with.db")
    upgraded(with_t)
    bare_t = without_log(small.path, tmp / "import-without.db")
    target = tmp / "import-run.db"
    yard = tmp / "yardstick.db"
    importing = [*cno_exe(), "import", "linkedin", str(csv)]
    times: dict[str, list[float]] = {k: [] for k in ("with", "undo", "without", "yard")}
    peaks = dict.fromkeys(times, 0.0)
    logs: dict[str, LogSize] = {}

    def note(name: str, took_mb: tuple[float, float], keep: bool) -> None:
        if keep:
            times[name].append(took_mb[0])
        peaks[name] = max(peaks[name], took_mb[1])

    def with_log(keep: bool) -> None:
        looked_at(fresh_copy(with_t, target))
        note("with", run(importing, cno_env(target)), keep)
        logs["with"] = log_size(target)
        note("undo", run([*cno_exe(), "undo"], cno_env(target)), keep)
        logs["undo"] = log_size(target)

    def without(keep: bool) -> None:
        looked_at(fresh_copy(bare_t, target))
        note("without", run(importing, cno_env(target)), keep)
        still_without(target)

    def yardstick(keep: bool) -> None:
        for p in (yard, Path(f"{yard}-wal"), Path(f"{yard}-shm")):
            p.unlink(missing_ok=True)
        note("yard", run([*sqlite_utils_exe(), "insert", str(yard), "t", str(csv), "--csv"], dict(os.environ)), keep)

    jobs = [with_log, without, yardstick]
    for job in jobs:  # warm-up
        job(False)
    for i in range(runs):
        k = i % len(jobs)
        for job in jobs[k:] + jobs[:k]:
            job(True)
    med = {k: statistics.median(v) for k, v in times.items()}
    n = f"{IMPORT_ROWS:,}"
    return (
        Step(f"`cno import linkedin` of {n} rows into 1k, with the undo log", med["with"], runs, peaks["with"], logs["with"]),
        Step(f"`cno import linkedin` of {n} rows into 1k, without it", med["without"], runs, peaks["without"]),
        Step("`cno undo` of that import", med["undo"], runs, peaks["undo"], logs["undo"]),
        Step(f"yardstick `sqlite-utils insert DB t FILE --csv` of the {n} rows", med["yard"], runs, peaks["yard"]),
    )


def measure_cadence(big: Journal, tmp: Path) -> tuple[Step, Step]:
    """`cno config set cadence.A 21d` on a copy of the 100k journal, then `cno undo`."""
    key, value = CADENCE
    path = fresh_copy(big.path, tmp / "cadence-100k.db")
    env = cno_env(path)
    got = subprocess.run([*cno_exe(), "config", "get", key], env=env, capture_output=True, text=True, check=True)
    if got.stdout.strip() == value:  # make_journal.py's own setting: the set would change nothing
        run([*cno_exe(), "config", "unset", key], env)
    conn = sqlite3.connect(path, isolation_level=None)
    try:  # start from an empty history: the log measured is this change's alone
        conn.execute("BEGIN")
        conn.execute("DELETE FROM _cno_undo")
        conn.execute("DELETE FROM _cno_changes")
        conn.execute("COMMIT")
    finally:
        conn.close()
    looked_at(path)
    took, mb = run([*cno_exe(), "config", "set", key, value], env)
    set_step = Step(f"`cno config set {key} {value}` on 100k", took, 1, mb, log_size(path))
    if set_step.log.rows == 0:
        raise SystemExit(f"`cno config set {key} {value}` recorded no change on {path}")
    took, mb = run([*cno_exe(), "undo"], env)
    return set_step, Step("`cno undo` of it on 100k", took, 1, mb, log_size(path))


def measure_undo(log: Result, small: Journal, big: Journal, tmp: Path, runs: int) -> Undo:
    print("timing cno import linkedin / cno undo …", file=sys.stderr)
    imports = measure_import(small, tmp, min(runs, IMPORT_RUNS))
    print(f"timing cno config set {' '.join(CADENCE)} / cno undo on 100k …", file=sys.stderr)
    cadence = measure_cadence(big, tmp)
    return Undo(
        Step("`cno log` on 1k, with the undo log", log.small, log.runs, log.peak_mb),
        Step("`cno log` on 1k, without it (triggers dropped)", log.others["bare"], log.runs, log.other_peaks["bare"]),
        *imports,
        *cadence,
    )


def _kib(n: int | None) -> str:
    return "" if n is None else f"{n / 1024:,.0f}"


def undo_table(u: Undo) -> str:
    lines = [
        "| measurement | ms | ratio | peak MB | log rows after | log KiB (estimate) | log KiB (pages) |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    imp, yard = u.import_with.seconds, u.yardstick.seconds
    rows = [
        (u.log_with, f"{u.log_with.seconds / u.log_without.seconds:.2f}× without"),
        (u.log_without, ""),
        (u.import_with, f"{imp / u.import_without.seconds:.2f}× without, {imp / yard:.1f}× yardstick"),
        (u.import_without, f"{u.import_without.seconds / yard:.1f}× yardstick"),
        (u.import_undo, f"{u.import_undo.seconds / imp:.2f}× the import"),
        (u.yardstick, ""),
    ]
    if u.cadence_set and u.cadence_undo:
        rows += [(u.cadence_set, ""), (u.cadence_undo, f"{u.cadence_undo.seconds / u.cadence_set.seconds:.2f}× the set")]
    for s, ratio in rows:
        runs = f" ({s.runs} run{'s' if s.runs != 1 else ''})" if s.runs != u.log_with.runs else ""
        log = s.log
        cells = (f"{log.rows:,}", _kib(log.estimate), _kib(log.pages) if log.pages is not None else "n/a") if log else ("", "", "")
        lines.append(f"| {s.label} | {s.seconds * 1000:.0f}{runs} | {ratio} | {s.peak_mb:.0f} | {' | '.join(cells)} |")
    return "\n".join(lines)


def undo_budgets(u: Undo) -> list[tuple[str, bool]]:
    out = []
    r = u.log_with.seconds / u.log_without.seconds
    out.append((f"`cno log` on 1k with the undo log ≤ {LOG_WITH_OVER_WITHOUT:.2f}× without: {r:.2f}×", r <= LOG_WITH_OVER_WITHOUT))
    r = u.import_with.seconds / u.import_without.seconds
    out.append((f"`cno import linkedin` ({IMPORT_ROWS:,} rows) with the undo log ≤ {IMPORT_WITH_OVER_WITHOUT:.2f}× without: {r:.2f}×",
                r <= IMPORT_WITH_OVER_WITHOUT))  # fmt: skip
    r = u.import_undo.seconds / u.import_with.seconds
    out.append((f"`cno undo` of that import ≤ {UNDO_OVER_IMPORT:g}× the import (with the log): {r:.2f}×", r <= UNDO_OVER_IMPORT))
    if u.cadence_set and u.cadence_undo:
        worst = max((u.cadence_set, u.cadence_undo), key=lambda s: s.peak_mb)
        out.append((f"peak memory of `cno config set {' '.join(CADENCE)}` and its `cno undo` on 100k < {MAX_MB} MB: "
                    f"largest {worst.peak_mb:.0f} MB ({worst.label.split(' on ')[0]})", worst.peak_mb < MAX_MB))  # fmt: skip
    return out


def table(results: list[Result]) -> str:
    lines = [
        "| command | 1k ms | ×floor | 100k ms | 100k/1k | peak MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        runs = f" ({r.big_runs} runs)" if r.big_runs != r.runs else ""
        lines.append(
            f"| `{r.label}` | {r.small * 1000:.0f} | {r.ratio:.1f}× | {r.big * 1000:.0f}{runs} | {r.scale:.2f}× | {r.peak_mb:.0f} |"
        )
    floor = statistics.median(r.floor for r in results)
    lines.append(f"| floor `python -c \"import sqlite3\"` | {floor * 1000:.0f} | 1.0× | | | |")
    return "\n".join(lines)


def budgets(results: list[Result]) -> list[tuple[str, bool]]:
    by = {r.label: r for r in results}
    out = []
    for label, limit in FLOOR_BUDGETS:
        r = by[label]
        out.append((f"`{label}` ≤ {limit}× floor on 1k: {r.ratio:.1f}×", r.ratio <= limit))
    for label, limit in SCALE_BUDGETS:
        r = by[label]
        out.append((f"`{label}` on 100k ≤ {limit}× its 1k time: {r.scale:.2f}×", r.scale <= limit))
    worst = max(results, key=lambda r: r.peak_mb)
    out.append((f"peak memory of every command < {MAX_MB} MB: largest {worst.peak_mb:.0f} MB (`{worst.label}`)", worst.peak_mb < MAX_MB))
    return out


# -- readers of other people's files --------------------------------------------------------

EVENTS, CARDS = 5_000, 10_000
READER_BUDGETS = {"calendar": 5_000, "vCard": 3_000}  # items a second, in --dry-run


def calendar_file(path: Path, n: int) -> Path:
    """n events over two years with a contact and a room among their attendees; one in ten a weekly series."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//cno bench//EN"]
    for i in range(n):
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        year = 2025 + (i // 336) % 2
        lines += [
            "BEGIN:VEVENT", f"UID:bench-{i}@example.com", "DTSTAMP:20260101T000000Z",
            f"DTSTART;TZID=Europe/London:{year}{month:02d}{day:02d}T{9 + i % 8:02d}0000",
            f"DTEND;TZID=Europe/London:{year}{month:02d}{day:02d}T{10 + i % 8:02d}0000",
            f"SUMMARY:Meeting {i}", "ORGANIZER;CN=Me:mailto:me@example.com",
            f"ATTENDEE;CN=Person {i % 50};PARTSTAT=ACCEPTED:mailto:p{i % 50}@example.com",
            "ATTENDEE;CUTYPE=ROOM;CN=Room 1:mailto:room1@resource.calendar.google.com",
        ]
        if i % 10 == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=4")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def vcard_file(path: Path, n: int) -> Path:
    cards = []
    for i in range(n):
        cards.append(
            "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"N:Last{i};First{i};;;\r\nFN:First{i} Last{i}\r\nORG:Company {i % 97}\r\nTITLE:Role {i % 13}\r\n"
            f"EMAIL;TYPE=INTERNET:first{i}@example.com\r\nTEL;TYPE=CELL:+44 20 7946 {i % 10000:04d}\r\n"
            f"BDAY:19{50 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}\r\nNOTE:met at event {i % 31}\r\nEND:VCARD\r\n"
        )
    path.write_text("".join(cards))
    return path


@dataclass
class Reader:
    label: str
    items: int
    wall: float
    cpu: float
    peak_mb: float

    @property
    def rate(self) -> float:
        return self.items / self.wall

    @property
    def cpu_rate(self) -> float:
        return self.items / self.cpu


def run_cpu(argv: list[str], env: dict) -> tuple[float, float, float]:
    """(wall seconds, the child's CPU seconds, its peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure_readers(tmp: Path, runs: int) -> list[Reader]:
    """`--dry-run` of a 5,000-event calendar and a 10,000-card vCard file: what the readers (and the plan) take."""
    journal = tmp / "readers.db"
    env = cno_env(journal)
    subprocess.run([*cno_exe(), "config", "set", "me.email", "me@example.com"], env=env, check=True, capture_output=True)
    for i in range(50):
        subprocess.run([*cno_exe(), "add", f"Person {i}", "--email", f"p{i}@example.com"], env=env, check=True, capture_output=True)
    ics, vcf = calendar_file(tmp / "bench.ics", EVENTS), vcard_file(tmp / "bench.vcf", CARDS)
    jobs = [
        ("calendar", EVENTS, [*cno_exe(), "capture", "ics", str(ics), "--dry-run", "-f", "json"]),
        ("vCard", CARDS, [*cno_exe(), "import", "vcard", str(vcf), "--dry-run", "-f", "json"]),
    ]
    out = []
    for label, n, argv in jobs:
        print(f"timing the {label} reader …", file=sys.stderr)
        run_cpu(argv, env)  # warm-up
        took = [run_cpu(argv, env) for _ in range(max(3, min(runs, 5)))]
        out.append(Reader(label, n, statistics.median(t[0] for t in took), statistics.median(t[1] for t in took),
                          max(t[2] for t in took)))  # fmt: skip
    return out


def reader_table(readers: list[Reader]) -> str:
    rows = ["| file (`--dry-run -f json`) | items | wall s | items/s | CPU s | items/s of CPU | peak MB |", "|---|---:|---:|---:|---:|---:|---:|"]
    rows += [f"| {r.label} | {r.items:,} | {r.wall:.2f} | {r.rate:,.0f} | {r.cpu:.2f} | {r.cpu_rate:,.0f} | {r.peak_mb:.0f} |" for r in readers]
    return "\n".join(rows)


def reader_budgets(readers: list[Reader]) -> list[tuple[str, bool]]:
    # the rate of CPU time: on these shared machines a wall clock measures the neighbours
    out = [(f"{r.label} reader ≥ {READER_BUDGETS[r.label]:,} items/s of CPU: {r.cpu_rate:,.0f}", r.cpu_rate >= READER_BUDGETS[r.label]) for r in readers]
    out += [(f"{r.label} reader peak memory < {MAX_MB} MB: {r.peak_mb:.0f}", r.peak_mb < MAX_MB) for r in readers]
    return out


# -- sync contacts with a vdir ------------------------------------------------------------

SYNC_CONTACTS = 10_000
SYNC_NO_CHANGE_S = 1.0  # the nightly run when nothing changed
SYNC_FIRST_VS_EXPORT = 3.0  # the first run (every card written) against `export vcard` of the same journal


@dataclass
class SyncTimes:
    export: tuple[float, float, float]  # wall s, CPU s, peak MB of `export vcard -o FILE`
    first: tuple[float, float, float]  # `sync contacts DIR` into an empty folder
    again: tuple[float, float, float]  # the same sync again: nothing changed


def measure_sync(tmp: Path, runs: int) -> SyncTimes:
    """`cno sync contacts` of a 10,000-contact journal: the first run into an empty
    folder (a fresh copy of the journal each time) and a run with nothing changed,
    beside `cno export vcard` of the same journal."""
    built, _ = build(tmp, (SYNC_CONTACTS, SYNC_CONTACTS * 10, 500))
    n = max(3, min(runs, 5))

    def median(samples):
        return tuple(statistics.median(s[i] for s in samples) for i in range(2)) + (max(s[2] for s in samples),)

    print("timing export vcard and sync contacts …", file=sys.stderr)
    export = [run_cpu([*cno_exe(), "export", "vcard", "-o", str(tmp / f"sync-{i}.vcf")], cno_env(built)) for i in range(n)]
    first, again = [], []
    for i in range(n):
        work, folder = fresh_copy(built, tmp / f"sync-work-{i}.db"), tmp / f"sync-dir-{i}"
        folder.mkdir()
        argv = [*cno_exe(), "sync", "contacts", str(folder), "-f", "json"]
        first.append(run_cpu(argv, cno_env(work)))
        again.append(run_cpu(argv, cno_env(work)))
    return SyncTimes(median(export), median(first), median(again))


def sync_table(t: SyncTimes) -> str:
    rows = ["| 10,000 contacts | wall s | CPU s | peak MB |", "|---|---:|---:|---:|"]
    for label, (wall, cpu, mb) in (("`export vcard -o FILE`", t.export), ("`sync contacts DIR`, first run", t.first),
                                   ("`sync contacts DIR`, nothing changed", t.again)):  # fmt: skip
        rows.append(f"| {label} | {wall:.2f} | {cpu:.2f} | {mb:.0f} |")
    return "\n".join(rows)


def sync_budgets(t: SyncTimes) -> list[tuple[str, bool]]:
    return [
        (f"sync contacts, nothing changed ≤ {SYNC_NO_CHANGE_S:g} s: {t.again[0]:.2f}", t.again[0] <= SYNC_NO_CHANGE_S),
        (f"sync contacts, first run ≤ {SYNC_FIRST_VS_EXPORT:g}× export vcard: {t.first[0] / t.export[0]:.1f}×",
         t.first[0] <= SYNC_FIRST_VS_EXPORT * t.export[0]),
    ]  # fmt: skip


# -- the write path and long listings (issue 16) ---------------------------------------

LISTING_BUDGETS = [("list", ["list"], 2.0), ("due", ["due"], 0.5), ("search {word}", ["search", "{word}"], 0.3)]
IMPORT_RATIO = 2.5  # `cno import linkedin` over `sqlite-utils insert --csv` of the same rows
RESTORE_RATE = 50_000  # rows/s of `cno import json` of the 100k dump
WRITE_PATH_SIZES = (10_000, 100_000)


def module_exe() -> list[str]:
    """cno as `python -m cno`: the checkout the benchmark is run from."""
    return [sys.executable, "-m", "cno"]


def common_note_word(path: Path) -> str:
    """The word most notes of the journal hold (a third of them in the generated one)."""
    import collections
    import re

    conn = sqlite3.connect(path)
    try:
        words = collections.Counter()
        for (note,) in conn.execute("SELECT note FROM touchpoints WHERE note IS NOT NULL LIMIT 100000"):
            words.update(set(re.findall(r"[^\W_]+", note.lower())))
    finally:
        conn.close()
    return words.most_common(1)[0][0]


def measure_write_path(big: Path, tmp: Path, runs: int) -> list[tuple[str, float, float, str, bool]]:
    """(what, seconds, peak MB, yardstick or target, met) for the listings at 100k,
    `import linkedin` at 10k and 100k beside sqlite-utils, and `import json` of the 100k dump."""
    out = []
    word = common_note_word(big)
    env = cno_env(big)
    for label, args, limit in LISTING_BUDGETS:
        argv = [*module_exe(), *(word if a == "{word}" else a for a in args)]
        run(argv, env)  # warm-up
        times, floors, peak = [], [], 0.0
        for _ in range(runs):
            floors.append(run(FLOOR, env)[0])
            took, mb = run(argv, env)
            times.append(took)
            peak = max(peak, mb)
        t, f = statistics.median(times), statistics.median(floors)
        out.append((f"`cno {label.format(word=word)}` at 100k, to a pipe", t, peak, f"≤ {limit} s (floor {f:.2f} s)", t <= limit))
    for n in WRITE_PATH_SIZES:
        csv = connections_csv(tmp / f"Connections-{n}.csv", n)
        cno_t, yard_t, peak = [], [], 0.0
        for _ in range(max(1, min(runs, 3))):
            target, yard = tmp / f"li-{n}.db", tmp / f"yard-{n}.db"
            for p in (target, yard):
                for q in (p, Path(f"{p}-wal"), Path(f"{p}-shm"), Path(f"{p}-checked")):
                    q.unlink(missing_ok=True)
            took, mb = run([*module_exe(), "import", "linkedin", str(csv)], cno_env(target))
            cno_t.append(took)
            peak = max(peak, mb)
            yard_t.append(run([*sqlite_utils_exe(), "insert", str(yard), "t", str(csv), "--csv"], dict(os.environ))[0])
        c, y = statistics.median(cno_t), statistics.median(yard_t)
        ok = c <= IMPORT_RATIO * y and (n < 100_000 or peak < MAX_MB)
        out.append((f"`cno import linkedin` of {n:,} rows into an empty journal", c, peak,
                    f"sqlite-utils {y:.2f} s: {c / y:.1f}× (≤ {IMPORT_RATIO}×)", ok))  # fmt: skip
    dump = tmp / "dump.json"
    run([*module_exe(), "export", "json", "-o", str(dump)], env)
    rows = sum(1 for line in dump.open(encoding="utf-8") if line.startswith("{\"")) - 1
    target = tmp / "restored.db"
    took, mb = run([*module_exe(), "import", "json", str(dump)], cno_env(target))
    rate = rows / took
    out.append((f"`cno import json` of the 100k dump ({rows:,} rows, {dump.stat().st_size / 1e6:.0f} MB)", took, mb,
                f"{rate:,.0f} rows/s (≥ {RESTORE_RATE:,}), peak < {MAX_MB} MB", rate >= RESTORE_RATE and mb < MAX_MB))  # fmt: skip
    return out


CAPTURE_SIZES = {"ics": (1_000, 10_000), "maildir": (10_000, 100_000)}
CAPTURE_RATE = 5_000  # touchpoints written a second
CAPTURE_GROWTH = 11.0  # 10× the items: at most this many times the time
CAPTURE_AGAIN = 0.10  # a re-run with nothing new, as a share of the first run


def one_contact_calendar(path: Path, n: int) -> Path:
    """n one-hour events over two years, each with the same one contact."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//cno bench//EN"]
    for i in range(n):
        d = i % 700
        y, m, day = 2025 + d // 365, 1 + (d % 365) // 31 % 12, 1 + d % 28
        start = f"{y}{m:02d}{day:02d}T{8 + i % 10:02d}{i % 60:02d}00Z"
        end = f"{y}{m:02d}{day:02d}T{9 + i % 10:02d}{i % 60:02d}00Z"
        lines += [
            "BEGIN:VEVENT", f"UID:one-{i}@example.com", "DTSTAMP:20260101T000000Z", f"DTSTART:{start}", f"DTEND:{end}",
            f"SUMMARY:Call {i}", "ORGANIZER;CN=Me:mailto:me@example.com",
            "ATTENDEE;CN=Ada Lovelace;PARTSTAT=ACCEPTED:mailto:ada@example.com", "END:VEVENT",
        ]  # fmt: skip
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def one_contact_maildir(path: Path, n: int) -> Path:
    """n messages over two years, every one between me and the same one contact, each its own thread."""
    days, months = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        d = i % 700
        frm, to = ("ada@example.com", "me@example.com") if i % 2 else ("me@example.com", "ada@example.com")
        (path / "cur" / f"{i}.bench:2,S").write_text(
            f"From: {frm}\nTo: {to}\nSubject: note {i}\nMessage-ID: <m{i}@example.com>\n"
            f"Date: {days[i % 7]}, {1 + d % 28:02d} {months[d // 28 % 12]} {2025 + d // 365} 10:{i % 60:02d}:00 +0000\n\nhello\n"
        )
    return path


def measure_capture(tmp: Path, runs: int) -> list[tuple[str, float, float, str, bool]]:
    """`cno capture ics` and `cno capture maildir` of n and 10n items with one contact, into a new journal:
    touchpoints written a second, the growth from n to 10n, and a re-run with nothing new."""
    out = []
    # A re-run with nothing new does little more than start: what any cno takes to do nothing, beside it.
    idle = statistics.median(run([*module_exe(), "--version"], cno_env(tmp / "idle.db"))[0] for _ in range(5))
    for kind, sizes in CAPTURE_SIZES.items():
        took: dict[int, tuple] = {}
        for n in sizes:
            src = tmp / f"capture-{kind}-{n}"
            src = one_contact_calendar(src.with_suffix(".ics"), n) if kind == "ics" else one_contact_maildir(src, n)
            firsts, agains, peak, logged = [], [], 0.0, 0
            for _ in range(max(1, min(runs, 3))):
                journal = tmp / f"capture-{kind}-{n}.db"
                for q in (journal, Path(f"{journal}-wal"), Path(f"{journal}-shm"), Path(f"{journal}-checked")):
                    q.unlink(missing_ok=True)
                env = {**cno_env(journal), "CNO_TODAY": "2026-12-01"}
                subprocess.run([*module_exe(), "config", "set", "me.email", "me@example.com"], env=env, check=True, capture_output=True)
                subprocess.run([*module_exe(), "add", "Ada Lovelace", "--email", "ada@example.com"], env=env, check=True, capture_output=True)
                argv = [*module_exe(), "capture", kind, str(src)]
                t, mb = run(argv, env)
                firsts.append(t)
                peak = max(peak, mb)
                agains.append(run(argv, env)[0])
                conn = sqlite3.connect(journal)
                logged = conn.execute("SELECT count(*) FROM touchpoints").fetchone()[0]
                conn.close()
            took[n] = (statistics.median(firsts), statistics.median(agains), peak, logged)
        (small, _, _, _), (first, again, peak, logged) = took[sizes[0]], took[sizes[1]]
        rate, growth = logged / first, first / small
        ok = rate >= CAPTURE_RATE and growth <= CAPTURE_GROWTH and again <= CAPTURE_AGAIN * first
        out.append((f"`cno capture {kind}` of {sizes[1]:,} items ({logged:,} touchpoints) into a new journal", first, peak,
                    f"{rate:,.0f} touchpoints/s (≥ {CAPTURE_RATE:,}); {growth:.1f}× the {sizes[0]:,} items' {small:.2f} s "
                    f"(≤ {CAPTURE_GROWTH:g}×); re-run {again:.2f} s = {again / first:.0%} (≤ {CAPTURE_AGAIN:.0%}; "
                    f"`cno --version`: {idle:.2f} s)", ok))  # fmt: skip
    return out


def write_path_table(rows) -> str:
    lines = ["| what | seconds | peak MB | yardstick / target | met |", "|---|---:|---:|---|---|"]
    lines += [f"| {w} | {s:.2f} | {m:.0f} | {y} | {'yes' if ok else '**no**'} |" for w, s, m, y, ok in rows]
    return "\n".join(lines)


def report(results: list[Result], undo: Undo, built: dict[str, float | None], runs: int, readers: list[Reader] = (),
           sync: SyncTimes | None = None) -> str:  # fmt: skip
    cores = os.cpu_count()
    load = os.getloadavg()[0]
    header = (
        f"{datetime.now():%Y-%m-%d %H:%M}, {cores} cores (load {load:.1f} at the end), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {runs} runs per command (median)."
    )
    gen = "; ".join(f"{k} journal built in {v:.1f}s" for k, v in built.items() if v is not None)
    checks = "\n".join(
        f"- {'met' if ok else '**NOT met**'}: {text}" for text, ok in budgets(results) + undo_budgets(undo) + reader_budgets(readers)
        + (sync_budgets(sync) if sync else [])
    )
    return (
        f"{header}\n{('make_journal.py: ' + gen + '.') if gen else ''}\n\n{table(results)}\n\n"
        f"Undo log (cno.history). \"Without\": the journal with its `_cno_h_*` triggers dropped. Log columns: "
        f"`_cno_undo` after the step (after an undo, its redo log).\n\n{undo_table(undo)}\n\n"
        f"Readers of other people's files ({EVENTS:,} events, {CARDS:,} cards).\n\n{reader_table(list(readers))}\n\n"
        + (f"Sync contacts with a vdir ({SYNC_CONTACTS:,} contacts).\n\n{sync_table(sync)}\n\n" if sync else "")
        + f"Budgets:\n\n{checks}\n"
    )


def compiled() -> None:
    """Write the bytecode of cno's modules before timing them, as `pip install`
    does: an editable checkout under PYTHONDONTWRITEBYTECODE would otherwise
    compile every changed module again in every timed run (0.1 s of `cno add`)."""
    import compileall

    import cno

    compileall.compile_dir(str(Path(cno.__file__).parent), quiet=1)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    p.add_argument("--quick", action="store_true", help="3 runs: a smoke check, not a measurement")
    p.add_argument("--cache", type=Path, help="keep the built journals here and reuse them next time")
    p.add_argument("--write-results", action="store_true", help=f"also write {RESULTS.name}")
    p.add_argument("--sync-only", action="store_true", help="only the sync contacts measurement (printed, not written)")
    p.add_argument("--python-m", action="store_true", help="run `python -m cno` (the checkout in the current folder), not the cno script")
    p.add_argument("--write-path", type=Path, metavar="JOURNAL",
                   help="only the write path and long listings, on this 100k journal (a copy is never written)")
    a = p.parse_args()
    global PYTHON_M
    PYTHON_M = a.python_m
    compiled()
    if a.write_path:
        tmp = Path(tempfile.mkdtemp(prefix="cno-bench-"))
        try:
            rows = measure_write_path(a.write_path, tmp, 3 if a.quick else a.runs)
            rows += measure_capture(tmp, 3 if a.quick else a.runs)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"{datetime.now():%Y-%m-%d %H:%M}, load {os.getloadavg()[0]:.1f}\n\n{write_path_table(rows)}")
        return 0 if all(r[-1] for r in rows) else 1
    runs = 3 if a.quick else a.runs
    if runs < 1:
        p.error("--runs must be at least 1")
    tmp = Path(tempfile.mkdtemp(prefix="cno-bench-"))
    if a.sync_only:
        try:
            times = measure_sync(tmp, runs)
            checks = sync_budgets(times)
            print(f"{sync_table(times)}\n\n" + "\n".join(f"- {'met' if ok else '**NOT met**'}: {text}" for text, ok in checks))
            return 0 if all(ok for _, ok in checks) else 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    try:
        folder = a.cache or tmp
        folder.mkdir(parents=True, exist_ok=True)
        built = {}
        paths = {}
        for label, sizes in (("1k", SMALL), ("100k", BIG)):
            paths[label], built[label] = build(folder, sizes)
        small, big = (prepare(label, paths[label], tmp) for label in ("1k", "100k"))
        # `cno log` without the undo log runs in the same rounds as with it
        bare = Journal("1k without the undo log", small.path, without_log(small.path, tmp / "work-without-log.db"), small.ref)
        results = []
        for label, args, writes in COMMANDS:
            print(f"timing {label} …", file=sys.stderr)
            extra = {"bare": bare} if label == "cno log" else None
            results.append(measure(label, args, writes, small, big, runs, extra))
        still_without(bare.work)
        undo = measure_undo(next(r for r in results if r.label == "cno log"), small, big, tmp, runs)
        readers = measure_readers(tmp, runs)
        sync = measure_sync(tmp, runs)
        text = report(results, undo, built, runs, readers, sync)
        print(text)
        if a.write_results:
            RESULTS.write_text(f"# Benchmark results\n\nWritten by `python tests/bench/run.py --write-results`.\n\n{text}")
        return 0 if all(ok for _, ok in budgets(results) + undo_budgets(undo) + reader_budgets(readers) + sync_budgets(sync)) else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
