"""Pacing per destination: a token bucket per Slack channel, Teams workflow, PagerDuty key...

Each destination has its own bucket (and its own lock), so a busy or rate-limited
destination makes only its own senders wait. When a service answers "slow down" with a
delay, ``hold`` pauses that destination for everyone sending to it, not just the one
retrying. The clock and sleep are injected so tests need no real time.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable

from config.receivers import Pacing

Clock = Callable[[], float]
# What an unpaced destination gets once a server has asked it to wait: no real limit.
UNPACED = Pacing(per_second=1000, burst=1000)
Sleep = Callable[[float], Awaitable[None]]


def destination_key(integration: str, *parts: str) -> str:
    """A key for a destination that never contains the secret it may be built from."""
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
    return f"{integration}:{digest}"


class TokenBucket:
    def __init__(self, pacing: Pacing, now: float) -> None:
        self.rate = pacing.per_second
        self.capacity = float(pacing.burst)
        self.tokens = self.capacity
        self.updated = now
        self.held_until = now

    def delay(self, now: float) -> float:
        """Seconds until a send is allowed (0 when one is allowed now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if now < self.held_until:
            return self.held_until - now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1

    def hold(self, until: float) -> None:
        self.held_until = max(self.held_until, until)
        self.tokens = min(self.tokens, 0.0)


class Pacer:
    """Shared by every notifier of a worker, so two receivers posting to the same Slack
    channel share its budget."""

    def __init__(self, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.clock = clock
        self.sleep = sleep
        self._buckets: dict[str, TokenBucket] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def acquire(self, destination: str, pacing: Pacing | None) -> float:
        """Wait for the destination's next slot; returns the seconds waited."""
        if pacing is None:
            if destination not in self._buckets:
                return 0.0  # unpaced and never held: nothing to wait for
            pacing = UNPACED
        bucket = self._bucket(destination, pacing)
        lock = self._locks.setdefault(destination, asyncio.Lock())
        waited = 0.0
        async with lock:  # first come, first served per destination
            while (delay := bucket.delay(self.clock())) > 0:
                waited += delay
                await self.sleep(delay)
            bucket.take()
        return waited

    def hold(self, destination: str, seconds: float, pacing: Pacing | None) -> None:
        """No sends to ``destination`` for ``seconds`` (the service asked for it), paced
        destination or not."""
        if seconds <= 0:
            return
        now = self.clock()
        self._bucket(destination, pacing or UNPACED).hold(now + seconds)

    def _bucket(self, destination: str, pacing: Pacing) -> TokenBucket:
        bucket = self._buckets.get(destination)
        if bucket is None:
            bucket = self._buckets[destination] = TokenBucket(pacing, self.clock())
        return bucket
