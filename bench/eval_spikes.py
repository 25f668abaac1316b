"""Spike detection on real traffic with injected bursts.

Replays the airline set at its own timestamps (each airline is a brand), injects bursts
of negative mentions written here, and prints the detection delay of each burst and the
false alarms per brand per day. Usage:

    .venv/bin/python bench/eval_spikes.py ../shared/data/airline-tweets.csv
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from config import load_settings
from streams.backtest import Observation, airline_observations, replay
from streams.spikes import SpikeDetector

BURST_TEXTS = (
    "the app is down again and I can't check in, flight leaves in an hour",
    "website crashed during payment, charged twice and no booking, unacceptable",
    "been on hold for two hours, nobody answers, what is going on",
    "every flight out of the hub cancelled and no information at all",
    "stuck at the gate for 3 hours, crew says systems are down",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--config", default=None)
    parser.add_argument("--bursts-per-brand", type=int, default=3)
    parser.add_argument("--burst-size", type=int, default=60, help="mentions per burst")
    parser.add_argument("--burst-minutes", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sensitivity", type=float, default=None, help="override config")
    parser.add_argument("--min-volume", type=int, default=None, help="override config")
    parser.add_argument("--window", type=int, default=None, help="override config (seconds)")
    args = parser.parse_args()

    settings = load_settings(args.config)
    overrides = {
        "sensitivity": args.sensitivity,
        "min_volume": args.min_volume,
        "window_seconds": args.window,
    }
    spikes = settings.scoring.spikes.model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    base = airline_observations(args.csv, settings)
    start = min(o.timestamp for o in base)
    end = max(o.timestamp for o in base)
    brands = sorted({o.keys[0] for o in base})
    rng = random.Random(args.seed)
    bursts: list[tuple[str, float]] = []
    injected: list[Observation] = []
    warmup = spikes.window_seconds * spikes.baseline_windows
    for brand in brands:
        for _ in range(args.bursts_per_brand):
            at = rng.uniform(start + warmup, end - args.burst_minutes * 60)
            bursts.append((brand, at))
            for i in range(args.burst_size):
                when = at + rng.uniform(0, args.burst_minutes * 60)
                text = f"{BURST_TEXTS[i % len(BURST_TEXTS)]} #{i}"
                injected.append(Observation(when, (brand,), True, text))
    events = [e for e in replay(base + injected, SpikeDetector(spikes)) if e.kind == "crisis"]

    print(
        f"window {spikes.window_seconds}s, baseline {spikes.baseline_windows} windows, "
        f"sensitivity {spikes.sensitivity}, min volume {spikes.min_volume}; "
        f"bursts of {args.burst_size} mentions over {args.burst_minutes:.0f} min"
    )
    matched: set[int] = set()
    detected = 0
    delays = []
    for brand, at in sorted(bursts):
        until = at + args.burst_minutes * 60 + spikes.window_seconds
        hits = [
            (i, e) for i, e in enumerate(events) if e.key == brand and at <= e.detected_at <= until
        ]
        if hits:
            detected += 1
            delays.append(hits[0][1].detected_at - at)
            matched.update(i for i, _ in hits)
            print(f"  {brand:<28} burst at {at:.0f}: detected after {delays[-1] / 60:5.1f} min")
        else:
            print(f"  {brand:<28} burst at {at:.0f}: MISSED")
    false = Counter(e.key for i, e in enumerate(events) if i not in matched)
    days = (end - start) / 86400
    print(
        f"detected {detected}/{len(bursts)} bursts; median delay "
        f"{sorted(delays)[len(delays) // 2] / 60 if delays else float('nan'):.1f} min"
    )
    for brand in brands:
        print(f"  false alarms {brand:<28} {false[brand]:3d} ({false[brand] / days:.2f} per day)")
    total = sum(false.values())
    print(
        f"false alarms overall: {total / (len(brands) * days):.3f} per brand per day "
        f"over {days:.1f} days"
    )


if __name__ == "__main__":
    main()
