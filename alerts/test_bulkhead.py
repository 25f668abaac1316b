import asyncio

import pytest

from alerts.bulkhead import Bulkhead, TimedNotifier
from alerts.errors import DeliveryError
from alerts.test_webhook import ALERT
from streams.records import Alert


class Hanging:
    integration = "webhook"

    async def notify(self, alert: Alert) -> None:
        await asyncio.Event().wait()

    async def close(self) -> None:
        return None


@pytest.mark.timeout(10)
async def test_a_send_that_hangs_becomes_a_retriable_timeout() -> None:
    with pytest.raises(DeliveryError) as caught:
        await TimedNotifier(Hanging(), 0.05).notify(ALERT)
    assert caught.value.retriable and caught.value.reason == "timeout"


@pytest.mark.timeout(10)
async def test_a_stuck_receiver_holds_only_its_own_slots() -> None:
    depths: list[int] = []
    stuck = Bulkhead("stuck", concurrency=2, on_depth=depths.append)
    other = Bulkhead("other", concurrency=1)
    gate = asyncio.Event()
    done: list[str] = []

    def job(name: str, wait: bool) -> object:
        async def run() -> None:
            if wait:
                await gate.wait()
            done.append(name)

        return run

    stuck.start()
    other.start()
    for i in range(5):
        stuck.submit(job(f"stuck{i}", True))  # type: ignore[arg-type]
    for i in range(3):
        other.submit(job(f"other{i}", False))  # type: ignore[arg-type]
    await asyncio.wait_for(other.join(), 5)
    assert done == ["other0", "other1", "other2"]
    assert stuck.depth() == 3 and max(depths) == 5  # two in flight, three waiting
    gate.set()
    await asyncio.wait_for(stuck.join(), 5)
    assert sorted(done[3:]) == [f"stuck{i}" for i in range(5)] and depths[-1] == 0
    await stuck.stop()
    await other.stop()


@pytest.mark.timeout(10)
async def test_a_failing_job_does_not_take_a_slot_away() -> None:
    bulkhead = Bulkhead("r", concurrency=1)
    done: list[int] = []

    async def boom() -> None:
        raise RuntimeError("bug")

    async def fine() -> None:
        done.append(1)

    bulkhead.start()
    bulkhead.submit(boom)
    bulkhead.submit(fine)
    await asyncio.wait_for(bulkhead.join(), 5)
    assert done == [1]
    await bulkhead.stop()
