"""Tags: the words contacts and touchpoints are labelled with, and how much each is used.

Contact tags (`cno add --tag`) and touchpoint tags (`cno log --tag`) are kept
apart (`contact_tags`, `touchpoint_tags`) but share one vocabulary: a tag is
the same word on either, so one listing counts both.
"""

from __future__ import annotations

import sqlite3


def tag_counts(conn: sqlite3.Connection) -> list[dict]:
    """Every tag in the journal, sorted by tag: `tag`, `contacts` and `touchpoints`.

    `contacts` counts the non-archived contacts with that contact tag (an
    archived contact is out of the daily loop); `touchpoints` the touchpoints
    with that touchpoint tag, each once however many people were in it. A tag
    only archived contacts carry is still listed, with 0 contacts: it is a
    tag `--tag` filters accept (`cno list --archived --tag T`).
    """
    sql = """
        WITH every_tag AS (SELECT tag FROM contact_tags UNION SELECT tag FROM touchpoint_tags),
        on_contacts AS (
            SELECT g.tag, count(*) AS n FROM contact_tags g JOIN contacts c ON c.id = g.contact_id
            WHERE c.archived = 0 GROUP BY g.tag
        ),
        on_touchpoints AS (SELECT tag, count(*) AS n FROM touchpoint_tags GROUP BY tag)
        SELECT e.tag AS tag, coalesce(oc.n, 0) AS contacts, coalesce(ot.n, 0) AS touchpoints
        FROM every_tag e
        LEFT JOIN on_contacts oc ON oc.tag = e.tag
        LEFT JOIN on_touchpoints ot ON ot.tag = e.tag
        ORDER BY e.tag
    """
    return [dict(r) for r in conn.execute(sql)]
