"""Which offsets may be committed: per partition, everything below the lowest offset whose
alert is not fully handled yet (delivered, suppressed or dead-lettered everywhere).

A record takes a ``Ticket``; every piece of work for it holds the ticket and releases it
when done. Work for a partition that was revoked no longer counts (its ticket is stale).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Partition = tuple[str, int]
"""(topic, partition)"""


@dataclass(eq=False)
class Ticket:
    partition: Partition
    offset: int
    generation: int
    holds: int = 1


@dataclass
class OffsetTracker:
    _pending: dict[Partition, dict[int, Ticket]] = field(default_factory=dict)
    _next: dict[Partition, int] = field(default_factory=dict)
    _committed: dict[Partition, int] = field(default_factory=dict)
    _generation: dict[Partition, int] = field(default_factory=dict)

    def assign(self, partition: Partition) -> None:
        if partition in self._pending:
            return  # still ours: keep what is pending
        self._generation[partition] = self._generation.get(partition, 0) + 1
        self._pending[partition] = {}
        self._next.pop(partition, None)
        self._committed.pop(partition, None)

    def revoke(self, partition: Partition) -> None:
        self._generation[partition] = self._generation.get(partition, 0) + 1
        self._pending.pop(partition, None)
        self._next.pop(partition, None)
        self._committed.pop(partition, None)

    def begin(self, partition: Partition, offset: int) -> Ticket:
        """A ticket for a record just read, held once by the caller until it is routed."""
        if partition not in self._pending:
            self.assign(partition)
        ticket = Ticket(partition, offset, self._generation[partition])
        self._pending[partition][offset] = ticket
        self._next[partition] = max(self._next.get(partition, 0), offset + 1)
        return ticket

    def hold(self, ticket: Ticket) -> None:
        ticket.holds += 1

    def release(self, ticket: Ticket) -> None:
        ticket.holds -= 1
        if ticket.holds <= 0 and self.owns(ticket):
            self._pending[ticket.partition].pop(ticket.offset, None)

    def owns(self, ticket: Ticket) -> bool:
        return self._generation.get(ticket.partition) == ticket.generation

    def committable(self) -> dict[Partition, int]:
        """Offsets to commit now (the next offset to read), only where they advanced."""
        found: dict[Partition, int] = {}
        for partition, pending in self._pending.items():
            if partition not in self._next:
                continue
            offset = min(pending) if pending else self._next[partition]
            if offset > self._committed.get(partition, -1):
                found[partition] = offset
        return found

    def committed(self, offsets: dict[Partition, int]) -> None:
        for partition, offset in offsets.items():
            if partition in self._pending:
                self._committed[partition] = offset

    def outstanding(self) -> int:
        return sum(len(p) for p in self._pending.values())
