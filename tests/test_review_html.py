"""`cno review -f html` is a mail to act on: who to write to, what to type, how goals stand.

The page is read here as a mail client reads it (html.parser: entities
decoded, attributes unquoted), never by grepping its markup, so a test holds
whatever the markup's spelling. Commands the page shows are run, to prove
they clear what they say they clear.
"""

from __future__ import annotations

import re
import shlex
from html.parser import HTMLParser

import pytest

from tests.conftest import ok

VOID = {"meta", "br", "img", "link", "input", "hr", "source", "wbr"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ID = re.compile(r"#\d+")


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.walk()

    def all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [n for n in self.walk() if n.tag == tag and (cls is None or cls in n.classes)]

    def ancestors(self):
        n = self
        while n is not None:
            yield n
            n = n.parent


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.root = self.cur = Node("#root", {}, None)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag):
        for n in self.cur.ancestors():
            if n.tag == tag:
                self.cur = n.parent
                return

    def handle_data(self, data):
        self.cur.children.append(data)

    def section(self, title: str) -> Node | None:
        """The table under the `<h2>` that starts with `title` (None when the section has no table)."""
        h2 = next(h for h in self.root.all("h2") if h.text().startswith(title))
        siblings = h2.parent.children
        for n in siblings[siblings.index(h2) + 1 :]:
            if isinstance(n, Node) and n.tag == "h2":
                return None
            if isinstance(n, Node) and n.tag == "table":
                return n
        return None

    def css(self) -> str:
        return "".join(s.text() for s in self.root.all("style"))


def page(*args: str) -> Page:
    return Page(ok("review", "-f", "html", *args).stdout)


def row_of(table: Node, *texts: str) -> Node:
    """The one body row whose text holds every one of `texts`."""
    (row,) = [tr for tr in table.all("tr") if tr.parent.tag == "tbody" and all(t in tr.text() for t in texts)]
    return row


def commands(row: Node) -> list[str]:
    return [c.text() for c in row.all("code")]


def run(command: str):
    """Run a command as the page shows it, as a shell would split it."""
    argv = shlex.split(command)
    assert argv[0] == "cno", command
    return ok(*argv[1:])


def review_json() -> dict:
    return ok("review", "-f", "json").json()


def due_items(r: dict) -> list[dict]:
    return r["overdue"] + r["due_today"] + r["coming_up"]


# TODAY (conftest) is Sunday 2026-11-22.


@pytest.fixture
def people(journal_path):
    """Overdue check-ins and follow-ups, one due today, one coming up; some with e-mail, some without.

    No contact's id is its follow-up's id, so a command that takes the one for the other shows.
    """
    ok("add", "Zed Shaw")  # contact #1, never due
    ok("add", "Ada Lovelace", "--email", "ada@example.com", "--every", "7d", "--as-of", "2026-11-01")
    ok("add", "Bob Kahn", "--every", "7d", "--as-of", "2026-11-02")
    ok("add", "Grace Hopper", "--email", "grace@navy.example", "--every", "30d", "--as-of", "2026-11-01")
    ok("follow-up", "grace", "2026-11-25", "book a lunch")
    ok("follow-up", "bob", "today", "call back")
    ok("follow-up", "ada", "2026-11-20", "send the deck", "--as-of", "2026-11-10")


# -- who to write to ---------------------------------------------------------------


