"""Kafka security settings: consistency checks with fixes, and client options per library."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError
from config.kafka_security import kafka_client_options
from config.loader import parse_settings


def kafka_yaml(security: str) -> str:
    return f"kafka:\n  bootstrap_servers: a:9093,b:9093\n  security:\n{security}"


def test_plaintext_is_the_default_and_adds_nothing() -> None:
    kafka = parse_settings("", "<t>", {}).kafka
    assert kafka_client_options(kafka, "kafka-python") == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "PLAINTEXT",
    }
    assert kafka_client_options(kafka, "faust") == {
        "broker": ["kafka://127.0.0.1:9092"],
        "broker_credentials": None,
    }


def test_sasl_ssl_scram_reads_the_password_from_the_environment() -> None:
    text = kafka_yaml(
        "    security_protocol: SASL_SSL\n"
        "    sasl_mechanism: SCRAM-SHA-512\n"
        "    username: earful\n"
        "    password: ${KAFKA_PASSWORD}\n"
    )
    kafka = parse_settings(text, "<t>", {"KAFKA_PASSWORD": "s3cret"}).kafka
    assert "s3cret" not in repr(kafka) and "s3cret" not in str(kafka.model_dump())
    options = kafka_client_options(kafka, "kafka-python")
    assert options["bootstrap_servers"] == "a:9093,b:9093"
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("earful", "s3cret")
    assert options["ssl_cafile"] is None and options["ssl_check_hostname"] is True

    aio = kafka_client_options(kafka, "aiokafka")
    assert aio["ssl_context"] is not None and "ssl_cafile" not in aio
    assert aio["sasl_plain_password"] == "s3cret"

    credentials = kafka_client_options(kafka, "faust")["broker_credentials"]
    assert credentials.protocol.value == "SASL_SSL"
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.username == "earful" and credentials.password == "s3cret"


def test_ssl_with_client_certificate(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("")  # existence is checked at load; contents when a client connects
    text = kafka_yaml(f"    security_protocol: SSL\n    ssl_cafile: {ca}\n")
    kafka = parse_settings(text, "<t>", {}).kafka
    assert kafka_client_options(kafka, "kafka-python")["ssl_cafile"] == str(ca)
    assert "sasl_mechanism" not in kafka_client_options(kafka, "kafka-python")


@pytest.mark.parametrize(
    ("security", "message", "fix"),
    [
        (
            "    security_protocol: SASL_SSL\n    username: u\n    password: p\n",
            "security_protocol SASL_SSL needs a sasl_mechanism",
            "add sasl_mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
        ),
        (
            "    security_protocol: SASL_PLAINTEXT\n    sasl_mechanism: PLAIN\n    username: u\n",
            "security_protocol SASL_PLAINTEXT needs username and password",
            "add username: and password: ${KAFKA_PASSWORD}",
        ),
        (
            "    username: u\n    password: p\n",
            "SASL settings given but security_protocol is PLAINTEXT",
            "set security_protocol: SASL_SSL",
        ),
        (
            "    security_protocol: SASL_PLAINTEXT\n    sasl_mechanism: PLAIN\n    username: u\n"
            "    password: p\n    ssl_cafile: /ca.pem\n",
            "ssl_* files given but security_protocol is SASL_PLAINTEXT",
            "set security_protocol: SSL or SASL_SSL",
        ),
        (
            "    security_protocol: SSL\n    ssl_cafile: /nonexistent/ca.pem\n",
            "ssl_cafile '/nonexistent/ca.pem' is not a readable file",
            "check the path of ssl_cafile",
        ),
        (
            "    security_protocol: SSL\n    ssl_certfile: /x.pem\n",
            "ssl_certfile and ssl_keyfile go together",
            "give both, or neither",
        ),
        (
            "    security_protocol: SASL_SSL\n    sasl_mechanism: GSSAPI\n",
            "Input should be 'PLAIN', 'SCRAM-SHA-256' or 'SCRAM-SHA-512'",
            "use one of the values listed",
        ),
    ],
)
def test_inconsistent_security_names_the_line_and_the_fix(
    security: str, message: str, fix: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings(kafka_yaml(security), "earful.yaml", {})
    text = str(raised.value)
    assert "earful.yaml:" in text and "kafka.security" in text
    assert message in text and fix in text
    assert "password: p" not in text
