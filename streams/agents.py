"""Thin Faust agents: read bytes, call the pure pipeline, write what it decided."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any, cast

import faust
import structlog

from streams.deadletters import dead_letter_headers
from streams.metrics import ScoringMetrics
from streams.pipeline import Scored, process
from streams.scoring import Scorer

STAGE = "streams"
log = structlog.get_logger("earful.streams")


def attach_scoring_agent(
    app: faust.App,
    *,
    source: faust.TopicT,
    scored: faust.TopicT,
    alerts: faust.TopicT,
    dead_letters: faust.TopicT,
    scorer: Scorer,
    metrics: ScoringMetrics,
    batch_size: int = 500,
    batch_wait_seconds: float = 0.05,
) -> None:
    """Register the scoring agent on ``app``.

    Events are taken in batches; every record a batch produces is awaited until the broker
    acknowledged it before the batch's events are acked, so an offset is committed only
    after what it produced is written (at least once), without a round trip per message.
    """
    scored_name, alerts_name = scored.get_topic_name(), alerts.get_topic_name()
    dead_name = dead_letters.get_topic_name()

    async def score_mentions(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        batches = cast(faust.Stream[Any], stream).take_events(batch_size, batch_wait_seconds)
        async for events in batches:
            pending: list[Awaitable[Any]] = []
            for event in events:
                started = time.perf_counter()
                message = event.message
                metrics.consumed.labels(STAGE, message.topic).inc()
                outcome = process(event.value, scorer)
                if isinstance(outcome, Scored):
                    result = outcome.scored
                    key = result.partition_key().encode()
                    pending.append(
                        await scored.send(
                            key=key, value=result.model_dump_json().encode(), force=True
                        )
                    )
                    metrics.produced.labels(STAGE, scored_name).inc()
                    metrics.observe_scored(result)
                    log.debug(
                        "mention scored",
                        mention_id=result.id,
                        priority=result.priority,
                        needs_response=result.needs_response,
                    )
                    if outcome.alert is not None:
                        pending.append(
                            await alerts.send(
                                key=key, value=outcome.alert.model_dump_json().encode(), force=True
                            )
                        )
                        metrics.produced.labels(STAGE, alerts_name).inc()
                        log.info(
                            "alert raised",
                            alert_id=outcome.alert.alert_id,
                            mention_id=result.id,
                            team=outcome.alert.team,
                            priority=outcome.alert.priority,
                        )
                else:
                    headers = dead_letter_headers(
                        stage=STAGE,
                        reason=outcome.reason,
                        detail=outcome.detail,
                        topic=message.topic,
                        partition=message.partition,
                        offset=message.offset,
                    )
                    pending.append(
                        await dead_letters.send(
                            key=message.key, value=message.value, headers=headers, force=True
                        )
                    )
                    metrics.dead_letters.labels(STAGE, outcome.reason.value).inc()
                    metrics.produced.labels(STAGE, dead_name).inc()
                    log.warning(
                        "message dead-lettered",
                        reason=outcome.reason.value,
                        detail=outcome.detail,
                        topic=message.topic,
                        partition=message.partition,
                        offset=message.offset,
                    )
                metrics.processing.labels(STAGE).observe(time.perf_counter() - started)
            await asyncio.gather(*pending)
            yield None

    app.agent(source, name="earful.score_mentions")(score_mentions)