def test_a_person_is_a_mailto_link_exactly_when_a_valid_looking_address_is_known(journal_path):
    # Ada and Bob come up tomorrow and are new this week: each shows twice
    ok("add", "Ada Lovelace", "--email", "ada@example.com", "--every", "1d")
    ok("add", "Bob Kahn", "--every", "1d")  # no address
    ok("add", "Eve Odd", "--email", "o'brien&co%x+tag@exa-mple.org")  # odd, but a valid address
    ok("add", "José Ñúñez", "--email", "josé@exämple.es")
    ok("add", "Two Mails", "--email", "bad<x>@x.example", "--email", "good@x.example")
    # stored (the journal takes them), but no address a link should be made of
    ok("add", "Mal Header", "--email", "mal@evil.example?bcc=boss")
    ok("add", "Tag Soup", "--email", 'a<b>"@x.y')
    ok("add", "Dot Dot", "--email", "dot..dot@x.example")
    r = review_json()
    assert {c["name"]: c["emails"] for c in r["new_contacts"]}["Two Mails"] == ["bad<x>@x.example", "good@x.example"]
    assert {i["name"]: i["emails"] for i in r["coming_up"]} == {"Ada Lovelace": ["ada@example.com"], "Bob Kahn": []}

    p = page()
    links = {}
    for a in p.root.all("a"):
        links.setdefault(a.text(), set()).add(a.attrs["href"])
    assert links == {
        "Ada Lovelace": {"mailto:ada@example.com"},
        # RFC 6068: `&` and `%` percent-encoded, `'` and `+` as they are
        "Eve Odd": {"mailto:o'brien%26co%25x+tag@exa-mple.org"},
        # a non-ASCII local part as percent-encoded UTF-8, the domain in its ASCII form
        "José Ñúñez": {"mailto:jos%C3%A9@xn--exmple-cua.es"},
        "Two Mails": {"mailto:good@x.example"},  # the first address that looks like one
    }
    # Ada shows twice (coming up, new contacts), each time a link; the others are plain text
    assert len([a for a in p.root.all("a") if a.text() == "Ada Lovelace"]) == 2
    for name in ("Bob Kahn", "Mal Header", "Tag Soup", "Dot Dot"):
        cells = [td for td in p.root.all("td") if td.text() == name]
        assert cells and not [td for td in cells if td.all("a")], name


# -- what to type --------------------------------------------------------------------


def test_each_item_shows_the_command_that_clears_it(people):
    r = review_json()
    fid = {i["note"]: i["follow_up_id"] for i in due_items(r) if i["kind"] == "follow-up"}
    cid = {i["name"]: i["contact_id"] for i in due_items(r)}
    assert all(i["follow_up_id"] != i["contact_id"] for i in due_items(r) if i["kind"] == "follow-up")
    p = page()
    overdue, today, coming = p.section("Overdue"), p.section("Due today"), p.section("Coming up")
    assert commands(row_of(overdue, "send the deck")) == [f"cno done {fid['send the deck']}", f"cno snooze {fid['send the deck']} 1w"]
    assert commands(row_of(today, "call back")) == [f"cno done {fid['call back']}", f"cno snooze {fid['call back']} 1w"]
    assert commands(row_of(coming, "book a lunch"))[0] == f"cno done {fid['book a lunch']}"
    # a check-in: log with them (a number is a contact there); snooze names them,
    # since a bare number is a follow-up id to snooze
    ada = row_of(overdue, "Ada Lovelace", "check in")
    assert commands(ada) == [f'cno log {cid["Ada Lovelace"]} "…"', "cno snooze ada@example.com 1w"]
    bob = row_of(overdue, "Bob Kahn", "check in")
    assert commands(bob) == [f'cno log {cid["Bob Kahn"]} "…"', "cno snooze 'Bob Kahn' 1w"]
    # the ids stand beside the item too, not only inside its command
    assert f"#{fid['send the deck']}" in row_of(overdue, "send the deck").text()


def test_the_commands_shown_clear_their_items(people):
    p = page()
    overdue, today = p.section("Overdue"), p.section("Due today")
    to_run = [
        commands(row_of(overdue, "send the deck"))[0],  # cno done N
        commands(row_of(today, "call back"))[1],  # cno snooze N 1w
        commands(row_of(overdue, "Ada Lovelace", "check in"))[0],  # cno log ID "…"
        commands(row_of(overdue, "Bob Kahn", "check in"))[1],  # cno snooze 'Bob Kahn' 1w
    ]
    for command in to_run:
        run(command)
    r = review_json()
    assert r["overdue"] == [] and r["due_today"] == [], (to_run, r["overdue"], r["due_today"])
    # the log restarted Ada's cadence today, the snoozes moved what they named a week
    # on, and Grace's follow-up is as it was
    assert sorted((i["name"], i["kind"], i["due_on"]) for i in r["coming_up"]) == [
        ("Ada Lovelace", "cadence", "2026-11-29"),
        ("Bob Kahn", "cadence", "2026-11-29"), ("Bob Kahn", "follow-up", "2026-11-29"),
        ("Grace Hopper", "follow-up", "2026-11-25"),
    ]  # fmt: skip


