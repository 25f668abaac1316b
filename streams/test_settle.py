"""Batches are acknowledged in the order they were taken, whatever order their writes
finish in, and never before their writes."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from streams.agents import settle_in_order


def recording_events(name: str, acked: list[str], count: int = 2) -> list[SimpleNamespace]:
    return [SimpleNamespace(ack=lambda i=i: acked.append(f"{name}{i}")) for i in range(count)]


def test_a_later_batch_written_first_waits_for_the_earlier_one() -> None:
    async def scenario() -> list[str]:
        acked: list[str] = []
        first_written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        first = asyncio.ensure_future(
            settle_in_order([first_written], recording_events("a", acked), None)
        )
        second = asyncio.ensure_future(settle_in_order([], recording_events("b", acked), first))
        await asyncio.sleep(0.01)
        assert acked == []  # the second batch is written, but the first is not yet
        first_written.set_result(None)
        await second
        return acked

    assert asyncio.run(scenario()) == ["a0", "a1", "b0", "b1"]


def test_a_failed_write_acknowledges_nothing_after_it() -> None:
    async def scenario() -> list[str]:
        acked: list[str] = []
        failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        failed.set_exception(OSError("broker gone"))
        first = asyncio.ensure_future(settle_in_order([failed], recording_events("a", acked), None))
        second = asyncio.ensure_future(settle_in_order([], recording_events("b", acked), first))
        with pytest.raises(OSError, match="broker gone"):
            await second
        with pytest.raises(OSError, match="broker gone"):
            await first
        return acked

    assert asyncio.run(scenario()) == []
