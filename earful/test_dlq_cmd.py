"""Where a dead letter is replayed to, or why it stays."""

from __future__ import annotations

from earful.dlq_cmd import Replay, Skip, decide

TOPICS = frozenset({"p.earful.mentions.raw.v1", "p.earful.alerts.v1"})


def headers(**fields: str) -> dict[str, str]:
    return {"reason": "not_json", "stage": "streams", "topic": "p.earful.mentions.raw.v1"} | fields


def test_back_to_the_topic_it_was_read_from_when_the_filters_match() -> None:
    none: frozenset[str] = frozenset()
    assert decide(headers(), reasons=none, stages=none, replayable_topics=TOPICS) == Replay(
        "p.earful.mentions.raw.v1"
    )
    assert decide(
        headers(reason="delivery_failed", stage="alerts", topic="p.earful.alerts.v1"),
        reasons=frozenset({"delivery_failed"}),
        stages=frozenset({"alerts"}),
        replayable_topics=TOPICS,
    ) == Replay("p.earful.alerts.v1")


def test_filters_and_foreign_topics_keep_it_in_the_dead_letter_topic() -> None:
    none: frozenset[str] = frozenset()
    only = frozenset({"schema_violation"})
    assert decide(headers(), reasons=only, stages=none, replayable_topics=TOPICS) == Skip(
        "reason filtered out"
    )
    assert decide(
        headers(), reasons=none, stages=frozenset({"alerts"}), replayable_topics=TOPICS
    ) == Skip("stage filtered out")
    # another environment's topic (other prefix), or none: never written to
    foreign = headers(topic="earful.mentions.raw.v1")
    assert isinstance(decide(foreign, reasons=none, stages=none, replayable_topics=TOPICS), Skip)
    missing = {"reason": "not_json", "stage": "streams"}
    assert decide(missing, reasons=none, stages=none, replayable_topics=TOPICS) == Skip(
        "no earful.dlq.topic header"
    )
