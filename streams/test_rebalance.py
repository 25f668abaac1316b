"""The seek fence: a batch handed out across a seek stops there; what a fetch returned
but was never handed out (set aside by the fence, or dropped by Faust's fetch loop) is
fetched again, from where a seek since the fetch began put the partition or else from its
first record not handed out; batches fetched after a seek pass untouched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Literal

from aiokafka.errors import IllegalStateError
from hypothesis import given
from hypothesis import strategies as st

from streams.rebalance import SeekFence


class FakeConsumer:
    """Only what the fence touches: Faust's read offsets, the positions seeks set (all
    seeks recorded), and the committed offsets a seek to committed offsets uses."""

    def __init__(self, committed: dict[str, int | None]) -> None:
        self.committed = committed
        self._read_offset: dict[str, int | None] = {}
        self.seeks: list[tuple[str, int]] = []
        self.positions: dict[str, int] = {}

    async def seek_to_committed(self) -> dict[str, int | None]:
        # The client seeks only the partitions with a committed offset above 0.
        self.positions.update({tp: o for tp, o in self.committed.items() if o})
        return dict(self.committed)

    async def perform_seek(self) -> None:
        # Faust's: seek to the committed offsets, which become the read offsets.
        self._read_offset.update(await self.seek_to_committed())

    async def seek(self, partition: str, offset: int) -> None:
        self.seeks.append((partition, offset))
        self.positions[partition] = offset
        self._read_offset[partition] = offset

    async def seek_wait(self, partitions: dict[str, int]) -> None:
        for partition, offset in partitions.items():
            await self.seek(partition, offset)

    def assignment(self) -> set[str]:
        return set(self.committed)


Batch = list[tuple[str, int]]
SeekAt = int | Literal["before", "during"] | None


def run(
    fence: SeekFence,
    batch: Batch,
    seek_after: SeekAt,
    *,
    faust_drops_from: int | None = None,
    recovery_seeks: dict[str, int] | None = None,
) -> Batch:
    """Fetch ``batch`` and hand it out through the fence as Faust's fetch loop does
    (setting the read offset after each record). A seek to committed offsets happens
    ``"before"`` the fetch, ``"during"`` it, or after ``seek_after`` records; table
    recovery's ``recovery_seeks`` happen during the fetch. Faust's getmany drops the
    records from index ``faust_drops_from`` on (as when flow stops or a partition is not
    active); when it drops them all, it seeks to committed offsets, as Faust does."""
    consumer = fence.consumer
    consumer.seek_to_committed = fence.guard_seek_to_committed(consumer.seek_to_committed)
    perform_seek = fence.guard_perform_seek(consumer.perform_seek)
    seek_wait = fence.guard_seek_wait(consumer.seek_wait)

    async def fetch(_timeout: float) -> tuple[dict[str, list[SimpleNamespace]], set[str]]:
        if seek_after == "during":
            await perform_seek()
        if recovery_seeks:
            await seek_wait(recovery_seeks)
        records: dict[str, list[SimpleNamespace]] = {}
        for tp, offset in batch:
            records.setdefault(tp, []).append(SimpleNamespace(offset=offset))
            consumer.positions[tp] = offset + 1  # the client reads on past what it fetched
        return records, set(records)

    wait_next_records = fence.guard_wait_next_records(fetch)

    async def getmany(**_: float) -> AsyncIterator[tuple[str, SimpleNamespace]]:
        if seek_after == "before":
            await perform_seek()
        await wait_next_records(1.0)
        if faust_drops_from == 0:
            await perform_seek()
            return
        for n, (tp, offset) in enumerate(batch, start=1):
            if faust_drops_from is not None and n > faust_drops_from:
                return
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
    assert consumer.seeks == [] and fence.refetched_batches == 0


def test_a_sought_partition_reads_on_from_where_the_seek_put_it() -> None:
    consumer = FakeConsumer({"p0": 3})
    fence = SeekFence(consumer)
    batch = [("p0", 10), ("p0", 11), ("p0", 12)]
    assert run(fence, batch, seek_after=2) == [("p0", 10), ("p0", 11)]
    # The stale record 11 moved the read offset; it is put back to the seek's 3, so the
    # records from 3 on are read (not dropped as "already read").
    assert consumer._read_offset["p0"] == 3 and consumer.positions["p0"] == 3
    assert fence.refetched_batches == 1


def test_records_of_a_partition_no_seek_moved_are_fetched_again() -> None:
    # p1 has no committed offset: a seek to committed offsets leaves its position alone,
    # so the records set aside would never come back without a seek of their own; nor
    # would 40, handed out just before the seek, if it never reached the agent.
    consumer = FakeConsumer({"p0": 3, "p1": None})
    fence = SeekFence(consumer)
    batch = [("p0", 10), ("p1", 40), ("p0", 11), ("p1", 41), ("p1", 42)]
    assert run(fence, batch, seek_after=2) == [("p0", 10), ("p1", 40)]
    assert consumer.positions == {"p0": 3, "p1": 40}
    assert consumer._read_offset == {"p0": 3, "p1": 40}


def test_a_seek_between_batches_reads_uncommitted_partitions_again_from_their_start() -> None:
    consumer = FakeConsumer({"p0": 3, "p1": None})
    fence = SeekFence(consumer)
    assert run(fence, [("p1", 0), ("p0", 3), ("p1", 1)], seek_after=None)
    assert run(fence, [("p1", 2)], seek_after=None)
    # The next seek comes before the next fetch: nothing is stale, yet p1's records since
    # its last seek (0 to 2) are fetched again; p0 goes back to its committed 3.
    assert run(fence, [("p1", 0)], seek_after="before") == [("p1", 0)]
    assert consumer.seeks == [("p1", 0)]
    assert fence.refetched_batches == 0


def test_a_partition_with_nothing_handed_out_since_its_last_seek_is_left_alone() -> None:
    consumer = FakeConsumer({"p0": None})
    fence = SeekFence(consumer)
    assert run(fence, [("p0", 4)], seek_after=None)
    assert run(fence, [], seek_after="before") == []
    assert run(fence, [], seek_after="before") == []
    assert consumer.seeks == [("p0", 4)]


def test_a_partition_no_longer_assigned_is_not_sought() -> None:
    consumer = FakeConsumer({"p0": None, "p1": None})
    fence = SeekFence(consumer)
    assert run(fence, [("p0", 5), ("p1", 7)], seek_after=None)
    del consumer.committed["p1"]  # revoked by a rebalance
    assert run(fence, [], seek_after="before") == []
    assert consumer.seeks == [("p0", 5)]


def test_a_batch_fetched_after_a_seek_passes_whole() -> None:
    consumer = FakeConsumer({"p0": 7})
    fence = SeekFence(consumer)
    assert run(fence, [("p0", 7), ("p0", 8)], seek_after="before") == [("p0", 7), ("p0", 8)]
    assert consumer.seeks == [] and fence.refetched_batches == 0


def test_an_empty_fetch_is_never_stale() -> None:
    consumer = FakeConsumer({})
    fence = SeekFence(consumer)
    assert run(fence, [], seek_after=None) == []
    assert fence.refetched_batches == 0


def test_the_first_record_after_a_seek_is_checked_against_the_seek() -> None:
    consumer = FakeConsumer({"p0": 7, "p1": 20})
    fence = SeekFence(consumer)
    # A seek before the fetch: p0 resumes where it was sought; p1 resumes past 20.
    assert run(fence, [("p0", 7), ("p1", 23), ("p1", 24)], seek_after="before")[0] == ("p0", 7)
    assert fence.resumed_elsewhere == 1
    # Checked once per seek: later records of a partition are not compared again.
    assert run(fence, [("p0", 9), ("p1", 30)], seek_after=None) == [("p0", 9), ("p1", 30)]
    assert fence.resumed_elsewhere == 1


def test_only_partitions_whose_offsets_are_committed_are_read_again() -> None:
    # A table's changelog partition is sought by table recovery, never by the fence.
    consumer = FakeConsumer({"raw": None, "changelog": None})
    fence = SeekFence(consumer, acked=lambda tp: tp != "changelog")
    assert run(fence, [("changelog", 0), ("raw", 2)], seek_after=None)
    assert run(fence, [], seek_after="before") == []
    assert consumer.seeks == [("raw", 2)]


def test_a_batch_fetched_while_a_seek_happens_is_fetched_again_from_the_seek() -> None:
    consumer = FakeConsumer({"p0": 3})
    fence = SeekFence(consumer)
    # The fetch may have drawn records past the seek: none is handed out, and p0 reads
    # on from the seek's 3 whatever the fetch moved.
    assert run(fence, [("p0", 10), ("p0", 11)], seek_after="during") == []
    assert consumer.positions == {"p0": 3} and consumer._read_offset == {"p0": 3}
    assert fence.refetched_batches == 1


def test_records_faust_drops_are_fetched_again_from_the_first_one() -> None:
    # Faust's fetch loop stops handing out (flow stopped, a partition paused); the
    # client's position is past those records already.
    consumer = FakeConsumer({"p0": None, "p1": None})
    fence = SeekFence(consumer)
    batch = [("p0", 5), ("p1", 7), ("p0", 6), ("p1", 8)]
    assert run(fence, batch, seek_after=None, faust_drops_from=1) == [("p0", 5)]
    assert consumer.positions == {"p0": 6, "p1": 7}


def test_a_changelog_recovery_sought_during_a_dropped_fetch_is_read_from_there() -> None:
    # A rebalance began during the fetch, and table recovery sought its changelog to 0
    # before the batch came back; flow was stopped, so Faust dropped the whole batch,
    # with the changelog's records, and sought to committed offsets, which skips the
    # changelog (no commit). Recovery then waited for those records forever.
    consumer = FakeConsumer({"raw": 4, "changelog": None})
    fence = SeekFence(consumer, acked=lambda tp: tp != "changelog")
    batch = [("changelog", 0), ("changelog", 1), ("raw", 9), ("changelog", 2)]
    taken = run(fence, batch, seek_after=None, faust_drops_from=0, recovery_seeks={"changelog": 0})
    assert taken == []
    assert consumer.positions == {"raw": 4, "changelog": 0}


def test_a_partition_no_longer_assigned_is_not_sought_again() -> None:
    consumer = FakeConsumer({"p0": None})
    fence = SeekFence(consumer)
    batch = [("p0", 1), ("gone", 3)]  # "gone" was revoked while the batch came back
    assert run(fence, batch, seek_after=None, faust_drops_from=1) == [("p0", 1)]
    assert consumer.seeks == []
    assert fence.refetched_batches == 0  # nothing was fetched again


def test_a_batch_whose_partitions_were_all_revoked_is_not_counted_as_fetched_again() -> None:
    class RevokingConsumer(FakeConsumer):
        async def seek(self, partition: str, offset: int) -> None:
            raise IllegalStateError(f"{partition} is not currently assigned")

    consumer = RevokingConsumer({"p0": None})
    fence = SeekFence(consumer)
    assert run(fence, [("p0", 3), ("p0", 4)], seek_after=None, faust_drops_from=0) == []
    assert consumer.seeks == [] and fence.refetched_batches == 0


def test_a_partition_revoked_while_it_is_sought_again_is_skipped() -> None:
    class RevokingConsumer(FakeConsumer):
        async def seek(self, partition: str, offset: int) -> None:
            if partition == "p1":  # the client's answer for a partition just revoked
                raise IllegalStateError(f"{partition} is not currently assigned")
            await super().seek(partition, offset)

    consumer = RevokingConsumer({"p0": None, "p1": None})
    fence = SeekFence(consumer)
    batch = [("p1", 3), ("p0", 7)]
    assert run(fence, batch, seek_after=None, faust_drops_from=0) == []
    assert consumer.seeks == [("p0", 7)] and fence.refetched_batches == 1


@given(
    offsets=st.lists(
        st.tuples(st.sampled_from(["p0", "p1", "p2"]), st.integers(0, 3)), max_size=12
    ),
    drops_from=st.integers(0, 12),
)
def test_no_record_a_fetch_returned_is_skipped(
    offsets: list[tuple[str, int]], drops_from: int
) -> None:
    # Offsets rise within a partition (gaps allowed, as after compaction).
    batch: Batch = []
    last: dict[str, int] = {}
    for tp, step in offsets:
        last[tp] = last.get(tp, -1) + 1 + step
        batch.append((tp, last[tp]))
    consumer = FakeConsumer(dict.fromkeys(["p0", "p1", "p2"]))
    fence = SeekFence(consumer)
    taken = run(fence, batch, seek_after=None, faust_drops_from=drops_from or None)
    assert taken == batch[: drops_from or None]
    for tp in {tp for tp, _ in batch}:
        left = [offset for p, offset in batch if p == tp and (p, offset) not in taken]
        # Read on from the first record not handed out; past the batch when all were.
        assert consumer.positions[tp] == (left[0] if left else last[tp] + 1)
