import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from alerts.channels.base import Receipt
from alerts.channels.pacing import Pacer
from alerts.channels.slack import SlackNotifier, blocks_for, fallback_text, link_target
from alerts.delivery import deliver_with_retry
from alerts.errors import DeliveryError
from config.receivers import SlackConfig
from config.schema import RetrySettings
from tests.support.alerts import sample_alert
from tests.support.clock import FakeClock
from tests.support.fakes.base import json_answer
from tests.support.fakes.slack import BOT_TOKEN, CHANNEL_ID, FakeSlack, message_problem

pytestmark = pytest.mark.timeout(30)
NASTY = [
    "<!channel> <!here> <!everyone>",
    "<@U0123ABCD> and <#C0123|general> and <!subteam^S123>",
    "<https://evil.example/steal|https://bank.example/login>",
    "&lt;!channel&gt; already escaped &amp; again",
    "a > b < c & d",
]


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack().serve() as fake:
        yield fake


def bot(fake: FakeSlack, channel: str = "#care-alerts", **kw: Any) -> SlackNotifier:
    config = SlackConfig(app_token=SecretStr(BOT_TOKEN), channel=channel, app_url=fake.api_url)
    if "pacer" not in kw:
        clock = FakeClock()  # the channel's 1/s pacing, without waiting in real time
        kw["pacer"] = Pacer(clock, clock.sleep)
    return SlackNotifier(config, **kw)


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def test_posts_blocks_with_buttons_and_returns_the_message_ref(slack: FakeSlack) -> None:
    alert = sample_alert()
    notifier = bot(slack)
    receipt = await notifier.notify(alert)
    await notifier.close()
    assert receipt is not None and receipt.ref["channel"] == CHANNEL_ID
    message = slack.messages[(CHANNEL_ID, receipt.ref["ts"])]
    assert action_ids(message.blocks) == ["earful_ack", "earful_resolve", "earful_snooze"]
    buttons = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert {b["value"] for b in buttons} == {alert.alert_id}
    shown = orjson.dumps(message.blocks).decode()
    for part in ("P2", "air-care", "acmeair", "baggage", "mastodon", "@traveller", "lost my bag"):
        assert part in shown
    assert "negative sentiment" in shown
    assert "<https://mastodon.example/@traveller/1093>" in shown
    assert message.text.startswith("[P2] mention for air-care: @acmeair lost my bag")
    sent = orjson.loads(slack.requests[0].body)
    assert sent["link_names"] is False and sent["unfurl_links"] is False


async def test_update_shows_the_new_state_and_drops_spent_buttons(slack: FakeSlack) -> None:
    alert = sample_alert()
    notifier = bot(slack)
    receipt = await notifier.notify(alert)
    assert receipt is not None
    await notifier.update(alert, "acknowledged", receipt, by="<@U999|mallory>")
    message = slack.messages[(CHANNEL_ID, receipt.ref["ts"])]
    assert action_ids(message.blocks) == ["earful_resolve", "earful_snooze"]
    shown = orjson.dumps(message.blocks).decode()
    assert "Acknowledged by &lt;@U999|mallory&gt;" in shown
    await notifier.update(alert, "resolved", receipt)
    assert action_ids(message.blocks) == []
    assert "Resolved" in orjson.dumps(message.blocks).decode()
    assert len(message.updates) == 2
    await notifier.close()


async def test_update_of_an_unknown_message_is_permanent(slack: FakeSlack) -> None:
    notifier = bot(slack)
    with pytest.raises(DeliveryError) as caught:
        await notifier.update(
            sample_alert(), "resolved", Receipt("slack", {"channel": CHANNEL_ID, "ts": "1.2"})
        )
    assert not caught.value.retriable and caught.value.reason == "destination"
    await notifier.close()


async def test_incoming_webhook_mode(slack: FakeSlack) -> None:
    notifier = SlackNotifier(SlackConfig(api_url=SecretStr(slack.webhook_url)))
    assert await notifier.notify(sample_alert()) is None
    assert len(slack.webhook_posts) == 1
    assert "channel" not in slack.webhook_posts[0]
    assert "authorization" not in slack.requests[0].headers
    with pytest.raises(DeliveryError, match="cannot update"):
        await notifier.update(sample_alert(), "resolved", Receipt("slack"))
    await notifier.close()


