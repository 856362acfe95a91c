"""What text the platform accepts and what it writes out.

Every text input (form, JSON, query string, spreadsheet cell) is refused if it carries a C0 or
C1 control character; a field that allows several lines also accepts newline, carriage return
and tab. What is already stored is made safe on the way out (exports), since an append-only
ledger cannot be corrected after the fact.
"""
from __future__ import annotations

import re

# C0 controls except tab, newline and carriage return; DEL; C1 controls.
_ALWAYS_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS_AND_TABS = re.compile("[\t\n\r]")
# What an XLSX cell cannot hold (openpyxl refuses it), and what a report should not show.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character_problem(text: str, multiline: bool = False) -> str | None:
    """Why ``text`` is refused (in Chinese), or None."""
    if match := _ALWAYS_REFUSED.search(text):
        return f"含有不可见的控制字符（U+{ord(match.group()):04X}），请删除后重新输入"
    if not multiline and _LINE_BREAKS_AND_TABS.search(text):
        return "不能包含换行或制表符"
    return None


def has_refused_characters(text: str) -> bool:
    """True when ``text`` holds a character no input of the platform accepts."""
    return _ALWAYS_REFUSED.search(text) is not None


def printable(text: str) -> str:
    """Stored text made safe for a report: each control character becomes U+FFFD."""
    return _UNPRINTABLE.sub("\ufffd", text)
