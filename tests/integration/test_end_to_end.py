"""A mention published to Kafka comes out scored, and as an alert at a team's webhook."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from streams.pipeline import Scored, process
from streams.scoring import build_scorer
from streams.topics import ALERTS, DEAD_LETTERS, MENTIONS_RAW, MENTIONS_SCORED, topic_name
from tests.conftest import SettingsFactory
from tests.support.kafka import publish, read_topic
from tests.support.processes import worker_logs, workers
from tests.support.receivers import recording_server

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(240)]

TEXTS = [
    "@acmeair my flight was cancelled and nobody answers the phone. Still waiting!",
    "Loved the crew on my @acmeair flight today, thank you!",
    "@acmeair is the Lisbon flight tomorrow delayed?",
    "Acme Air lost my bag, the worst service ever",
    "Flew acme air last week, nothing to report.",
    "@acmeair there is smoke in the cabin and the crew ignores us",
]


def mention(i: int) -> bytes:
    return orjson.dumps(
        {
            "schema_version": 1,
            "id": f"test:{i}",
            "source": "test",
            # A distinct tag per mention: copies of one text would be near-duplicates, which
            # alert once (see tests/integration/test_scoring_state.py).
            "text": f"{TEXTS[i % len(TEXTS)]} (case {chr(97 + i // 26)}{chr(97 + i % 26)})",
            "created_at": datetime.now(UTC).isoformat(),
            "author": {"id": f"u{i}", "handle": f"user{i}", "followers": i * 10},
            "conversation_id": f"thread-{i % 7}",
        }
    )


MALFORMED = [b"not json", b'{"schema_version": 1, "id": "test:bad"}', b"\xff\xfe\x00"]


def test_mentions_flow_to_scored_topic_alerts_and_dead_letters(
    make_settings: SettingsFactory,
    tmp_path: Path,
) -> None:
    count = 60
    with recording_server() as hook:
        settings, config_path = make_settings(
            receivers=[{"name": "care-hook", "webhook_configs": [{"url": hook.url + "/alerts"}]}],
            route={"receiver": "care-hook"},
        )
        bootstrap = settings.kafka.bootstrap_servers
        prefix = settings.kafka.topic_prefix
        mentions = [mention(i) for i in range(count)]
        scorer = build_scorer(settings)
        expected_alerts = {
            f"mention:test:{i}"
            for i, m in enumerate(mentions)
            if isinstance(o := process(m, scorer), Scored) and o.alert
        }
        assert 0 < len(expected_alerts) < count

        with workers(config_path, tmp_path, "streams", "alerts"):
            publish(bootstrap, topic_name(MENTIONS_RAW, prefix), mentions + MALFORMED)
            scored = read_topic(
                bootstrap, topic_name(MENTIONS_SCORED, prefix), expect=count, timeout=120
            )
            received = hook.wait_for(len(expected_alerts), timeout=60)
            dead = read_topic(bootstrap, topic_name(DEAD_LETTERS, prefix), expect=3, timeout=30)
            alerts = read_topic(
                bootstrap, topic_name(ALERTS, prefix), expect=len(expected_alerts), timeout=30
            )

        logs = worker_logs(tmp_path)
        scored_ids = [orjson.loads(r.value or b"")["id"] for r in scored]
        assert len(scored_ids) == count, logs
        assert set(scored_ids) == {f"test:{i}" for i in range(count)}
        assert {r.key for r in scored} == {f"thread-{i}".encode() for i in range(7)}

        assert len(alerts) == len(expected_alerts)
        delivered = [orjson.loads(r.body)["alert_id"] for r in hook.wait_for(0)]
        assert sorted(delivered) == sorted(expected_alerts), logs  # each alert exactly once
        assert all(r.path == "/alerts" for r in received)
        assert all(r.headers["webhook-id"] == orjson.loads(r.body)["alert_id"] for r in received)

        assert sorted(r.value or b"" for r in dead) == sorted(MALFORMED)
        reasons = {r.value: r.headers["earful.dlq.reason"].decode() for r in dead}
        assert reasons == {
            b"not json": "not_json",
            b'{"schema_version": 1, "id": "test:bad"}': "schema_violation",
            b"\xff\xfe\x00": "not_utf8",
        }
        assert all(r.headers["earful.dlq.stage"] == b"streams" for r in dead)
