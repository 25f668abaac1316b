import asyncio

import pytest

from alerts.channels.pacing import Pacer, destination_key
from config.receivers import Pacing
from tests.support.clock import FakeClock

SLACK = Pacing(per_second=1, burst=1)


def pacer(clock: FakeClock) -> Pacer:
    return Pacer(clock=clock, sleep=clock.sleep)


async def test_one_per_second_after_the_burst() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    waits = [await pace.acquire("slack:c1", SLACK) for _ in range(4)]
    assert waits == [0, pytest.approx(1), pytest.approx(1), pytest.approx(1)]
    assert clock.now == pytest.approx(1003)


async def test_burst_then_rate() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    pagerduty = Pacing(per_second=2, burst=10)
    waits = [await pace.acquire("pd", pagerduty) for _ in range(12)]
    assert waits[:10] == [0] * 10
    assert waits[10:] == [pytest.approx(0.5), pytest.approx(0.5)]


async def test_tokens_refill_while_idle() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    teams = Pacing(per_second=4, burst=4)
    for _ in range(4):
        await pace.acquire("teams", teams)
    clock.now += 10  # idle: refills only up to the burst
    waits = [await pace.acquire("teams", teams) for _ in range(5)]
    assert waits == [0, 0, 0, 0, pytest.approx(0.25)]


async def test_destinations_do_not_wait_for_each_other() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    await pace.acquire("slack:busy", SLACK)
    assert await pace.acquire("slack:quiet", SLACK) == 0
    assert await pace.acquire("slack:busy", SLACK) == pytest.approx(1)


async def test_hold_pauses_a_destination_for_the_asked_delay() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    await pace.acquire("slack:c1", SLACK)
    pace.hold("slack:c1", 30, SLACK)
    assert await pace.acquire("slack:c1", SLACK) == pytest.approx(30)
    assert await pace.acquire("slack:other", SLACK) == 0


async def test_concurrent_senders_are_served_one_slot_each() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    waits = await asyncio.gather(*(pace.acquire("slack:c1", SLACK) for _ in range(3)))
    assert sorted(waits) == [0, pytest.approx(1), pytest.approx(1)]
    assert clock.now == pytest.approx(1002)


async def test_no_pacing_never_waits() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    assert [await pace.acquire("hook", None) for _ in range(100)] == [0] * 100
    assert clock.sleeps == []


def test_destination_keys_hide_secrets() -> None:
    key = destination_key("slack", "https://hooks.slack.com/services/T/B/supersecret")
    assert "supersecret" not in key and key.startswith("slack:")
    assert key == destination_key("slack", "https://hooks.slack.com/services/T/B/supersecret")
    assert key != destination_key("slack", "https://hooks.slack.com/services/T/B/other")


async def test_an_unpaced_destination_still_honours_a_hold() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    pace.hold("hook", 7, None)
    assert await pace.acquire("hook", None) == pytest.approx(7)
    assert [await pace.acquire("hook", None) for _ in range(50)] == [0] * 50
