"""Bulkheads: each receiver has its own queue and a few tasks, so a receiver that hangs or
fails holds up only its own alerts; every send has a timeout."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from alerts.channels.base import Notifier, Receipt, StateUpdater
from alerts.errors import DeliveryError
from streams.records import Alert

log = structlog.get_logger("earful.alerts")
Job = Callable[[], Awaitable[None]]


class TimedNotifier:
    """Turns a send that takes longer than ``seconds`` into a retriable timeout."""

    def __init__(self, inner: Notifier, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.integration = inner.integration

    @property
    def state_updater(self) -> StateUpdater | None:
        """The channel, when it can show a state change on what it sent."""
        return self.inner if isinstance(self.inner, StateUpdater) else None

    async def notify(self, alert: Alert) -> Receipt | None:
        try:
            async with asyncio.timeout(self.seconds):
                return await self.inner.notify(alert)
        except TimeoutError:
            raise DeliveryError(
                f"{self.integration} did not answer within {self.seconds:g} s",
                retriable=True,
                reason="timeout",
            ) from None

    async def close(self) -> None:
        await self.inner.close()


def can_update(notifier: Notifier) -> bool:
    """Whether a notifier can show a state change on what it sent."""
    if isinstance(notifier, TimedNotifier):
        return notifier.state_updater is not None
    return isinstance(notifier, StateUpdater)


class Bulkhead:
    """Runs one receiver's deliveries, at most ``concurrency`` at a time, in arrival order."""

    def __init__(
        self, receiver: str, concurrency: int, on_depth: Callable[[int], None] | None = None
    ) -> None:
        self.receiver = receiver
        self.concurrency = concurrency
        self.on_depth = on_depth
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._work(), name=f"bulkhead-{self.receiver}-{i}")
            for i in range(self.concurrency)
        ]

    def submit(self, job: Job) -> None:
        self._queue.put_nowait(job)
        self._report()

    def depth(self) -> int:
        """Jobs waiting for a free slot (not counting the ones being sent)."""
        return self._queue.qsize()

    async def join(self) -> None:
        """Wait until every submitted job has finished."""
        await self._queue.join()

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            self._report()
            try:
                await job()
            except Exception:  # one bad job must not take the receiver's slot away
                log.exception("delivery job failed", receiver=self.receiver)
            finally:
                self._queue.task_done()

    def _report(self) -> None:
        if self.on_depth is not None:
            self.on_depth(self._queue.qsize())

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
