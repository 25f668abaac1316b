"""Grouping with Alertmanager's timing, and digests; pure, driven by the caller's clock.

Each unit (one alert for one receiver's integration) joins a group keyed by its route,
receiver, integration and ``group_by`` label values. A new group is flushed after
``group_wait``; alerts joining a group that was flushed wait until ``group_interval`` after
that flush. Alerts a route digests join the digest of their UTC hour or day instead, and
an interrupted multi-alert notification is re-formed under the id it was sent with.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from alerts.offsets import Ticket
from alerts.records import delivery_log_key
from alerts.routing import RouteNode
from streams.records import Alert

# Alerts of an interrupted notification may come back from several partitions: wait a
# moment so that they are sent together again, under the id they had.
RESUME_WAIT_SECONDS = 2.0
WINDOWS = {"hourly": 3600.0, "daily": 86400.0}

GroupKind = Literal["group", "digest", "resume"]


@dataclass(eq=False)
class Unit:
    """One alert to deliver through one integration of one receiver."""

    alert: Alert
    labels: dict[str, str]
    node: RouteNode
    receiver: str
    integration: int
    integration_name: str
    source: str
    ticket: Ticket
    record: Any = None
    resume_id: str | None = None
    repeat: bool = False

    def key(self) -> str:
        return delivery_log_key(self.alert.alert_id, self.receiver, self.integration_name)


@dataclass(frozen=True)
class Flush:
    kind: GroupKind
    key: tuple[Any, ...]
    units: list[Unit]
    window_start: float | None = None


@dataclass
class _Group:
    kind: GroupKind
    pending: list[Unit] = field(default_factory=list)
    next_at: float | None = None
    last_flush: float | None = None
    interval: float = 0.0
    window_start: float | None = None


class Dispatcher:
    def __init__(self) -> None:
        self._groups: dict[tuple[Any, ...], _Group] = {}

    def add(self, unit: Unit, now: float) -> None:
        node = unit.node
        if unit.resume_id is not None:
            key: tuple[Any, ...] = ("resume", unit.receiver, unit.integration, unit.resume_id)
            group = self._groups.setdefault(
                key, _Group("resume", next_at=now + RESUME_WAIT_SECONDS)
            )
        elif node.digest is not None and node.digests(unit.alert):
            window = WINDOWS[node.digest.every]
            start = math.floor(now / window) * window
            key = ("digest", node.path, unit.receiver, unit.integration, start)
            group = self._groups.setdefault(
                key, _Group("digest", next_at=start + window, window_start=start)
            )
        else:
            # No waiting at all (Earful's default): every alert is a group of its own.
            labels = (
                node.group_labels(unit.labels)
                if node.group_wait or node.group_interval
                else id(unit)
            )
            key = ("group", node.path, unit.receiver, unit.integration, labels)
            group = self._groups.get(key) or _Group("group", interval=node.group_interval)
            if key not in self._groups:
                group.next_at = now + node.group_wait
                self._groups[key] = group
            elif group.next_at is None:
                assert group.last_flush is not None
                group.next_at = max(now, group.last_flush + group.interval)
        group.pending.append(unit)

    def due(self, now: float) -> list[Flush]:
        """Groups whose time has come, emptied; idle groups past their interval are dropped."""
        flushes: list[Flush] = []
        for key, group in list(self._groups.items()):
            if group.next_at is not None and group.next_at <= now:
                if group.pending:
                    flushes.append(Flush(group.kind, key, group.pending, group.window_start))
                group.pending = []
                group.last_flush = now
                group.next_at = None
            if group.next_at is None and (
                group.kind != "group" or now >= (group.last_flush or now) + group.interval
            ):
                del self._groups[key]
        return flushes

    def next_deadline(self) -> float | None:
        deadlines = [g.next_at for g in self._groups.values() if g.next_at is not None]
        return min(deadlines) if deadlines else None

    def drop(self, stale: Callable[[Unit], bool]) -> list[Unit]:
        """Remove units that must not be sent any more (their partition was revoked)."""
        dropped: list[Unit] = []
        for group in self._groups.values():
            keep = [u for u in group.pending if not stale(u)]
            dropped.extend(u for u in group.pending if stale(u))
            group.pending = keep
        return dropped

    def pending(self) -> int:
        return sum(len(g.pending) for g in self._groups.values())


def window_label(start: float) -> str:
    return datetime.fromtimestamp(start, UTC).isoformat()
