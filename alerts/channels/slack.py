"""Slack: ``chat.postMessage`` with Block Kit (bot token), or an incoming webhook.

Public text is escaped as Slack requires (``&``, ``<``, ``>``), so a post saying
``<!channel>``, ``<@U123>`` or ``<https://evil|bank.com>`` shows as typed: it can never
ping anyone or hide where a link goes. The only ``<...>`` in a message is the mention's
link, written bare (``<url>``) so Slack shows the real address.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from alerts.channels.base import Action, AlertStateName, Receipt
from alerts.channels.content import ELLIPSIS, AlertView, truncate, view
from alerts.channels.http import PacedTarget, classify_response, retry_after_seconds, send_paced
from alerts.channels.pacing import Pacer, destination_key
from alerts.errors import DeliveryError
from config.receivers import SlackConfig
from streams.records import Alert

SECTION_CHARS = 2900  # Slack's limit is 3000 per text object
FIELD_CHARS = 1900  # 2000 per field
FALLBACK_CHARS = 300
BUTTONS: dict[Action, tuple[str, str | None]] = {
    "ack": ("Acknowledge", "primary"),
    "resolve": ("Resolve", None),
    "snooze": ("Snooze", None),
}
STATE_LABELS: dict[AlertStateName, tuple[str, tuple[Action, ...]]] = {
    "acknowledged": (":eyes: Acknowledged", ("resolve", "snooze")),
    "snoozed": (":zzz: Snoozed", ("ack", "resolve")),
    "resolved": (":white_check_mark: Resolved", ()),
}
RETRIABLE_ERRORS = {
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
}
RATE_ERRORS = {"ratelimited", "rate_limited"}
AUTH_ERRORS = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "no_permission",
    "missing_scope",
    "not_allowed_token_type",
    "access_denied",
    "ekm_access_denied",
    "invalid_token",
    "action_prohibited",
}
DESTINATION_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "channel_is_archived",
    "no_service",
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
    "restricted_action",
}
PAYLOAD_ERRORS = {
    "invalid_blocks",
    "invalid_blocks_format",
    "invalid_arguments",
    "invalid_payload",
    "invalid_json",
    "json_not_object",
    "msg_too_long",
    "no_text",
    "too_many_attachments",
}
_URL_UNSAFE = re.compile(r"[\s|<>\"\x00-\x1f\x7f]")


_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(text: str) -> str:
    """Slack's required escaping for text it would otherwise parse as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str, limit: int, quote: bool = False) -> str:
    """``text`` escaped (and as a blockquote when ``quote``), at most ``limit`` characters
    *after* escaping, never cutting an entity in half."""
    pieces = {**_ESCAPES, "\n": "\n>"} if quote else _ESCAPES
    escaped = [pieces.get(char, char) for char in text]
    prefix = ">" if quote else ""
    if len(prefix) + sum(map(len, escaped)) <= limit:
        return prefix + "".join(escaped)
    kept, size = [prefix], len(prefix) + len(ELLIPSIS)
    for piece in escaped:
        if size + len(piece) > limit:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + ELLIPSIS


def link_target(url: str) -> str:
    """A URL safe inside ``<...>``: characters that could end or relabel the link are
    percent-encoded, ``&`` escaped."""
    encoded = _URL_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url)
    return escape(encoded)


def blocks_for(
    alert: Alert, state: AlertStateName | None = None, by: str | None = None
) -> list[dict[str, Any]]:
    shown = view(alert)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(shown.title, 150)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*{label}*\n{mrkdwn(value, FIELD_CHARS)}"}
                for label, value in shown.facts()
            ][:10],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": mrkdwn(shown.text, SECTION_CHARS, True)},
        },
    ]
    if shown.reasons:
        why = mrkdwn("; ".join(shown.reasons), SECTION_CHARS)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"Why: {why}"}]})
    if shown.url:
        link = f"<{link_target(shown.url)}>"
        if len(link) > SECTION_CHARS:  # a link Slack cannot show whole is not shown at all
            link = "(the post's URL is too long to show here)"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": link}})
    actions: tuple[Action, ...] = ("ack", "resolve", "snooze")
    if state is not None:
        label, actions = STATE_LABELS[state]
        who = f" by {mrkdwn(by, 200)}" if by else ""
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": label + who}]})
    if actions:
        blocks.append(
            {"type": "actions", "block_id": "earful_actions", "elements": _buttons(shown, actions)}
        )
    return blocks


def fallback_text(alert: Alert) -> str:
    """The notification text (also what screen readers and old clients show)."""
    shown = view(alert)
    return mrkdwn(f"{shown.title}: {' '.join(shown.text.split())}", FALLBACK_CHARS)


