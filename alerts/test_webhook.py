import base64
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from alerts.channels.pacing import Pacer
from alerts.channels.pagerduty import classify_pagerduty
from alerts.channels.slack import classify_slack
from alerts.channels.webhook import (
    WebhookNotifier,
    WebhookVerificationError,
    classify_response,
    retry_after_seconds,
    sign,
    verify,
    webhook_id,
)
from alerts.errors import DeliveryError
from alerts.metrics import FAILURE_REASONS
from config.schema import WebhookConfig
from streams.records import Alert
from tests.support.alerts import sample_alert
from tests.support.clock import FakeClock
from tests.support.fakes.webhooks import FakeWebhookReceiver

pytestmark = pytest.mark.timeout(30)

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


# Standard Webhooks: the published test vector (standard-webhooks libraries' tests).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
OLD_SECRET = "whsec_" + base64.b64encode(b"an older key of 32 bytes length!").decode()


def test_signature_matches_the_published_vector() -> None:
    assert sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE
    assert sign(VECTOR_SECRET.removeprefix("whsec_"), VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == (
        VECTOR_SIGNATURE
    )


def vector_headers(
    signature: str = VECTOR_SIGNATURE, stamp: int = VECTOR_TIMESTAMP
) -> dict[str, str]:
    return {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature,
    }


def test_verify_accepts_the_vector_and_any_matching_signature_of_several() -> None:
    now = VECTOR_TIMESTAMP + 10
    assert verify([VECTOR_SECRET], vector_headers(), VECTOR_BODY, now=now) == VECTOR_ID
    several = f"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,xyz {VECTOR_SIGNATURE}"
    assert verify([OLD_SECRET, VECTOR_SECRET], vector_headers(several), VECTOR_BODY, now=now)


@pytest.mark.parametrize(
    ("headers", "body", "now", "problem"),
    [
        (
            vector_headers("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="),
            VECTOR_BODY,
            0,
            "no signature",
        ),
        (vector_headers(), VECTOR_BODY + b" ", 0, "no signature"),
        (vector_headers(), VECTOR_BODY, -301, "tolerance"),
        (vector_headers(), VECTOR_BODY, 301, "tolerance"),
        ({"webhook-id": VECTOR_ID}, VECTOR_BODY, 0, "missing"),
        (vector_headers(stamp=0) | {"webhook-timestamp": "soon"}, VECTOR_BODY, 0, "unix seconds"),
    ],
)
def test_verify_refuses(headers: dict[str, str], body: bytes, now: int, problem: str) -> None:
    with pytest.raises(WebhookVerificationError, match=problem):
        verify([VECTOR_SECRET], headers, body, now=VECTOR_TIMESTAMP + now)


def test_webhook_id_is_the_alert_id_without_dots() -> None:
    assert webhook_id("mention:mastodon:1093") == "mention:mastodon:1093"
    assert webhook_id("mention:rss.feed:a.b") == "mention:rss%2Efeed:a%2Eb"
    assert webhook_id("mention:x:caf\u00e9 %") == "mention:x:caf%C3%A9%20%25"


async def test_signed_delivery_verifies_at_an_independent_receiver() -> None:
    alert = sample_alert(alert_id="mention:rss.feed:42")
    with FakeWebhookReceiver([VECTOR_SECRET]).serve() as receiver:
        config = WebhookConfig(url=receiver.url + "/hook", secret=SecretStr(VECTOR_SECRET))
        notifier = WebhookNotifier(config)
        receipt = await notifier.notify(alert)
        await notifier.close()
    assert receipt is not None and receipt.ref["webhook_id"] == "mention:rss%2Efeed:42"
    assert len(receiver.verified) == 1
    msg_id, body = receiver.verified[0]
    assert msg_id == "mention:rss%2Efeed:42"
    assert orjson.loads(body)["alert_id"] == "mention:rss.feed:42"


async def test_rotation_signs_with_every_secret_so_both_keys_verify() -> None:
    config = WebhookConfig(
        url="http://placeholder/",
        secret=SecretStr(VECTOR_SECRET),
        previous_secrets=[SecretStr(OLD_SECRET)],
    )
    for receiver_secret in (VECTOR_SECRET, OLD_SECRET):
        with FakeWebhookReceiver([receiver_secret]).serve() as receiver:
            notifier = WebhookNotifier(config.model_copy(update={"url": receiver.url + "/"}))
            await notifier.notify(sample_alert())
            await notifier.close()
            assert len(receiver.verified) == 1
            assert len(receiver.requests[0].headers["webhook-signature"].split(" ")) == 2


async def test_retries_keep_the_id_and_sign_each_attempt_anew() -> None:
    clock = FakeClock(start=1_800_000_000)
    with FakeWebhookReceiver([VECTOR_SECRET], now=1_800_000_000).serve() as receiver:
        receiver.script((503, {"retry-after": "2"}, b""))
        config = WebhookConfig(url=receiver.url + "/", secret=SecretStr(VECTOR_SECRET))
        notifier = WebhookNotifier(config, clock=clock, pacer=Pacer(clock, clock.sleep))
        with pytest.raises(DeliveryError) as caught:
            await notifier.notify(sample_alert())
        assert caught.value.retriable and caught.value.retry_after == 2
        await notifier.notify(sample_alert())  # waits out the delay first
        assert clock.sleeps == [2]
        await notifier.close()
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"]) == 2
    assert len(receiver.verified) == 1


async def test_a_wrong_secret_is_refused_by_the_receiver_as_auth() -> None:
    with FakeWebhookReceiver([OLD_SECRET]).serve() as receiver:
        config = WebhookConfig(url=receiver.url + "/", secret=SecretStr(VECTOR_SECRET))
        notifier = WebhookNotifier(config)
        with pytest.raises(DeliveryError) as caught:
            await notifier.notify(sample_alert())
        await notifier.close()
    assert not caught.value.retriable and caught.value.reason == "auth"
    assert receiver.verified == []


@given(status=st.integers(min_value=300, max_value=599), slack_error=st.text(max_size=20))
def test_every_failure_reason_is_from_the_fixed_set(status: int, slack_error: str) -> None:
    request = httpx.Request("POST", "http://127.0.0.1/")
    plain = httpx.Response(status, request=request, text=slack_error)
    api = httpx.Response(200, request=request, json={"ok": False, "error": slack_error})
    for response, classify in (
        (plain, classify_response),
        (plain, classify_slack),
        (api, classify_slack),
    ):
        failure = classify(response)
        assert failure is not None and failure.reason in FAILURE_REASONS
    assert classify_pagerduty(plain) is not None
    assert classify_pagerduty(plain).reason in FAILURE_REASONS  # type: ignore[union-attr]
