"""Retries with exponential backoff and full jitter, honouring what the server asked for."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from alerts.channels.base import AlertStateName, Notifier, Receipt, StateUpdater
from alerts.errors import DeliveryError
from config.schema import RetrySettings
from streams.records import Alert

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: int
    error: DeliveryError | None = None
    receipt: Receipt | None = None  # what the channel gave back to update the message by


def backoff_delay(attempt: int, retry: RetrySettings, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
    ceiling = min(retry.max_backoff_seconds, retry.initial_backoff_seconds * 2 ** (attempt - 1))
    return rng.uniform(0, ceiling)


async def deliver_with_retry(
    notifier: Notifier,
    alert: Alert,
    retry: RetrySettings,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    on_retry: Callable[[DeliveryError, float], None] | None = None,
) -> DeliveryResult:
    return await _with_retry(lambda: notifier.notify(alert), retry, sleep, rng, on_retry)


async def update_with_retry(
    updater: StateUpdater,
    alert: Alert,
    state: AlertStateName | None,
    receipt: Receipt,
    by: str | None,
    retry: RetrySettings,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
) -> DeliveryResult:
    """Show a state change on a message already sent, retried like a delivery."""

    async def update() -> None:
        await updater.update(alert, state, receipt, by)

    return await _with_retry(update, retry, sleep, rng, None)


async def _with_retry(
    call: Callable[[], Awaitable[Receipt | None]],
    retry: RetrySettings,
    sleep: Sleep,
    rng: random.Random | None,
    on_retry: Callable[[DeliveryError, float], None] | None,
) -> DeliveryResult:
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    for attempt in range(1, retry.max_attempts + 1):
        try:
            receipt = await call()
            return DeliveryResult(True, attempt, receipt=receipt)
        except DeliveryError as error:
            if not error.retriable or attempt == retry.max_attempts:
                return DeliveryResult(False, attempt, error)
            delay = backoff_delay(attempt, retry, rng)
            if error.retry_after is not None:
                delay = max(delay, min(error.retry_after, retry.max_backoff_seconds * 10))
            if on_retry is not None:
                on_retry(error, delay)
            await sleep(delay)
    raise AssertionError("unreachable: the loop returns on its last attempt")
