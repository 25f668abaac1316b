"""Signed, expiring links that acknowledge, resolve or snooze one alert (email, Teams).

A token is ``<payload>.<signature>``, both base64url without padding: the payload is JSON
``{"a": action, "id": alert_id, "exp": unix seconds}`` and the signature is HMAC-SHA256 of
``earful-link-v1.<payload>`` with ``response.link_signing_key``. Keys listed in
``response.link_previous_keys`` still verify, so the key can be rotated without breaking
links already sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

import orjson

from alerts.response.errors import NotConfiguredError, SignatureError
from config.response import ResponseSettings
from config.schema import Settings

Action = Literal["acknowledge", "resolve", "snooze"]
LINK_ACTIONS: tuple[Action, ...] = ("acknowledge", "resolve", "snooze")
_DOMAIN = b"earful-link-v1."
MAX_TOKEN_CHARS = 2048


@dataclass(frozen=True)
class LinkClaim:
    action: Action
    alert_id: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict: only the canonical encoding is accepted, so no two tokens mean the same."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SignatureError("link is not valid base64url", "malformed") from None
    if _b64(data) != text:
        raise SignatureError("link is not canonical base64url", "malformed")
    return data


def _mac(key: str, payload: str) -> bytes:
    return hmac.new(key.encode(), _DOMAIN + payload.encode("ascii"), hashlib.sha256).digest()


def _signing_key(response: ResponseSettings) -> str:
    if response.link_signing_key is None:
        raise NotConfiguredError(
            "signed links need response.link_signing_key: set it (32+ characters, e.g. "
            "${EARFUL_LINK_SIGNING_KEY}) in the config"
        )
    return response.link_signing_key.get_secret_value()


def make_token(alert_id: str, action: Action, key: str, expires_at: int) -> str:
    if action not in LINK_ACTIONS:
        raise ValueError(f"unknown action {action!r}; use one of {LINK_ACTIONS}")
    payload = _b64(orjson.dumps({"a": action, "id": alert_id, "exp": expires_at}))
    return f"{payload}.{_b64(_mac(key, payload))}"


def read_token(token: str, keys: list[str], now: float) -> LinkClaim:
    """The claim of a token signed with one of ``keys``, or :class:`SignatureError`."""
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise SignatureError("link is malformed", "malformed")
    payload, signature = token.split(".")
    given = _unb64(signature)
    if not any(hmac.compare_digest(_mac(key, payload), given) for key in keys):
        raise SignatureError("link signature does not match", "bad_signature")
    try:
        claim = orjson.loads(_unb64(payload))
        action, alert_id, expires_at = claim["a"], claim["id"], claim["exp"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise SignatureError("link payload is malformed", "malformed") from None
    if (
        action not in LINK_ACTIONS
        or not isinstance(alert_id, str)
        or not isinstance(expires_at, int)
    ):
        raise SignatureError("link payload is malformed", "malformed")
    if now >= expires_at:
        raise SignatureError("link has expired; use the newer alert message", "expired")
    return LinkClaim(cast(Action, action), alert_id, expires_at)


def verification_keys(response: ResponseSettings) -> list[str]:
    return [_signing_key(response), *(k.get_secret_value() for k in response.link_previous_keys)]


def link_for(alert_id: str, action: str, settings: Settings, now: datetime) -> str:
    """The public URL that performs ``action`` (acknowledge, resolve, snooze) on an alert;
    valid for ``response.link_ttl_seconds`` from ``now``."""
    response = settings.response
    expires_at = int(now.timestamp()) + response.link_ttl_seconds
    token = make_token(alert_id, cast(Action, action), _signing_key(response), expires_at)
    return f"{response.public_url.rstrip('/')}/a/{token}"
