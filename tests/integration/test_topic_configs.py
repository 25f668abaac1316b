"""The topics Earful creates on the real broker carry the configs their readers rely on."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from config.schema import Settings
from earful.admin import DELIVERY_LOG_SLACK_SECONDS, ensure_topics
from streams.topics import CONNECTOR_CURSORS, DELIVERY_LOG, TopicSpec, topic_name
from tests.conftest import SettingsFactory

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]


def topic_config(settings: Settings, spec: TopicSpec) -> dict[str, str]:
    name = topic_name(spec, settings.kafka.topic_prefix)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        deadline = time.monotonic() + 30  # a loaded broker may not list a new topic at once
        described: dict[str, str] = {}
        while not described and time.monotonic() < deadline:
            found = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
            described = {k: v["value"] for k, v in found.get("topic", {}).get(name, {}).items()}
            time.sleep(0.2)
    finally:
        admin.close()
    assert described, f"topic {name} was not described within 30 s"
    return described


def test_the_cursor_topic_is_compacted(make_settings: SettingsFactory) -> None:
    settings, _ = make_settings()
    ensure_topics(settings)
    assert topic_config(settings, CONNECTOR_CURSORS)["cleanup.policy"] == "compact"


def test_the_delivery_log_forgets_on_the_broker_what_workers_forget(
    make_settings: SettingsFactory,
) -> None:
    settings, _ = make_settings(delivery={"remember_seconds": 7200})
    ensure_topics(settings)
    config = topic_config(settings, DELIVERY_LOG)
    assert config["cleanup.policy"] == "compact,delete"
    assert int(config["retention.ms"]) == (7200 + DELIVERY_LOG_SLACK_SECONDS) * 1000
    assert int(config["segment.ms"]) == 7200 * 1000