@pytest.mark.parametrize(
    ("channel", "token", "reason"),
    [("#nowhere", BOT_TOKEN, "destination"), ("#care-alerts", "xoxb-wrong", "auth")],
)
async def test_refusals_from_the_api_are_permanent(
    slack: FakeSlack, channel: str, token: str, reason: str
) -> None:
    config = SlackConfig(app_token=SecretStr(token), channel=channel, app_url=slack.api_url)
    notifier = SlackNotifier(config)
    with pytest.raises(DeliveryError) as caught:
        await notifier.notify(sample_alert())
    assert not caught.value.retriable and caught.value.reason == reason
    assert token not in str(caught.value)
    await notifier.close()


async def test_rate_limit_holds_the_channel_for_retry_after(slack: FakeSlack) -> None:
    clock = FakeClock()
    notifier = bot(slack, pacer=Pacer(clock=clock, sleep=clock.sleep))
    slack.script(json_answer(429, {"ok": False, "error": "ratelimited"}, {"retry-after": "5"}))
    with pytest.raises(DeliveryError) as caught:
        await notifier.notify(sample_alert())
    assert caught.value.retriable and caught.value.retry_after == 5
    assert caught.value.reason == "rate_limited"
    assert await notifier.notify(sample_alert()) is not None
    assert sum(clock.sleeps) == pytest.approx(5)  # no request before the delay
    assert len(slack.requests) == 2
    await notifier.close()


@pytest.mark.parametrize(
    ("status", "headers", "body", "retriable", "reason", "retry_after"),
    [
        (200, {}, {"ok": False, "error": "invalid_auth"}, False, "auth", None),
        (200, {}, {"ok": False, "error": "channel_not_found"}, False, "destination", None),
        (200, {}, {"ok": False, "error": "invalid_blocks"}, False, "payload", None),
        (
            200,
            {},
            {"ok": False, "error": "ratelimited", "retry_after": 30},
            True,
            "rate_limited",
            30,
        ),
        (200, {}, {"ok": False, "error": "internal_error"}, True, "service_error", None),
        (200, {}, {"ok": False, "error": "something_new"}, False, "other", None),
        (429, {"retry-after": "7"}, {"ok": False, "error": "ratelimited"}, True, "rate_limited", 7),
        (503, {}, {"ok": False, "error": "service_unavailable"}, True, "service_error", None),
        (502, {}, None, True, "http_5xx", None),
    ],
)
async def test_web_api_answers_are_classified(
    status: int,
    headers: dict[str, str],
    body: object,
    retriable: bool,
    reason: str,
    retry_after: float | None,
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status, headers=headers, text="Bad Gateway")
        return httpx.Response(status, headers=headers, json=body)

    notifier = SlackNotifier(
        SlackConfig(app_token=SecretStr("xoxb-1"), channel="C1", app_url="http://127.0.0.1:9/api"),
        client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
    )
    with pytest.raises(DeliveryError) as caught:
        await notifier.notify(sample_alert())
    assert (caught.value.retriable, caught.value.reason) == (retriable, reason)
    assert caught.value.retry_after == retry_after


@pytest.mark.parametrize(
    ("status", "text", "headers", "retriable", "reason"),
    [
        (400, "invalid_payload", {}, False, "payload"),
        (403, "action_prohibited", {}, False, "auth"),
        (404, "no_service", {}, False, "destination"),
        (410, "channel_is_archived", {}, False, "destination"),
        (429, "rate_limited", {"retry-after": "<in 120 s>"}, True, "rate_limited"),
        (500, "rollup_error", {}, True, "http_5xx"),
    ],
)
async def test_incoming_webhook_answers_are_classified(
    status: int, text: str, headers: dict[str, str], retriable: bool, reason: str
) -> None:
    if headers.get("retry-after") == "<in 120 s>":  # the HTTP-date form
        later = datetime.now(UTC) + timedelta(seconds=120)
        headers = {"retry-after": format_datetime(later, usegmt=True)}
    transport = httpx.MockTransport(lambda r: httpx.Response(status, headers=headers, text=text))
    notifier = SlackNotifier(
        SlackConfig(api_url=SecretStr("http://127.0.0.1:9/services/T/B/X")),
        client=httpx.AsyncClient(transport=transport),
    )
    with pytest.raises(DeliveryError) as caught:
        await notifier.notify(sample_alert())
    assert (caught.value.retriable, caught.value.reason) == (retriable, reason)
    if status == 429:
        assert caught.value.retry_after is not None and 60 < caught.value.retry_after <= 120


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def assert_no_markup_from_the_public(payload: object, url: str | None) -> None:
    """The only ``<...>`` is our link to the post; every other ``<``/``>`` is escaped
    (a ``>`` starting a line is our own blockquote)."""
    ours = f"<{link_target(url)}>" if url else None
    for text in strings(payload):
        if ours:
            text = text.replace(ours, "")
        text = re.sub(r"(?m)^>", "", text)
        assert "<" not in text and ">" not in text, text


