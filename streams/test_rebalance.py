"""The seek fence: a batch handed out across a seek stops there; what it set aside is
fetched again unless the seek itself moved that partition; batches fetched after a seek
pass untouched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace

from streams.rebalance import SeekFence


class FakeConsumer:
    """Only what the fence touches: Faust's read offsets and seeks that record calls."""

    def __init__(self, committed: dict[str, int | None]) -> None:
        self.committed = committed
        self._read_offset: dict[str, int | None] = {}
        self.seeks: list[tuple[str, int]] = []

    async def seek_to_committed(self) -> dict[str, int | None]:
        return dict(self.committed)

    async def perform_seek(self) -> None:
        # Faust's: seek to the committed offsets, which become the read offsets.
        self._read_offset.update(await self.seek_to_committed())

    async def seek(self, partition: str, offset: int) -> None:
        self.seeks.append((partition, offset))
        self._read_offset[partition] = offset

    def assignment(self) -> set[str]:
        return set(self.committed)


Batch = list[tuple[str, int]]


def run(fence: SeekFence, batch: Batch, seek_after: int | None) -> Batch:
    """Hand ``batch`` out through the fence as Faust's fetch loop takes it (setting the
    read offset after each record); a seek to committed offsets happens after
    ``seek_after`` records (``0``: while the batch is being fetched)."""
    consumer = fence.consumer
    consumer.seek_to_committed = fence.guard_seek_to_committed(consumer.seek_to_committed)
    perform_seek = fence.guard_perform_seek(consumer.perform_seek)

    async def getmany(**_: float) -> AsyncIterator[tuple[str, SimpleNamespace]]:
        if seek_after == 0:
            await perform_seek()
        for n, (tp, offset) in enumerate(batch, start=1):
            yield tp, SimpleNamespace(offset=offset)
            if n == seek_after:
                await perform_seek()

    async def drain() -> Batch:
        taken = []
        async for tp, message in fence.guard_getmany(getmany)(timeout=1.0):
            taken.append((tp, message.offset))
            consumer._read_offset[tp] = message.offset
        return taken

    return asyncio.run(drain())


def test_a_batch_without_a_seek_passes_whole() -> None:
    consumer = FakeConsumer({"p0": 5})
    fence = SeekFence(consumer)
    assert run(fence, [("p0", 5), ("p0", 6)], seek_after=None) == [("p0", 5), ("p0", 6)]
    assert consumer.seeks == [] and fence.stale_batches == 0


def test_a_sought_partition_reads_on_from_where_the_seek_put_it() -> None:
    consumer = FakeConsumer({"p0": 3})
    fence = SeekFence(consumer)
    batch = [("p0", 10), ("p0", 11), ("p0", 12)]
    assert run(fence, batch, seek_after=2) == [("p0", 10), ("p0", 11)]
    # The stale record 11 moved the read offset; it is put back to the seek's 3, so the
    # records from 3 on are read (not dropped as "already read"), and no extra seek.
    assert consumer._read_offset["p0"] == 3
    assert consumer.seeks == [] and fence.stale_batches == 1


def test_records_of_a_partition_no_seek_moved_are_fetched_again() -> None:
    # p1 has no committed offset: a seek to committed offsets leaves its position alone,
    # so the records set aside would never come back without a seek of their own; nor
    # would 40, handed out just before the seek, if it never reached the agent.
    consumer = FakeConsumer({"p0": 3, "p1": None})
    fence = SeekFence(consumer)
    batch = [("p0", 10), ("p1", 40), ("p0", 11), ("p1", 41), ("p1", 42)]
    assert run(fence, batch, seek_after=2) == [("p0", 10), ("p1", 40)]
    assert consumer.seeks == [("p1", 40)]
    assert consumer._read_offset == {"p0": 3, "p1": 40}


def test_a_seek_between_batches_reads_uncommitted_partitions_again_from_their_start() -> None:
    consumer = FakeConsumer({"p0": 3, "p1": None})
    fence = SeekFence(consumer)
    assert run(fence, [("p1", 0), ("p0", 3), ("p1", 1)], seek_after=None)
    assert run(fence, [("p1", 2)], seek_after=None)
    # The next seek comes before the next fetch: nothing is stale, yet p1's records since
    # its last seek (0 to 2) are fetched again; p0 goes back to its committed 3.
    assert run(fence, [("p1", 0)], seek_after=0) == [("p1", 0)]
    assert consumer.seeks == [("p1", 0)]
    assert fence.stale_batches == 0


def test_a_partition_with_nothing_handed_out_since_its_last_seek_is_left_alone() -> None:
    consumer = FakeConsumer({"p0": None})
    fence = SeekFence(consumer)
    assert run(fence, [("p0", 4)], seek_after=None)
    assert run(fence, [], seek_after=0) == []
    assert run(fence, [], seek_after=0) == []
    assert consumer.seeks == [("p0", 4)]


def test_a_partition_no_longer_assigned_is_not_sought() -> None:
    consumer = FakeConsumer({"p0": None, "p1": None})
    fence = SeekFence(consumer)
    assert run(fence, [("p0", 5), ("p1", 7)], seek_after=None)
    del consumer.committed["p1"]  # revoked by a rebalance
    assert run(fence, [], seek_after=0) == []
    assert consumer.seeks == [("p0", 5)]


def test_a_batch_fetched_after_a_seek_passes_whole() -> None:
    consumer = FakeConsumer({"p0": 7})
    fence = SeekFence(consumer)
    assert run(fence, [("p0", 7), ("p0", 8)], seek_after=0) == [("p0", 7), ("p0", 8)]
    assert consumer.seeks == [] and fence.stale_batches == 0


def test_an_empty_fetch_is_never_stale() -> None:
    consumer = FakeConsumer({})
    fence = SeekFence(consumer)
    assert run(fence, [], seek_after=None) == []
    assert fence.stale_batches == 0


def test_the_first_record_after_a_seek_is_checked_against_the_seek() -> None:
    consumer = FakeConsumer({"p0": 7, "p1": 20})
    fence = SeekFence(consumer)
    # A seek before the fetch: p0 resumes where it was sought; p1 resumes past 20.
    assert run(fence, [("p0", 7), ("p1", 23), ("p1", 24)], seek_after=0)[0] == ("p0", 7)
    assert fence.resumed_elsewhere == 1
    # Checked once per seek: later records of a partition are not compared again.
    assert run(fence, [("p0", 9), ("p1", 30)], seek_after=None) == [("p0", 9), ("p1", 30)]
    assert fence.resumed_elsewhere == 1


def test_only_partitions_whose_offsets_are_committed_are_read_again() -> None:
    # A table's changelog partition is sought by table recovery, never by the fence.
    consumer = FakeConsumer({"raw": None, "changelog": None})
    fence = SeekFence(consumer, acked=lambda tp: tp != "changelog")
    assert run(fence, [("changelog", 0), ("raw", 2)], seek_after=None)
    assert run(fence, [], seek_after=0) == []
    assert consumer.seeks == [("raw", 2)]
