"""How Earful authenticates to Kafka (managed clusters need SASL and/or TLS), and the one
helper every Kafka client is built with, so no client can forget the security settings.

Secrets come from the environment (``password: ${KAFKA_PASSWORD}``) and are ``SecretStr``:
they never print. ``kafka_client_options`` turns settings into the keyword arguments of
kafka-python, aiokafka or Faust, the three client libraries Earful uses.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from config.schema import KafkaSettings

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
ClientLibrary = Literal["kafka-python", "aiokafka", "faust"]


def _error(message: str, fix: str) -> PydanticCustomError:
    # Same shape as config.schema.config_error (that module imports this one).
    return PydanticCustomError(
        "earful", message.replace("{", "{{").replace("}", "}}"), {"fix": fix}
    )


class KafkaSecurity(BaseModel):
    """``kafka.security``: the protocol, SASL credentials and TLS files."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    username: str | None = None
    password: SecretStr | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_check_hostname: bool = True

    @field_validator(
        "sasl_mechanism",
        "username",
        "password",
        "ssl_cafile",
        "ssl_certfile",
        "ssl_keyfile",
        mode="before",
    )
    @classmethod
    def _empty_is_absent(cls, value: object) -> object:
        # So one config serves every environment: ``username: ${KAFKA_USERNAME:-}`` is
        # simply absent where the variable is not set.
        return None if value == "" else value

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @model_validator(mode="after")
    def _consistent(self) -> KafkaSecurity:
        if self.uses_sasl:
            if self.sasl_mechanism is None:
                raise _error(
                    f"security_protocol {self.security_protocol} needs a sasl_mechanism",
                    "add sasl_mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 "
                    "(your Kafka provider's documentation says which)",
                )
            if not self.username or self.password is None:
                raise _error(
                    f"security_protocol {self.security_protocol} needs username and password",
                    "add username: and password: ${KAFKA_PASSWORD} (keep the secret in the "
                    "environment)",
                )
        elif self.sasl_mechanism or self.username or self.password is not None:
            raise _error(
                f"SASL settings given but security_protocol is {self.security_protocol}",
                "set security_protocol: SASL_SSL (or SASL_PLAINTEXT), or remove "
                "sasl_mechanism, username and password",
            )
        tls_files = (self.ssl_cafile, self.ssl_certfile, self.ssl_keyfile)
        if not self.uses_tls and any(tls_files):
            raise _error(
                f"ssl_* files given but security_protocol is {self.security_protocol}",
                "set security_protocol: SSL or SASL_SSL, or remove the ssl_* keys",
            )
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise _error(
                "ssl_certfile and ssl_keyfile go together (a client certificate needs its key)",
                "give both, or neither",
            )
        names = ("ssl_cafile", "ssl_certfile", "ssl_keyfile")
        for name, path in zip(names, tls_files, strict=True):
            if path and not Path(path).is_file():
                raise _error(f"{name} {path!r} is not a readable file", f"check the path of {name}")
        return self

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for aiokafka and Faust (kafka-python takes the file names)."""
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(cafile=self.ssl_cafile)
        context.check_hostname = self.ssl_check_hostname
        if self.ssl_certfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context


def kafka_client_options(kafka: KafkaSettings, library: ClientLibrary) -> dict[str, Any]:
    """Connection keyword arguments (bootstrap servers and security) for one library:
    ``KafkaProducer(**kafka_client_options(kafka, "kafka-python"), acks="all")``,
    ``AIOKafkaConsumer(topic, **kafka_client_options(kafka, "aiokafka"))`` or
    ``faust.App(id, **kafka_client_options(kafka, "faust"))``."""
    security: KafkaSecurity = kafka.security
    password = security.password.get_secret_value() if security.password else None
    if library == "faust":
        return {
            "broker": [f"kafka://{host}" for host in kafka.bootstrap_servers.split(",")],
            "broker_credentials": _faust_credentials(security, password),
        }
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap_servers,
        "security_protocol": security.security_protocol,
    }
    if security.uses_sasl:
        options |= {
            "sasl_mechanism": security.sasl_mechanism,
            "sasl_plain_username": security.username,
            "sasl_plain_password": password,
        }
    if security.uses_tls:
        if library == "aiokafka":
            options["ssl_context"] = security.ssl_context()
        else:
            options |= {
                "ssl_cafile": security.ssl_cafile,
                "ssl_certfile": security.ssl_certfile,
                "ssl_keyfile": security.ssl_keyfile,
                "ssl_check_hostname": security.ssl_check_hostname,
            }
    return options


def _faust_credentials(security: KafkaSecurity, password: str | None) -> Any:
    if security.security_protocol == "PLAINTEXT":
        return None
    import faust  # only the streams worker pays for this import

    if security.uses_sasl:
        return faust.SASLCredentials(
            username=security.username,
            password=password,
            mechanism=security.sasl_mechanism,
            ssl_context=security.ssl_context(),
        )
    return faust.SSLCredentials(security.ssl_context())
