"""``earful dlq replay``: drain the dead-letter topic back into the pipeline.

Each dead letter's original key and bytes go back to the topic it was read from (its
``earful.dlq.topic`` header), filtered by ``--reason`` and ``--stage``. A consumer group
remembers how far the last replay went, so the next one starts after it; ``--from-beginning``
reads the whole topic again. Run it after fixing the cause: a message that is still bad
is simply dead-lettered again, with fresh headers.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from config.kafka_security import kafka_client_options
from config.schema import Settings
from streams.deadletters import read_dead_letter_headers
from streams.records import DeadLetterReason
from streams.topics import ALL_TOPICS, DEAD_LETTERS, topic_name

REPLAY_GROUP = "earful-dlq-replay"
REPLAYED_FROM_HEADER = "earful.replayed-from"
IDLE_POLLS_BEFORE_GIVING_UP = 30  # one second each


@dataclass(frozen=True)
class Replay:
    topic: str


@dataclass(frozen=True)
class Skip:
    why: str


def decide(
    headers: dict[str, str],
    *,
    reasons: frozenset[str],
    stages: frozenset[str],
    replayable_topics: frozenset[str],
) -> Replay | Skip:
    """Where one dead letter goes back to, or why it stays (pure)."""
    if reasons and headers.get("reason") not in reasons:
        return Skip("reason filtered out")
    if stages and headers.get("stage") not in stages:
        return Skip("stage filtered out")
    topic = headers.get("topic")
    if not topic:
        return Skip("no earful.dlq.topic header")
    if topic not in replayable_topics:
        return Skip("earful.dlq.topic is not an Earful topic of this environment")
    return Replay(topic)


@dataclass
class ReplayReport:
    replayed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self, dry_run: bool) -> str:
        verb = "would replay" if dry_run else "replayed"
        lines = [f"{verb} {sum(self.replayed.values())}, skipped {sum(self.skipped.values())}"]
        lines += [f"  {verb} {n} -> {topic}" for topic, n in sorted(self.replayed.items())]
        lines += [f"  skipped {n}: {why}" for why, n in sorted(self.skipped.items())]
        return "\n".join(lines)


def replay_dead_letters(
    settings: Settings,
    *,
    reasons: Iterable[str] = (),
    stages: Iterable[str] = (),
    dry_run: bool = False,
    from_beginning: bool = False,
    out: TextIO = sys.stdout,
) -> ReplayReport:
    """Replay what is in the dead-letter topic now (up to its current end), then commit how
    far it got, unless ``dry_run``."""
    kafka = settings.kafka
    prefix = kafka.topic_prefix
    dlq = topic_name(DEAD_LETTERS, prefix)
    replayable = frozenset(topic_name(t, prefix) for t in ALL_TOPICS if t is not DEAD_LETTERS)
    report = ReplayReport()
    consumer = KafkaConsumer(
        **kafka_client_options(kafka, "kafka-python"),
        client_id=f"{kafka.client_id}-dlq-replay",
        group_id=f"{prefix}{REPLAY_GROUP}",
        enable_auto_commit=False,
    )
    producer = (
        None
        if dry_run
        else KafkaProducer(
            **kafka_client_options(kafka, "kafka-python"),
            client_id=f"{kafka.client_id}-dlq-replay",
            acks="all",
        )
    )
    try:
        for record in _records_until_now(consumer, dlq, from_beginning):
            headers = read_dead_letter_headers(record.headers)
            decision = decide(
                headers,
                reasons=frozenset(reasons),
                stages=frozenset(stages),
                replayable_topics=replayable,
            )
            if isinstance(decision, Skip):
                report.skipped[decision.why] += 1
                continue
            report.replayed[decision.topic] += 1
            where = f"{dlq}:{record.partition}:{record.offset}"
            if producer is None:
                out.write(f"would replay {where} ({headers.get('reason')}) -> {decision.topic}\n")
                continue
            producer.send(
                decision.topic,
                key=record.key,
                value=record.value,
                headers=[(REPLAYED_FROM_HEADER, where.encode())],
            )
        if producer is not None:
            producer.flush()
            consumer.commit()  # only after every replayed message was acknowledged
    finally:
        if producer is not None:
            producer.close()
        consumer.close(autocommit=False)
    return report


def _records_until_now(consumer: KafkaConsumer, topic: str, from_beginning: bool) -> Iterator[Any]:
    numbers = sorted(consumer.partitions_for_topic(topic) or ())
    partitions = [TopicPartition(topic, p) for p in numbers]
    if not partitions:
        raise SystemExit(f"earful: topic {topic} does not exist (run 'earful topics create')")
    consumer.assign(partitions)
    end = consumer.end_offsets(partitions)
    beginning = consumer.beginning_offsets(partitions)
    for tp in partitions:
        committed = None if from_beginning else consumer.committed(tp)
        consumer.seek(tp, committed if committed is not None else beginning[tp])
    remaining = {tp for tp in partitions if consumer.position(tp) < end[tp]}
    idle_polls = 0
    while remaining:
        batches = consumer.poll(timeout_ms=1000)
        idle_polls = 0 if batches else idle_polls + 1
        if idle_polls >= IDLE_POLLS_BEFORE_GIVING_UP:
            raise SystemExit(
                f"earful: no records from {topic} for {idle_polls} s although partitions "
                f"{sorted(tp.partition for tp in remaining)} are not at their end; check the "
                "broker and retry (what was replayed so far was not committed)"
            )
        for tp, records in batches.items():
            for record in records:
                if record.offset < end[tp]:
                    yield record
        remaining = {tp for tp in remaining if consumer.position(tp) < end[tp]}


def add_dlq_parser(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    settings_from: Callable[[argparse.Namespace], Settings],
) -> None:
    dlq = sub.add_parser("dlq", help="work with the dead-letter topic")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    replay = dlq_sub.add_parser(
        "replay",
        help="re-publish dead letters' original bytes to the topic they came from",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument(
        "--reason",
        action="append",
        default=[],
        choices=[r.value for r in DeadLetterReason],
        metavar="REASON",
        help="only dead letters with this reason (repeatable): "
        + ", ".join(r.value for r in DeadLetterReason),
    )
    replay.add_argument(
        "--stage",
        action="append",
        default=[],
        choices=["streams", "alerts"],
        metavar="STAGE",
        help="only dead letters from this stage, streams or alerts (repeatable)",
    )
    replay.add_argument("--dry-run", action="store_true", help="show what would go where")
    replay.add_argument(
        "--from-beginning",
        action="store_true",
        help="read the whole topic, not just what arrived since the last replay",
    )
    replay.add_argument("--bootstrap", default=None, help="override kafka.bootstrap_servers")

    def run(args: argparse.Namespace) -> int:
        report = replay_dead_letters(
            settings_from(args),
            reasons=args.reason,
            stages=args.stage,
            dry_run=args.dry_run,
            from_beginning=args.from_beginning,
        )
        print(report.summary(args.dry_run))
        return 0

    replay.set_defaults(func=run)
