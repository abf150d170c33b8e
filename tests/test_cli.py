"""The command line itself: every command reachable, help with examples, version."""

from __future__ import annotations

import importlib
import os
import subprocess

import pytest
import sys

from typer.core import TyperGroup
from typer.main import get_command

from cno import __version__
from cno.cli import COMMANDS
from tests.conftest import cno, ok


def _commands_of(module: str) -> dict:
    cmd = get_command(importlib.import_module(f"cno.cli.{module}").app)
    return dict(cmd.commands) if isinstance(cmd, TyperGroup) else {cmd.name: cmd}


def test_every_command_of_every_module_is_reachable_from_the_root():
    defined = {}
    for module in set(COMMANDS.values()):
        for name in _commands_of(module):
            defined[name] = module
    assert defined == COMMANDS


def test_help_lists_every_visible_command_with_a_summary():
    out = ok("--help").stdout
    for name in COMMANDS:
        if name != "ls":
            assert f" {name} " in out, name


def test_help_groups_every_command_into_one_panel():
    from cno.cli import ALIASES, PANELS

    placed = [name for panel in PANELS.values() for name in panel]
    assert sorted(placed) == sorted(n for n in COMMANDS if n not in ALIASES)  # each once, none left out
    out = ok("--help").stdout
    for title in ("Daily loop", "Contacts", "Follow-ups", "Referrals", "Goals", "Reports", "Data", "The journal"):
        assert f"─ {title} " in out, title
    assert out.index("─ Daily loop ") < out.index("│ log ") < out.index("─ Contacts ")


@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_help_fits_the_width_and_has_no_escapes(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    out = ok("--help").stdout
    assert max(len(line) for line in out.splitlines()) <= int(columns)
    assert "\x1b" not in out


def test_help_loads_no_command_module_and_no_rich():
    code = (
        "import sys\nfrom cno.cli import main\nassert main(['--help']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('cno.cli.') and m != 'cno.cli.common'))\n"
        "print('rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[-2:] == ["[]", "False"]


@pytest.mark.parametrize("typo, suggestion", [("lgo", "'log'"), ("refferals", "'referrals'"), ("udno", "'undo'")])
def test_a_mistyped_command_gets_did_you_mean(journal_path, typo, suggestion):
    r = cno(typo)
    assert r.code == 2 and "did you mean" in r.stderr and suggestion in r.stderr, r.stderr


def _leaves(cmd, path=()):
    if isinstance(cmd, TyperGroup):
        for name, sub in cmd.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path, cmd


def test_every_command_help_has_an_example():
    for module in set(COMMANDS.values()):
        for name, cmd in _commands_of(module).items():
            for path, leaf in _leaves(cmd, (name,)):
                assert "Example" in (leaf.help or ""), " ".join(path)


def test_version_and_python_m():
    assert ok("--version").stdout == f"cno {__version__}\n"
    r = subprocess.run([sys.executable, "-m", "cno", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == f"cno {__version__}\n"


def test_a_daily_command_loads_only_its_own_module(journal_path):
    ok("add", "Ada")
    code = (
        "import sys\nfrom cno.cli import main\nassert main(['log', 'ada', 'coffee']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('cno.cli.')))\n"
        "print([m for m in ('rich.table', 'sqlite_utils', 'vobject', 'cno.io', 'cno.capture') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[-2] == "['cno.cli.common', 'cno.cli.touchpoints']"
    assert out[-1] == "[]"


def test_shell_completion_offers_contact_names(journal_path):
    ok("add", "Grace Hopper")
    ok("add", "Alan Turing")
    env = {**os.environ, "_CNO_COMPLETE": "complete_bash", "COMP_CWORD": "2"}
    # one shell word each (bash inserts candidates as given), from any word, any case
    for typed, expected in (("Gra", "Grace\\ Hopper"), ("gra", "Grace\\ Hopper"), ("tur", "Alan\\ Turing"), ("zz", "")):
        env["COMP_WORDS"] = f"cno log {typed}"
        out = subprocess.run([sys.executable, "-m", "cno"], env=env, capture_output=True, text=True).stdout
        assert out.strip() == expected, (typed, out)
