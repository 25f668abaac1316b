"""Fixtures shared by the whole suite: one real Kafka broker per test session (per
process: ``./dev test`` runs two with pytest-xdist, each with its own broker, and every
test's topics carry a prefix of their own).

The broker is Apache Kafka assembled from Maven Central and started by Earful's own
``LocalKafka``. If it cannot start, every test that needs it errors: the run fails
loudly, it never skips. ``EARFUL_TEST_BOOTSTRAP`` points the suite at a broker that is
already running instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.loader import parse_settings
from config.schema import Settings
from earful.admin import ensure_topics
from earful.localkafka.broker import LocalKafka, free_port


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    existing = os.environ.get("EARFUL_TEST_BOOTSTRAP")
    if existing:
        yield existing
        return
    broker = LocalKafka(tmp_path_factory.mktemp("kafka"), free_port(), free_port())
    seconds = broker.start(timeout=180)  # raises LocalKafkaError, which fails the tests
    print(f"\n[earful] Kafka {broker.bootstrap} started in {seconds:.1f} s")
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def local_kafka(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> LocalKafka:
    """A second broker a test may stop, kill and restart without disturbing the others."""
    return LocalKafka(tmp_path_factory.mktemp("kafka-faults"), free_port(), free_port())


SettingsFactory = Callable[..., tuple[Settings, Path]]


@pytest.fixture
def make_settings(kafka_bootstrap: str, tmp_path: Path) -> SettingsFactory:
    """Build settings on the test broker with topics of their own (a unique prefix, created
    here), and write them to a YAML file the worker processes can read."""

    def factory(**sections: Any) -> tuple[Settings, Path]:
        data: dict[str, Any] = {
            "version": 1,
            "kafka": {
                "bootstrap_servers": kafka_bootstrap,
                "topic_prefix": f"t{uuid.uuid4().hex[:10]}.",
                "partitions": {
                    "mentions_raw": 2,
                    "mentions_scored": 2,
                    "alerts": 2,
                    "dead_letters": 1,
                },
            },
            "brands": [{"name": "acmeair", "keywords": ["acme air"], "handles": ["@acmeair"]}],
            "teams": [{"name": "air-care", "brands": ["acmeair"]}],
            "default_team": "air-care",
            "retry": {
                "max_attempts": 4,
                "initial_backoff_seconds": 0.05,
                "max_backoff_seconds": 0.5,
            },
        }
        data.update(sections)
        path = tmp_path / f"earful-{uuid.uuid4().hex[:6]}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        settings = parse_settings(path.read_text(), str(path), {})
        ensure_topics(settings)
        return settings, path

    return factory
