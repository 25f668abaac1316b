"""Structured logs: key/value events, as text for a terminal or JSON (one object a line)
for a collector. Earful's own events and the libraries' (Faust, aiokafka, kafka-python)
go through the same pipeline, so both come out as JSON, and both have secrets masked: by
key (``password=...``) and by value (any configured secret, wherever it appears)."""

from __future__ import annotations

import argparse
import logging
import logging.config
import os
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO

import structlog
from pydantic import BaseModel, SecretStr

SECRET_KEYS = ("token", "secret", "password", "authorization", "api_key")
MASK = "**********"


def secret_values(model: Any) -> list[str]:
    """Every ``SecretStr`` value in the settings (passwords, webhook secrets, tokens)."""
    found: list[str] = []
    if isinstance(model, SecretStr):
        value = model.get_secret_value()
        if value:
            found.append(value)
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            found += secret_values(getattr(model, name))
    elif isinstance(model, list | tuple):
        for item in model:
            found += secret_values(item)
    elif isinstance(model, dict):
        for item in model.values():
            found += secret_values(item)
    return found


class SecretMasker:
    """A structlog processor: mask secret-named keys and any known secret value."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(
        self, _: Any, __: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key, value in event.items():
            if any(word in key.lower() for word in SECRET_KEYS):
                event[key] = MASK
            elif isinstance(value, str) and self.secrets:
                event[key] = self.mask(value)
        return event

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def _shared_processors(masker: SecretMasker) -> list[structlog.typing.Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        masker,
    ]


def _renderer(fmt: str) -> structlog.typing.Processor:
    if fmt == "json":
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=False)


def library_logging_config(
    level: str, fmt: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the libraries' standard-library logs, rendered
    like Earful's own events (Faust's worker takes it as ``logging_config``)."""
    masker = SecretMasker(secrets)
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _renderer(fmt),
        ],
        "foreign_pre_chain": [structlog.stdlib.add_logger_name, *_shared_processors(masker)],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"earful": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": stream or sys.stderr,
                "formatter": "earful",
            }
        },
        # Libraries talk a lot at INFO; Earful's own events follow ``level``.
        "root": {"level": max(logging.WARNING, _level(level)), "handlers": ["stderr"]},
    }


def configure_logging(
    level: str = "info",
    fmt: str = "text",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    secrets = list(secrets)
    stream = stream or sys.stderr
    structlog.configure(
        processors=[*_shared_processors(SecretMasker(secrets)), _renderer(fmt)],
        wrapper_class=structlog.make_filtering_bound_logger(_level(level)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=True,
    )
    logging.config.dictConfig(library_logging_config(level, fmt, secrets, stream))


def _level(name: str) -> int:
    return logging.getLevelNamesMapping()[name.upper()]


def add_logging_flags(parser: argparse.ArgumentParser) -> None:
    """``--log-level`` and ``--log-format`` (default ``$EARFUL_LOG_FORMAT``, else text)."""
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    parser.add_argument(
        "--log-format",
        default=os.environ.get("EARFUL_LOG_FORMAT", "text"),
        choices=["text", "json"],
    )
