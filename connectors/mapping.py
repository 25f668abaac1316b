"""A declarative mapping from someone else's records to mention schema v1 (pure).

``{text: body, author.handle: user.name, created_at: ts}``: each mention field takes the
value at a dotted path (``user.name``), a JSON pointer (``/user/name``) or a column name.
Ids are prefixed with the source (``reviews:123``) unless they already carry it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson

from config.connectors import REQUIRED_FIELDS
from connectors.errors import MalformedPayloadError, RejectReason
from connectors.text import load_json, parse_time, require_mapping
from streams.records import Author, DeadLetterReason, Mention
from streams.validation import Rejection, parse_mention

REQUIRED = REQUIRED_FIELDS
_MISSING = object()
_REASONS = {
    DeadLetterReason.TOO_LARGE: RejectReason.TOO_LARGE,
    DeadLetterReason.NOT_UTF8: RejectReason.NOT_JSON,
    DeadLetterReason.NOT_JSON: RejectReason.NOT_JSON,
    DeadLetterReason.NOT_AN_OBJECT: RejectReason.BAD_SHAPE,
}


def schema_v1_mention(item: Any) -> Mention:
    """A JSON value that should already be a mention in schema v1 (validated exactly as
    the streams stage validates it), or MalformedPayloadError saying why it is not."""
    parsed = parse_mention(item if isinstance(item, bytes) else orjson.dumps(item))
    if isinstance(parsed, Rejection):
        reason = _REASONS.get(parsed.reason, RejectReason.SCHEMA_VIOLATION)
        raise MalformedPayloadError(reason, parsed.detail)
    return parsed


def record_reader(
    source: str | None, fields: Mapping[str, str], brand: str | None = None
) -> Callable[[Any], Mention]:
    """Raw JSON text or bytes, or an already parsed record (a CSV row), to a mention:
    through ``fields`` when given, else as mention schema v1."""
    mapping = MentionMapping(source or "", fields, brand) if fields else None

    def read(record: Any) -> Mention:
        if mapping is None:
            return schema_v1_mention(record.encode() if isinstance(record, str) else record)
        if isinstance(record, str | bytes):
            record = load_json(record)
        return mapping.to_mention(record)

    return read


def lookup(record: Mapping[str, Any], path: str) -> Any:
    """The value at ``path``: an exact key first (CSV columns may contain dots), then a
    JSON pointer or a dotted path; ``_MISSING`` when absent."""
    if path in record:
        return record[path]
    parts = (
        [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
        if path.startswith("/")
        else path.split(".")
    )
    node: Any = record
    for part in parts:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


class MentionMapping:
    def __init__(self, source: str, fields: Mapping[str, str], brand: str | None = None) -> None:
        # config.connectors checked that every REQUIRED field is mapped.
        self.source = source
        self.fields = dict(fields)
        self.brand = brand

    def _value(self, record: Mapping[str, Any], field: str) -> Any:
        path = self.fields.get(field)
        if path is None:
            return None
        value = lookup(record, path)
        if value is _MISSING or value is None or value == "":
            if field in REQUIRED:
                raise MalformedPayloadError(
                    RejectReason.BAD_SHAPE, f"missing {path!r} (mapped to {field})"
                )
            return None
        return value

    def _text(self, record: Mapping[str, Any], field: str) -> str | None:
        value = self._value(record, field)
        if value is None:
            return None
        if isinstance(value, Mapping | list):
            raise MalformedPayloadError(
                RejectReason.BAD_SHAPE, f"{self.fields[field]!r} (mapped to {field}) is not text"
            )
        return str(value)

    def _id(self, record: Mapping[str, Any], field: str) -> str | None:
        value = self._text(record, field)
        if value is None or value.startswith(f"{self.source}:"):
            return value
        return f"{self.source}:{value}"

    def to_mention(self, record: Any) -> Mention:
        record = require_mapping(record, "record")
        followers = self._value(record, "author.followers")
        verified = self._value(record, "author.verified")
        created = self._value(record, "created_at")
        if isinstance(created, str) and created.replace(".", "", 1).isdigit():
            created = float(created)  # Unix seconds in a CSV column
        return Mention(
            schema_version=1,
            id=self._id(record, "id") or "",
            source=self.source,
            text=self._text(record, "text") or "",
            created_at=parse_time(created, self.fields["created_at"]),
            author=Author(
                id=self._text(record, "author.id") or "",
                handle=(self._text(record, "author.handle") or "").lstrip("@"),
                followers=_integer(followers, self.fields.get("author.followers", "")),
                verified=_boolean(verified, self.fields.get("author.verified", "")),
            ),
            url=self._text(record, "url"),
            lang=self._text(record, "lang"),
            in_reply_to=self._id(record, "in_reply_to"),
            conversation_id=self._id(record, "conversation_id"),
            brand=self._text(record, "brand") or self.brand,
        )


def _integer(value: Any, path: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise MalformedPayloadError(RejectReason.BAD_SHAPE, f"{path!r} is not a whole number")


def _boolean(value: Any, path: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise MalformedPayloadError(RejectReason.BAD_SHAPE, f"{path!r} is not true or false")
