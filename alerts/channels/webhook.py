"""A generic JSON webhook: POSTs the alert with an idempotency key stable across retries."""

from __future__ import annotations

import email.utils
import time

import httpx

from alerts.errors import DeliveryError
from config.schema import WebhookConfig
from streams.records import Alert

USER_AGENT = "Earful-Webhook/1"


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds, from either of its forms (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def classify_response(response: httpx.Response) -> DeliveryError | None:
    """None when accepted; else an error saying whether a retry can help."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    retriable = status in (408, 425, 429) or status >= 500
    return DeliveryError(
        f"HTTP {status} from {response.request.url.host}",
        retriable=retriable,
        retry_after=retry_after_seconds(response.headers.get("retry-after")),
        reason="rate_limited" if status == 429 else f"http_{status // 100}xx",
    )


class WebhookNotifier:
    integration = "webhook"

    def __init__(self, config: WebhookConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.client = client or httpx.AsyncClient(timeout=config.timeout_seconds)

    async def notify(self, alert: Alert) -> None:
        body = alert.model_dump_json().encode()
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": alert.alert_id,
        }
        try:
            response = await self.client.post(self.config.url, content=body, headers=headers)
        except httpx.TimeoutException as error:
            raise DeliveryError(f"timed out: {error!r}", retriable=True, reason="timeout") from None
        except httpx.TransportError as error:
            raise DeliveryError(
                f"could not connect: {error!r}", retriable=True, reason="connection"
            ) from None
        failure = classify_response(response)
        if failure is not None:
            raise failure

    async def close(self) -> None:
        await self.client.aclose()
