"""Small pure helpers shared by sources: HTML to plain text, brand terms, field access."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import orjson

from connectors.errors import MalformedPayloadError, RejectReason

_BLOCK_TAGS = {"p", "br", "div", "li", "blockquote"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment (a Mastodon status, an RSS summary)."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)


class TermMatcher:
    """Whole-word, case-insensitive match of brand terms (``acme air``, ``@acmeair``).
    No terms means everything matches."""

    def __init__(self, terms: Iterable[str]) -> None:
        words = sorted({t.strip().lower() for t in terms if t.strip()}, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.I)
            if words
            else None
        )

    def matches(self, text: str) -> bool:
        return self._pattern is None or self._pattern.search(text) is not None


def require(data: Any, *path: str | int) -> Any:
    """``data[path...]``, or MalformedPayloadError naming the missing field."""
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            where = ".".join(str(p) for p in path)
            raise MalformedPayloadError(RejectReason.BAD_SHAPE, f"missing field {where}") from None
    if node is None:
        where = ".".join(str(p) for p in path)
        raise MalformedPayloadError(RejectReason.BAD_SHAPE, f"field {where} is null")
    return node


def require_str(data: Any, *path: str | int) -> str:
    value = require(data, *path)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        where = ".".join(str(p) for p in path)
        raise MalformedPayloadError(
            RejectReason.BAD_SHAPE, f"field {where} must be a non-empty string"
        )
    return value


def require_mapping(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise MalformedPayloadError(
            RejectReason.BAD_SHAPE, f"{what} must be a JSON object, got {type(data).__name__}"
        )
    return data


def parse_time(value: Any, field: str) -> datetime:
    """An RFC 3339 string or Unix seconds as an aware datetime (naive means UTC)."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise MalformedPayloadError(
        RejectReason.BAD_SHAPE, f"field {field} is not a date-time: {value!r:.60}"
    )


def load_json(data: str | bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise MalformedPayloadError(RejectReason.NOT_JSON, f"not JSON: {error}") from None


def native_id_key(native_id: str) -> tuple[int, str]:
    """Order numeric string ids (Mastodon, X) without converting: longer is newer."""
    return (len(native_id), native_id)


def count_or_none(value: Any) -> int | None:
    """A count the source may omit or garble (followers): kept only if a whole number >= 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
