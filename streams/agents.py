"""Thin Faust agents: read bytes, call the pure cores, write what they decided."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import faust

from config.schema import Settings
from config.scoring import DuplicateSettings
from streams import duplicates
from streams.deadletters import dead_letter_headers
from streams.metrics import ScoringMetrics
from streams.pipeline import Scored, crisis_alert, mention_alert, process
from streams.scoring import Scorer
from streams.spikes import KeyState, SpikeDetector, spike_keys

STAGE = "streams"


@dataclass(frozen=True)
class ScoringTopics:
    source: faust.TopicT
    scored: faust.TopicT
    alerts: faust.TopicT
    dead_letters: faust.TopicT
    spike_events: faust.TopicT


def attach_scoring_agent(
    app: faust.App,
    *,
    topics: ScoringTopics,
    scorer: Scorer,
    metrics: ScoringMetrics,
    seen: MutableMapping[str, Any],
    similar: MutableMapping[str, Any],
    dedup: DuplicateSettings,
    spikes_enabled: bool,
) -> None:
    """Register the scoring agent on ``app``. Each send is attached to the consumed offset,
    so the offset is committed only after what it produced is written (at least once).
    ``seen`` and ``similar`` are changelog-backed tables: no second alert for a mention id
    or a near copy, also after a restart."""

    async def score_mentions(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        async for event in stream.events():
            started = time.perf_counter()
            message = event.message
            metrics.consumed.labels(STAGE, message.topic).inc()
            outcome = process(event.value, scorer)
            if isinstance(outcome, Scored):
                s = outcome.scored
                key = s.partition_key().encode()
                await topics.scored.send(key=key, value=s.model_dump_json().encode())
                metrics.produced.labels(STAGE, topics.scored.get_topic_name()).inc()
                metrics.scored.labels(
                    s.sentiment.label, s.priority, str(s.needs_response).lower()
                ).inc()
                await _send_alert(outcome, key, topics, metrics, seen, similar, dedup)
                if spikes_enabled:
                    for series in spike_keys(s.brand, s.topics):
                        record = {
                            "key": series,
                            "ts": s.scored_at.timestamp(),
                            "negative": s.sentiment.label == "negative",
                            "text": s.text[:280],
                        }
                        await topics.spike_events.send(
                            key=series.encode(), value=json.dumps(record).encode()
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
                await topics.dead_letters.send(
                    key=message.key, value=message.value, headers=headers
                )
                metrics.dead_letters.labels(STAGE, outcome.reason.value).inc()
                metrics.produced.labels(STAGE, topics.dead_letters.get_topic_name()).inc()
            metrics.processing.labels(STAGE).observe(time.perf_counter() - started)
            yield None

    app.agent(topics.source, name="earful.score_mentions")(score_mentions)


async def _send_alert(
    outcome: Scored,
    key: bytes,
    topics: ScoringTopics,
    metrics: ScoringMetrics,
    seen: MutableMapping[str, Any],
    similar: MutableMapping[str, Any],
    dedup: DuplicateSettings,
) -> None:
    """Send the mention's alert unless its id alerted before; count near copies (reposts
    included) on the first alert instead, with a "+N similar" follow-up at milestones."""
    alert = outcome.alert
    if not dedup.enabled:
        verdict: duplicates.Verdict | None = (
            None if alert is None else duplicates.Verdict("new", alert.alert_id)
        )
    else:
        verdict = duplicates.check(
            None if alert is None else alert.alert_id,
            outcome.scored.text,
            time.time(),
            seen,
            similar,
            dedup.window_seconds,
        )
    if verdict is None:
        return
    if verdict.kind == "new" and alert is not None:
        to_send = alert
    elif verdict.announce:
        to_send = duplicates.follow_up(alert or mention_alert(outcome.scored), verdict)
    else:
        return
    await topics.alerts.send(key=key, value=to_send.model_dump_json().encode())
    metrics.produced.labels(STAGE, topics.alerts.get_topic_name()).inc()


def attach_spike_agent(
    app: faust.App,
    *,
    spike_events: faust.TopicT,
    alerts: faust.TopicT,
    state: MutableMapping[str, Any],
    settings: Settings,
) -> None:
    """Register the spike agent: one detector state per brand/topic series, in a
    changelog-backed table, so a crisis raises one alert even across restarts. A timer
    sends a tick per series so windows close (and crises resolve) when mentions stop."""
    detector = SpikeDetector(settings.scoring.spikes)

    async def detect_spikes(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        async for value in stream:
            record = json.loads(value)
            series = str(record["key"])
            current = KeyState.from_dict(state.get(series))
            if record.get("tick"):
                events = detector.flush(current, series, float(record["ts"]))
            else:
                events = detector.observe(
                    current,
                    series,
                    float(record["ts"]),
                    bool(record["negative"]),
                    str(record["text"]),
                )
            for spike in events:
                alert = crisis_alert(spike, settings, datetime.now(UTC))
                await alerts.send(key=series.encode(), value=alert.model_dump_json().encode())
            state[series] = current.to_dict()
            yield None

    app.agent(spike_events, name="earful.detect_spikes")(detect_spikes)

    async def tick() -> None:
        now = time.time()
        for series in list(state.keys()):
            record = {"key": series, "ts": now, "tick": True}
            await spike_events.send(key=series.encode(), value=json.dumps(record).encode())

    interval = max(1.0, settings.scoring.spikes.window_seconds / 5)
    app.timer(interval=interval, name="earful.spike_ticks")(tick)
