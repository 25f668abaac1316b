"""JSON logs carry ids as fields, and never a secret, whoever logs it."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import orjson
import pytest
import structlog

from config.loader import parse_settings
from earful.logs import MASK, configure_logging, secret_values

CONFIG = """
kafka:
  security: {security_protocol: SASL_SSL, sasl_mechanism: PLAIN, username: u,
             password: kafka-pass-123}
receivers:
  - name: hook
    webhook_configs:
      - {url: "https://hooks.example/x", secret: whsec_aG9vay1zZWNyZXQtNDU2LWxvZy10ZXN0}
"""


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    secrets = secret_values(parse_settings(CONFIG, "<t>", {}))
    assert sorted(secrets) == [
        "kafka-pass-123",
        "whsec_aG9vay1zZWNyZXQtNDU2LWxvZy10ZXN0",
    ]
    stream = io.StringIO()
    configure_logging("info", "json", secrets, stream)
    yield stream
    structlog.reset_defaults()
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})


def lines(output: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in output.getvalue().splitlines() if line]


def test_events_are_json_with_ids_as_fields_and_secrets_masked(
    output: io.StringIO,
) -> None:
    log = structlog.get_logger("earful.test")
    log.info("alert delivered", alert_id="mention:m:1", mention_id="m:1", password="p")
    log.warning(
        "call failed",
        error="401 for https://u:kafka-pass-123@broker, whsec_aG9vay1zZWNyZXQtNDU2LWxvZy10ZXN0",
    )
    first, second = lines(output)
    assert first["event"] == "alert delivered" and first["alert_id"] == "mention:m:1"
    assert first["mention_id"] == "m:1" and first["password"] == MASK
    assert first["level"] == "info" and "timestamp" in first
    assert second["error"] == f"401 for https://u:{MASK}@broker, {MASK}"


def test_library_logs_are_json_too_and_masked(
    output: io.StringIO,
) -> None:
    logging.getLogger("aiokafka.conn").warning("auth with kafka-pass-123 failed")
    logging.getLogger("aiokafka.conn").info("chatty detail")  # libraries log from WARNING
    (line,) = lines(output)
    assert line["logger"] == "aiokafka.conn" and line["level"] == "warning"
    assert line["event"] == f"auth with {MASK} failed"
