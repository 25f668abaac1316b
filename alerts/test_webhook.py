from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import orjson
import pytest

from alerts.channels.webhook import WebhookNotifier, retry_after_seconds
from alerts.errors import DeliveryError
from config.schema import WebhookConfig
from streams.records import Alert

ALERT = Alert(
    alert_id="mention:test:1",
    kind="mention",
    team="care",
    priority="P2",
    labels={"team": "care"},
    summary="help",
    reasons=["r"],
    created_at=datetime(2026, 11, 22, tzinfo=UTC),
)


def notifier(handler: httpx.MockTransport) -> WebhookNotifier:
    return WebhookNotifier(
        WebhookConfig(url="http://127.0.0.1:1/hook"), httpx.AsyncClient(transport=handler)
    )


async def test_posts_the_alert_as_json_with_a_stable_id() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    await notifier(httpx.MockTransport(handle)).notify(ALERT)
    assert orjson.loads(seen[0].content)["alert_id"] == "mention:test:1"
    assert seen[0].headers["webhook-id"] == "mention:test:1"
    assert seen[0].headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("status", "retriable", "reason"),
    [
        (500, True, "http_5xx"),
        (503, True, "http_5xx"),
        (429, True, "rate_limited"),
        (408, True, "http_4xx"),
        (400, False, "payload"),
        (401, False, "auth"),
        (404, False, "destination"),
        (418, False, "http_4xx"),
    ],
)
async def test_status_decides_whether_to_retry(status: int, retriable: bool, reason: str) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(status, headers={"retry-after": "7"}))
    with pytest.raises(DeliveryError) as caught:
        await notifier(transport).notify(ALERT)
    assert caught.value.retriable is retriable
    assert caught.value.reason == reason
    assert caught.value.retry_after == 7


async def test_connection_failure_is_retriable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(DeliveryError) as caught:
        await notifier(httpx.MockTransport(refuse)).notify(ALERT)
    assert caught.value.retriable and caught.value.reason == "connection"


def test_retry_after_reads_both_forms() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(later, now=now.timestamp()) == pytest.approx(90)
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
