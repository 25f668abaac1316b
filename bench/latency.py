"""Latency: publish -> alert received by a webhook on 127.0.0.1, at fixed rates.

    python -m bench.latency [--rates 100,250,500,1000,2000] [--seconds 15]
                            [--texts unique|repeating]

With ``--texts unique`` (the default) no text is a near-copy of another, so every mention
that needs a response alerts, all through the run: the figures are steady state. With
``repeating`` the 720 texts of the corpus repeat and near-copies are counted on the first
alert, so the alerts measured come in each run's first seconds (start-up weighs heavily).

Each mention's ``created_at`` is its publish time and the receiver stamps arrival; an
alert's own ``created_at`` is when its mention was scored, so the "scored" columns give
the streams worker's share (publish to scored). Reported per rate: p50, p95, p99 and max
end-to-end latency of the mention alerts that arrived and, with unique texts, how many
were expected (the same scorer, in this process, decides which of the mentions alert).

Prints a table and writes bench/results/latency.json and latency.png.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from bench.harness import (
    RESULTS,
    bench_broker,
    bench_settings,
    print_table,
    start_worker,
    stop_all,
    wait_ready,
    write_results,
)
from bench.load import check_published, load_mentions, publish_at_rate
from bench.plots import plot_latency
from config.schema import Settings
from earful.localkafka.broker import free_port
from streams.pipeline import Scored, process
from streams.scoring import build_scorer
from streams.topics import MENTIONS_RAW, topic_name
from tests.support.receivers import recording_server


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def expected_alerts(settings: Settings, count: int) -> int:
    """How many of the ``count`` mentions the publisher sends raise an alert, when no text
    is a near-copy of another (so the dedupe suppresses none)."""
    scorer = build_scorer(settings)
    outcomes = [process(m, scorer) for m in load_mentions(count, unique=True)]
    return sum(isinstance(o, Scored) and o.alert is not None for o in outcomes)


def measure_rate(
    bootstrap: str, workdir: Path, rate: float, seconds: float, *, unique: bool
) -> dict[str, Any]:
    with recording_server(keep_alive=True) as hook:
        settings, config = bench_settings(
            bootstrap,
            workdir,
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url + "/hook"}]}],
            route={"receiver": "hook"},
        )
        ports = [free_port(), free_port()]
        workers = [
            start_worker("streams", config, workdir, cpu=0, metrics_port=ports[0]),
            # Not pinned: on the broker's core it queued alerts for seconds at 100/s.
            start_worker("alerts", config, workdir, metrics_port=ports[1]),
        ]
        try:
            ready_after = wait_ready(ports)
            time.sleep(5)  # settle after start-up (group join, table recovery)
            topic = topic_name(MENTIONS_RAW, settings.kafka.topic_prefix)
            publisher = publish_at_rate(bootstrap, topic, rate, seconds, unique=unique)
            check_published(publisher)
            before = -1
            while len(hook.requests) != before:  # drain: wait until arrivals stop
                before = len(hook.requests)
                time.sleep(3)
        finally:
            stop_all(workers)
        latencies, to_scored = [], []
        for request in hook.requests:
            body = orjson.loads(request.body)
            if not body.get("mention"):
                continue  # a crisis alert: about a spike, not one mention
            created = datetime.fromisoformat(body["mention"]["created_at"]).timestamp()
            latencies.append((request.at - created) * 1000)
            # An alert is created when its mention is scored: the split of the two workers.
            scored = datetime.fromisoformat(body["created_at"]).timestamp()
            to_scored.append((scored - created) * 1000)
    expected = expected_alerts(settings, int(rate * seconds)) if unique else None
    if not latencies:
        return {"rate": rate, "alerts": 0, "expected": expected}
    return {
        "rate": rate,
        "alerts": len(latencies),
        "expected": expected,
        "p50 ms": percentile(latencies, 50),
        "p95 ms": percentile(latencies, 95),
        "p99 ms": percentile(latencies, 99),
        "max ms": max(latencies),
        "mean ms": statistics.fmean(latencies),
        "scored p50 ms": percentile(to_scored, 50),
        "scored p99 ms": percentile(to_scored, 99),
        "ready after s": ready_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="100,250,500,1000,2000")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--texts", choices=["unique", "repeating"], default="unique")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    rows = []
    with bench_broker() as bootstrap, tempfile.TemporaryDirectory() as tmp:
        for rate in rates:
            rows.append(
                measure_rate(
                    bootstrap, Path(tmp), rate, args.seconds, unique=args.texts == "unique"
                )
            )
            print(f"# {rate:.0f}/s done", flush=True)
    print(
        f"\nend-to-end latency, publish -> webhook, {args.seconds:.0f} s per rate,"
        f" {args.texts} texts"
    )
    columns = ["rate", "alerts", "expected", "p50 ms", "p95 ms", "p99 ms", "max ms"]
    print_table(rows, [*columns, "scored p50 ms", "scored p99 ms", "ready after s"])
    path = write_results("latency", {"texts": args.texts, "rows": rows})
    picture = plot_latency(rows, RESULTS / "latency.png")
    print(f"results: {path}" + (f", plot: {picture}" if picture else ""))


if __name__ == "__main__":
    main()
