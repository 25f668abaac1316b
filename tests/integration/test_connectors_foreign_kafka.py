"""An integrator's topic, mapped onto mentions, on the real broker: malformed records are
counted and skipped, and a restart resumes from the saved offsets without repeats."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from prometheus_client import CollectorRegistry

from config.connectors import KafkaTopicConnector
from connectors.foreign_kafka import KafkaSource
from connectors.kafka import KafkaOutput
from connectors.metrics import ConnectorMetrics
from connectors.runtime import SourceContext, run_source
from earful.admin import ensure_topics
from streams.topics import MENTIONS_RAW, topic_name
from tests.conftest import SettingsFactory
from tests.support.fakes.harness import eventually
from tests.support.kafka import publish, read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]


def partner_record(n: int) -> bytes:
    return orjson.dumps(
        {
            "post": {"id": n, "body": f"acme air update {n}", "ts": 1_763_629_200 + n},
            "user": {"id": f"u{n}", "name": f"@fan{n}", "stats": {"followers": n}},
            "thread": {"root": n % 3},
        }
    )


async def test_a_mapped_topic_is_published_and_resumed(make_settings: SettingsFactory) -> None:
    settings, _ = make_settings()
    ensure_topics(settings)
    bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
    foreign = f"{prefix}partner.posts"
    config = KafkaTopicConnector(
        name="partner",
        type="kafka",
        topic=foreign,
        source="partner",
        mapping={
            "id": "post.id",
            "text": "/post/body",
            "created_at": "post.ts",
            "author.id": "user.id",
            "author.handle": "user.name",
            "author.followers": "user.stats.followers",
            "conversation_id": "thread.root",
        },
    )
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(foreign, 2, 1)])
    admin.close()
    await asyncio.to_thread(
        publish, bootstrap, foreign, [partner_record(n) for n in range(1, 6)] + [b"{bad", b"[]"]
    )

    async def run_once(until_published: int) -> float:
        registry = CollectorRegistry()
        output = KafkaOutput(settings)
        await output.start()
        ctx = SourceContext(
            "partner",
            sink=output,
            cursors=output,
            saved=await output.load(),
            metrics=ConnectorMetrics(registry, ["partner"]),
            stop=asyncio.Event(),
        )
        task = asyncio.create_task(run_source(KafkaSource(config, bootstrap), ctx))

        def published() -> float:
            value = registry.get_sample_value(
                "earful_connector_published_total", {"connector": "partner"}
            )
            return value or 0.0

        assert await eventually(lambda: published() >= until_published, 60)
        await asyncio.sleep(1.0)  # anything more would show up now
        ctx.stop.set()
        assert await task
        await output.stop()
        rejected = registry.get_sample_value(
            "earful_connector_rejected_total", {"connector": "partner", "reason": "not_json"}
        )
        assert rejected == (1 if until_published == 5 else 0)
        return published()

    assert await run_once(5) == 5
    await asyncio.to_thread(publish, bootstrap, foreign, [partner_record(n) for n in (6, 7)])
    assert await run_once(2) == 2

    raw = await asyncio.to_thread(read_topic, bootstrap, topic_name(MENTIONS_RAW, prefix), expect=7)
    mentions = [orjson.loads(r.value or b"") for r in raw]
    assert sorted(m["id"] for m in mentions) == [f"partner:{n}" for n in range(1, 8)]
    one = next(m for m in mentions if m["id"] == "partner:4")
    assert one["author"] == {"id": "u4", "handle": "fan4", "followers": 4}
    assert one["conversation_id"] == "partner:1"
    assert next(r.key for r in raw if b'"partner:4"' in (r.value or b"")) == b"partner:1"
