"""Alertmanager-style label matchers: ``team="care"``, ``priority=~"P1|P2"``.

Parsed here, at config load, so that a malformed matcher is reported with its line;
``alerts`` evaluates them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

MatchOp = Literal["=", "!=", "=~", "!~"]

_MATCHER = re.compile(
    r"""^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*(?P<value>"(?:[^"\\]|\\.)*"|[^"\s]*)\s*$"""
)


class MatcherSyntaxError(ValueError):
    """A matcher string is not ``label<op>value``."""


@dataclass(frozen=True)
class Matcher:
    name: str
    op: MatchOp
    value: str
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def matches(self, labels: dict[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        assert self._pattern is not None
        found = self._pattern.fullmatch(actual) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{self.op}"{escaped}"'


def parse_matcher(text: str) -> Matcher:
    """Parse one matcher; raise :class:`MatcherSyntaxError` with a fix if it is malformed."""
    found = _MATCHER.match(text)
    if found is None:
        raise MatcherSyntaxError(
            f"malformed matcher {text!r}: expected label, operator (=, !=, =~, !~) and value, "
            'e.g. team="care" or priority=~"P1|P2"'
        )
    raw = found["value"]
    value = _unquote(raw) if raw.startswith('"') else raw
    op: MatchOp = found["op"]  # type: ignore[assignment]
    pattern = None
    if op in ("=~", "!~"):
        try:
            pattern = re.compile(value)
        except re.error as error:
            raise MatcherSyntaxError(
                f"matcher {text!r} has an invalid regular expression: {error}"
            ) from None
    return Matcher(found["name"], op, value, pattern)


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])
