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
follow-up every run.
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

# label, argv (REF and FID are filled in per journal), writes?
COMMANDS = [
    ("cno log", ["log", "{ref}", "benchmark coffee", "--via", "meeting", "--minutes", "30"], True),
    ("cno add", ["add", "Bench Person", "--tier", "B", "--tag", "bench"], True),
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


def cno_exe() -> list[str]:
    """The `cno` script of this interpreter's environment (how users run it), else `python -m cno`."""
    script = Path(sys.executable).parent / "cno"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cno"]


@dataclass
class Journal:
    label: str
    path: Path  # as built: what read commands use
    work: Path  # a copy for the writing commands
    ref: str  # a unique, active contact's exact name
    follow_ups: list[int] = field(default_factory=list)  # open follow-ups `done` may close

    def env(self, writes: bool) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "CNO_DEBUG", "CNO_DB")}
        return {**env, "CNO_DB": str(self.work if writes else self.path), "CNO_TODAY": TODAY}

    def argv(self, args: list[str]) -> list[str]:
        if "{fid}" in args:
            fid = str(self.follow_ups.pop(0))
            args = [fid if a == "{fid}" else a for a in args]
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

    @property
    def ratio(self) -> float:
        return self.small / self.floor

    @property
    def scale(self) -> float:
        return self.big / self.small


def measure(label: str, args: list[str], writes: bool, small: Journal, big: Journal, runs: int) -> Result:
    """Medians of the floor and of the command on both journals, interleaved round by round."""
    jobs = {"floor": lambda: run(FLOOR, small.env(False))}
    for name, j in (("small", small), ("big", big)):
        jobs[name] = lambda j=j: run(j.argv(args), j.env(writes))
    times: dict[str, list[float]] = {k: [] for k in jobs}
    warm = {k: job() for k, job in jobs.items()}  # warm-up: page cache, .pyc files
    peak = max(m for _, m in warm.values())
    big_runs = runs if warm["big"][0] < SLOW_S else min(runs, 3)
    order = list(jobs)
    for i in range(runs):
        for name in order[i % 3 :] + order[: i % 3]:  # rotate, so no job always follows another
            if name == "big" and i >= big_runs:
                continue
            took, mb = jobs[name]()
            times[name].append(took)
            peak = max(peak, mb)
    med = {k: statistics.median(v) for k, v in times.items()}
    return Result(label, med["floor"], med["small"], med["big"], runs, big_runs, peak)


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


def report(results: list[Result], built: dict[str, float | None], runs: int) -> str:
    cores = os.cpu_count()
    load = os.getloadavg()[0]
    header = (
        f"{datetime.now():%Y-%m-%d %H:%M}, {cores} cores (load {load:.1f} at the end), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {runs} runs per command (median)."
    )
    gen = "; ".join(f"{k} journal built in {v:.1f}s" for k, v in built.items() if v is not None)
    checks = "\n".join(f"- {'met' if ok else '**NOT met**'}: {text}" for text, ok in budgets(results))
    return f"{header}\n{('make_journal.py: ' + gen + '.') if gen else ''}\n\n{table(results)}\n\nBudgets:\n\n{checks}\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    p.add_argument("--quick", action="store_true", help="3 runs: a smoke check, not a measurement")
    p.add_argument("--cache", type=Path, help="keep the built journals here and reuse them next time")
    p.add_argument("--write-results", action="store_true", help=f"also write {RESULTS.name}")
    a = p.parse_args()
    runs = 3 if a.quick else a.runs
    if runs < 1:
        p.error("--runs must be at least 1")
    tmp = Path(tempfile.mkdtemp(prefix="cno-bench-"))
    try:
        folder = a.cache or tmp
        folder.mkdir(parents=True, exist_ok=True)
        built = {}
        paths = {}
        for label, sizes in (("1k", SMALL), ("100k", BIG)):
            paths[label], built[label] = build(folder, sizes)
        small, big = (prepare(label, paths[label], tmp) for label in ("1k", "100k"))
        results = []
        for label, args, writes in COMMANDS:
            print(f"timing {label} …", file=sys.stderr)
            results.append(measure(label, args, writes, small, big, runs))
        text = report(results, built, runs)
        print(text)
        if a.write_results:
            RESULTS.write_text(f"# Benchmark results\n\nWritten by `python tests/bench/run.py --write-results`.\n\n{text}")
        return 0 if all(ok for _, ok in budgets(results)) else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
