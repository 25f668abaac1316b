"""Spike (crisis) detection per brand and per topic: the pure core.

Mentions are counted in fixed windows. The baseline is the rolling median and median
absolute deviation (MAD) of the last ``baseline_windows`` closed windows, empty windows
included, so it adapts to the normal daily rhythm and ignores one-off bursts. A window
is a spike when its volume reaches ``min_volume`` and exceeds
``median + sensitivity * max(1.4826 * MAD, sqrt(median), 1)`` (the square root is the
Poisson noise of a count, which keeps a quiet brand from alarming on three posts), and
its negative share reaches ``min_negative_share``. The check runs on every mention, so
a burst is caught while its window is still open; the crisis resolves after
``quiet_windows_to_resolve`` closed windows below the threshold.

State is plain JSON data so that a Faust table (changelog-backed) can hold it and a
restarted worker picks up where it was: one crisis alert per crisis, also across restarts.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any, Literal

from config.scoring import SpikeSettings

SpikeKind = Literal["crisis", "crisis_resolved"]
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class SpikeEvent:
    """A crisis that started or ended, with the evidence a person needs to judge it."""

    kind: SpikeKind
    key: str
    crisis_id: str
    window_start: float
    volume: int
    negative: int
    baseline_median: float
    baseline_mad: float
    threshold: float
    detected_at: float
    examples: tuple[str, ...] = ()

    @property
    def negative_share(self) -> float:
        return self.negative / self.volume if self.volume else 0.0

    def describe(self) -> str:
        from datetime import UTC, datetime

        when = datetime.fromtimestamp(self.window_start, UTC).isoformat()
        head = (
            f"{self.kind} {self.key} window {when}: {self.volume} mentions "
            f"({self.negative_share:.0%} negative), baseline median {self.baseline_median:.1f} "
            f"MAD {self.baseline_mad:.1f}, threshold {self.threshold:.1f}"
        )
        return head + "".join(f"\n    e.g. {e}" for e in self.examples)


@dataclass
class KeyState:
    """What the detector remembers for one brand or topic (JSON-able via to_dict)."""

    window_start: float = -1.0
    volume: int = 0
    negative: int = 0
    examples: list[str] = field(default_factory=list)
    history: list[int] = field(default_factory=list)
    crisis_id: str | None = None
    quiet_windows: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> KeyState:
        return cls(**data) if data else cls()


class SpikeDetector:
    """Feed mentions in time order per key; get crisis and crisis_resolved events."""

    def __init__(self, settings: SpikeSettings) -> None:
        self.settings = settings

    def window_of(self, timestamp: float) -> float:
        return window_start(timestamp, self.settings.window_seconds)

    def threshold(self, history: list[int]) -> tuple[float, float, float]:
        """(median, MAD, threshold) of the baseline history."""
        if not history:
            return 0.0, 0.0, float(self.settings.min_volume)
        median = float(statistics.median(history))
        mad = float(statistics.median(abs(v - median) for v in history))
        spread = max(MAD_TO_SIGMA * mad, math.sqrt(median), 1.0)
        return (
            median,
            mad,
            max(float(self.settings.min_volume), median + self.settings.sensitivity * spread),
        )

    def observe(
        self, state: KeyState, key: str, timestamp: float, negative: bool, example: str
    ) -> list[SpikeEvent]:
        """Count one mention (mutating ``state``) and return the events it caused."""
        return self.observe_many(state, key, timestamp, 1, int(negative), [example] * negative)

    def observe_many(
        self,
        state: KeyState,
        key: str,
        timestamp: float,
        volume: int,
        negative: int,
        negative_examples: list[str],
    ) -> list[SpikeEvent]:
        """Count ``volume`` mentions of one window at once (``negative`` of them negative),
        as the scoring agent sends them per batch; the same as observing them one by one,
        except that the crisis check runs once, after all of them."""
        events = self._advance(state, key, timestamp)
        state.volume += volume
        state.negative += negative
        room = self.settings.examples - len(state.examples)
        state.examples += [" ".join(e.split())[:200] for e in negative_examples[: max(room, 0)]]
        if state.crisis_id is None and len(state.history) >= min(3, self.settings.baseline_windows):
            median, mad, threshold = self.threshold(state.history)
            share = state.negative / state.volume
            if state.volume >= threshold and share >= self.settings.min_negative_share:
                state.crisis_id = f"crisis:{key}:{int(state.window_start)}"
                state.quiet_windows = 0
                events.append(self._event("crisis", key, state, median, mad, threshold, timestamp))
        return events

    def flush(self, state: KeyState, key: str, now: float) -> list[SpikeEvent]:
        """Close the windows that ended before ``now`` (time passing with no mentions)."""
        return self._advance(state, key, now)

    def _advance(self, state: KeyState, key: str, timestamp: float) -> list[SpikeEvent]:
        window = self.window_of(timestamp)
        if state.window_start < 0:
            state.window_start = window
            return []
        events: list[SpikeEvent] = []
        size = self.settings.window_seconds
        # Close the open window, then any empty windows between it and this one (capped:
        # after a long silence the whole history is simply zeros).
        empty = int((window - state.window_start) // size) - 1
        if window > state.window_start:
            events += self._close(state, key, state.volume)
            for _ in range(min(max(empty, 0), self.settings.baseline_windows)):
                state.window_start += size
                events += self._close(state, key, 0)
            state.window_start = window
            state.volume = state.negative = 0
            state.examples = []
        return events

    def _close(self, state: KeyState, key: str, volume: int) -> list[SpikeEvent]:
        events: list[SpikeEvent] = []
        median, mad, threshold = self.threshold(state.history)
        if state.crisis_id is not None:
            state.quiet_windows = state.quiet_windows + 1 if volume < threshold else 0
            if state.quiet_windows >= self.settings.quiet_windows_to_resolve:
                closed_at = state.window_start + self.settings.window_seconds
                events.append(
                    self._event("crisis_resolved", key, state, median, mad, threshold, closed_at)
                )
                state.crisis_id = None
                state.quiet_windows = 0
        # A crisis window does not teach the baseline that crises are normal.
        if state.crisis_id is None or volume < threshold:
            state.history.append(volume)
            del state.history[: -self.settings.baseline_windows]
        return events

    def _event(
        self,
        kind: SpikeKind,
        key: str,
        state: KeyState,
        median: float,
        mad: float,
        threshold: float,
        detected_at: float,
    ) -> SpikeEvent:
        assert state.crisis_id is not None
        return SpikeEvent(
            kind,
            key,
            state.crisis_id,
            state.window_start,
            state.volume,
            state.negative,
            median,
            mad,
            threshold,
            detected_at,
            tuple(state.examples) if kind == "crisis" else (),
        )


def window_start(timestamp: float, window_seconds: float) -> float:
    """The start of the fixed window ``timestamp`` falls in."""
    return math.floor(timestamp / window_seconds) * window_seconds


def spike_keys(brand: str | None, topics: list[str]) -> list[str]:
    """The series a mention counts in: its brand and each of its topics."""
    return ([f"brand:{brand}"] if brand else []) + [f"topic:{t}" for t in topics]


@dataclass
class Tally:
    """What a batch of mentions adds to one series in one window: sent as one spike event
    instead of one per mention (the detector's input shrinks by the batch size)."""

    key: str
    timestamp: float = 0.0
    volume: int = 0
    negative: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, timestamp: float, negative: bool, text: str, keep_examples: int) -> None:
        self.timestamp = max(self.timestamp, timestamp)
        self.volume += 1
        if negative:
            self.negative += 1
            if len(self.examples) < keep_examples:
                self.examples.append(text[:280])

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ts": self.timestamp,
            "volume": self.volume,
            "negative": self.negative,
            "examples": self.examples,
        }