def test_a_hostile_name_in_a_command_is_one_quoted_word(journal_path):
    name = "Ed O'Brien $(touch pwned) `x` <b>"
    ok("add", name, "--every", "7d", "--as-of", "2026-11-01")
    ok("add", "Eve\u202eevil", "--every", "7d", "--as-of", "2026-11-01")
    overdue = page().section("Overdue")
    ed = commands(row_of(overdue, "Ed O'Brien"))
    assert shlex.split(ed[1]) == ["cno", "snooze", name, "1w"]
    run(ed[1])
    assert [i["name"] for i in review_json()["overdue"]] == ["Eve\u202eevil"]
    # a name shown escaped (`\u202e`) is not what was stored: no snooze to copy, only the log by id
    (eve,) = commands(row_of(overdue, "Eve\\u202eevil"))
    assert re.fullmatch(r'cno log \d+ "…"', eve)


def test_birthdays_and_milestones_have_no_command(journal_path):
    ok("add", "Mary Lovelace", "--birthday", "1990-11-27", "--email", "mary@example.com")
    row = row_of(page().section("Coming up"), "Mary Lovelace")
    assert commands(row) == [] and row.all("a")[0].attrs["href"] == "mailto:mary@example.com"


# -- goals ---------------------------------------------------------------------------


def test_goal_bars_are_as_wide_as_the_progress(journal_path):
    ok("add", "Ada Lovelace")
    for day in ("2026-11-16", "2026-11-17", "2026-11-17", "2026-11-18"):
        ok("log", "ada", "--on", day)
    targets = {"Over the top": 3, "Steady": 7, "Far behind": 20, "Nothing yet": 1000}
    for title, target in targets.items():
        ok("goal", "add", title, "--metric", "touchpoints", "--target", str(target), "--as-of", "2026-11-16")
    goals = page().section("Goals")
    for title, target in targets.items():
        row = row_of(goals, title)
        percent = 4 * 100 // target  # rounded down, as `cno goals` rounds
        (fill,) = row.all("div", "fill")
        width = re.search(r"(?:^|;)\s*width:\s*([\d.]+)%", fill.attrs["style"]).group(1)
        assert float(width) == min(100, percent), (title, fill.attrs["style"])
        assert f"4 / {target}" in row.text() and f"{percent}%" in row.text(), title
        assert fill.parent.attrs.get("style") and "background" in fill.parent.attrs["style"]  # the track shows without <style>


# -- layout: nothing broken, nothing cut ------------------------------------------------


