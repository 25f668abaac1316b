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
        size = self.settings.window_seconds
        return math.floor(timestamp / size) * size

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
        events = self._advance(state, key, timestamp)
        state.volume += 1
        state.negative += negative
        if len(state.examples) < self.settings.examples and negative:
            state.examples.append(" ".join(example.split())[:200])
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


def spike_keys(brand: str | None, topics: list[str]) -> list[str]:
    """The series a mention counts in: its brand and each of its topics."""
    return ([f"brand:{brand}"] if brand else []) + [f"topic:{t}" for t in topics]
