"""Create Earful's topics with the partition counts from config."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from config.kafka_security import kafka_client_options
from config.schema import Settings
from streams.topics import ALL_TOPICS, DELIVERY_LOG, TopicSpec, topic_name

# The broker deletes delivery outcomes the alert workers forget anyway, so the log neither
# grows without end nor takes longer to replay week after week. The slack keeps what a
# worker still remembers (its clock is the newest outcome, not the broker's), and daily
# segments let a closed segment expire within a day of its newest outcome.
DELIVERY_LOG_SLACK_SECONDS = 3600
SEGMENT_SECONDS = 86400


def topic_configs(spec: TopicSpec, settings: Settings) -> dict[str, str]:
    configs = {"cleanup.policy": spec.cleanup_policy}
    if spec.max_message_bytes is not None:
        configs["max.message.bytes"] = str(spec.max_message_bytes)
    if spec.role == DELIVERY_LOG.role:
        remember = settings.delivery.remember_seconds
        configs["retention.ms"] = str((remember + DELIVERY_LOG_SLACK_SECONDS) * 1000)
        configs["segment.ms"] = str(min(remember, SEGMENT_SECONDS) * 1000)
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
                topic_configs=topic_configs(spec, settings),
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
