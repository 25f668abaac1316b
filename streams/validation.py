"""Turn raw Kafka bytes into a :class:`Mention`, or a rejection that says why (pure)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from streams.records import MAX_MESSAGE_BYTES, SCHEMA_VERSION, DeadLetterReason, Mention


@dataclass(frozen=True)
class Rejection:
    reason: DeadLetterReason
    detail: str


def parse_mention(raw: bytes | None) -> Mention | Rejection:
    """Validate one message against mention schema v1. Never raises."""
    if raw is None:
        return Rejection(DeadLetterReason.NOT_JSON, "message has no value (a tombstone?)")
    if len(raw) > MAX_MESSAGE_BYTES:
        return Rejection(
            DeadLetterReason.TOO_LARGE,
            f"message is {len(raw)} bytes; the limit is {MAX_MESSAGE_BYTES}",
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return Rejection(
            DeadLetterReason.NOT_UTF8, f"invalid UTF-8 at byte {error.start}: {error.reason}"
        )
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return Rejection(DeadLetterReason.NOT_JSON, f"not JSON: {error}")
    if not isinstance(data, dict):
        return Rejection(
            DeadLetterReason.NOT_AN_OBJECT, f"expected a JSON object, got {type(data).__name__}"
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        return Rejection(
            DeadLetterReason.UNSUPPORTED_VERSION,
            f"schema_version is {version!r}; this Earful reads version "
            f"{SCHEMA_VERSION} (see docs/integrators.md)",
        )
    try:
        return Mention.model_validate_json(raw)
    except ValidationError as error:
        return Rejection(DeadLetterReason.SCHEMA_VIOLATION, describe_validation_error(error))


def describe_validation_error(error: ValidationError, limit: int = 5) -> str:
    """``author.handle: Field required; created_at: ...`` — short, one line, no input echo."""
    parts = []
    for item in error.errors(include_url=False, include_input=False)[:limit]:
        where = ".".join(str(p) for p in item["loc"]) or "(message)"
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
