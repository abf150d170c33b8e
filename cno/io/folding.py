"""Content lines of vCard and iCalendar: CRLF-terminated, folded at 75 octets."""

from __future__ import annotations


def fold(line: str) -> str:
    """`line` folded so no physical line passes 75 octets, never inside a UTF-8 character.

    A content line holds no control character (README "Decisions where the
    contract is silent"): one a caller left raw, such as a date the journal
    should never hold, is written as visible `\\xNN` text rather than ending
    the line early and starting a forged one.
    """
    from cno.render import clean

    out, current, size = [], [], 0
    for ch in clean(line):
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append("".join(current))
            current, size = [" "], 1  # a continuation line starts with one space
        current.append(ch)
        size += n
    out.append("".join(current))
    return "\r\n".join(out) + "\r\n"
