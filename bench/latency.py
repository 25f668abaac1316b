"""Latency: publish -> alert received by a webhook on 127.0.0.1, at fixed rates.

    python -m bench.latency [--rates 100,250,500,1000,2000] [--seconds 15]

Each mention's ``created_at`` is its publish time; the receiver stamps arrival. Reported
per rate: p50, p95, p99 and max end-to-end latency of the alerts that arrived, and how
many arrived of those expected (the same scorer decides which mentions need a response).
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
from bench.load import publish_at_rate
from bench.plots import plot_latency
from earful.localkafka.broker import free_port
from streams.topics import MENTIONS_RAW, topic_name
from tests.support.receivers import recording_server


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure_rate(bootstrap: str, workdir: Path, rate: float, seconds: float) -> dict[str, Any]:
    with recording_server() as hook:
        settings, config = bench_settings(
            bootstrap,
            workdir,
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url + "/hook"}]}],
            route={"receiver": "hook"},
        )
        ports = [free_port(), free_port()]
        workers = [
            start_worker("streams", config, workdir, cpu=0, metrics_port=ports[0]),
            start_worker("alerts", config, workdir, cpu=1, metrics_port=ports[1]),
        ]
        try:
            ready_after = wait_ready(ports)
            # Settle: the alerts measured are mostly each text's first (near-copies are
            # counted on it), so they come in the first seconds and weigh start-up heavily.
            time.sleep(5)
            topic = topic_name(MENTIONS_RAW, settings.kafka.topic_prefix)
            publisher = publish_at_rate(bootstrap, topic, rate, seconds)
            publisher.join()
            before = -1
            while len(hook.requests) != before:  # drain: wait until arrivals stop
                before = len(hook.requests)
                time.sleep(3)
        finally:
            stop_all(workers)
        latencies = []
        for request in hook.requests:
            body = orjson.loads(request.body)
            created = datetime.fromisoformat(body["mention"]["created_at"]).timestamp()
            latencies.append((request.at - created) * 1000)
    if not latencies:
        return {"rate": rate, "alerts": 0}
    return {
        "rate": rate,
        "alerts": len(latencies),
        "p50 ms": percentile(latencies, 50),
        "p95 ms": percentile(latencies, 95),
        "p99 ms": percentile(latencies, 99),
        "max ms": max(latencies),
        "mean ms": statistics.fmean(latencies),
        "ready after s": ready_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="100,250,500,1000,2000")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    rows = []
    with bench_broker() as bootstrap, tempfile.TemporaryDirectory() as tmp:
        for rate in rates:
            rows.append(measure_rate(bootstrap, Path(tmp), rate, args.seconds))
            print(f"# {rate:.0f}/s done", flush=True)
    print(f"\nend-to-end latency, publish -> webhook, {args.seconds:.0f} s per rate")
    print_table(rows, ["rate", "alerts", "p50 ms", "p95 ms", "p99 ms", "max ms", "ready after s"])
    path = write_results("latency", {"rows": rows})
    picture = plot_latency(rows, RESULTS / "latency.png")
    print(f"results: {path}" + (f", plot: {picture}" if picture else ""))


if __name__ == "__main__":
    main()
