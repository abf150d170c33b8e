"""Likely duplicate contacts (`cno dupes`): pairs, their reasons, a score, and the merge to run.

A pair is reported when the two share a strong identifier — an e-mail
(ignoring case), a phone number (by its digits) or a LinkedIn URL — or when
their names are the same or near-identical *and* they share a company or an
e-mail domain (a name alone is not evidence: two Wei Zhangs are common).
Archived contacts count like any other (a duplicate is often an archived old
card); the rows say which side is archived.

It scales by blocking, never comparing every contact with every other:
identifiers pair only the contacts that hold the same key (one dictionary
pass over the e-mails, phones and URLs), and names are compared only among
contacts that share a place (a company or an e-mail domain, which a name
needs beside it anyway) *and* the first three letters of a word of the name;
rapidfuzz scans each such block in C. The work grows with the sizes of those
blocks, not with the square of the journal.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import defaultdict
from itertools import combinations

from cno.db import in_chunks

# Points per reason; a pair's score is their sum (higher = more likely the
# same person). A shared address or profile is near-proof; a phone can be a
# shared landline or switchboard; a name counts only beside an identifier or
# with a company or a domain (see _name_points for the near-identical scale).
POINTS = {
    "same e-mail": 50,
    "same LinkedIn URL": 50,
    "same phone": 35,
    "same name": 25,
    "same company": 15,
    "same e-mail domain": 10,
}
IDENTIFIERS = ("same e-mail", "same LinkedIn URL", "same phone")  # the order reasons are listed in
# token_sort-style similarity (0-100) from which two names are near-identical:
# one typo, a missing middle initial or "A." for "Ada" in a usual name.
NEAR_NAME = 90
# An identifier held by more contacts than this is a shared one (a
# switchboard, a team inbox), not evidence that any two are one person; it
# pairs no one, which also keeps the pairs from growing as its square.
SHARED_LIMIT = 20
# Addresses anyone can have: sharing one of these domains says nothing.
PUBLIC_MAIL = frozenset(
    """gmail.com googlemail.com outlook.com hotmail.com hotmail.co.uk hotmail.fr live.com msn.com
    yahoo.com yahoo.co.uk yahoo.fr ymail.com icloud.com me.com mac.com aol.com proton.me protonmail.com
    pm.me gmx.com gmx.de gmx.net web.de mail.com zoho.com fastmail.com hey.com tutanota.com
    yandex.ru mail.ru qq.com 163.com orange.fr free.fr laposte.net btinternet.com""".split()
)
# Legal forms dropped from the end of a company's name ("Acme Ltd" is Acme).
_LEGAL = frozenset("inc incorporated ltd limited llc llp plc gmbh ag sa sas sarl bv nv oy ab co corp corporation".split())
# Fields whose being filled in makes a card more complete (see _keep_rank).
_DETAILS = ("company", "role", "tier", "every", "birthday", "timezone", "location", "met", "met_on", "linkedin", "note")
_FILLED = " + ".join(f"(coalesce({c}, '') <> '')" for c in _DETAILS)
_WORD = re.compile(r"\w+")
_APOSTROPHE = re.compile(r"['’]")
# Letters that NFKD does not take apart into a base letter and an accent.
_FOLD = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"})


def words(text: str) -> list[str]:
    """A name's words as they are compared: casefolded, accents stripped, punctuation dropped."""
    text = text.casefold()
    if not text.isascii():  # most names are: skip the Unicode work for them
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_FOLD)
    return _WORD.findall(_APOSTROPHE.sub("", text))  # O'Brien = OBrien; Berners-Lee = Berners Lee


def name_form(name: str) -> str:
    """The words in sorted order, so "Lovelace, Ada" and "Ada Lovelace" are the same name."""
    return " ".join(sorted(words(name)))


def company_key(company: str | None) -> str | None:
    w = words(company or "")
    while len(w) > 1 and w[-1] in _LEGAL:
        w.pop()
    return " ".join(w) or None


def phone_key(phone: str) -> tuple[str, bool] | None:
    """(digits, written internationally) — or None for what is too short to identify anyone.

    A leading `+` or `00` is the international prefix, and the country code
    follows; otherwise a leading trunk `0` is dropped (`020 7946 0958` is
    `20 7946 0958` inside the UK), as is the `(0)` of `+44 (0)20 …`. An
    extension or anything after a letter is not part of the number.
    """
    text = re.split(r"[A-Za-z#,;]", phone, maxsplit=1)[0].replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    intl = text.lstrip().startswith("+")
    if not intl and digits.startswith("00"):
        digits, intl = digits[2:], True
    elif not intl and digits.startswith("0"):
        digits = digits[1:]
    return (digits, intl) if len(digits) >= 7 else None


