"""Slack request signatures (v0) and the button clicks of interactivity payloads (pure).

Slack signs ``v0:{X-Slack-Request-Timestamp}:{raw body}`` with HMAC-SHA256 and the app's
signing secret and sends ``v0=<hex>`` in ``X-Slack-Signature``. Requests more than five
minutes from our clock are refused, so a captured request cannot be replayed later; one
seen within the window is refused the second time (:class:`ReplayGuard`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qs

import orjson

from alerts.response.errors import InvalidRequestError, SignatureError

MAX_AGE_SECONDS = 300
VERSION = "v0"
ACTIONS = {"earful_ack": "acknowledge", "earful_resolve": "resolve", "earful_snooze": "snooze"}


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def verify_slack_request(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> None:
    """Raise :class:`SignatureError` unless Slack signed this body within five minutes."""
    if not timestamp or not signature:
        raise SignatureError(
            "missing X-Slack-Request-Timestamp or X-Slack-Signature header", "missing"
        )
    if not timestamp.isdigit():
        raise SignatureError("X-Slack-Request-Timestamp is not a number of seconds", "malformed")
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise SignatureError(
            "request timestamp is more than 5 minutes from this server's clock "
            "(a replay, or the server clock is wrong: check NTP)",
            "stale",
        )
    expected = slack_signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureError(
            "signature does not match (check response.slack_signing_secret)", "bad_signature"
        )


class ReplayGuard:
    """Remembers the signatures accepted in the last five minutes and refuses them again.

    Older ones need no memory: the timestamp check refuses them anyway.
    """

    def __init__(self, window: float = MAX_AGE_SECONDS) -> None:
        self.window = window
        self._seen: OrderedDict[str, float] = OrderedDict()

    def check(self, signature: str, now: float) -> None:
        while self._seen and next(iter(self._seen.values())) < now - 2 * self.window:
            self._seen.popitem(last=False)
        if signature in self._seen:
            raise SignatureError("this signed request was already received", "replayed")
        self._seen[signature] = now


@dataclass(frozen=True)
class Click:
    """One button press: which action, on which alert, by whom."""

    action: str
    alert_id: str
    user: str


def parse_interaction(body: bytes) -> Click:
    """The Earful button pressed in a ``block_actions`` payload (``payload=`` form field)."""
    try:
        form = parse_qs(body.decode("utf-8"), strict_parsing=True)
        payload = orjson.loads(form["payload"][0])
        action = payload["actions"][0]
        user = payload.get("user") or {}
        action_id, alert_id = action["action_id"], action["value"]
    except (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError):
        raise InvalidRequestError(
            "expected a form field payload= holding a block_actions JSON payload with "
            "actions[0].action_id and actions[0].value"
        ) from None
    if action_id not in ACTIONS:
        raise InvalidRequestError(
            f"unknown action_id {action_id!r}; expected one of {sorted(ACTIONS)}"
        )
    if not isinstance(alert_id, str) or not 0 < len(alert_id) <= 512:
        raise InvalidRequestError("actions[0].value must be the alert id")
    who = user.get("username") or user.get("name") or user.get("id") or "unknown"
    return Click(ACTIONS[action_id], alert_id, f"slack:{who}")
