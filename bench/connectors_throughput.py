"""How fast connectors turn payloads into mentions, and a files backfill into Kafka.

    python -m bench.connectors_throughput                        # parsing only
    python -m bench.connectors_throughput --bootstrap 127.0.0.1:9092 --count 20000

Prints figures; asserts nothing. The Kafka run writes to topics with a fresh prefix.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from prometheus_client import CollectorRegistry

from config.connectors import FilesConnector
from config.loader import parse_settings
from connectors import bluesky, mastodon
from connectors.files import FilesSource
from connectors.kafka import KafkaOutput
from connectors.metrics import ConnectorMetrics
from connectors.runtime import SourceContext, run_source
from earful.admin import ensure_topics
from tests.support.fakes.jetstream_server import post_event
from tests.support.fakes.mastodon_server import status


def rate(label: str, count: int, seconds: float) -> None:
    print(f"{label:<40} {count / seconds:>12,.0f} /s  ({count} in {seconds:.2f} s)")


def bench_parsing(count: int) -> None:
    statuses = [orjson.dumps(status(i, f"@acmeair flight {i} was cancelled")) for i in range(count)]
    started = time.perf_counter()
    for raw in statuses:
        mastodon.to_mention(orjson.loads(raw), "masto.test")
    rate("mastodon to_mention (JSON in)", count, time.perf_counter() - started)
    events = [orjson.dumps(post_event(i, f"acme air flight {i}")) for i in range(count)]
    started = time.perf_counter()
    for raw in events:
        bluesky.to_mention(orjson.loads(raw))
    rate("bluesky to_mention (JSON in)", count, time.perf_counter() - started)


async def bench_backfill(bootstrap: str, count: int) -> None:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    settings = parse_settings(
        f"kafka: {{bootstrap_servers: '{bootstrap}', topic_prefix: '{prefix}'}}\n", "bench", {}
    )
    ensure_topics(settings)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mentions.jsonl"
        with path.open("wb") as out:
            for i in range(count):
                mention = {
                    "schema_version": 1,
                    "id": f"bench:{i}",
                    "source": "bench",
                    "text": f"acme air flight {i} delayed",
                    "created_at": "2026-11-20T09:00:00Z",
                    "author": {"id": f"u{i % 500}", "handle": f"user{i % 500}"},
                }
                out.write(orjson.dumps(mention) + b"\n")
        config = FilesConnector(name="bench", type="files", paths=[path], progress=False)
        output = KafkaOutput(settings)
        await output.start()
        registry = CollectorRegistry()
        ctx = SourceContext(
            "bench",
            sink=output,
            cursors=output,
            saved={},
            metrics=ConnectorMetrics(registry, ["bench"]),
            stop=asyncio.Event(),
        )
        started = time.perf_counter()
        await run_source(FilesSource(config), ctx)
        await output.stop()
        seconds = time.perf_counter() - started
    published = registry.get_sample_value(
        "earful_connector_published_total", {"connector": "bench"}
    )
    rate("files backfill into Kafka (acks=all)", int(published or 0), seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--bootstrap", help="also measure a files backfill into this broker")
    args = parser.parse_args()
    bench_parsing(args.count)
    if args.bootstrap:
        asyncio.run(bench_backfill(args.bootstrap, args.count))


if __name__ == "__main__":
    main()
