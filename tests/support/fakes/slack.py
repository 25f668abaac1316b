"""Slack's Web API (chat.postMessage, chat.update) and an incoming webhook, on 127.0.0.1.

Answers as Slack does: HTTP 200 with ``{"ok": false, "error": ...}`` for API errors,
plain-text errors with an HTTP status for incoming webhooks, and Block Kit limits checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support.fakes.base import Answer, FakeService, json_answer, parse_json, text_answer
from tests.support.receivers import Received

BOT_TOKEN = "xoxb-test-0000"
CHANNEL_ID = "C0123ALERTS"
CHANNEL_NAME = "care-alerts"
WEBHOOK_PATH = "/services/T0000/B0000/XXXXXXXXXXXXXXXX"


@dataclass
class SlackMessage:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    updates: list[dict[str, Any]] = field(default_factory=list)


class FakeSlack(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[tuple[str, str], SlackMessage] = {}
        self.webhook_posts: list[dict[str, Any]] = []
        self._next_ts = 1_700_000_000_000_100

    @property
    def api_url(self) -> str:
        return self.url + "/api"

    @property
    def webhook_url(self) -> str:
        return self.url + WEBHOOK_PATH

    def handle(self, request: Received) -> Answer:
        if request.path == WEBHOOK_PATH:
            return self._incoming_webhook(request)
        if not request.path.startswith("/api/"):
            return text_answer(404, "no_service")
        if request.headers.get("authorization") != f"Bearer {BOT_TOKEN}":
            return json_answer(200, {"ok": False, "error": "invalid_auth"})
        if not request.headers.get("content-type", "").startswith("application/json"):
            return json_answer(200, {"ok": False, "error": "invalid_form_data"})
        data = parse_json(request)
        if not isinstance(data, dict):
            return json_answer(200, {"ok": False, "error": "invalid_json"})
        method = request.path.removeprefix("/api/")
        if method == "chat.postMessage":
            return self._post_message(data)
        if method == "chat.update":
            return self._update(data)
        return json_answer(200, {"ok": False, "error": "unknown_method"})

    def _post_message(self, data: dict[str, Any]) -> Answer:
        channel = self._channel(data.get("channel"))
        if channel is None:
            return json_answer(200, {"ok": False, "error": "channel_not_found"})
        problem = message_problem(data)
        if problem:
            return json_answer(200, {"ok": False, "error": problem})
        ts = f"{self._next_ts // 1_000_000}.{self._next_ts % 1_000_000:06d}"
        self._next_ts += 1
        message = SlackMessage(channel, ts, data.get("text", ""), data.get("blocks", []))
        self.messages[(channel, ts)] = message
        return json_answer(
            200,
            {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"type": "message", "text": message.text, "blocks": message.blocks},
            },
        )

    def _update(self, data: dict[str, Any]) -> Answer:
        if data.get("channel") != CHANNEL_ID:  # chat.update wants the channel id
            return json_answer(200, {"ok": False, "error": "channel_not_found"})
        message = self.messages.get((CHANNEL_ID, str(data.get("ts"))))
        if message is None:
            return json_answer(200, {"ok": False, "error": "message_not_found"})
        problem = message_problem(data)
        if problem:
            return json_answer(200, {"ok": False, "error": problem})
        message.updates.append(data)
        message.text, message.blocks = data.get("text", ""), data.get("blocks", [])
        return json_answer(
            200, {"ok": True, "channel": CHANNEL_ID, "ts": message.ts, "text": message.text}
        )

    def _incoming_webhook(self, request: Received) -> Answer:
        data = parse_json(request)
        if not isinstance(data, dict) or message_problem(data):
            return text_answer(400, "invalid_payload")
        self.webhook_posts.append(data)
        return text_answer(200, "ok")

    def _channel(self, given: object) -> str | None:
        return CHANNEL_ID if given in (CHANNEL_ID, CHANNEL_NAME, f"#{CHANNEL_NAME}") else None


def message_problem(data: dict[str, Any]) -> str | None:
    """Slack's error code for a message breaking Block Kit's rules, or None."""
    blocks = data.get("blocks")
    if not data.get("text") and not blocks:
        return "no_text"
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    action_ids: set[str] = set()
    for block in blocks:
        if not isinstance(block, dict) or _block_problem(block, action_ids):
            return "invalid_blocks"
    return None


def _text_ok(obj: Any, limit: int, kinds: tuple[str, ...] = ("plain_text", "mrkdwn")) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("type") in kinds
        and isinstance(obj.get("text"), str)
        and 0 < len(obj["text"]) <= limit
    )


def _block_problem(block: dict[str, Any], action_ids: set[str]) -> bool:
    kind = block.get("type")
    if kind == "header":
        return not _text_ok(block.get("text"), 150, ("plain_text",))
    if kind == "section":
        fields = block.get("fields", [])
        if "text" not in block and not fields:
            return True
        if "text" in block and not _text_ok(block["text"], 3000):
            return True
        return len(fields) > 10 or not all(_text_ok(f, 2000) for f in fields)
    if kind == "context":
        elements = block.get("elements", [])
        return not 0 < len(elements) <= 10 or not all(_text_ok(e, 3000) for e in elements)
    if kind == "actions":
        elements = block.get("elements", [])
        if not 0 < len(elements) <= 25:
            return True
        for button in elements:
            action_id = button.get("action_id", "")
            if (
                button.get("type") != "button"
                or not _text_ok(button.get("text"), 75, ("plain_text",))
                or len(button.get("value", "")) > 2000
                or not 0 < len(action_id) <= 255
                or action_id in action_ids
                or button.get("style") not in (None, "primary", "danger")
            ):
                return True
            action_ids.add(action_id)
        return False
    return True
