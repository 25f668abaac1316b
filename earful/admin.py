"""Create Earful's topics with the partition counts from config."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from config.kafka_security import kafka_client_options
from config.schema import Settings
from streams.topics import ALL_TOPICS, TopicSpec, topic_name


def topic_configs(spec: TopicSpec) -> dict[str, str]:
    configs = {"cleanup.policy": spec.cleanup_policy}
    if spec.max_message_bytes is not None:
        configs["max.message.bytes"] = str(spec.max_message_bytes)
    return configs


def ensure_topics(settings: Settings) -> list[str]:
    """Create any missing topic; return the names created (existing ones are left alone)."""
    kafka = settings.kafka
    admin = KafkaAdminClient(
        **kafka_client_options(kafka, "kafka-python"), client_id=f"{kafka.client_id}-admin"
    )
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(
                topic_name(spec, kafka.topic_prefix),
                kafka.partitions_for(spec.role),
                kafka.replication_factor,
                topic_configs=topic_configs(spec),
            )
            for spec in ALL_TOPICS
            if topic_name(spec, kafka.topic_prefix) not in existing
        ]
        created = []
        for topic in wanted:
            try:
                admin.create_topics([topic])
                created.append(topic.name)
            except TopicAlreadyExistsError:  # another worker created it meanwhile
                pass
        return created
    finally:
        admin.close()
