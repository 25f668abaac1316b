"""Every Kafka client Earful runs authenticates with the configured SASL settings: the
admin and producer of the CLI (kafka-python), the Faust streams worker and the aiokafka
alert worker, on a broker that only lets SCRAM users in."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from earful.cli import main
from earful.localkafka.broker import LocalKafka, free_port
from tests.conftest import SettingsFactory
from tests.support.processes import worker_logs, workers
from tests.support.receivers import recording_server

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(300)]

USER, PASSWORD = "earful", "scram-pw-for-tests"


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    broker = LocalKafka(
        tmp_path_factory.mktemp("kafka-sasl"),
        free_port(),
        free_port(),
        sasl_port=free_port(),
        sasl_users=((USER, PASSWORD),),
    )
    broker.start(timeout=180)
    try:
        yield broker
    finally:
        broker.stop()


def earful(config: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--config", str(config), *args])
    return code, out.getvalue()


def test_cli_and_both_workers_authenticate_with_scram(
    sasl_broker: LocalKafka, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    bootstrap = f"127.0.0.1:{sasl_broker.sasl_port}"
    mentions = tmp_path / "mentions.jsonl"
    now = datetime.now(UTC).isoformat()
    mentions.write_bytes(
        b"\n".join(
            orjson.dumps(
                {
                    "schema_version": 1,
                    "id": f"test:sasl-{i}",
                    "source": "test",
                    "text": text,
                    "created_at": now,
                    "author": {"id": "1", "handle": "mira"},
                }
            )
            for i, text in enumerate(
                ["@acmeair my flight was cancelled and nobody answers", "nice day"]
            )
        )
    )
    with recording_server() as hook:
        _, config = make_settings(
            kafka={
                "bootstrap_servers": bootstrap,
                "topic_prefix": "sasl.",
                "security": {
                    "security_protocol": "SASL_PLAINTEXT",
                    "sasl_mechanism": "SCRAM-SHA-512",
                    "username": USER,
                    "password": PASSWORD,
                },
            },
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url}]}],
            route={"receiver": "hook"},
        )
        # make_settings created the topics through SASL already; the CLI must still log in.
        code, out = earful(config, "topics", "create")
        assert code == 0 and out == "all topics exist\n"
        assert earful(config, "publish", str(mentions)) == (
            0,
            "sent 2, rejected 0 -> sasl.earful.mentions.raw.v1\n",
        )
        with workers(config, tmp_path, "streams", "alerts"):
            received = hook.wait_for(1, timeout=120)
            assert [orjson.loads(r.body)["alert_id"] for r in received] == [
                "mention:test:sasl-0"
            ], worker_logs(tmp_path)
        assert PASSWORD not in worker_logs(tmp_path)
        assert earful(config, "dlq", "replay", "--dry-run")[1].startswith(
            "would replay 0, skipped 0"
        )


def test_the_broker_refuses_a_wrong_password(sasl_broker: LocalKafka) -> None:
    """So the test above proves authentication, not an open door."""

    async def connect() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=f"127.0.0.1:{sasl_broker.sasl_port}",
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="SCRAM-SHA-512",
            sasl_plain_username=USER,
            sasl_plain_password="wrong",
            request_timeout_ms=10_000,
        )
        try:
            await producer.start()
        finally:
            await producer.stop()

    with pytest.raises(KafkaError):
        asyncio.run(asyncio.wait_for(connect(), timeout=30))
