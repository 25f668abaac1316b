"""``earful connect NAME...``: run the named connectors from config in one process.

Mentions go to the raw topic, cursors to the compacted cursor topic; SIGTERM or Ctrl-C
stops every connector, saves its cursor and flushes the producer. The process ends by
itself when only finite connectors (files) were named and they are done.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry

from config import load_settings
from config.connectors import (
    BlueskyConnector,
    Connector,
    FilesConnector,
    HackerNewsConnector,
    HttpIngestConnector,
    KafkaTopicConnector,
    MastodonConnector,
    RedditConnector,
    RssConnector,
    XConnector,
    YouTubeConnector,
)
from config.schema import Settings
from earful.logs import add_logging_flags

if TYPE_CHECKING:
    from connectors.runtime import Source

DEFAULT_METRICS_PORT = 9104


def brand_terms(settings: Settings) -> list[str]:
    return [term for b in settings.brands for term in (*b.keywords, *b.handles)]


def build_source(config: Connector, settings: Settings) -> Source:
    """The source for one ``connectors:`` entry (imported here: the CLI starts faster)."""
    from connectors.bluesky import BlueskySource
    from connectors.files import FilesSource
    from connectors.foreign_kafka import KafkaSource
    from connectors.hackernews import HackerNewsSource
    from connectors.http_ingest import HttpIngestSource
    from connectors.mastodon import MastodonSource
    from connectors.reddit import RedditSource
    from connectors.rss import RssSource
    from connectors.x import XSource
    from connectors.youtube import YouTubeSource

    if isinstance(config, MastodonConnector):
        return MastodonSource(config)
    if isinstance(config, BlueskyConnector):
        return BlueskySource(config, brand_terms(settings))
    if isinstance(config, HackerNewsConnector):
        return HackerNewsSource(config)
    if isinstance(config, RedditConnector):
        return RedditSource(config)
    if isinstance(config, RssConnector):
        return RssSource(config)
    if isinstance(config, XConnector):
        return XSource(config)
    if isinstance(config, YouTubeConnector):
        return YouTubeSource(config)
    if isinstance(config, HttpIngestConnector):
        return HttpIngestSource(config)
    if isinstance(config, FilesConnector):
        return FilesSource(config)
    if isinstance(config, KafkaTopicConnector):
        return KafkaSource(config, settings.kafka.bootstrap_servers)
    raise AssertionError(f"no source for connector type {config.type!r}")  # pragma: no cover


def select(settings: Settings, names: Iterable[str]) -> list[Connector]:
    by_name = {c.name: c for c in settings.connectors}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name)) or "none: add a connectors: list to the config"
        raise SystemExit(f"earful connect: no connector named {unknown[0]!r} (configured: {known})")
    return [by_name[n] for n in dict.fromkeys(names)]


async def connect(settings: Settings, chosen: list[Connector], registry: CollectorRegistry) -> bool:
    """Run the chosen connectors until they finish or SIGTERM/SIGINT; True if all healthy."""
    from connectors.kafka import KafkaOutput
    from connectors.metrics import ConnectorMetrics
    from connectors.runtime import SourceContext, run_sources

    metrics = ConnectorMetrics(registry, [c.name for c in chosen])
    output = KafkaOutput(settings)
    await output.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        saved = await output.load()
        runs = [
            (
                build_source(config, settings),
                SourceContext(
                    config.name,
                    sink=output,
                    cursors=output,
                    saved=saved,
                    metrics=metrics,
                    stop=stop,
                    checkpoint_seconds=config.checkpoint_seconds,
                ),
            )
            for config in chosen
        ]
        return await run_sources(runs, stop)
    finally:
        await output.stop()  # flushes what is in flight
        for config in chosen:
            print(summary(registry, config.name), file=sys.stderr)


def summary(registry: CollectorRegistry, name: str) -> str:
    def total(metric: str, **labels: str) -> float:
        return registry.get_sample_value(metric, {"connector": name, **labels}) or 0.0

    from connectors.errors import RejectReason

    rejected = sum(total("earful_connector_rejected_total", reason=r.value) for r in RejectReason)
    published = total("earful_connector_published_total")
    return f"{name}: published {published:.0f}, rejected {rejected:.0f}"


def cmd_connect(args: argparse.Namespace) -> int:
    from aiokafka.errors import KafkaError as AIOKafkaError
    from kafka.errors import KafkaError

    from earful.admin import ensure_topics
    from earful.health import serving_health
    from earful.logs import configure_logging
    from streams.metrics import HealthState

    settings = load_settings(args.config)
    if args.bootstrap:
        kafka = settings.kafka.model_copy(update={"bootstrap_servers": args.bootstrap})
        settings = settings.model_copy(update={"kafka": kafka})
    chosen = select(settings, args.names)
    configure_logging(args.log_level, args.log_format)
    registry = CollectorRegistry()
    health = HealthState("connectors")
    try:
        ensure_topics(settings)
        health.set_ready(True, "connected to Kafka; sources running")
        with serving_health(registry, health, args.metrics_port):
            healthy = asyncio.run(connect(settings, chosen, registry))
    except (KafkaError, AIOKafkaError) as error:
        raise SystemExit(
            f"earful connect: Kafka at {settings.kafka.bootstrap_servers} failed: {error}; "
            "start it (earful kafka start) or fix kafka.bootstrap_servers / --bootstrap"
        ) from None
    return 0 if healthy else 1


def add_connect_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    connect_parser = sub.add_parser(
        "connect", help="run connectors named in config (several per process)"
    )
    connect_parser.add_argument("names", nargs="+", metavar="NAME", help="connectors: entries")
    connect_parser.add_argument(
        "--bootstrap", default=None, help="override kafka.bootstrap_servers"
    )
    connect_parser.add_argument(
        "--metrics-port",
        type=int,
        default=int(os.environ.get("EARFUL_CONNECT_METRICS_PORT", DEFAULT_METRICS_PORT)),
        help=f"Prometheus /metrics port (default {DEFAULT_METRICS_PORT}; 0 turns it off)",
    )
    add_logging_flags(connect_parser)
    connect_parser.set_defaults(func=cmd_connect)
