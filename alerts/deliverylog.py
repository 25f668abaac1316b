"""The durable delivery log: per ``alert_id|receiver|integration``, the last outcome.

The worker follows the whole compacted topic (every partition) into memory, and waits for
it to catch up before it handles a partition it was just assigned, so an alert another
worker delivered before a crash or rebalance is not sent again.

Memory stays bounded: an entry is forgotten ``remember_seconds`` after its outcome
(``delivery.remember_seconds``), measured against the newest outcome seen, so a worker
replaying the topic forgets as it goes. An alert published again after that is sent as
new, and its message is no longer updated.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from pydantic import ValidationError

from alerts.records import DeliveryLogEntry

log = structlog.get_logger("earful.alerts")


@dataclass(frozen=True)
class Decision:
    action: Literal["send", "resume", "duplicate"]
    notification_id: str | None = None
    repeat: bool = False


def alert_id_of(key: str) -> str:
    """The alert id in a delivery log key ``alert_id|receiver|integration`` (an alert id
    may itself hold ``|``; receivers and integrations do not)."""
    return key.rsplit("|", 2)[0]


class DeliveryLog:
    def __init__(self, remember_seconds: float | None = None) -> None:
        self._entries: dict[str, DeliveryLogEntry] = {}
        self._keys_by_alert: dict[str, set[str]] = {}
        self._remember = None if remember_seconds is None else timedelta(seconds=remember_seconds)
        self._written: deque[tuple[datetime, str]] = deque()  # (at, key), oldest first
        self._newest: datetime | None = None
        self.forgotten = 0

    def apply(self, record: Any) -> None:
        key = record.key.decode("utf-8", "replace") if record.key else ""
        if record.value is None:
            self._forget(key)
            return
        try:
            entry = DeliveryLogEntry.model_validate_json(record.value)
        except ValidationError:
            log.warning("invalid delivery log entry ignored", key=key)
            return
        self.put(key, entry)

    def put(self, key: str, entry: DeliveryLogEntry) -> None:
        known = self._entries.get(key)
        # Our own writes land in memory at once and come back from the topic later.
        if known is None or entry.at >= known.at:
            self._entries[key] = entry
            self._keys_by_alert.setdefault(alert_id_of(key), set()).add(key)
            if self._remember is not None:
                self._written.append((entry.at, key))
                self._newest = entry.at if self._newest is None else max(self._newest, entry.at)
                self._expire(self._newest - self._remember)

    def _expire(self, before: datetime) -> None:
        """Forget entries whose last outcome is older than ``before`` (amortised O(1): each
        write is queued once and looked at once more)."""
        written = self._written
        while written and written[0][0] < before:
            at, key = written.popleft()
            entry = self._entries.get(key)
            if entry is not None and entry.at <= at:  # not written again since
                self._forget(key)
                self.forgotten += 1

    def _forget(self, key: str) -> None:
        self._entries.pop(key, None)
        alert_id = alert_id_of(key)
        keys = self._keys_by_alert.get(alert_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_by_alert[alert_id]

    def get(self, key: str) -> DeliveryLogEntry | None:
        return self._entries.get(key)

    def for_alert(self, alert_id: str) -> dict[str, DeliveryLogEntry]:
        """Every entry of one alert (one per receiver and integration), by key."""
        return {
            k: self._entries[k] for k in self._keys_by_alert.get(alert_id, ()) if k in self._entries
        }

    def decide(
        self,
        key: str,
        *,
        source: str,
        published: datetime,
        now: datetime,
        repeat_interval: float,
    ) -> Decision:
        """Send, resume an interrupted notification under its id, or skip a duplicate.

        A record already handled, or published before the last outcome (a replay), is a
        duplicate; an alert id published again is re-sent only after ``repeat_interval``,
        unless it was dead-lettered (never delivered), when it is sent at once.
        """
        entry = self._entries.get(key)
        if entry is None:
            return Decision("send")
        if entry.state == "sending":
            return Decision("resume", entry.notification_id)
        if entry.source == source or published <= entry.at:
            return Decision("duplicate")
        if entry.state == "dead_lettered":
            # Never delivered: a later publication of it (say, replayed from the dead-letter
            # topic once the channel is back) is a new chance, not a repeat.
            return Decision("send")
        if (now - entry.at).total_seconds() < repeat_interval:
            return Decision("duplicate")
        return Decision("send", repeat=True)

    def __len__(self) -> int:
        return len(self._entries)
