"""Time whole cno processes against the floor `python -c "import sqlite3"`.

    python tests/bench/run.py [--runs 15] [--contacts 1000] [--touchpoints 10000]

Builds a journal with make_journal.py in a temporary folder, then for each
command runs it (after a warm-up) interleaved with the floor, and prints the
median wall time of each and their ratio: these machines are noisy, so only
a ratio measured in the same run means anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOOR = [sys.executable, "-c", "import sqlite3"]


def cno_cmd(*args: str) -> list[str]:
    exe = shutil.which("cno")
    return [exe, *args] if exe else [sys.executable, "-m", "cno", *args]


COMMANDS = {
    "cno log": lambda: cno_cmd("log", "5", "benchmark coffee", "--via", "meeting"),
    "cno add": lambda: cno_cmd("add", "Bench Person", "--tier", "B"),
    "cno done": lambda: cno_cmd("follow-up", "7", "friday"),
    "cno due": lambda: cno_cmd("due"),
    "cno due -f json": lambda: cno_cmd("due", "-f", "json"),
    "cno list": lambda: cno_cmd("list"),
    "cno show": lambda: cno_cmd("show", "5"),
    "cno history -n 50": lambda: cno_cmd("history", "-n", "50"),
    "cno --help": lambda: cno_cmd("--help"),
}


def timed(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--contacts", type=int, default=1000)
    p.add_argument("--touchpoints", type=int, default=10_000)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cno-bench-"))
    try:
        journal = tmp / "bench.db"
        subprocess.run(
            [sys.executable, str(HERE / "make_journal.py"), str(journal),
             "--contacts", str(a.contacts), "--touchpoints", str(a.touchpoints)],
            check=True,
        )  # fmt: skip
        env = {**os.environ, "CNO_DB": str(journal), "CNO_TODAY": "2026-11-22"}
        env.pop("COLUMNS", None)
        print(f"journal: {a.contacts} contacts, {a.touchpoints} touchpoints; {os.cpu_count()} cores; {a.runs} runs each")
        print(f"{'command':<20} {'median ms':>10} {'floor ms':>9} {'ratio':>6}")
        for label, make in COMMANDS.items():
            cmd = make()
            if label == "cno done":
                # each run needs an open follow-up to close: create one, time the close
                cmd = cno_cmd("done", "x")
            timed(cmd if label != "cno done" else FLOOR, env)  # warm-up
            timed(FLOOR, env)
            ours, floor = [], []
            for _ in range(a.runs):
                if label == "cno done":
                    subprocess.run(cno_cmd("follow-up", "5", "friday"), env=env, capture_output=True, check=True)
                    fid = subprocess.run(
                        cno_cmd("followups", "list", "-c", "5", "-f", "json"), env=env, capture_output=True, text=True
                    ).stdout
                    import json

                    cmd = cno_cmd("done", str(json.loads(fid)[-1]["id"]))
                floor.append(timed(FLOOR, env))
                ours.append(timed(cmd, env))
            m, f = statistics.median(ours), statistics.median(floor)
            print(f"{label:<20} {m * 1000:>10.1f} {f * 1000:>9.1f} {m / f:>5.1f}x")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
