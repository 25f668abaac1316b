"""Errors of the alerting stage. A notifier's error says whether a retry can help."""

from __future__ import annotations


class AlertsError(Exception):
    """Base of every error raised by ``alerts``."""


class DeliveryError(AlertsError):
    """A channel did not accept an alert.

    ``retriable`` comes from the failure itself (a 503 or a timeout may pass, a 400 will
    not), never from the caller guessing; ``retry_after`` is the delay the server asked for.
    """

    def __init__(
        self,
        message: str,
        *,
        retriable: bool,
        retry_after: float | None = None,
        reason: str = "other",
    ) -> None:
        super().__init__(message)
        self.retriable = retriable
        self.retry_after = retry_after
        self.reason = reason
