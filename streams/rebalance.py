"""A fence around Faust's fetcher for rebalances: records fetched before a seek are
never delivered after it, and records fetched but never delivered are fetched again.

After a rebalance Faust seeks each partition to its committed offset, sometimes twice
(before and after table recovery), while its fetch loop may still be handing out a batch
fetched from the previous position. When such a stale record is delivered after the
seek, Faust counts every offset between the seek and that record as a "gap" (as if
compacted away) and commits past them, or drops the re-fetched records below it: a batch
of mentions silently lost (faust-streaming issues #216 and #221; reproduced by
``tests/integration/test_scale_out.py``).

Faust's fetch loop also drops fetched records without a word, and the client's position
has moved past them: a batch that comes back while flow is stopped (a rebalance began
during the fetch), the rest of a batch once flow stops or the generation changes, and
records of a partition not active at that moment. Faust then seeks only the partitions
with a committed offset. A table's changelog has none: when the dropped batch held the
records table recovery had just sought to, recovery waited for them forever and the
worker took nothing more from its new partitions (1 run in about 15 of the scale-out
test, and in CI).

So the fence notes each fetch (when it began and what it returned) and every seek (where
it put each partition, and when). A batch is handed out only while no seek has happened
since its fetch began. After the batch, each partition with records not handed out is
sought again:

- sought since the fetch began: to where that seek put it, since the batch may have
  drawn records past it (this also puts back Faust's read offset, which a stale record
  may have moved);
- not sought: to its first record not handed out.

A seek to committed offsets skips a partition with no commit yet, and records handed out
before that seek but still waiting in an agent's queue are dropped, unacknowledged, when
Faust resumes flow after it (``FlowControlEvent.resume()`` clears every queue made with
``clear_on_resume``, as the agents' are; 5 and 9 mentions of 3,000 in 2 of 12 runs of the
``kill -9`` test). So every such seek also seeks each partition it left alone back to the
first record handed out since that partition's previous seek.

At worst a record is processed twice (at-least-once; the dedupe tables stop a second
alert), never skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import faust
import structlog
from aiokafka.errors import IllegalStateError

log = structlog.get_logger("earful.streams")


class SeekFence:
    def __init__(self, consumer: Any, acked: Callable[[Any], bool] = lambda tp: True) -> None:
        """``acked``: whether a partition's offsets are committed as its records are
        acknowledged (the agents' topics, not the tables' changelogs, which table recovery
        seeks itself)."""
        self.consumer = consumer
        self.acked = acked
        self.seeks = 0
        self.refetched_batches = 0
        # partition -> (offset the latest seek set, the seek counter when it ended)
        self.sought: dict[Any, tuple[int, int]] = {}
        self._committed_sought: dict[Any, int] = {}
        self._seek: Callable[[Any, int], Awaitable[Any]] = consumer.seek
        # partition -> the offset a seek put it at, until its first record is handed out
        self._first_due: dict[Any, int] = {}
        self.resumed_elsewhere = 0
        # partition -> its first record handed out since the partition was last sought
        self._handed_since_seek: dict[Any, int] = {}
        # The latest fetch: the seek counter when it began, and the records it returned.
        self._fetch: tuple[int, Mapping[Any, Sequence[Any]]] | None = None

    def _note_sought(self, positions: Mapping[Any, int]) -> None:
        for tp, offset in positions.items():
            self.sought[tp] = (offset, self.seeks)
            self._handed_since_seek.pop(tp, None)
            if offset:  # a seek to 0 may land later (retention): nothing to check then
                self._first_due[tp] = offset
            else:
                self._first_due.pop(tp, None)

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
                self._note_sought({**self._committed_sought, **again})
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
                self._note_sought({partition: offset})

        return fenced_seek

    def guard_seek_wait(
        self, seek_wait: Callable[[Mapping[Any, int]], Awaitable[Any]]
    ) -> Callable[[Mapping[Any, int]], Awaitable[Any]]:
        """Table recovery seeks the changelogs it reads this way."""

        async def fenced_seek_wait(partitions: Mapping[Any, int]) -> Any:
            self.seeks += 1
            try:
                return await seek_wait(partitions)
            finally:
                self.seeks += 1
                self._note_sought(dict(partitions))

        return fenced_seek_wait

    def guard_wait_next_records(
        self, wait_next_records: Callable[[float], Awaitable[tuple[Any, Any]]]
    ) -> Callable[[float], Awaitable[tuple[Any, Any]]]:
        """Faust's getmany fetches through this: note when the fetch began and what it
        returned, whatever getmany then hands out."""

        # Faust's signature, so ``timeout`` by name: the wait is Faust's.
        async def noted_wait_next_records(timeout: float) -> tuple[Any, Any]:  # noqa: ASYNC109
            began = self.seeks
            records, active_partitions = await wait_next_records(timeout)
            self._fetch = (began, records or {})
            return records, active_partitions

        return noted_wait_next_records

    def guard_getmany(
        self, getmany: Callable[..., AsyncIterator[Any]]
    ) -> Callable[..., AsyncIterator[Any]]:
        async def fenced_getmany(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            self._fetch = None
            began: int | None = None
            handed_out: dict[Any, int] = {}  # partition -> its last record handed out
            async for tp, message in getmany(*args, **kwargs):
                if began is None:  # the fetch's start if noted, else its first record
                    began = self._fetch[0] if self._fetch is not None else self.seeks
                if self.seeks != began:
                    continue  # stale: fetched again below
                if self._first_due:
                    self._check_first(tp, message.offset)
                self._handed_since_seek.setdefault(tp, message.offset)
                yield tp, message
                handed_out[tp] = message.offset
            fetch, self._fetch = self._fetch, None
            if fetch is not None:
                await self._fetch_again(*fetch, handed_out)

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

    def _positions_to_restore(
        self, began: int, records: Mapping[Any, Sequence[Any]], handed_out: Mapping[Any, int]
    ) -> dict[Any, int]:
        """Where each partition of a fetch must read on so that no record of it that was
        not handed out is skipped (none, for a batch handed out whole)."""
        positions: dict[Any, int] = {}
        for tp, batch in records.items():
            if not batch:
                continue
            sought = self.sought.get(tp)
            if sought is not None and sought[1] > began:
                positions[tp] = sought[0]
                continue
            last = handed_out.get(tp)
            if last is None:
                positions[tp] = batch[0].offset
            elif batch[-1].offset > last:
                positions[tp] = next(r.offset for r in batch if r.offset > last)
        return positions

    async def _fetch_again(
        self, began: int, records: Mapping[Any, Sequence[Any]], handed_out: Mapping[Any, int]
    ) -> None:
        positions = self._positions_to_restore(began, records, handed_out)
        if not positions:
            return
        assigned = self.consumer.assignment()
        restored: dict[Any, int] = {}
        for tp, offset in positions.items():
            if tp not in assigned:
                continue  # its new owner reads it from the committed offset
            self.seeks += 1
            try:
                await self._seek(tp, offset)
            except IllegalStateError:  # revoked in the meantime: the same as above
                log.info("partition revoked before it was sought again", partition=_named(tp))
                continue
            finally:
                self.seeks += 1
            restored[tp] = offset
        if not restored:
            return  # every partition left: their new owners read them from the commit
        self._note_sought(restored)
        self.refetched_batches += 1
        log.info(
            "fetched records not handed out are fetched again",
            last_handed_out={_named(tp): offset for tp, offset in handed_out.items()},
            fetched_again_from={_named(tp): offset for tp, offset in restored.items()},
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
        consumer.seek_wait = fence.guard_seek_wait(consumer.seek_wait)
        consumer._wait_next_records = fence.guard_wait_next_records(consumer._wait_next_records)
        consumer.getmany = fence.guard_getmany(consumer.getmany)
        consumer.earful_seek_fence = fence
        return consumer

    app._new_consumer = build_fenced_consumer  # type: ignore[method-assign]
