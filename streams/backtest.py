"""``earful backtest FILE``: replay mentions with timestamps through the spike detector.

FILE is a JSONL of mentions (schema v1; scored with the configured scorer, so brands and
topics come from config) or the airline CSV (its ``airline`` column is the brand). The
same :class:`SpikeDetector` as the live agent runs, so thresholds can be tried on history.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from config.schema import Settings
from streams.pipeline import Scored, process
from streams.scoring import build_scorer
from streams.spikes import KeyState, SpikeDetector, SpikeEvent, spike_keys


class BacktestError(Exception):
    """The file cannot be replayed; the message says why and what to do."""


@dataclass(frozen=True)
class Observation:
    timestamp: float
    keys: tuple[str, ...]
    negative: bool
    text: str


def replay(observations: Iterable[Observation], detector: SpikeDetector) -> list[SpikeEvent]:
    """Run the detector over observations sorted by time; close windows at the end."""
    states: dict[str, KeyState] = {}
    events: list[SpikeEvent] = []
    last = 0.0
    for seen in sorted(observations, key=lambda o: o.timestamp):
        last = seen.timestamp
        for key in seen.keys:
            state = states.setdefault(key, KeyState())
            events += detector.observe(state, key, seen.timestamp, seen.negative, seen.text)
    end = last + detector.settings.window_seconds * (detector.settings.quiet_windows_to_resolve + 1)
    for key, state in states.items():
        events += detector.flush(state, key, end)
    return events


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def airline_observations(path: Path, settings: Settings) -> list[Observation]:
    scorer = build_scorer(settings)
    observations = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                when = datetime.strptime(row["tweet_created"], "%Y-%m-%d %H:%M:%S %z")
            except (KeyError, ValueError):
                raise BacktestError(
                    f"{path}: row {row.get('tweet_id', '?')} has no tweet_created timestamp; "
                    "the CSV needs tweet_created, airline and text columns"
                ) from None
            reading = scorer.read_sentiment(row["text"], "en")
            keys = [f"brand:{_slug(row['airline'])}"]
            keys += [f"topic:{t}" for t in scorer.topics.topics_of(row["text"])]
            observations.append(
                Observation(when.timestamp(), tuple(keys), reading.label == "negative", row["text"])
            )
    return observations


def jsonl_observations(path: Path, settings: Settings) -> list[Observation]:
    scorer = build_scorer(settings)
    observations = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            outcome = process(line.rstrip(b"\r\n"), scorer)
            if not isinstance(outcome, Scored):
                raise BacktestError(f"{path}:{number}: not a valid mention: {outcome.detail}")
            s = outcome.scored
            observations.append(
                Observation(
                    s.created_at.timestamp(),
                    tuple(spike_keys(s.brand, s.topics)),
                    s.sentiment.label == "negative",
                    s.text,
                )
            )
    return observations


def backtest_file(path: Path, settings: Settings) -> list[SpikeEvent]:
    if not path.is_file():
        raise BacktestError(f"{path} is not a file: pass a JSONL of mentions or a CSV")
    reader = airline_observations if path.suffix.lower() == ".csv" else jsonl_observations
    return replay(reader(path, settings), SpikeDetector(settings.scoring.spikes))
