"""Run one source against a fake service: an in-memory sink and cursor store, its own
metrics registry, and a helper that stops the source once a condition holds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from connectors.metrics import ConnectorMetrics
from connectors.runtime import Source, SourceContext, run_source
from streams.records import Mention


@dataclass
class MemorySink:
    mentions: list[Mention] = field(default_factory=list)
    unflushed: int = 0

    async def send(self, mention: Mention) -> None:
        self.mentions.append(mention)
        self.unflushed += 1

    async def flush(self) -> None:
        self.unflushed = 0

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.mentions]


@dataclass
class MemoryCursors:
    values: dict[str, str] = field(default_factory=dict)
    saves: int = 0

    async def load(self) -> dict[str, str]:
        return dict(self.values)

    async def save(self, key: str, value: str) -> None:
        self.values[key] = value
        self.saves += 1


@dataclass
class Run:
    sink: MemorySink
    cursors: MemoryCursors
    registry: CollectorRegistry
    ctx: SourceContext
    healthy: bool = True

    def metric(self, name: str, **labels: str) -> float:
        value = self.registry.get_sample_value(name, {"connector": self.ctx.name, **labels})
        return value or 0.0


def new_run(name: str, sink: MemorySink | None = None, cursors: MemoryCursors | None = None) -> Run:
    sink = sink or MemorySink()
    cursors = cursors or MemoryCursors()
    registry = CollectorRegistry()
    ctx = SourceContext(
        name,
        sink=sink,
        cursors=cursors,
        saved=dict(cursors.values),
        metrics=ConnectorMetrics(registry, [name]),
        stop=asyncio.Event(),
        checkpoint_seconds=0.0,
    )
    return Run(sink, cursors, registry, ctx)


async def eventually(condition: Callable[[], bool], within: float = 10.0) -> bool:
    """Poll ``condition`` until it holds or ``within`` seconds pass; returns its last value."""
    deadline = time.monotonic() + within
    while not condition() and time.monotonic() < deadline:  # noqa: ASYNC110 - polling state
        await asyncio.sleep(0.01)
    return condition()


async def run_until(
    source: Source, run: Run, done: Callable[[], bool], within: float = 10.0
) -> Run:
    """Run ``source`` until ``done()`` (then stop it gracefully) or ``within`` seconds."""
    task = asyncio.create_task(run_source(source, run.ctx))
    await eventually(lambda: done() or task.done(), within)
    run.ctx.stop.set()
    run.healthy = await asyncio.wait_for(task, timeout=10)
    return run
