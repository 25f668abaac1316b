"""A fence around Faust's fetcher for rebalances: records fetched before a seek are
never delivered after it, and records set aside are fetched again.

After a rebalance Faust seeks each partition to its committed offset, sometimes twice
(before and after table recovery), while its fetch loop may still be handing out a batch
fetched from the previous position. When such a stale record is delivered after the
seek, Faust counts every offset between the seek and that record as a "gap" (as if
compacted away) and commits past them, or drops the re-fetched records below it: a batch
of mentions silently lost (faust-streaming issues #216 and #221; reproduced by
``tests/integration/test_scale_out.py``).

The fence numbers seeks and remembers where each seek put each partition. When a seek
happens while a fetched batch is being handed out, the rest of the batch is set aside.
Then, per partition of the batch:

- sought during the batch: the seek decided where reading goes on; only Faust's read
  offset, which the last stale record moved, is put back to where the seek set it;
- not sought (a seek to committed offsets skips a partition with no commit yet): it is
  sought back to its first record set aside, so those records are fetched again.

Records handed out before that seek but still waiting in an agent's queue are dropped,
unacknowledged, when Faust resumes flow after it: ``FlowControlEvent.resume()`` clears
every queue made with ``clear_on_resume``, as the agents' are. A partition sought to its
committed offset reads them again; one with no committed offset is left where it is, so
they were lost (at a worker's start after a crash before the first commit: 5 and 9
mentions of 3,000 in 2 of 12 runs of the ``kill -9`` test; the group's commits stopped at
the first of them). So every such seek also seeks each partition it left alone back to
the first record handed out since that partition's previous seek.

At worst a record is processed twice (at-least-once; the dedupe tables stop a second
alert), never skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import faust
import structlog

log = structlog.get_logger("earful.streams")


class SeekFence:
    def __init__(self, consumer: Any, acked: Callable[[Any], bool] = lambda tp: True) -> None:
        """``acked``: whether a partition's offsets are committed as its records are
        acknowledged (the agents' topics, not the tables' changelogs, which table recovery
        seeks itself)."""
        self.consumer = consumer
        self.acked = acked
        self.seeks = 0
        self.stale_batches = 0
        # partition -> (offset the latest seek set, the seek counter when it ended)
        self.sought: dict[Any, tuple[int, int]] = {}
        self._committed_sought: dict[Any, int] = {}
        self._seek: Callable[[Any, int], Awaitable[Any]] = consumer.seek
        # partition -> the offset a seek put it at, until its first record is handed out
        self._first_due: dict[Any, int] = {}
        self.resumed_elsewhere = 0
        # partition -> its first record handed out since the partition was last sought
        self._handed_since_seek: dict[Any, int] = {}

    def guard_perform_seek(
        self, perform_seek: Callable[[], Awaitable[Any]]
    ) -> Callable[[], Awaitable[Any]]:
        async def fenced_perform_seek() -> Any:
            # Counted at the start and the end: a batch handed out during it is stale.
            self.seeks += 1
            again: dict[Any, int] = {}
            try:
                result = await perform_seek()
                again = self._unsought_handed_out()
                for tp, offset in again.items():
                    await self._seek(tp, offset)
                if again:
                    log.info(
                        "partitions with no committed offset read again from their first "
                        "record handed out since they were last sought",
                        partitions={_named(tp): offset for tp, offset in again.items()},
                    )
                return result
            finally:
                self.seeks += 1
                for tp, offset in {**self._committed_sought, **again}.items():
                    self.sought[tp] = (offset, self.seeks)
                    self._first_due[tp] = offset
                self._committed_sought = {}
                self._handed_since_seek = {}

        return fenced_perform_seek

    def _unsought_handed_out(self) -> dict[Any, int]:
        """Assigned partitions of the agents' topics that the seek to committed offsets left
        alone, and the first record each handed out since it was last sought."""
        assigned = self.consumer.assignment()
        return {
            tp: offset
            for tp, offset in self._handed_since_seek.items()
            if tp not in self._committed_sought and tp in assigned and self.acked(tp)
        }

    def guard_seek_to_committed(
        self, seek_to_committed: Callable[[], Awaitable[Mapping[Any, int | None]]]
    ) -> Callable[[], Awaitable[Mapping[Any, int | None]]]:
        async def noted_seek_to_committed() -> Mapping[Any, int | None]:
            committed = await seek_to_committed()
            # The client seeks only the partitions with a committed offset above 0.
            self._committed_sought.update({tp: o for tp, o in committed.items() if o})
            log.info(
                "partitions sought to their committed offsets",
                committed={_named(tp): o for tp, o in committed.items() if o is not None},
            )
            return committed

        return noted_seek_to_committed

    def guard_seek(
        self, seek: Callable[[Any, int], Awaitable[Any]]
    ) -> Callable[[Any, int], Awaitable[Any]]:
        async def fenced_seek(partition: Any, offset: int) -> Any:
            self.seeks += 1
            try:
                return await seek(partition, offset)
            finally:
                self.seeks += 1
                self._handed_since_seek.pop(partition, None)
                if offset:
                    self.sought[partition] = (offset, self.seeks)
                    self._first_due[partition] = offset

        return fenced_seek

    def guard_getmany(
        self, getmany: Callable[..., AsyncIterator[Any]]
    ) -> Callable[..., AsyncIterator[Any]]:
        async def fenced_getmany(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            fetched_at: int | None = None
            handed_out: dict[Any, int] = {}
            set_aside: dict[Any, int] = {}  # partition -> its first record not handed out
            async for tp, message in getmany(*args, **kwargs):
                # The first item comes once the fetch returned: records from then on are
                # from the positions current at that moment.
                fetched_at = self.seeks if fetched_at is None else fetched_at
                if self.seeks != fetched_at:
                    set_aside.setdefault(tp, message.offset)
                    continue
                if self._first_due:
                    self._check_first(tp, message.offset)
                self._handed_since_seek.setdefault(tp, message.offset)
                yield tp, message
                handed_out[tp] = message.offset
            if fetched_at is not None and self.seeks != fetched_at:
                self.stale_batches += 1
                await self._recover(fetched_at, handed_out, set_aside)

        return fenced_getmany

    def _check_first(self, tp: Any, offset: int) -> None:
        """The first record after a seek should be the one sought; a later one means the
        records between were skipped (or compacted away, or transaction markers)."""
        due = self._first_due.pop(tp, None)
        if due is not None and offset != due:
            self.resumed_elsewhere += 1
            # Info, not a warning: transactional producers' markers cause this too.
            log.info(
                "a partition resumed at another offset than it was sought to",
                partition=_named(tp),
                sought=due,
                first_record=offset,
            )

    async def _recover(
        self, fetched_at: int, handed_out: dict[Any, int], set_aside: dict[Any, int]
    ) -> None:
        read_offsets = self.consumer._read_offset
        fetched_again: dict[str, int] = {}
        for tp in handed_out.keys() | set_aside.keys():
            offset, sought_at = self.sought.get(tp, (0, -1))
            if sought_at > fetched_at:
                read_offsets[tp] = offset
            elif tp in set_aside:
                await self._seek(tp, set_aside[tp])
                self._handed_since_seek.pop(tp, None)
                self._first_due[tp] = set_aside[tp]
                fetched_again[_named(tp)] = set_aside[tp]
        log.info(
            "fetched records set aside: a seek came while they were handed out",
            last_handed_out={_named(tp): offset for tp, offset in handed_out.items()},
            fetched_again_from=fetched_again,
        )


def _named(tp: Any) -> str:
    """``topic/partition``, shorter in a log line than a ``TopicPartition``'s repr."""
    topic, partition = getattr(tp, "topic", None), getattr(tp, "partition", None)
    return str(tp) if topic is None else f"{topic}/{partition}"


def fence_seeks(app: faust.App) -> None:
    """Install the fence on the consumer ``app`` builds when the worker starts (building
    it here would bind it to an event loop before the worker has chosen one)."""
    build_consumer = app._new_consumer

    def build_fenced_consumer() -> Any:
        consumer: Any = build_consumer()
        changelogs = app.tables.changelog_topics
        fence = SeekFence(consumer, acked=lambda tp: tp.topic not in changelogs)
        consumer.perform_seek = fence.guard_perform_seek(consumer.perform_seek)
        consumer.seek_to_committed = fence.guard_seek_to_committed(consumer.seek_to_committed)
        consumer.seek = fence.guard_seek(consumer.seek)
        consumer.getmany = fence.guard_getmany(consumer.getmany)
        consumer.earful_seek_fence = fence
        return consumer

    app._new_consumer = build_fenced_consumer  # type: ignore[method-assign]
