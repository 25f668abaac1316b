"""A real Apache Kafka (single KRaft node) assembled from Maven Central and run locally."""

from earful.localkafka.broker import KAFKA_VERSION, LocalKafka, LocalKafkaError

__all__ = ["KAFKA_VERSION", "LocalKafka", "LocalKafkaError"]
