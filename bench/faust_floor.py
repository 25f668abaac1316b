"""Faust's floor: the scoring worker with scoring taken out, to bound what any Faust agent
can do on this machine.

    python -m bench.faust_floor --config earful.yaml --datadir /tmp/floor

One worker process whose agent takes the raw topic in the scoring agent's batches, sends
each message unchanged to the scored topic, and acknowledges a batch once its records are
written, settled in order, with the same app options, producer settings and event loop as
``earful worker streams``. No parsing, scoring, JSON or tables: what is left is Faust's
consumer, stream and acks and aiokafka's producer. ``bench.throughput`` runs it beside the
other cases; this command runs the worker alone (until SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import faust
import uvloop

from config.loader import load_settings
from config.schema import Settings
from streams.agents import BATCH_SIZE, BATCH_WAIT_SECONDS, settle_behind
from streams.app import faust_app
from streams.rebalance import fence_seeks
from streams.topics import MENTIONS_RAW, MENTIONS_SCORED, topic_name

FLOOR_APP_ID = "earful-floor"


def create_floor_app(settings: Settings, *, datadir: Path) -> faust.App:
    prefix = settings.kafka.topic_prefix
    app = faust_app(settings, FLOOR_APP_ID, datadir=datadir)
    source = app.topic(
        topic_name(MENTIONS_RAW, prefix), key_serializer="raw", value_serializer="raw"
    )
    scored_name = topic_name(MENTIONS_SCORED, prefix)

    async def forward(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        concrete = cast(faust.Stream[Any], stream)
        in_flight: deque[asyncio.Future[None]] = deque()
        producer = (await app.maybe_start_producer())._ensure_producer()
        async for events in concrete.take_events(BATCH_SIZE, BATCH_WAIT_SECONDS):
            for event in events:
                event.message.incref()
            pending = [
                await producer.send(scored_name, event.value, key=event.message.key)
                for event in events
            ]
            await settle_behind(in_flight, pending, events)
            yield None

    app.agent(source, name="earful.floor")(forward)
    fence_seeks(app)
    return app


def main() -> None:
    from faust.worker import Worker

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--datadir", required=True)
    args = parser.parse_args()
    app = create_floor_app(load_settings(args.config), datadir=Path(args.datadir))

    class FloorWorker(Worker):
        def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
            self.spinner = None  # as the streams worker: no spinner, no root DEBUG

    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    FloorWorker(app, loglevel="warning", quiet=True, loop=loop).execute_from_commandline()


if __name__ == "__main__":
    main()
