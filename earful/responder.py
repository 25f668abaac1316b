"""Run the responder: ``earful worker responder``."""

from __future__ import annotations

import asyncio
import signal

from prometheus_client import CollectorRegistry

from alerts.response.errors import ResponseError
from alerts.response.metrics import ResponseMetrics
from alerts.response.responder import Responder
from config.schema import Settings
from earful.admin import ensure_topics
from earful.health import serving_health
from streams.topics import ALERT_STATE, ALERTS, SILENCES, topic_name


def run_responder_worker(settings: Settings, *, metrics_port: int) -> None:
    ensure_topics(settings)
    registry = CollectorRegistry()
    prefix = settings.kafka.topic_prefix
    topics = [topic_name(spec, prefix) for spec in (ALERTS, ALERT_STATE, SILENCES)]
    metrics = ResponseMetrics(
        registry,
        consumes=topics,
        produces=topics,
        teams=[team.name for team in settings.teams],
        max_steps=settings.response.max_steps(),
    )
    responder = Responder(settings, metrics)

    async def mirror_health(stop: asyncio.Event) -> None:
        """The metrics port's /readyz says what the responder's own /healthz says."""
        while not stop.is_set():
            metrics.health.beat()
            ready = responder.ready()
            metrics.health.set_ready(ready, "caught up with its topics" if ready else "catching up")
            await asyncio.sleep(1)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        mirror = asyncio.create_task(mirror_health(stop))
        try:
            await responder.run(stop)
        finally:
            mirror.cancel()

    try:
        with serving_health(registry, metrics.health, metrics_port):
            asyncio.run(main())
    except ResponseError as error:
        raise SystemExit(f"earful: {error}") from None