class Tallies:
    """The tallies of one batch, per series and window (a batch that straddles a window
    boundary gives two tallies, so every mention counts in its own window)."""

    def __init__(self, settings: SpikeSettings) -> None:
        self.settings = settings
        self.by_series: dict[tuple[str, float], Tally] = {}

    def add(self, keys: list[str], timestamp: float, negative: bool, text: str) -> None:
        window = window_start(timestamp, self.settings.window_seconds)
        for key in keys:
            tally = self.by_series.get((key, window))
            if tally is None:
                tally = self.by_series[(key, window)] = Tally(key)
            tally.add(timestamp, negative, text, self.settings.examples)

    def drain(self) -> list[Tally]:
        """The tallies in window order, and empty again."""
        tallies = [t for _, t in sorted(self.by_series.items(), key=lambda kv: kv[0][1])]
        self.by_series = {}
        return tallies


def observe_event(
    detector: SpikeDetector, state: KeyState, record: dict[str, Any]
) -> list[SpikeEvent]:
    """Apply one spike event: a tick (time passing), a batch tally, or one mention as
    workers before batch tallies sent it (``negative`` a bool, ``text``)."""
    key, timestamp = str(record["key"]), float(record["ts"])
    if record.get("tick"):
        return detector.flush(state, key, timestamp)
    if "volume" in record:
        return detector.observe_many(
            state,
            key,
            timestamp,
            int(record["volume"]),
            int(record["negative"]),
            [str(e) for e in record.get("examples", [])],
        )
    return detector.observe(state, key, timestamp, bool(record["negative"]), str(record["text"]))