def _css_rules(css: str) -> tuple[dict[str, str], dict[str, str]]:
    """The top-level rules and the @media blocks: {selector list: declarations}, {condition: body}."""
    media, top = {}, css
    for m in re.finditer(r"@media\s*([^{]+)\{((?:[^{}]*\{[^{}]*\})*)\s*\}", css):
        media[m.group(1).strip()] = m.group(2)
        top = top.replace(m.group(0), "")
    rules = {sel.strip(): body for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", top)}
    return rules, media


def _classes_with(rules: dict[str, str], declaration: str) -> set[str]:
    """The classes that a simple selector (`.x`, `td.x`) gives `declaration`."""
    out = set()
    for sels, body in rules.items():
        if declaration in body.replace(" ", ""):
            for sel in sels.split(","):
                m = re.fullmatch(r"[a-z]*\.([\w-]+)", sel.strip())
                if m:
                    out.add(m.group(1))
    return out


LONG_NAME = "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh von Aschaffenburg"
LONG_NOTE = "send the long proposal about the plan by 2026-12-01 " * 6 + "https://example.com/" + "x" * 120


def test_dates_ids_and_numbers_never_break_across_lines(journal_path):
    ok("add", LONG_NAME, "--email", "maxi@example.com", "--every", "7d", "--as-of", "2026-11-01")
    ok("follow-up", "maxi", "2026-11-20", LONG_NOTE, "--as-of", "2026-11-10")
    ok("log", "maxi", "--on", "2026-11-02")
    ok("goal", "add", "Weekly", "--metric", "touchpoints", "--target", "3", "--as-of", "2026-11-16")
    p = page()
    rules, _ = _css_rules(p.css())
    nowrap = _classes_with(rules, "white-space:nowrap")
    assert nowrap, rules
    body = p.root.all("body")[0]
    checked = 0
    for node in [body, *body.walk()]:
        for child in node.children:
            if not isinstance(child, str) or not (DATE.search(child) or ID.search(child) or re.fullmatch(r"\s*[+-]?\d+\s*", child)):
                continue
            if node.tag == "code" or node.tag == "title":
                continue  # a command is copied whole; it may wrap at its spaces
            kept = any(n.classes & nowrap for n in node.ancestors())
            assert kept, (child, node.tag, node.attrs)
            checked += 1
    assert checked > 10
    # names and notes wrap (between words first) rather than widen the page
    assert "overflow-wrap:break-word" in rules["th,td"].replace(" ", "")


def test_narrow_screens_get_cards_and_dark_mode_its_own_colours(people):
    p = page()
    _, media = _css_rules(p.css())
    narrow = [body for cond, body in media.items() if re.search(r"max-width:\s*(\d+)px", cond) and 390 < int(re.search(r"max-width:\s*(\d+)px", cond).group(1)) <= 800]
    assert len(narrow) == 1, media
    # under it, the action tables reflow: each row a block, the header row hidden
    rules = [(sel.strip(), decl.replace(" ", "")) for sels, decl in re.findall(r"([^{}]+)\{([^{}]*)\}", narrow[0]) for sel in sels.split(",")]
    assert {"table.stack", ".stack tr", ".stack td"} <= {sel for sel, decl in rules if "display:block" in decl}, rules
    assert (".stack thead", "display:none") in rules
    # and a cell's text breaks anywhere it must: no name or note is cut at 390 px
    assert any(sel == "td" and "overflow-wrap:anywhere" in decl for sel, decl in rules), rules
    for title in ("Overdue", "Due today", "Coming up"):
        assert "stack" in p.section(title).classes, title
    assert [m for m in p.root.all("meta") if m.attrs.get("name") == "viewport"]
    dark = [body for cond, body in media.items() if "prefers-color-scheme" in cond and "dark" in cond]
    assert len(dark) == 1, media
    (body_rule,) = [decl for sels, decl in re.findall(r"([^{}]+)\{([^{}]*)\}", dark[0]) if sels.strip() == "body"]
    assert "background" in body_rule and "color" in body_rule
    assert "color-scheme" in p.css()


# -- safety ----------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "[x](http://evil) *Eve*",
    "<a href='http://evil'>click</a>", "<style>body{display:none}</style>", "&amp; &lt;b&gt;",
]  # fmt: skip


def test_the_page_runs_nothing_and_fetches_nothing(journal_path):
    for i, name in enumerate(HOSTILE):
        ok("add", name, "--every", "7d", "--as-of", "2026-11-01", "--email", f"p{i}@example.com", "--company", name)
        ok("follow-up", str(i + 1), "tomorrow", f"note {name}")
    ok("goal", "add", HOSTILE[0], "--metric", "touchpoints", "--target", "3")
    out = ok("review", "-f", "html").stdout
    p = Page(out)
    assert "<script" not in out.lower()
    assert [t for t, _ in p.tags if t in ("script", "img", "iframe", "link", "object", "embed", "form", "base")] == []
    assert len(p.root.all("style")) == 1  # the page's own, and no other
    for tag, attrs in p.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert "src" not in attrs, (tag, attrs)
        if "href" in attrs:
            assert tag == "a" and attrs["href"].startswith("mailto:"), (tag, attrs)
    css = p.css().lower()
    assert "url(" not in css and "@import" not in css and "expression(" not in css


def test_hostile_names_and_notes_are_their_own_text(journal_path):
    for i, name in enumerate(HOSTILE):
        ok("add", name, "--every", "7d", "--as-of", "2026-11-01", "--email", f"p{i}@example.com")
        ok("follow-up", str(i + 1), "tomorrow", f"note {name}")
    p = page()
    overdue, coming = p.section("Overdue"), p.section("Coming up")
    names = [a.text() for a in overdue.all("a")]
    assert sorted(names) == sorted(HOSTILE)
    notes = {td.text().removeprefix(td.all("span", "kind")[0].text()).strip() for td in coming.all("td", "what")}
    assert notes == {f"note {name}" for name in HOSTILE}
    assert p.root.all("h1")[0].text().startswith("cno review")
