"""Thin Faust agents: read bytes, call the pure pipeline, write what it decided."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

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
) -> None:
    """Register the scoring agent on ``app``. Each send is attached to the consumed offset,
    so the offset is committed only after what it produced is written (at least once)."""

    async def score_mentions(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        async for event in stream.events():
            started = time.perf_counter()
            message = event.message
            metrics.consumed.labels(STAGE, message.topic).inc()
            outcome = process(event.value, scorer)
            if isinstance(outcome, Scored):
                key = outcome.scored.partition_key().encode()
                await scored.send(key=key, value=outcome.scored.model_dump_json().encode())
                metrics.produced.labels(STAGE, scored.get_topic_name()).inc()
                metrics.observe_scored(outcome.scored)
                log.debug(
                    "mention scored",
                    mention_id=outcome.scored.id,
                    priority=outcome.scored.priority,
                    needs_response=outcome.scored.needs_response,
                )
                if outcome.alert is not None:
                    await alerts.send(key=key, value=outcome.alert.model_dump_json().encode())
                    metrics.produced.labels(STAGE, alerts.get_topic_name()).inc()
                    log.info(
                        "alert raised",
                        alert_id=outcome.alert.alert_id,
                        mention_id=outcome.scored.id,
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
                await dead_letters.send(key=message.key, value=message.value, headers=headers)
                metrics.dead_letters.labels(STAGE, outcome.reason.value).inc()
                log.warning(
                    "message dead-lettered",
                    reason=outcome.reason.value,
                    detail=outcome.detail,
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                )
                metrics.produced.labels(STAGE, dead_letters.get_topic_name()).inc()
            metrics.processing.labels(STAGE).observe(time.perf_counter() - started)
            yield None

    app.agent(source, name="earful.score_mentions")(score_mentions)
