"""Microsoft Teams through a Workflows webhook: one Adaptive Card message per alert.

Public text goes into ``RichTextBlock`` text runs, which Teams never reads as Markdown,
so ``[bank.com](https://evil)`` in a post stays visible text instead of becoming a
disguised link. A card is kept under Teams' message limit (about 28 KB) by shortening the
post's text first, then the reasons. Acknowledge/Resolve buttons are ``Action.OpenUrl``
to signed links, shown only when ``link_for`` gives one.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from alerts.channels.base import ACTIONS, Action, LinkFor, Receipt, no_links
from alerts.channels.content import AlertView, truncate, view
from alerts.channels.http import PacedTarget, send_paced
from alerts.channels.pacing import Pacer, destination_key
from config.receivers import MSTeamsConfig
from streams.records import Alert

MAX_PAYLOAD_BYTES = 27_000  # Teams refuses messages over ~28 KB; keep a margin
CARD_VERSION = "1.4"
ACTION_TITLES: dict[Action, str] = {"ack": "Acknowledge", "resolve": "Resolve", "snooze": "Snooze"}


def message_for(
    alert: Alert, link_for: LinkFor = no_links, limit: int = MAX_PAYLOAD_BYTES
) -> dict[str, Any]:
    """The Workflows webhook body, at most ``limit`` bytes as JSON."""
    shown = view(alert)
    links = {a: url for a in ACTIONS if (url := link_for(alert.alert_id, a))}
    text, reasons = shown.text, list(shown.reasons)
    while True:
        message = _message(shown, text, reasons, links)
        size = len(orjson.dumps(message))
        if size <= limit:
            return message
        if len(text) > 200:
            text = truncate(text, max(200, int(len(text) * min(0.9, limit / size))))
        elif reasons:
            reasons = reasons[:-1]
        elif links:
            links = {}
        else:
            return _message(shown, truncate(text, 100), [], {})


def _message(
    shown: AlertView, text: str, reasons: list[str], links: dict[Action, str]
) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": shown.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": "Attention" if shown.priority in ("P1", "P2") else "Default",
        },
        *[_labelled(label, value) for label, value in shown.facts()],
        _plain(text),
    ]
    if reasons:
        body.append(_labelled("Why", "; ".join(reasons), subtle=True))
    if shown.url:
        body.append(_labelled("Post", shown.url, subtle=True))
    actions: list[dict[str, Any]] = []
    if shown.url:
        actions.append({"type": "Action.OpenUrl", "title": "Open post", "url": shown.url})
    actions += [
        {"type": "Action.OpenUrl", "title": ACTION_TITLES[action], "url": url}
        for action, url in links.items()
    ]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _plain(text: str) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text}]}


def _labelled(label: str, value: str, subtle: bool = False) -> dict[str, Any]:
    run: dict[str, Any] = {"type": "TextRun", "text": value}
    if subtle:
        run["isSubtle"] = True
    return {
        "type": "RichTextBlock",
        "spacing": "None",
        "inlines": [{"type": "TextRun", "text": f"{label}: ", "weight": "Bolder"}, run],
    }


class MSTeamsNotifier:
    integration = "msteams"

    def __init__(
        self,
        config: MSTeamsConfig,
        *,
        link_for: LinkFor = no_links,
        pacer: Pacer | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.config = config
        self.link_for = link_for
        self.client = client or httpx.AsyncClient(timeout=config.timeout_seconds)
        url = config.webhook_url.get_secret_value()
        self.target = PacedTarget(
            self.client, pacer or Pacer(), destination_key("msteams", url), config.pacing
        )

    async def notify(self, alert: Alert) -> Receipt | None:
        body = orjson.dumps(message_for(alert, self.link_for))
        await send_paced(self.target, self.config.webhook_url.get_secret_value(), body)
        return None

    async def close(self) -> None:
        await self.client.aclose()
