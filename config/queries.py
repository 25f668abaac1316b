"""Boolean keyword queries for brands and topics, parsed once at config load.

Grammar (case-insensitive operators, implicit AND between adjacent terms)::

    query  := or
    or     := and ("OR" and)*
    and    := unary (["AND"] unary)*
    unary  := "NOT" unary | "(" or ")" | "quoted phrase" | term
    term   := a word, @handle or #hashtag; "*" matches any letters (bag*, *pay)

Terms and phrases match whole words, in any case. ``str(query)`` prints a canonical
form that parses back to the same query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|"(?P<phrase>[^"]*)"|(?P<word>[^\s()"]+))')
_TERM = re.compile(r"^[\w@#*'&.+-]+$")
OPERATORS = ("AND", "OR", "NOT")


class QuerySyntaxError(ValueError):
    """A query is malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    _pattern: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        words = self.text.lower().split()
        parts = [re.escape(w).replace(r"\*", r"\w*") for w in words]
        pattern = r"(?<![\w@#])" + r"\s+".join(parts) + r"(?!\w)"
        object.__setattr__(self, "_pattern", re.compile(pattern, re.IGNORECASE))

    def matches(self, text: str) -> bool:
        return self._pattern.search(text) is not None

    def __str__(self) -> str:
        return f'"{self.text}"' if self.phrase else self.text


@dataclass(frozen=True)
class Not:
    operand: Query

    def matches(self, text: str) -> bool:
        return not self.operand.matches(text)

    def __str__(self) -> str:
        return f"NOT {_wrapped(self.operand)}"


@dataclass(frozen=True)
class All:
    operands: tuple[Query, ...]

    def matches(self, text: str) -> bool:
        return all(q.matches(text) for q in self.operands)

    def __str__(self) -> str:
        return " AND ".join(_wrapped(q) for q in self.operands)


@dataclass(frozen=True)
class Any:
    operands: tuple[Query, ...]

    def matches(self, text: str) -> bool:
        return any(q.matches(text) for q in self.operands)

    def __str__(self) -> str:
        return " OR ".join(_wrapped(q) for q in self.operands)


Query = Term | Not | All | Any


def _wrapped(query: Query) -> str:
    return f"({query})" if isinstance(query, All | Any) else str(query)


def parse_query(text: str) -> Query:
    """Parse a query; raise :class:`QuerySyntaxError` naming the problem and a fix."""
    tokens = _tokens(text)
    if not tokens:
        raise QuerySyntaxError(
            f'empty query {text!r}: write terms joined by AND, OR, NOT, e.g. "lost bag" OR baggage'
        )
    parser = _Parser(text, tokens)
    query = parser.parse_or()
    if parser.position < len(tokens):
        kind, value = tokens[parser.position]
        raise QuerySyntaxError(
            f"unexpected {value!r} in query {text!r}: "
            + ("remove it or add the matching '('" if kind == "close" else "check the operators")
        )
    return query


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if found is None:
            raise QuerySyntaxError(
                f"unclosed quote in query {text!r}: close the phrase with a second '\"'"
            )
        kind = found.lastgroup or "word"
        value = found.group(kind)
        if kind == "word" and value.upper() in OPERATORS:
            kind, value = value.upper(), value.upper()
        elif kind == "word" and not _TERM.match(value):
            raise QuerySyntaxError(
                f"term {value!r} in query {text!r} has characters a query cannot match: "
                "use letters, digits, @, #, ', -, . and * (quote a phrase with spaces)"
            )
        elif kind == "phrase" and not value.strip():
            raise QuerySyntaxError(f'empty phrase "" in query {text!r}: put words inside')
        tokens.append((kind, value))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[tuple[str, str]]) -> None:
        self.text = text
        self.tokens = tokens
        self.position = 0

    def _peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def parse_or(self) -> Query:
        operands = [self.parse_and()]
        while self._peek() == "OR":
            self.position += 1
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Any(tuple(operands))

    def parse_and(self) -> Query:
        operands = [self.parse_unary()]
        while self._peek() in ("AND", "NOT", "open", "phrase", "word"):
            if self._peek() == "AND":
                self.position += 1
            operands.append(self.parse_unary())
        return operands[0] if len(operands) == 1 else All(tuple(operands))

    def parse_unary(self) -> Query:
        kind = self._peek()
        if kind is None:
            raise QuerySyntaxError(
                f"query {self.text!r} ends where a term is expected: "
                "add a term after the last operator or remove the operator"
            )
        value = self.tokens[self.position][1]
        self.position += 1
        if kind == "NOT":
            return Not(self.parse_unary())
        if kind == "open":
            inner = self.parse_or()
            if self._peek() != "close":
                raise QuerySyntaxError(
                    f"unbalanced parentheses in query {self.text!r}: add the missing ')'"
                )
            self.position += 1
            return inner
        if kind in ("phrase", "word"):
            return Term(" ".join(value.split()), phrase=kind == "phrase")
        raise QuerySyntaxError(
            f"{value!r} where a term is expected in query {self.text!r}: "
            + (
                "remove the ')' or add a term before it"
                if kind == "close"
                else f"put a term before and after {value}"
            )
        )
