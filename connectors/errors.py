"""Errors of the connectors. Each says whether waiting can help, and how long to wait."""

from __future__ import annotations

from enum import StrEnum


class RejectReason(StrEnum):
    """Why a payload from a source did not become a mention; a fixed set for metrics."""

    NOT_JSON = "not_json"
    BAD_SHAPE = "bad_shape"
    SCHEMA_VIOLATION = "schema_violation"
    TOO_LARGE = "too_large"


class ErrorKind(StrEnum):
    """What went wrong talking to a source; a fixed set for metrics."""

    NETWORK = "network"
    RATE_LIMITED = "rate_limited"
    SERVER = "server"
    CLIENT = "client"
    AUTH = "auth"
    DISCONNECTED = "disconnected"
    PUBLISH = "publish"


class ConnectorError(Exception):
    """Base of every error raised by ``connectors``. Retriable unless said otherwise."""

    kind: ErrorKind = ErrorKind.SERVER
    retriable: bool = True

    def __init__(self, message: str, *, kind: ErrorKind | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind


class RateLimitedError(ConnectorError):
    """The source asked us to slow down; ``retry_after`` is how long it asked for."""

    kind = ErrorKind.RATE_LIMITED

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SourceRefusedError(ConnectorError):
    """A request the source will refuse again (bad credentials, unknown endpoint): the
    connector stops, and the message says what to fix in its config."""

    kind = ErrorKind.CLIENT
    retriable = False


class MalformedPayloadError(ConnectorError):
    """One payload could not become a mention; it is counted and skipped, never published."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
