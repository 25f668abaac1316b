"""The connectors' Kafka side on the real broker: mentions keyed by conversation, and
cursors on a compacted topic that a new process reads back (latest value per key)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from connectors.kafka import KafkaOutput
from earful.admin import ensure_topics
from streams.records import Author, Mention
from streams.topics import MENTIONS_RAW, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]


def mention(i: int, thread: str | None = None) -> Mention:
    return Mention(
        schema_version=1,
        id=f"test:{i}",
        source="test",
        text=f"acme air {i}",
        created_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        author=Author(id="u", handle="u"),
        conversation_id=thread,
    )


async def test_mentions_and_cursors_survive_a_new_process(make_settings: SettingsFactory) -> None:
    settings, _ = make_settings()
    ensure_topics(settings)
    prefix = settings.kafka.topic_prefix
    output = KafkaOutput(settings)
    await output.start()
    try:
        assert await output.load() == {}
        for i, thread in ((1, "test:1"), (2, "test:1"), (3, None)):
            await output.send(mention(i, thread))
        await output.flush()
        for key, value in (("masto", "10"), ("hn/acme air", '{"t":1}'), ("masto", "12")):
            await output.save(key, value)
    finally:
        await output.stop()

    again = KafkaOutput(settings)
    await again.start()
    try:
        assert await again.load() == {"masto": "12", "hn/acme air": '{"t":1}'}
    finally:
        await again.stop()

    raw = read_topic(settings.kafka.bootstrap_servers, topic_name(MENTIONS_RAW, prefix), expect=3)
    assert sorted((r.key, orjson.loads(r.value or b"")["id"]) for r in raw) == [
        (b"test:1", "test:1"),
        (b"test:1", "test:2"),
        (b"test:3", "test:3"),
    ]
    assert all(b"null" not in (r.value or b"") for r in raw)  # optional fields left out