def same_phone(a: tuple[str, bool], b: tuple[str, bool]) -> bool:
    """Equal digits; or one written with a country code (1-3 digits) and the other without."""
    if a[0] == b[0]:
        return True
    if a[1] == b[1]:
        return False
    full, national = (a[0], b[0]) if a[1] else (b[0], a[0])
    return full.endswith(national) and 1 <= len(full) - len(national) <= 3


def _name_points(similarity: float) -> int:
    """25 for the same name, else similarity − 75: 15 at NEAR_NAME (90) up to 24 at 99."""
    return POINTS["same name"] if similarity >= 100 else min(24, round(similarity) - 75)


class _Card:
    """What comparing names needs of one contact."""

    __slots__ = ("name", "form", "company", "archived", "domains")

    def __init__(self, name: str, company: str | None, archived: int):
        self.name, self.form, self.company, self.archived = name, name_form(name), company, bool(archived)
        self.domains: tuple[str, ...] = ()

    def starts(self) -> set[str]:
        """The name's blocking keys: the first three letters of each word.

        Near-identical names keep at least one word's start (a typo, an added
        initial or a shortened first name leave the other words alone).
        Initials would make huge blocks and are covered by the other words.
        """
        w = self.form.split()
        return {x[:3] for x in w if len(x) > 1} or {x[:3] for x in w}


def find_dupes(conn: sqlite3.Connection, *, command: str = "cno") -> list[dict]:
    """Likely duplicate pairs, most likely first (score, then ids).

    Each row: `a_id a_name` the contact to keep, `b_id b_name` the one to
    merge into it, `reasons`, `score`, `a_archived b_archived`, and `merge`,
    the line that does it (`command` is how cno is invoked, e.g. with --db).
    """
    # only `cno dupes` pays for rapidfuzz and the importers' URL key
    from rapidfuzz import process
    from rapidfuzz.fuzz import ratio

    from cno.io.importing import linkedin_key

    cards = _cards(conn)
    if len(cards) < 2:
        return []
    found = _shared_identifiers(conn, linkedin_key)
    named = _close_names(cards, process.extract, ratio)

    pairs = []
    for i, j in found.keys() | named:
        a, b = cards[i], cards[j]
        shared = found.get((i, j), ())
        reasons = [r for r in IDENTIFIERS if r in shared]
        score = sum(POINTS[r] for r in reasons)
        # a name with no letters in it ("?") is like no name at all
        similarity = ratio(a.form, b.form, score_cutoff=NEAR_NAME) if a.form and b.form else 0
        if similarity:
            # Company and domain back up a name (beside unrelated names they
            # are only colleagues; a shared address already has its domain).
            # A name never counts alone: a pair is here for an identifier, or
            # _close_names found it within a company or a domain.
            backing = []
            if a.company and a.company == b.company:
                backing.append("same company")
            if set(a.domains) & set(b.domains) and "same e-mail" not in reasons:
                backing.append("same e-mail domain")
            reasons += ["same name" if similarity >= 100 else "near-identical name", *backing]
            score += _name_points(similarity) + sum(POINTS[r] for r in backing)
        pairs.append((i, j, reasons, score))

    rank = _keep_rank(conn, cards, {cid for i, j, _, _ in pairs for cid in (i, j)})
    rows = []
    for i, j, reasons, score in pairs:
        keep, dup = (i, j) if rank[i] <= rank[j] else (j, i)
        rows.append(
            {
                "a_id": keep,
                "a_name": cards[keep].name,
                "b_id": dup,
                "b_name": cards[dup].name,
                "reasons": reasons,
                "score": score,
                "a_archived": cards[keep].archived,
                "b_archived": cards[dup].archived,
                "merge": f"{command} merge {dup} {keep} --yes",
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["a_id"], r["b_id"]))
    return rows


def _cards(conn) -> dict[int, _Card]:
    """Every contact (archived ones too) with its name, company and e-mail domains compared as keys."""
    companies: dict[str, str | None] = {}  # a journal has far fewer companies than contacts
    cards: dict[int, _Card] = {}
    for cid, name, company, archived in conn.execute("SELECT id, name, company, archived FROM contacts ORDER BY id"):
        if company and company not in companies:
            companies[company] = company_key(company)
        cards[cid] = _Card(name, companies.get(company), archived)
    domains: dict[int, set[str]] = defaultdict(set)
    seen: dict[str, str] = {}  # one string per domain, however many hold it
    for cid, email in conn.execute("SELECT contact_id, email FROM contact_emails"):
        domain = email.strip().casefold().rpartition("@")[2]
        if domain and domain not in PUBLIC_MAIL:
            domains[cid].add(seen.setdefault(domain, domain))
    for cid, held in domains.items():
        cards[cid].domains = tuple(held)
    return cards