@pytest.mark.parametrize("nasty", NASTY)
def test_public_text_cannot_ping_or_hide_a_link(nasty: str) -> None:
    alert = sample_alert(text=nasty, handle=nasty[:50], reasons=[nasty])
    payload = {"blocks": blocks_for(alert), "text": fallback_text(alert)}
    assert_no_markup_from_the_public(payload, alert.mention.url if alert.mention else None)
    dumped = orjson.dumps(payload).decode()
    assert "<!channel>" not in dumped and "<@U0123ABCD>" not in dumped


NASTY_CHARS = st.text(alphabet=st.sampled_from("<>&|!@#^*_~`\\ \n\t.:/hUCabc\u202e\u200b"))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=NASTY_CHARS,
    handle=NASTY_CHARS.filter(lambda h: 0 < len(h) <= 256),
    reason=NASTY_CHARS,
    url_tail=NASTY_CHARS,
    by=NASTY_CHARS,
)
def test_no_unescaped_angle_bracket_from_public_text(
    text: str, handle: str, reason: str, url_tail: str, by: str
) -> None:
    url = "https://example.com/" + url_tail
    alert = sample_alert(text=text, handle=handle, reasons=[reason], url=url)
    for blocks in (blocks_for(alert), blocks_for(alert, "acknowledged", by)):
        assert_no_markup_from_the_public({"blocks": blocks, "text": fallback_text(alert)}, url)


def test_link_target_cannot_be_relabelled() -> None:
    target = link_target("https://evil.example/x|https://bank.example>")
    assert "|" not in target and ">" not in target and "<" not in target
    assert target.startswith("https://evil.example/x%7C")


BIG = st.text(alphabet="<&>\n ab😡", min_size=1, max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=BIG.map(lambda t: (t * 1000)[:40_000]),
    handle=BIG.map(lambda t: (t * 10)[:256]),
    reasons=st.lists(BIG.map(lambda t: t * 50), max_size=30),
    url_tail=BIG.map(lambda t: (t * 100)[:2000]),
)
def test_blocks_stay_within_slack_limits_whatever_the_post(
    text: str, handle: str, reasons: list[str], url_tail: str
) -> None:
    alert = sample_alert(text=text, handle=handle, reasons=reasons, url="https://x/" + url_tail)
    for state in (None, "acknowledged", "resolved"):
        blocks = blocks_for(alert, state, by=handle)  # type: ignore[arg-type]
        assert message_problem({"text": fallback_text(alert), "blocks": blocks}) is None


async def test_with_delivery_retries_the_rate_limit_is_waited_out_once(slack: FakeSlack) -> None:
    clock = FakeClock()
    notifier = bot(slack, pacer=Pacer(clock, clock.sleep))
    slack.script(json_answer(429, {"ok": False, "error": "ratelimited"}, {"retry-after": "5"}))
    retry = RetrySettings(max_attempts=3, initial_backoff_seconds=0.1, max_backoff_seconds=1)
    result = await deliver_with_retry(notifier, sample_alert(), retry, sleep=clock.sleep)
    await notifier.close()
    assert result.delivered and result.attempts == 2
    assert sum(clock.sleeps) == pytest.approx(5)  # the retry's sleep covers the channel hold
    assert len(slack.messages) == 1
