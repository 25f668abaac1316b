"""HTTP plumbing shared by the HTTP channels: one POST, errors classified from the failure."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from alerts.channels.pacing import Pacer
from alerts.errors import DeliveryError
from config.receivers import Pacing

USER_AGENT = "Earful/1"
# A 4xx that says more than "client error": it tells an operator what to fix.
STATUS_REASONS = {
    400: "payload",
    401: "auth",
    403: "auth",
    404: "destination",
    410: "destination",
    413: "payload",
    422: "payload",
    429: "rate_limited",
}


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
        reason=STATUS_REASONS.get(status, _status_class(status)),
    )


def _status_class(status: int) -> str:
    if status >= 500:
        return "http_5xx"
    if 300 <= status < 400:
        return "destination"  # redirects are not followed: the URL should be updated
    return "http_4xx"


async def post(
    client: httpx.AsyncClient,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST JSON; a timeout or connection failure becomes a retriable ``DeliveryError``.

    Errors never repeat ``url``: for Slack and Teams webhooks the URL is the credential.
    """
    all_headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    all_headers.update(headers or {})
    try:
        return await client.post(url, content=content, headers=all_headers)
    except httpx.TimeoutException as error:
        raise DeliveryError(
            f"timed out ({type(error).__name__})", retriable=True, reason="timeout"
        ) from None
    except httpx.TransportError as error:
        raise DeliveryError(
            f"could not connect ({type(error).__name__})", retriable=True, reason="connection"
        ) from None


@dataclass(frozen=True)
class PacedTarget:
    """Where an HTTP channel sends, and the pacing its destination gets."""

    client: httpx.AsyncClient
    pacer: Pacer
    destination: str
    pacing: Pacing | None


async def send_paced(
    target: PacedTarget,
    url: str,
    content: bytes,
    headers: dict[str, str] | Callable[[], dict[str, str]] | None = None,
    classify: Callable[[httpx.Response], DeliveryError | None] = classify_response,
) -> httpx.Response:
    """Wait for the destination's turn, POST, and raise the classified failure, if any.

    ``headers`` may be a function, called after the wait (for timestamps of the attempt).
    A server's "retry after N" pauses the whole destination, not only this alert.
    """
    await target.pacer.acquire(target.destination, target.pacing)
    sent_headers = headers() if callable(headers) else headers
    response = await post(target.client, url, content=content, headers=sent_headers)
    failure = classify(response)
    if failure is not None:
        if failure.retry_after:
            target.pacer.hold(target.destination, failure.retry_after, target.pacing)
        raise failure
    return response
