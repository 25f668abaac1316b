"""A fence around Faust's fetcher for rebalances: records fetched before a seek are
never delivered after it.

After a rebalance Faust seeks each partition to its committed offset, sometimes twice
(before and after table recovery), while its fetch loop may still be handing out a batch
fetched from the previous position. When such a stale record is delivered after the
seek, Faust counts every offset between the seek and that record as a "gap" (as if
compacted away) and commits past them, or drops the re-fetched records below it: a batch
of mentions silently lost (faust-streaming issues #216 and #221; reproduced by
``tests/integration/test_scale_out.py``).

The fence numbers seeks. When a seek happens while a fetched batch is being handed out,
the rest of the batch is dropped and the consumer seeks again to the committed offsets,
after the fetch loop wrote its read positions; the next fetch starts from there. At worst
a record is processed twice (at-least-once; the dedupe tables stop a second alert).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import faust
import structlog

log = structlog.get_logger("earful.streams")


class SeekFence:
    def __init__(self, consumer: Any) -> None:
        self.consumer = consumer
        self.seeks = 0
        self.stale_batches = 0
        self._perform_seek: Callable[[], Awaitable[Any]] = consumer.perform_seek

    def guard_seek(self, seek: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def fenced_seek(*args: Any, **kwargs: Any) -> Any:
            # Counted at the start and the end: a batch handed out during it is stale.
            self.seeks += 1
            try:
                return await seek(*args, **kwargs)
            finally:
                self.seeks += 1

        return fenced_seek

    def guard_getmany(
        self, getmany: Callable[..., AsyncIterator[Any]]
    ) -> Callable[..., AsyncIterator[Any]]:
        async def fenced_getmany(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            fetched_at: int | None = None
            async for item in getmany(*args, **kwargs):
                # The first item comes once the fetch returned: records from then on are
                # from the positions current at that moment.
                fetched_at = self.seeks if fetched_at is None else fetched_at
                if self.seeks != fetched_at:
                    break
                yield item
                if self.seeks != fetched_at:
                    break
            if fetched_at is not None and self.seeks != fetched_at:
                self.stale_batches += 1
                log.info("fetched records set aside: a seek came while they were handed out")
                await self._perform_seek()

        return fenced_getmany


def fence_seeks(app: faust.App) -> None:
    """Install the fence on the consumer ``app`` builds when the worker starts (building
    it here would bind it to an event loop before the worker has chosen one)."""
    build_consumer = app._new_consumer

    def build_fenced_consumer() -> Any:
        consumer: Any = build_consumer()
        fence = SeekFence(consumer)
        consumer.perform_seek = fence.guard_seek(consumer.perform_seek)
        consumer.seek = fence.guard_seek(consumer.seek)
        consumer.getmany = fence.guard_getmany(consumer.getmany)
        consumer.earful_seek_fence = fence
        return consumer

    app._new_consumer = build_fenced_consumer  # type: ignore[method-assign]
