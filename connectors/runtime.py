"""The shared connector runtime: what every source gets (publishing, cursors, metrics,
stop signal) and the loop that keeps it running (reconnect, backoff with jitter, waiting
out rate limits, a final checkpoint on shutdown).

A source implements :meth:`Source.run`: it reads from its service and hands payloads to
:meth:`SourceContext.offer` with its pure ``to_mention``. Returning means "the stream
ended"; raising a :class:`ConnectorError` means "wait and try again" (or stop, if it is
not retriable). Finite sources (files) set ``finite`` and are not restarted.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import ClassVar, TypeVar

import httpx
import structlog
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from config.connectors import ConnectorBase
from connectors.backoff import Backoff
from connectors.errors import (
    ConnectorError,
    ErrorKind,
    MalformedPayloadError,
    RateLimitedError,
    RejectReason,
)
from connectors.kafka import CursorStore, MentionSink, encode_mention
from connectors.mapping import schema_v1_mention
from connectors.metrics import ConnectorMetrics
from connectors.text import TermMatcher
from streams.records import Mention
from streams.validation import describe_validation_error

log = structlog.get_logger("earful.connectors")
Raw = TypeVar("Raw")


class SourceContext:
    """What one running source may use; shared cursors and sink, its own metric labels."""

    def __init__(
        self,
        name: str,
        *,
        sink: MentionSink,
        cursors: CursorStore,
        saved: dict[str, str],
        metrics: ConnectorMetrics,
        stop: asyncio.Event,
        checkpoint_seconds: float = 1.0,
    ) -> None:
        self.name = name
        self.sink = sink
        self.cursor_store = cursors
        self.saved = saved
        self.metrics = metrics
        self.stop = stop
        self.checkpoint_seconds = checkpoint_seconds
        self.log = log.bind(connector=name)
        self.progressed = False
        self._unsaved: dict[str, str] = {}
        self._last_save = 0.0

    @property
    def stopping(self) -> bool:
        return self.stop.is_set()

    def cursor(self, query: str = "") -> str | None:
        """The last cursor saved for this connector and query, if any."""
        key = self._key(query)
        return self._unsaved.get(key, self.saved.get(key))

    async def checkpoint(self, value: str, query: str = "", *, now: bool = False) -> None:
        """Remember where we are. Saved (after the mentions before it are acknowledged) at
        most every ``checkpoint_seconds``, unless ``now``; always on shutdown."""
        self._unsaved[self._key(query)] = value
        if now or time.monotonic() - self._last_save >= self.checkpoint_seconds:
            await self.save_checkpoints()

    async def save_checkpoints(self) -> None:
        if not self._unsaved:
            return
        await self.sink.flush()
        for key, value in list(self._unsaved.items()):
            await self.cursor_store.save(key, value)
            self.saved[key] = value
            if self._unsaved.get(key) == value:
                del self._unsaved[key]
        self._last_save = time.monotonic()

    def succeeded(self) -> None:
        """The source answered: resets backoff and updates the last-success metric."""
        self.progressed = True
        self.metrics.last_success.labels(self.name).set(time.time())

    def skip(self, reason: str) -> None:
        self.metrics.skipped.labels(self.name, reason).inc()

    def reject(self, reason: RejectReason, detail: str) -> None:
        self.metrics.rejected.labels(self.name, reason.value).inc()
        self.log.warning("payload_rejected", reason=reason.value, detail=detail[:500])

    async def offer(
        self,
        raw: Raw,
        to_mention: Callable[[Raw], Mention | None],
        matcher: TermMatcher | None = None,
    ) -> Mention | None:
        """Turn one payload into a mention and publish it; a malformed payload is counted
        and skipped with its reason. ``to_mention`` returns None for items to ignore;
        a mention without the ``matcher``'s brand terms is skipped."""
        self.metrics.fetched.labels(self.name).inc()
        try:
            mention = to_mention(raw)
        except MalformedPayloadError as error:
            self.reject(error.reason, error.detail)
            return None
        except ValidationError as error:
            self.reject(RejectReason.SCHEMA_VIOLATION, describe_validation_error(error))
            return None
        if mention is None:
            return None
        if matcher is not None and not matcher.matches(mention.text):
            self.skip("not_matching")
            return None
        try:  # exactly what the streams stage will check, so it never dead-letters ours
            schema_v1_mention(encode_mention(mention))
        except MalformedPayloadError as error:
            self.reject(error.reason, f"{mention.id}: {error.detail}")
            return None
        await self.publish(mention)
        return mention

    async def publish(self, mention: Mention) -> None:
        await self.sink.send(mention)
        self.metrics.published.labels(self.name).inc()
        lag = (datetime.now(UTC) - mention.created_at).total_seconds()
        self.metrics.lag.labels(self.name).set(max(0.0, lag))

    async def until_stopped(self, work: Awaitable[None]) -> None:
        """Run ``work`` (e.g. reading a stream that may be silent for long) until it ends or
        a stop is asked for, in which case it is cancelled."""
        task = asyncio.ensure_future(work)
        stopper = asyncio.create_task(self.stop.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not task.done():
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        if not task.cancelled():
            task.result()

    async def sleep(self, seconds: float) -> bool:
        """Wait, or return early (True) when asked to stop."""
        try:
            await asyncio.wait_for(self.stop.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            return False
        return True

    def _key(self, query: str) -> str:
        return f"{self.name}/{query}" if query else self.name


class Source(ABC):
    """One connector. Subclasses are named ``{Technology}Source``."""

    finite: ClassVar[bool] = False

    def __init__(self, config: ConnectorBase) -> None:
        self.name = config.name
        self.backoff = Backoff(config.retry_initial_seconds, config.retry_max_seconds)

    @abstractmethod
    async def run(self, ctx: SourceContext) -> None:
        """Read from the service until it stops, the connection drops or ``ctx.stopping``."""


def error_kind(error: BaseException) -> ErrorKind:
    if isinstance(error, ConnectorError):
        return error.kind
    if isinstance(error, KafkaError):
        return ErrorKind.PUBLISH
    if isinstance(error, httpx.TransportError | OSError | TimeoutError):
        return ErrorKind.NETWORK
    return ErrorKind.SERVER


async def run_source(source: Source, ctx: SourceContext) -> bool:
    """Keep ``source`` running until it finishes or ``ctx.stop`` is set; save its cursors
    on the way out. Returns False if it stopped on an error that retrying cannot fix."""
    healthy = True
    while not ctx.stopping:
        ctx.progressed = False
        try:
            await source.run(ctx)
            if source.finite:
                break
            if ctx.stopping:
                break
            kind, delay, message = ErrorKind.DISCONNECTED, None, "stream ended"
        except RateLimitedError as error:
            kind, delay, message = error.kind, error.retry_after, str(error)
        except ConnectorError as error:
            if not error.retriable:
                ctx.metrics.errors.labels(ctx.name, error.kind.value).inc()
                ctx.log.error("connector_stopped", error=str(error), kind=error.kind.value)
                healthy = False
                break
            kind, delay, message = error.kind, None, str(error)
        except (httpx.HTTPError, OSError, TimeoutError, ValueError) as error:
            kind, delay, message = error_kind(error), None, f"{type(error).__name__}: {error}"
        except Exception as error:  # Kafka's or a protocol library's own error (websockets)
            kind, delay, message = error_kind(error), None, f"{type(error).__name__}: {error}"
        if ctx.progressed:
            source.backoff.reset()
        if delay is None:
            delay = source.backoff.next_delay()
        ctx.metrics.errors.labels(ctx.name, kind.value).inc()
        ctx.log.warning(
            "connector_retrying", kind=kind.value, error=message, in_seconds=round(delay, 3)
        )
        await ctx.save_checkpoints()
        await ctx.sleep(delay)
    await ctx.save_checkpoints()
    return healthy


async def run_sources(contexts: list[tuple[Source, SourceContext]], stop: asyncio.Event) -> bool:
    """Run several sources in one process; returns when all finished or ``stop`` is set."""
    tasks = [asyncio.create_task(run_source(s, c), name=s.name) for s, c in contexts]
    results = await asyncio.gather(*tasks)
    return all(results)
