"""The tags command: every tag with how many contacts and touchpoints carry it."""

from __future__ import annotations

import typer

from cno.cli.common import FormatOpt, check_format, session

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer(add_completion=False)  # one command: its --help has no completion options


@app.command()
def tags(fmt: FormatOpt = "table") -> None:
    """Every tag, sorted, with its non-archived contacts and its touchpoints.

    Example: cno tags -f json
    """
    from cno import tags as core
    from cno.render import tags as view
    from cno.render import render

    fmt = check_format(fmt)
    j = session().reader()
    render(view.tag_list([] if j is None else core.tag_counts(j.conn)), fmt)
