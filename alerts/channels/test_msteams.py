from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from pydantic import SecretStr

from alerts.channels.base import Action
from alerts.channels.msteams import MAX_PAYLOAD_BYTES, MSTeamsNotifier, message_for
from alerts.channels.pacing import Pacer
from alerts.errors import DeliveryError
from config.receivers import MSTeamsConfig
from tests.support.alerts import sample_alert
from tests.support.clock import FakeClock
from tests.support.fakes.teams import FakeTeams

pytestmark = pytest.mark.timeout(30)


def signed_link(alert_id: str, action: Action) -> str | None:
    return f"https://earful.example/a/{action}?id={alert_id}&sig=abc"


@pytest.fixture
def teams() -> Iterator[FakeTeams]:
    with FakeTeams().serve() as fake:
        yield fake


def runs(card: dict[str, Any]) -> list[str]:
    return [i["text"] for b in card["body"] if b["type"] == "RichTextBlock" for i in b["inlines"]]


async def test_posts_an_adaptive_card_with_signed_action_links(teams: FakeTeams) -> None:
    notifier = MSTeamsNotifier(
        MSTeamsConfig(webhook_url=SecretStr(teams.workflow_url)), link_for=signed_link
    )
    assert await notifier.notify(sample_alert()) is None
    await notifier.close()
    (card,) = teams.cards
    assert card["body"][0]["text"] == "[P2] mention for air-care"
    texts = runs(card)
    assert "@acmeair lost my bag again, third time this year" in texts
    assert "acmeair" in texts and "baggage" in texts and "@traveller" in texts
    titles = {a["title"]: a["url"] for a in card["actions"]}
    assert titles["Open post"] == "https://mastodon.example/@traveller/1093"
    assert titles["Acknowledge"].startswith("https://earful.example/a/ack?id=mention")
    assert set(titles) == {"Open post", "Acknowledge", "Resolve", "Snooze"}


async def test_without_signed_links_there_are_no_action_buttons(teams: FakeTeams) -> None:
    notifier = MSTeamsNotifier(MSTeamsConfig(webhook_url=SecretStr(teams.workflow_url)))
    await notifier.notify(sample_alert())
    await notifier.close()
    assert [a["title"] for a in teams.cards[0]["actions"]] == ["Open post"]


async def test_public_markdown_stays_plain_text() -> None:
    nasty = "[bank.com](https://evil.example) **urgent** <at>everyone</at>"
    message = message_for(sample_alert(text=nasty, handle="[x](https://evil.example)"))
    card = message["attachments"][0]["content"]
    text_blocks = [b for b in card["body"] if b["type"] == "TextBlock"]
    assert all("evil" not in b["text"] for b in text_blocks)  # markdown-parsed: ours only
    assert nasty in runs(card)  # TextRuns are never read as markdown


async def test_a_huge_post_is_shortened_to_fit_and_accepted(teams: FakeTeams) -> None:
    alert = sample_alert(text="word " * 7_999, reasons=["reason " * 500] * 20)
    message = message_for(alert, signed_link)
    assert len(orjson.dumps(message)) <= MAX_PAYLOAD_BYTES
    assert any(t.endswith("…") for t in runs(message["attachments"][0]["content"]))
    notifier = MSTeamsNotifier(MSTeamsConfig(webhook_url=SecretStr(teams.workflow_url)))
    await notifier.notify(alert)
    await notifier.close()
    assert len(teams.cards) == 1
    assert len(teams.requests[0].body) <= 28 * 1024


async def test_multibyte_text_is_measured_in_bytes() -> None:
    message = message_for(sample_alert(text="😡" * 39_000))
    assert len(orjson.dumps(message)) <= MAX_PAYLOAD_BYTES


@pytest.mark.parametrize(
    ("mangle", "reason"), [("sig=fake-sig-0000", "auth"), ("/workflows/0a1b2c3d", "destination")]
)
async def test_refusals_are_permanent(teams: FakeTeams, mangle: str, reason: str) -> None:
    url = teams.workflow_url.replace(mangle, mangle + "x")
    notifier = MSTeamsNotifier(MSTeamsConfig(webhook_url=SecretStr(url)))
    with pytest.raises(DeliveryError) as caught:
        await notifier.notify(sample_alert())
    await notifier.close()
    assert not caught.value.retriable and caught.value.reason == reason
    assert "fake-sig" not in str(caught.value)


async def test_throttling_is_retriable_with_the_delay(teams: FakeTeams) -> None:
    teams.script((429, {"retry-after": "3"}, b""), (502, {}, b""))
    clock = FakeClock()
    notifier = MSTeamsNotifier(
        MSTeamsConfig(webhook_url=SecretStr(teams.workflow_url)),
        pacer=Pacer(clock, clock.sleep),
    )
    for retry_after in (3, None):
        with pytest.raises(DeliveryError) as caught:
            await notifier.notify(sample_alert())
        assert caught.value.retriable and caught.value.retry_after == retry_after
    await notifier.notify(sample_alert())
    assert clock.sleeps == [3]  # the workflow was left alone for the delay asked
    assert len(teams.cards) == 1
    await notifier.close()
