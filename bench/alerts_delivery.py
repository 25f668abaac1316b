"""Delivery throughput and latency of the alert worker (in-process) against a real broker
and a webhook receiver on 127.0.0.1. Prints figures; asserts nothing.

    python -m bench.alerts_delivery [--alerts 2000] [--concurrency 4] [--bootstrap HOST:PORT]

Without ``--bootstrap`` it starts a broker of its own, as the other benchmarks do.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import datetime

import orjson
from prometheus_client import CollectorRegistry

from alerts.metrics import AlertMetrics
from alerts.worker import AlertWorker
from bench.harness import bench_broker
from config.schema import Settings
from earful.admin import ensure_topics
from streams.topics import ALERTS, topic_name
from tests.integration.alerting import alert
from tests.support.kafka import publish
from tests.support.receivers import recording_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", help="an existing broker (default: start one)")
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    if args.bootstrap:
        measure(args, args.bootstrap)
    else:
        with bench_broker() as bootstrap:
            measure(args, bootstrap)


def measure(args: argparse.Namespace, bootstrap: str) -> None:
    with recording_server(keep_alive=True) as hook:
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        settings = Settings.model_validate(
            {
                "kafka": {"bootstrap_servers": bootstrap, "topic_prefix": prefix},
                "receivers": [{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
                "route": {"receiver": "hook"},
                "delivery": {"concurrency_per_receiver": args.concurrency},
            }
        )
        ensure_topics(settings)
        worker = AlertWorker(settings, AlertMetrics(CollectorRegistry(), [], []))
        records = [alert(f"bench:{i}") for i in range(args.alerts)]

        async def run() -> float:
            stop = asyncio.Event()
            task = asyncio.create_task(worker.run(stop))
            await asyncio.sleep(3)  # joined the group
            started = time.time()
            await asyncio.to_thread(publish, bootstrap, topic_name(ALERTS, prefix), records)
            published[0] = time.time() - started
            await asyncio.to_thread(hook.wait_for, args.alerts, 600)
            elapsed = time.time() - started
            stop.set()
            await task
            return elapsed

        published = [0.0]
        elapsed = asyncio.run(run())
        latencies = sorted(
            r.at - datetime.fromisoformat(orjson.loads(r.body)["created_at"]).timestamp()
            for r in hook.requests
        )
        ids = {orjson.loads(r.body)["alert_id"] for r in hook.requests}
        print(f"alerts: {args.alerts}, delivered: {len(ids)}, requests: {len(hook.requests)}")
        print(
            f"wall time from first publish: {elapsed:.2f} s (publishing took {published[0]:.2f} s)"
        )
        print(f"throughput: {args.alerts / elapsed:.0f} alerts/s (concurrency {args.concurrency})")
        print(
            f"latency from creation to receipt: p50 {statistics.median(latencies):.3f} s, "
            f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.3f} s (includes publishing)"
        )


if __name__ == "__main__":
    main()
