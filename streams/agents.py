"""Thin Faust agents: read bytes, call the pure cores, write what they decided."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import faust
import structlog

from config.schema import Settings
from config.scoring import DuplicateSettings, SpikeSettings
from streams import duplicates
from streams.changelog import QueuedTable
from streams.deadletters import dead_letter_headers
from streams.expiry import Expiry, NotedTable
from streams.metrics import ScoringMetrics
from streams.pipeline import Scored, crisis_alert, mention_alert, process
from streams.scoring import Scorer
from streams.spikes import KeyState, SpikeDetector, Tallies, observe_event, spike_keys
from streams.tracked_topics import track_topics

STAGE = "streams"
MAX_BATCHES_IN_FLIGHT = 4
BATCH_SIZE = 500
BATCH_WAIT_SECONDS = 0.05
log = structlog.get_logger("earful.streams")


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
    seen: NotedTable,
    similar: NotedTable,
    expiry: Expiry,
    changelogs: Sequence[QueuedTable],
    dedup: DuplicateSettings,
    spikes: SpikeSettings | None,
    batch_size: int = BATCH_SIZE,
    batch_wait_seconds: float = BATCH_WAIT_SECONDS,
) -> None:
    """Register the scoring agent on ``app``. An offset is committed only after what it
    produced is written (at least once). ``seen`` and ``similar`` are changelog-backed
    tables: no second alert for a mention id or a near copy, also after a restart; their
    old entries are deleted as events of their partition pass (``streams.expiry``).
    ``changelogs``: the tables behind them, whose changelog records this agent sends with
    each event's other records (``streams.changelog``).
    With ``spikes``, each batch sends one spike event per series and window."""
    scored_name = topics.scored.get_topic_name()
    alerts_name = topics.alerts.get_topic_name()
    dead_name = topics.dead_letters.get_topic_name()
    spikes_name = topics.spike_events.get_topic_name()
    consumed = metrics.consumed.labels(STAGE, topics.source.get_topic_name())
    produced = {
        name: metrics.produced.labels(STAGE, name)
        for name in (scored_name, alerts_name, dead_name, spikes_name)
    }
    processing = metrics.processing.labels(STAGE)

    async def score_mentions(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        # Batches: every record a batch produces is awaited until the broker acknowledged
        # it before the batch's events are acked (at least once, no round trip per message).
        concrete = cast(faust.Stream[Any], stream)
        in_flight: deque[asyncio.Future[None]] = deque()
        # Records go straight to the aiokafka producer inside the app's: Faust's Topic.send
        # and Producer.send wrap each one in pending and future messages, header
        # conversions and sensor calls the agent has no use for (it awaits aiokafka's own
        # futures); asked for at each send, since Faust owns its lifetime.
        producer = await app.maybe_start_producer()
        await track_topics(
            producer._ensure_producer().client,
            {scored_name, alerts_name, dead_name, spikes_name, *app.tables.changelog_topics},
        )

        async def produce(
            topic: str,
            key: bytes | None,
            value: bytes | None,
            headers: list[tuple[str, bytes]] | None = None,
            partition: int | None = None,
        ) -> Awaitable[Any]:
            if topic in produced:  # Earful's topics; not the tables' changelogs
                produced[topic].inc()
            sent: Awaitable[Any] = await producer._ensure_producer().send(
                topic, value, key=key, partition=partition, headers=headers
            )
            return sent

        async for events in concrete.take_events(batch_size, batch_wait_seconds):
            tallies = Tallies(spikes) if spikes is not None else None
            # take_events acks a batch in a ``finally``, also when this agent is cancelled
            # mid-batch (a stop or rebalance): an extra reference per message, dropped only
            # once all the batch produced is written, keeps that ack from committing an
            # offset whose output was never sent.
            for event in events:
                event.message.incref()
            consumed.inc(len(events))
            pending: list[Awaitable[Any]] = []
            for event in events:
                started = time.perf_counter()
                message = event.message
                seen.partition = similar.partition = message.partition
                expiry.sweep(message.partition, time.time())
                outcome = process(event.value, scorer)
                if isinstance(outcome, Scored):
                    s = outcome.scored
                    key = s.partition_key().encode()
                    pending.append(await produce(scored_name, key, s.model_dump_json().encode()))
                    metrics.observe_scored(s)
                    log.debug(
                        "mention scored",
                        mention_id=s.id,
                        priority=s.priority,
                        needs_response=s.needs_response,
                    )
                    sent = await _send_alert(
                        outcome, key, produce, alerts_name, seen, similar, dedup
                    )
                    if sent is not None:
                        pending.append(sent)
                    if tallies is not None:
                        tallies.add(
                            spike_keys(s.brand, s.topics),
                            s.scored_at.timestamp(),
                            s.sentiment.label == "negative",
                            s.text,
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
                    pending.append(await produce(dead_name, message.key, message.value, headers))
                    metrics.dead_letters.labels(STAGE, outcome.reason.value).inc()
                    log.warning(
                        "message dead-lettered",
                        reason=outcome.reason.value,
                        detail=outcome.detail,
                        topic=message.topic,
                        partition=message.partition,
                        offset=message.offset,
                    )
                # The dedupe tables' writes and deletes of this event, to its partition.
                for table in changelogs:
                    for changed, value in table.drain():
                        pending.append(
                            await produce(table.topic, changed, value, partition=message.partition)
                        )
                processing.observe(time.perf_counter() - started)
            for tally in tallies.drain() if tallies is not None else ():
                pending.append(
                    await produce(
                        spikes_name, tally.key.encode(), json.dumps(tally.to_dict()).encode()
                    )
                )
            # The next batch is scored while this one's records are on their way: waiting
            # for the broker's acknowledgement before the next batch (a linger and a round
            # trip) left the worker idle a fifth of the time. Offsets are still committed
            # only once a batch's records are written, batch after batch, and at most
            # MAX_BATCHES_IN_FLIGHT are unsettled.
            await settle_behind(in_flight, pending, events)
            yield None

    app.agent(topics.source, name="earful.score_mentions")(score_mentions)


async def settle_behind(
    in_flight: deque[asyncio.Future[None]],
    pending: list[Awaitable[Any]],
    events: Sequence[Any],
) -> None:
    """Queue a batch's settling behind the batches still ``in_flight``, and wait while more
    than MAX_BATCHES_IN_FLIGHT are unsettled (dropping those already settled)."""
    previous = in_flight[-1] if in_flight else None
    in_flight.append(asyncio.ensure_future(settle_in_order(pending, events, previous)))
    while in_flight and (len(in_flight) > MAX_BATCHES_IN_FLIGHT or in_flight[0].done()):
        await in_flight.popleft()


async def settle_in_order(
    pending: list[Awaitable[Any]], events: Sequence[Any], previous: Awaitable[None] | None
) -> None:
    """Wait until the broker acknowledged what a batch produced, and the batch before it
    was settled, then let its messages be acknowledged (a failed write raises here, and the
    batch is never committed). In order, because Faust commits past a gap at the head of
    a partition that has no committed offset yet: a later batch acked first would commit
    over an earlier one still on its way."""
    await asyncio.gather(*pending)
    if previous is not None:
        await previous
    for event in events:
        # Our reference, dropped with an ack: whichever of take_events' ack and this one
        # comes last marks the offset safe to commit (a bare decref never would).
        event.ack()


async def _send_alert(
    outcome: Scored,
    key: bytes,
    produce: Callable[[str, bytes | None, bytes | None], Awaitable[Awaitable[Any]]],
    alerts_name: str,
    seen: MutableMapping[str, Any],
    similar: MutableMapping[str, Any],
    dedup: DuplicateSettings,
) -> Awaitable[Any] | None:
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
        return None
    if verdict.kind == "new" and alert is not None:
        to_send = alert
    elif verdict.announce:
        to_send = duplicates.follow_up(alert or mention_alert(outcome.scored), verdict)
    else:
        return None
    sent = await produce(alerts_name, key, to_send.model_dump_json().encode())
    log.info(
        "alert raised",
        alert_id=to_send.alert_id,
        mention_id=outcome.scored.id,
        team=to_send.team,
        priority=to_send.priority,
    )
    return sent


def attach_spike_agent(
    app: faust.App,
    *,
    spike_events: faust.TopicT,
    alerts: faust.TopicT,
    state: MutableMapping[str, Any],
    settings: Settings,
    metrics: ScoringMetrics | None = None,
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
            for spike in observe_event(detector, current, record):
                alert = crisis_alert(spike, settings, datetime.now(UTC))
                if metrics is not None:
                    metrics.spikes.labels(alert.kind).inc()
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
