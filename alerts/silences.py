"""Silences: an in-memory view of the compacted silences topic, and matching against it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from pydantic import ValidationError

from alerts.records import Silence
from config.matchers import Matcher

log = structlog.get_logger("earful.alerts")


class SilenceView:
    """The current silences, by id; a record with a null value (tombstone) deletes one."""

    def __init__(self) -> None:
        self._silences: dict[str, tuple[Silence, tuple[Matcher, ...]]] = {}

    def apply(self, record: Any) -> None:
        self.put(record.key.decode("utf-8", "replace") if record.key else None, record.value)

    def put(self, key: str | None, value: bytes | None) -> None:
        if value is None:
            if key is not None:
                self._silences.pop(key, None)
            return
        try:
            silence = Silence.model_validate_json(value)
        except ValidationError as error:
            log.warning("invalid silence ignored", key=key, error=str(error)[:500])
            return
        self._silences[silence.id] = (silence, silence.parsed_matchers())

    def silencing(self, labels: dict[str, str], now: datetime) -> Silence | None:
        """The first active silence whose matchers all match ``labels``, if any."""
        for silence, matchers in self._silences.values():
            if silence.active_at(now) and all(m.matches(labels) for m in matchers):
                return silence
        return None

    def __len__(self) -> int:
        return len(self._silences)
