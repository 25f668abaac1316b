"""Keyword patterns that Python's ``re`` runs faster, matching exactly the same.

``re`` tries the alternatives of ``\\b(?:lost|late|leak\\w*|...)`` one after another at
every word start; with a hundred alternatives that is most of a pattern's cost. Grouped
by leading letters (``l(?:ost|ate|eak\\w*)``), one failed letter rules out a whole group.
The matches are the same: alternatives with different first letters never match at the
same place, and within a letter the written order is kept, so the alternative that wins,
and the text it matches, are those the written pattern gives. An alternative that does not
start with a plain letter (``(?:is|are) down``, ``\\d+``, ``a?b``) stays where it is, and
nothing moves across it. ``test_alternation.py`` checks this on generated patterns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Characters that stand for themselves at the head of an alternative.
_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789' ")
_QUANTIFIERS = frozenset("?*+{")


def _atom_end(pattern: str, index: int) -> int:
    """Where the atom at ``index`` ends: an escape, a class, a whole group or a char."""
    char = pattern[index]
    if char == "\\":
        return index + 2
    if char == "[":
        end = index + 1
        end += pattern.startswith("^", end)
        end += pattern.startswith("]", end)  # "]" first in a class is a member
        while end < len(pattern) and pattern[end] != "]":
            end += 2 if pattern[end] == "\\" else 1
        if end >= len(pattern):
            raise ValueError(f"unclosed [ in {pattern!r}")
        return end + 1
    if char == "(":
        end = index + 1
        while end < len(pattern) and pattern[end] != ")":
            end = _atom_end(pattern, end)
        if end >= len(pattern):
            raise ValueError(f"unclosed ( in {pattern!r}")
        return end + 1
    if char == ")":
        raise ValueError(f"unbalanced ) in {pattern!r}")
    return index + 1


def _atoms(pattern: str) -> list[str]:
    atoms: list[str] = []
    index = 0
    while index < len(pattern):
        end = _atom_end(pattern, index)
        atoms.append(pattern[index:end])
        index = end
    return atoms


def _leading_literal(alternative: str) -> str | None:
    if not alternative or alternative[0] not in _LITERAL:
        return None
    if len(alternative) > 1 and alternative[1] in _QUANTIFIERS:
        return None  # "a?b" may start with "b"
    return alternative[0]


def by_leading_letters(fragment: str) -> str:
    """``fragment`` (``a|b|c``) as an alternation grouped by leading letters, level by
    level; the result matches exactly what ``fragment`` does. A fragment with a capturing
    group is returned as it is (reordering would renumber the groups), and so is one that
    is not a pattern on its own (a reference to a group outside it)."""
    try:
        if re.compile(fragment).groups:
            return fragment
    except re.error:
        return fragment
    alternatives: list[str] = [""]
    for atom in _atoms(fragment):
        if atom == "|":
            alternatives.append("")
        else:
            alternatives[-1] += atom
    grouped: list[str] = []
    run: dict[str, list[str]] = {}

    def close_run() -> None:
        for letter, tails in run.items():
            if len(tails) == 1:
                grouped.append(letter + tails[0])
            else:
                grouped.append(f"{letter}(?:{by_leading_letters('|'.join(tails))})")
        run.clear()

    for alternative in alternatives:
        letter = _leading_literal(alternative)
        if letter is None:
            close_run()  # nothing moves across an alternative that may start anywhere
            grouped.append(alternative)
        else:
            run.setdefault(letter, []).append(alternative[1:])
    close_run()
    return "|".join(grouped)


def _group_head(group: str) -> str | None:
    """The opening of a group whose contents may be regrouped; None for look-arounds and
    flag groups, which are left as written."""
    if group.startswith("(?:"):
        return "(?:"
    if group.startswith("(?P<"):
        return group[: group.index(">") + 1]
    if not group.startswith("(?"):
        return "("
    return None


def grouped(pattern: str) -> str:
    """``pattern`` with its alternations, at the top level and inside its groups (not in
    look-arounds), grouped by leading letters (``by_leading_letters``)."""
    parts: list[str] = []
    for atom in _atoms(pattern):
        head = _group_head(atom) if atom.startswith("(") else None
        parts.append(atom if head is None else head + grouped(atom[len(head) : -1]) + ")")
    return by_leading_letters("".join(parts))


def compile_grouped(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(grouped(pattern), flags)``."""
    return re.compile(grouped(pattern), flags)


class FirstMatches:
    """The first match of each of several patterns in a text, from one scan for where any
    of them matches instead of one scan each. ``first_matches(text)[i]`` is exactly
    ``re.compile(patterns[i]).search(text)``: every place where pattern i matches is one
    where the union matches, the scan visits those places left to right, and at each one
    the patterns still unmatched are tried there."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._patterns = tuple(compile_grouped(p) for p in patterns)
        self._any = compile_grouped("|".join(f"(?:{p})" for p in patterns))

    def first_matches(self, text: str) -> list[re.Match[str] | None]:
        found: list[re.Match[str] | None] = [None] * len(self._patterns)
        missing = len(self._patterns)
        position = 0
        while missing and (somewhere := self._any.search(text, position)) is not None:
            start = somewhere.start()
            for index, pattern in enumerate(self._patterns):
                if found[index] is None and (match := pattern.match(text, start)):
                    found[index] = match
                    missing -= 1
            if start >= len(text):  # a search past the end starts at the end again
                break
            position = start + 1
        return found
