"""Errors of the responder, rooted in :class:`alerts.errors.AlertsError`."""

from __future__ import annotations

from alerts.errors import AlertsError


class ResponseError(AlertsError):
    """Base of the responder's errors."""


class SignatureError(ResponseError):
    """A request or link could not be authenticated; ``reason`` is one of a fixed set
    (``missing``, ``malformed``, ``stale``, ``bad_signature``, ``replayed``, ``expired``)
    so that metrics stay bounded."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class InvalidRequestError(ResponseError):
    """A request was authentic but cannot be carried out; the message says how to fix it."""


class NotConfiguredError(ResponseError):
    """A feature was used whose settings are missing; the message names the setting."""
