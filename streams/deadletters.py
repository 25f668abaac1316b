"""Dead-letter messages: the original bytes untouched, the reason in headers (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from streams.records import DLQ_HEADER_PREFIX, DeadLetterReason


def dead_letter_headers(
    *,
    stage: str,
    reason: DeadLetterReason,
    detail: str,
    topic: str,
    partition: int,
    offset: int,
    now: datetime | None = None,
) -> list[tuple[str, bytes]]:
    """Headers saying what failed where, so the message can be fixed and replayed."""
    fields = {
        "stage": stage,
        "reason": reason.value,
        "detail": detail[:2000],
        "topic": topic,
        "partition": str(partition),
        "offset": str(offset),
        "at": (now or datetime.now(UTC)).isoformat(),
    }
    return [(DLQ_HEADER_PREFIX + k, v.encode("utf-8")) for k, v in fields.items()]


def read_dead_letter_headers(headers: list[tuple[str, bytes]] | None) -> dict[str, str]:
    """The ``earful.dlq.*`` headers as a plain dict (``reason``, ``detail``, ...)."""
    found = {}
    for key, value in headers or []:
        if key.startswith(DLQ_HEADER_PREFIX):
            found[key[len(DLQ_HEADER_PREFIX) :]] = value.decode("utf-8", "replace")
    return found
