"""The sample reports in examples/ are what cno prints for the demo journal today."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AS_OF = "2026-11-22"


@pytest.mark.parametrize("fmt, name", [("md", "review.md"), ("html", "review.html")])
def test_example_reviews_match_the_demo(tmp_path, fmt, name):
    from tests.conftest import ok

    demo = tmp_path / "demo.db"
    ok("demo", str(demo), "--as-of", AS_OF)
    out = ok("--db", str(demo), "review", "-f", fmt, "--as-of", AS_OF).stdout
    expected = (EXAMPLES / name).read_text()
    assert out == expected, f"examples/{name} drifted: regenerate it with `python tests/test_examples.py`"


if __name__ == "__main__":
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.db"
        subprocess.run([sys.executable, "-m", "cno", "demo", str(demo), "--as-of", AS_OF], check=True, capture_output=True)
        for fmt, name in (("md", "review.md"), ("html", "review.html")):
            out = subprocess.run(
                [sys.executable, "-m", "cno", "--db", str(demo), "review", "-f", fmt, "--as-of", AS_OF],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            (EXAMPLES / name).write_text(out)
            print(f"wrote examples/{name}")
