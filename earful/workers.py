"""Run the long-lived workers: the Faust scoring app and the alert worker. Each serves
``/metrics``, ``/healthz`` and ``/readyz`` on its metrics port, measures its group's
consumer lag, and on SIGTERM finishes the message in hand, commits and stops."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from contextlib import ExitStack, suppress
from pathlib import Path

import structlog
import uvloop
from prometheus_client import CollectorRegistry

from alerts.metrics import AlertMetrics
from alerts.worker import AlertWorker
from config.schema import Settings
from earful.admin import ensure_topics
from earful.health import serving_health
from earful.lag import probing_lag
from earful.logs import library_logging_config, secret_values
from streams.metrics import HealthState, ScoringMetrics
from streams.scoring import compiled
from streams.topics import (
    ALERTS,
    DEAD_LETTERS,
    DELIVERY_AUDIT,
    DELIVERY_LOG,
    MENTIONS_RAW,
    topic_name,
)

log = structlog.get_logger("earful.workers")


def run_streams_worker(
    settings: Settings,
    *,
    datadir: Path,
    metrics_port: int,
    loglevel: str = "info",
    log_format: str = "text",
) -> None:
    from faust.worker import Worker  # slow import, only for this command

    from streams.app import create_app

    ensure_topics(settings)
    registry = CollectorRegistry()
    app = create_app(settings, datadir=datadir, registry=registry)
    metrics: ScoringMetrics = app.earful_metrics  # type: ignore[attr-defined]
    source = topic_name(MENTIONS_RAW, settings.kafka.topic_prefix)
    with ExitStack() as running:
        running.enter_context(serving_health(registry, metrics.health, metrics_port))
        running.enter_context(probing_lag(settings.kafka, app.conf.id, [source], metrics))
        log.info(
            "streams worker starting",
            group=app.conf.id,
            topic=source,
            port=metrics_port,
            scoring="native" if compiled() else "python",
        )
        # Faust handles SIGTERM itself: it stops the agents and commits what they finished.
        logging_config = (
            library_logging_config(loglevel, log_format, secret_values(settings))
            if log_format == "json"
            else None  # Faust's own readable text
        )
        health = metrics.health

        class StreamsWorker(Worker):
            def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
                # Faust's progress spinner, kept at warning and above, sets the root logger
                # to DEBUG so that every library debug call builds a record: 5% of the
                # scoring worker's time. The spinner is only for a terminal anyway.
                self.spinner = None

            async def on_startup_finished(self) -> None:
                await super().on_startup_finished()
                freeze_startup_objects()

            async def on_stop(self) -> None:
                # First thing on SIGTERM, before the app stops its agents and commits.
                health.set_ready(False, "stopping")
                await super().on_stop()

        loop = uvloop.new_event_loop()  # measurably faster for Faust's many small callbacks
        asyncio.set_event_loop(loop)
        worker = StreamsWorker(
            app, loglevel=loglevel, quiet=True, logging_config=logging_config, loop=loop
        )
        worker.execute_from_commandline()


def run_alerts_worker(settings: Settings, *, metrics_port: int) -> None:
    ensure_topics(settings)
    registry = CollectorRegistry()
    prefix = settings.kafka.topic_prefix
    alerts_topic = topic_name(ALERTS, prefix)
    metrics = AlertMetrics(
        registry,
        consumes=[alerts_topic],
        produces=[topic_name(t, prefix) for t in (DEAD_LETTERS, DELIVERY_AUDIT, DELIVERY_LOG)],
    )
    worker = AlertWorker(settings, metrics)
    freeze_startup_objects()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stopping() -> None:
            metrics.health.set_ready(False, "stopping")
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping)
        beating = asyncio.create_task(heartbeat(metrics.health, stop))
        try:
            await worker.run(stop)
        finally:
            metrics.health.set_ready(False, "stopped")
            await beating

    with ExitStack() as running:
        running.enter_context(serving_health(registry, metrics.health, metrics_port))
        running.enter_context(probing_lag(settings.kafka, worker.group_id, [alerts_topic], metrics))
        asyncio.run(main())


def freeze_startup_objects() -> None:
    """Move what start-up built (lexicons, models, the app, recovered tables) out of the
    garbage collector's reach: a full collection scanned all of it, a pause of about 50 ms
    in the middle of a batch (0.1 ms once frozen)."""
    gc.collect()
    gc.freeze()


async def heartbeat(health: HealthState, stop: asyncio.Event, interval: float = 1.0) -> None:
    """Beat from the event loop until ``stop``: a loop blocked by a stuck call stops beating,
    and ``/healthz`` says so."""
    while not stop.is_set():
        health.beat()
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
