"""Connectors: turn each network's posts into mention schema v1 and publish them to Kafka."""
