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
from earful.workers import serve_metrics
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
    serve_metrics(registry, metrics_port)
    responder = Responder(settings, metrics)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await responder.run(stop)

    try:
        asyncio.run(main())
    except ResponseError as error:
        raise SystemExit(f"earful: {error}") from None