def _shared_identifiers(conn, linkedin_key) -> dict[tuple[int, int], set[str]]:
    """{(lower id, higher id): the identifiers the two share}, from one pass over each list."""
    found: dict[tuple[int, int], set[str]] = defaultdict(set)

    def pair_holders(holders: dict, reason: str, same=None) -> None:
        for held in holders.values():
            if len(held) < 2 or not 2 <= len({cid for cid, _ in held}) <= SHARED_LIMIT:
                continue
            for (i, x), (j, y) in combinations(sorted(held, key=lambda h: h[0]), 2):
                if i != j and (same is None or same(x, y)):
                    found[i, j].add(reason)

    emails: dict[str, list] = defaultdict(list)
    for cid, email in conn.execute("SELECT contact_id, email FROM contact_emails"):
        emails[email.strip().casefold()].append((cid, None))
    pair_holders(emails, "same e-mail")
    del emails
    urls: dict[str, list] = defaultdict(list)
    for cid, url in conn.execute("SELECT id, linkedin FROM contacts WHERE linkedin > ''"):
        key = linkedin_key(url)
        if key.count("/") >= 2:  # a key with no profile in it ("linkedin.com/in") identifies nobody
            urls[key].append((cid, None))
    pair_holders(urls, "same LinkedIn URL")
    # a phone's block is its last 7 digits; same_phone decides within it
    tails: dict[str, list] = defaultdict(list)
    for cid, phone in conn.execute("SELECT contact_id, phone FROM contact_phones"):
        if key := phone_key(phone):
            tails[key[0][-7:]].append((cid, key))
    pair_holders(tails, "same phone", same_phone)
    return found


def _close_names(cards: dict[int, _Card], extract, ratio) -> set[tuple[int, int]]:
    """Pairs (lower id first) with the same or near-identical names and a place in common.

    A place is a company or an e-mail domain; within one, a block is the
    contacts whose names have a word starting with the same three letters.
    """
    places: dict[tuple, list[int]] = defaultdict(list)
    for cid, c in cards.items():
        if c.company:
            places["c", c.company].append(cid)
        for d in c.domains:
            places["d", d].append(cid)
    close: set[tuple[int, int]] = set()
    for ids in places.values():
        if len(ids) < 2:
            continue
        blocks: dict[str, list[int]] = defaultdict(list)
        for cid in ids:
            for s in cards[cid].starts():
                blocks[s].append(cid)
        for block in blocks.values():
            if len(block) < 2:
                continue
            holders: dict[str, list[int]] = defaultdict(list)  # a name once, however many hold it
            for cid in block:
                holders[cards[cid].form].append(cid)
            forms = [f for f in holders if f]
            for n, form in enumerate(forms):
                close.update(combinations(holders[form], 2))  # the same name (ids ascend in a block)
                later = forms[n + 1 :]  # each two names compared once
                for _, _, k in extract(form, later, scorer=ratio, score_cutoff=NEAR_NAME, limit=None):
                    close.update((x, y) if x < y else (y, x) for x in holders[form] for y in holders[later[k]])
    return close


def _keep_rank(conn, cards: dict[int, _Card], ids: set[int]) -> dict[int, tuple]:
    """Which of two contacts to keep (the INTO of `cno merge`): the lower rank.

    Kept is the one still active (merging into an archived card would take
    the person off every due list); then the one with more touchpoints (the
    record actually in use, whose name the user types); then the one with
    more details (fields, e-mails, phones, tags); then the older (lower id).
    Merge moves everything either way; this decides whose name, id, uid and
    non-empty fields win. A rank per contact, not per pair, so in a cluster
    of three every line points into the same survivor.
    """
    touches: dict[int, int] = defaultdict(int)
    details: dict[int, int] = defaultdict(int)
    ordered = sorted(ids)
    for chunk, marks in in_chunks(ordered):
        for cid, n in conn.execute(
            f"SELECT contact_id, count(*) FROM touchpoint_contacts WHERE contact_id IN ({marks}) GROUP BY contact_id", chunk
        ):
            touches[cid] = n
        for cid, n in conn.execute(
            f"SELECT id, {_FILLED} + (SELECT count(*) FROM contact_emails WHERE contact_id = id)"
            " + (SELECT count(*) FROM contact_phones WHERE contact_id = id)"
            " + (SELECT count(*) FROM contact_tags WHERE contact_id = id)"
            f" FROM contacts WHERE id IN ({marks})",
            chunk,
        ):
            details[cid] = n
    return {cid: (cards[cid].archived, -touches[cid], -details[cid], cid) for cid in ids}
