"""Forgetting old dedupe entries, so the scoring worker's tables stay bounded: the pure core.

Faust writes a table change to the changelog partition of the event in hand, and a key
lives in the partition of the mention that wrote it. So an entry is deleted while an event
of that same partition is processed: each partition keeps its keys in a heap ordered by
expiry, fed by the agent's writes and by the changelog replayed at start-up, and each
event of the partition deletes at most a few that are due. An entry written again since
(a similar text counted on) is checked against its stored value, so only a really expired
one goes.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

ExpiresAt = Callable[[Any], float | None]  # a stored value -> when it expires (None: never)


@dataclass
class ExpiringTable:
    name: str
    table: MutableMapping[str, Any]
    expires_at: ExpiresAt


@dataclass
class Expiry:
    tables: dict[str, ExpiringTable]
    per_event: int = 4  # deletions per event: more than the at most two keys an event adds
    _heaps: dict[int, list[tuple[float, str, str]]] = field(default_factory=dict)

    def note(self, partition: int, table: str, key: str, value: Any) -> None:
        """Remember when an entry written in ``partition`` expires."""
        when = self.tables[table].expires_at(value)
        if when is not None:
            heapq.heappush(self._heaps.setdefault(partition, []), (when, table, key))

    def sweep(self, partition: int, now: float) -> int:
        """Delete up to ``per_event`` entries of ``partition`` that are due; call it while
        an event of that partition is in hand. Returns how many were deleted."""
        heap = self._heaps.get(partition)
        deleted = 0
        while heap and heap[0][0] <= now and deleted < self.per_event:
            _, name, key = heapq.heappop(heap)
            table = self.tables[name]
            value = table.table.get(key)
            when = None if value is None else table.expires_at(value)
            if when is not None and when <= now:
                del table.table[key]
                deleted += 1
        return deleted

    def pending(self, partition: int) -> int:
        return len(self._heaps.get(partition, ()))


class NotedTable(MutableMapping[str, Any]):
    """A table whose writes are noted in ``expiry`` under the partition of the event in
    hand (set ``partition`` before each event)."""

    def __init__(self, name: str, table: MutableMapping[str, Any], expiry: Expiry) -> None:
        self.name, self.table, self.expiry = name, table, expiry
        self.partition = 0

    def __getitem__(self, key: str) -> Any:
        return self.table[key]

    def __contains__(self, key: object) -> bool:  # the table's own answer, not a lookup
        return key in self.table

    def get(self, key: str, default: Any = None) -> Any:
        return self.table.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.table[key] = value
        self.expiry.note(self.partition, self.name, key, value)

    def __delitem__(self, key: str) -> None:
        del self.table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


def seen_expiry(remember_seconds: float) -> ExpiresAt:
    """``alerted-mentions`` values are the time the id alerted."""

    def expires_at(value: Any) -> float | None:
        return float(value) + remember_seconds if isinstance(value, int | float) else None

    return expires_at


def similar_expiry(window_seconds: float) -> ExpiresAt:
    """``similar-texts`` values are ``[first alert id, since, count]``; past the window an
    entry no longer counts (``duplicates.check`` treats it as absent)."""

    def expires_at(value: Any) -> float | None:
        if isinstance(value, list | tuple) and len(value) == 3:
            return float(value[1]) + window_seconds
        return None

    return expires_at
