"""Structured logs: key/value events, as text for a terminal or JSON for a collector."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_KEYS = ("token", "secret", "password", "authorization", "api_key")


def _mask_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in event:
        if any(word in key.lower() for word in SECRET_KEYS):
            event[key] = "**********"
    return event


def configure_logging(level: str = "info", fmt: str = "text") -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _mask_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


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
