from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from config.scoring import SpikeSettings
from streams.backtest import Observation, replay
from streams.spikes import (
    KeyState,
    SpikeDetector,
    SpikeEvent,
    Tallies,
    observe_event,
    spike_keys,
)

SETTINGS = SpikeSettings(
    window_seconds=60,
    baseline_windows=10,
    sensitivity=4,
    min_volume=8,
    min_negative_share=0.5,
    quiet_windows_to_resolve=2,
)


def steady(
    minutes: int, per_minute: int, start: float = 0.0, negative: bool = False
) -> list[Observation]:
    return [
        Observation(start + m * 60 + i, ("brand:acme",), negative or i == 0, f"post {m}-{i}")
        for m in range(minutes)
        for i in range(per_minute)
    ]


def burst(at: float, count: int) -> list[Observation]:
    return [
        Observation(at + i, ("brand:acme",), True, f"the app is down #{i}") for i in range(count)
    ]


def test_steady_traffic_raises_nothing() -> None:
    assert replay(steady(120, 3), SpikeDetector(SETTINGS)) == []


def test_a_burst_raises_one_crisis_with_evidence_then_resolves() -> None:
    events = replay(steady(60, 3) + burst(30 * 60 + 5, 40), SpikeDetector(SETTINGS))
    assert [e.kind for e in events] == ["crisis", "crisis_resolved"]
    crisis, resolved = events
    assert crisis.key == "brand:acme"
    assert crisis.baseline_median == 3
    assert crisis.volume >= crisis.threshold
    assert crisis.detected_at < 30 * 60 + 60  # caught inside the burst's window
    assert any(e.startswith("the app is down") for e in crisis.examples)
    assert resolved.crisis_id == crisis.crisis_id
    assert "baseline median 3.0" in crisis.describe()


def test_a_mostly_positive_burst_is_no_crisis() -> None:
    happy = [Observation(30 * 60 + i, ("brand:acme",), False, "yay") for i in range(40)]
    assert replay(steady(60, 3) + happy, SpikeDetector(SETTINGS)) == []


def test_the_baseline_adapts_to_a_new_normal() -> None:
    # After the volume steps up and stays, it stops being a crisis and resolves.
    events = replay(
        steady(30, 2) + steady(60, 20, start=30 * 60, negative=True), SpikeDetector(SETTINGS)
    )
    assert [e.kind for e in events] == ["crisis", "crisis_resolved"]


def test_state_survives_a_round_trip_through_plain_data() -> None:
    detector = SpikeDetector(SETTINGS)
    state = KeyState()
    for seen in steady(20, 3):
        detector.observe(state, "brand:acme", seen.timestamp, seen.negative, seen.text)
    restored = KeyState.from_dict(state.to_dict())
    assert restored == state


def test_keys_cover_brand_and_topics() -> None:
    assert spike_keys("acme", ["baggage", "outage"]) == [
        "brand:acme",
        "topic:baggage",
        "topic:outage",
    ]
    assert spike_keys(None, []) == []


@settings(max_examples=60, deadline=None)
@given(
    times=st.lists(st.floats(0, 6 * 3600, allow_nan=False), max_size=300),
    negative=st.booleans(),
)
def test_crises_alternate_with_resolutions(times: list[float], negative: bool) -> None:
    seen = [Observation(t, ("brand:acme",), negative, "x") for t in times]
    kinds = [e.kind for e in replay(seen, SpikeDetector(SETTINGS))]
    assert kinds == ["crisis", "crisis_resolved"] * (len(kinds) // 2)


def replay_in_batches(
    observations: list[Observation], batch: int
) -> tuple[KeyState, list[SpikeEvent]]:
    """What the spike agent does with the scoring agent's per-batch tallies (through JSON,
    as on the topic): the final state of the one series, and the events."""
    detector, state, events = SpikeDetector(SETTINGS), KeyState(), []
    for start in range(0, len(observations), batch):
        tallies = Tallies(SETTINGS)
        for seen in observations[start : start + batch]:
            tallies.add(list(seen.keys), seen.timestamp, seen.negative, seen.text)
        for tally in tallies.drain():
            events += observe_event(detector, state, orjson.loads(orjson.dumps(tally.to_dict())))
    return state, events


def test_batch_tallies_find_the_same_crisis_and_resolution() -> None:
    observations = sorted(steady(60, 3) + burst(30 * 60 + 5, 40), key=lambda o: o.timestamp)
    one_by_one = replay(observations, SpikeDetector(SETTINGS))
    _, batched = replay_in_batches(observations, batch=25)
    assert [(e.kind, e.crisis_id) for e in batched] == [(e.kind, e.crisis_id) for e in one_by_one]
    assert [e.kind for e in batched] == ["crisis", "crisis_resolved"]
    assert batched[0].examples == one_by_one[0].examples


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 3600), st.booleans()), max_size=200),
    st.integers(1, 60),
)
def test_batch_tallies_count_every_mention_in_its_own_window(
    seen: list[tuple[float, bool]], batch: int
) -> None:
    observations = [Observation(t, ("brand:acme",), negative, "x") for t, negative in sorted(seen)]
    tallies = Tallies(SETTINGS)
    for o in observations:
        tallies.add(list(o.keys), o.timestamp, o.negative, o.text)
    drained = tallies.drain()
    assert sum(t.volume for t in drained) == len(observations)
    assert sum(t.negative for t in drained) == sum(o.negative for o in observations)
    windows = [SpikeDetector(SETTINGS).window_of(t.timestamp) for t in drained]
    assert windows == sorted(set(windows))  # one tally per window, in time order
    assert tallies.drain() == []
    # Fed in batches, the closed windows' volumes are those of feeding one by one.
    detector, one_state = SpikeDetector(SETTINGS), KeyState()
    for o in observations:
        detector.observe(one_state, "brand:acme", o.timestamp, o.negative, o.text)
    batch_state, _ = replay_in_batches(observations, batch)
    assert (batch_state.history, batch_state.volume, batch_state.negative) == (
        one_state.history,
        one_state.volume,
        one_state.negative,
    )


def test_single_mention_events_from_older_workers_still_count() -> None:
    detector, state = SpikeDetector(SETTINGS), KeyState()
    record = {"key": "brand:acme", "ts": 5.0, "negative": True, "text": "down again"}
    observe_event(detector, state, record)
    assert (state.volume, state.negative, state.examples) == (1, 1, ["down again"])
