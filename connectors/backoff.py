"""Backoff with jitter, and reading how long a service asks us to wait from its headers."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from connectors.errors import ConnectorError, ErrorKind, RateLimitedError, SourceRefusedError

# A reset header above this is an epoch timestamp (X), below it a number of seconds (Reddit).
_EPOCH_THRESHOLD = 1_000_000_000


class Backoff:
    """Exponential backoff with jitter: after n failures, wait between half and all of
    min(max, initial * 2^n), so that connectors failing together do not retry together."""

    def __init__(self, initial: float, maximum: float, rng: random.Random | None = None) -> None:
        self.initial = initial
        self.maximum = maximum
        self.failures = 0
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def next_delay(self) -> float:
        ceiling = min(self.maximum, self.initial * 2**self.failures)
        self.failures += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait, from ``Retry-After`` (seconds or HTTP date), ``x-ratelimit-reset``
    (seconds, Reddit) or ``x-rate-limit-reset`` (epoch seconds, X); None if none is given."""
    now = time.time() if now is None else now
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    for name in ("x-ratelimit-reset", "x-rate-limit-reset"):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            number = float(value)
        except ValueError:
            try:  # Mastodon sends an ISO 8601 time
                return max(0.0, datetime.fromisoformat(value).timestamp() - now)
            except ValueError:
                continue
        return max(0.0, number - now if number > _EPOCH_THRESHOLD else number)
    return None


def quota_exhausted_wait(headers: Mapping[str, str], now: float | None = None) -> float:
    """When ``x-ratelimit-remaining`` says no request is left, how long until the reset."""
    lowered = {k.lower(): v for k, v in headers.items()}
    remaining = lowered.get("x-ratelimit-remaining", lowered.get("x-rate-limit-remaining"))
    try:
        if remaining is None or float(remaining) >= 1:
            return 0.0
    except ValueError:
        return 0.0
    return retry_after_seconds({k: v for k, v in lowered.items() if k != "retry-after"}, now) or 0.0


def raise_for_status(response: httpx.Response, what: str, default_wait: float = 60.0) -> None:
    """Turn an HTTP error answer into the connector error that says what to do about it."""
    status = response.status_code
    if status < 400:
        return
    if status == 429:
        wait = retry_after_seconds(response.headers)
        raise RateLimitedError(
            f"{what}: HTTP 429 rate limited", default_wait if wait is None else wait
        )
    if status in (401, 403):
        raise SourceRefusedError(
            f"{what}: HTTP {status}: the credentials were refused; check the token",
            kind=ErrorKind.AUTH,
        )
    if status in (404, 400, 405, 410, 422):
        raise SourceRefusedError(f"{what}: HTTP {status}: check the connector's url and options")
    raise ConnectorError(
        f"{what}: HTTP {status}", kind=ErrorKind.SERVER if status >= 500 else ErrorKind.CLIENT
    )
