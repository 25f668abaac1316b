"""Run the long-lived workers: the Faust scoring app and the alert worker."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from prometheus_client import CollectorRegistry, start_http_server

from alerts.metrics import AlertMetrics
from alerts.worker import AlertWorker
from config.schema import Settings
from earful.admin import ensure_topics
from streams.topics import ALERTS, DEAD_LETTERS, DELIVERY_AUDIT, DELIVERY_LOG, topic_name


def serve_metrics(registry: CollectorRegistry, port: int) -> None:
    """Serve /metrics on port in a background thread (port 0: do not serve). It listens on
    127.0.0.1 unless EARFUL_METRICS_HOST says otherwise (0.0.0.0 in a container)."""
    if port:
        host = os.environ.get("EARFUL_METRICS_HOST", "127.0.0.1")
        start_http_server(port, addr=host, registry=registry)


def run_streams_worker(
    settings: Settings, *, datadir: Path, metrics_port: int, loglevel: str = "info"
) -> None:
    from faust.worker import Worker  # slow import, only for this command

    from streams.app import create_app

    ensure_topics(settings)
    registry = CollectorRegistry()
    app = create_app(settings, datadir=datadir, registry=registry)
    serve_metrics(registry, metrics_port)
    Worker(app, loglevel=loglevel, quiet=True).execute_from_commandline()


def run_alerts_worker(settings: Settings, *, metrics_port: int) -> None:
    ensure_topics(settings)
    registry = CollectorRegistry()
    prefix = settings.kafka.topic_prefix
    metrics = AlertMetrics(
        registry,
        consumes=[topic_name(ALERTS, prefix)],
        produces=[topic_name(t, prefix) for t in (DEAD_LETTERS, DELIVERY_AUDIT, DELIVERY_LOG)],
    )
    serve_metrics(registry, metrics_port)
    worker = AlertWorker(settings, metrics)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await worker.run(stop)

    asyncio.run(main())