def _buttons(shown: AlertView, actions: tuple[Action, ...]) -> list[dict[str, Any]]:
    buttons = []
    for action in actions:
        label, style = BUTTONS[action]
        button: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": label},
            "action_id": f"earful_{action}",
            "value": shown.alert_id,
        }
        if style:
            button["style"] = style
        buttons.append(button)
    return buttons


def classify_slack(response: httpx.Response) -> DeliveryError | None:
    """Slack answers most failures with HTTP 200 and ``{"ok": false, "error": ...}``;
    incoming webhooks answer with an HTTP status and the error as plain text."""
    status_error = classify_response(response)
    error_code = _error_code(response)
    if status_error is None and error_code is None:
        return None
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if retry_after is None:
        retry_after = _body_retry_after(response)
    code = error_code or f"http_{response.status_code}"
    if response.status_code == 429 or code in RATE_ERRORS:
        retriable, reason = True, "rate_limited"
    elif code in RETRIABLE_ERRORS:
        retriable, reason = True, "service_error"
    elif code in AUTH_ERRORS:
        retriable, reason = False, "auth"
    elif code in DESTINATION_ERRORS:
        retriable, reason = False, "destination"
    elif code in PAYLOAD_ERRORS:
        retriable, reason = False, "payload"
    elif status_error is not None:
        retriable, reason = status_error.retriable, status_error.reason
    else:
        retriable, reason = False, "other"
    return DeliveryError(
        f"Slack refused the message: {code} (HTTP {response.status_code})",
        retriable=retriable,
        retry_after=retry_after,
        reason=reason,
    )


def _error_code(response: httpx.Response) -> str | None:
    body = response.content[:2000]
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return "invalid_response"
        if isinstance(data, dict) and data.get("ok") is False:
            return str(data.get("error") or "unknown_error")
        return None
    text = body.decode("utf-8", "replace").strip()
    if response.is_success:
        return None if text in ("ok", "") else re.sub(r"[^a-z_]", "", text.lower())[:64]
    return re.sub(r"[^a-z_]", "", text.lower())[:64] or None


def _body_retry_after(response: httpx.Response) -> float | None:
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None
    value = data.get("retry_after") if isinstance(data, dict) else None
    return float(value) if isinstance(value, int | float) and value >= 0 else None


class SlackNotifier:
    integration = "slack"

    def __init__(
        self,
        config: SlackConfig,
        *,
        pacer: Pacer | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.config = config
        self.client = client or httpx.AsyncClient(timeout=config.timeout_seconds)
        if config.app_token is not None:
            key = destination_key("slack", config.app_url, config.channel or "")
        else:
            assert config.api_url is not None
            key = destination_key("slack", config.api_url.get_secret_value())
        self.target = PacedTarget(self.client, pacer or Pacer(), key, config.pacing)

    async def notify(self, alert: Alert) -> Receipt | None:
        payload: dict[str, Any] = {
            "text": fallback_text(alert),
            "blocks": blocks_for(alert),
            "unfurl_links": False,
            "unfurl_media": False,
            "link_names": False,
        }
        if self.config.api_url is not None:
            await self._send(self.config.api_url.get_secret_value(), payload, auth=False)
            return None
        payload["channel"] = self.config.channel
        data = await self._send(self._method("chat.postMessage"), payload, auth=True)
        channel, ts = data.get("channel"), data.get("ts")
        if not isinstance(channel, str) or not isinstance(ts, str):
            return None  # posted, but nothing to update it by later
        return Receipt(self.integration, {"channel": channel, "ts": ts})

    async def update(
        self,
        alert: Alert,
        state: AlertStateName | None,
        receipt: Receipt,
        by: str | None = None,
    ) -> None:
        """Rewrite the sent message (``chat.update``) to show its new state (None: open,
        with its buttons back)."""
        if self.config.app_token is None:
            raise DeliveryError(
                "an incoming webhook cannot update a message it sent",
                retriable=False,
                reason="destination",
            )
        payload = {
            "channel": receipt.ref["channel"],
            "ts": receipt.ref["ts"],
            "text": fallback_text(alert),
            "blocks": blocks_for(alert, state, by),
        }
        await self._send(self._method("chat.update"), payload, auth=True)

    async def close(self) -> None:
        await self.client.aclose()

    def _method(self, name: str) -> str:
        return f"{self.config.app_url.rstrip('/')}/{name}"

    async def _send(self, url: str, payload: dict[str, Any], *, auth: bool) -> dict[str, Any]:
        headers = {"content-type": "application/json; charset=utf-8"}
        if auth and self.config.app_token is not None:
            headers["authorization"] = f"Bearer {self.config.app_token.get_secret_value()}"
        body = orjson.dumps(payload)
        response = await send_paced(self.target, url, body, headers, classify=classify_slack)
        if not auth:
            return {}
        try:
            data = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return {}
        return data if isinstance(data, dict) else {}
