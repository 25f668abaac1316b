"""The seek fence: a batch handed out across a seek stops there and the consumer seeks
again; batches fetched after a seek pass untouched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from streams.rebalance import SeekFence


class FakeConsumer:
    """Only what the fence touches: a seek that records its calls."""

    def __init__(self) -> None:
        self.seeks_performed = 0

    async def perform_seek(self) -> dict[str, int]:
        self.seeks_performed += 1
        return {}


def run(fence: SeekFence, batch: list[int], seek_after: int | None) -> list[int]:
    """Hand ``batch`` out through the fence; a seek (through the fence) happens after
    ``seek_after`` items were handed out (``0``: while the batch is being fetched)."""
    seek = fence.guard_seek(fence.consumer.perform_seek)

    async def getmany(**_: float) -> AsyncIterator[int]:
        if seek_after == 0:
            await seek()
        for n, item in enumerate(batch, start=1):
            yield item
            if n == seek_after:
                await seek()

    async def drain() -> list[int]:
        return [item async for item in fence.guard_getmany(getmany)(timeout=1.0)]

    return asyncio.run(drain())


def test_a_batch_without_a_seek_passes_whole() -> None:
    consumer = FakeConsumer()
    fence = SeekFence(consumer)
    assert run(fence, [1, 2, 3], seek_after=None) == [1, 2, 3]
    assert consumer.seeks_performed == 0 and fence.stale_batches == 0


def test_a_seek_while_a_batch_is_handed_out_stops_it_and_seeks_again() -> None:
    consumer = FakeConsumer()
    fence = SeekFence(consumer)
    assert run(fence, [1, 2, 3, 4], seek_after=2) == [1, 2]
    # One seek from the "rebalance", one from the fence after the fetch loop moved on.
    assert consumer.seeks_performed == 2 and fence.stale_batches == 1


def test_a_batch_fetched_after_a_seek_passes_whole() -> None:
    consumer = FakeConsumer()
    fence = SeekFence(consumer)
    assert run(fence, [7, 8], seek_after=0) == [7, 8]
    assert consumer.seeks_performed == 1 and fence.stale_batches == 0


def test_an_empty_fetch_is_never_stale() -> None:
    consumer = FakeConsumer()
    fence = SeekFence(consumer)
    assert run(fence, [], seek_after=None) == []
    assert consumer.seeks_performed == 0
