"""A generic JSON webhook, signed per the Standard Webhooks spec (standardwebhooks.com).

Headers: ``webhook-id`` (the alert id, so it is the same on every retry and restart: the
receiver's idempotency key), ``webhook-timestamp`` (this attempt, unix seconds) and
``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, one per
secret, space-separated, so a receiver keeps verifying while keys rotate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import quote

import httpx

from alerts.channels.base import Receipt
from alerts.channels.http import (
    USER_AGENT,
    PacedTarget,
    classify_response,
    retry_after_seconds,
    send_paced,
)
from alerts.channels.pacing import Pacer, destination_key
from alerts.errors import AlertsError
from config.receivers import WebhookConfig, decode_webhook_secret
from streams.records import Alert

__all__ = [
    "USER_AGENT",
    "WebhookNotifier",
    "WebhookVerificationError",
    "classify_response",
    "retry_after_seconds",
    "sign",
    "verify",
    "webhook_id",
]

TOLERANCE_SECONDS = 5 * 60


class WebhookVerificationError(AlertsError):
    """A received webhook's headers or signature did not check out."""


def webhook_id(alert_id: str) -> str:
    """The alert id as a header value: the spec forbids ``.`` in the id (it delimits the
    signed content), so ``.``, ``%`` and anything outside printable ASCII are
    percent-encoded. Ids without them pass through unchanged."""
    return quote(alert_id, safe="!#$&'()*+,/:;=?@[]~^_`{|}-").replace(".", "%2E")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature; ``secret`` is ``whsec_`` + base64."""
    key = decode_webhook_secret(secret)
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    secrets: Iterable[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: float = TOLERANCE_SECONDS,
) -> str:
    """Check a received webhook; returns its ``webhook-id`` or raises
    :class:`WebhookVerificationError`. ``headers`` keys must be lower case."""
    msg_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not stamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not stamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not unix seconds")
    timestamp = int(stamp)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance")
    offered = [s.split(",", 1)[1] for s in signatures.split() if s.startswith("v1,")]
    for secret in secrets:
        expected = sign(secret, msg_id, timestamp, body).split(",", 1)[1]
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return msg_id
    raise WebhookVerificationError("no signature matches any of the secrets")


class WebhookNotifier:
    integration = "webhook"

    def __init__(
        self,
        config: WebhookConfig,
        client: httpx.AsyncClient | None = None,
        *,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.client = client or httpx.AsyncClient(timeout=config.timeout_seconds)
        self.target = PacedTarget(
            self.client, pacer or Pacer(), destination_key("webhook", config.url), config.pacing
        )
        self.clock = clock
        secrets = [config.secret, *config.previous_secrets] if config.secret else []
        self.secrets = [s.get_secret_value() for s in secrets]

    async def notify(self, alert: Alert) -> Receipt | None:
        body = alert.model_dump_json().encode()
        msg_id = webhook_id(alert.alert_id)
        await send_paced(self.target, self.config.url, body, lambda: self._headers(msg_id, body))
        return Receipt(self.integration, {"webhook_id": msg_id})

    def _headers(self, msg_id: str, body: bytes) -> dict[str, str]:
        timestamp = int(self.clock())  # of this attempt, after any pacing wait
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(timestamp)}
        if self.secrets:
            headers["webhook-signature"] = " ".join(
                sign(secret, msg_id, timestamp, body) for secret in self.secrets
            )
        return headers

    async def close(self) -> None:
        await self.client.aclose()
