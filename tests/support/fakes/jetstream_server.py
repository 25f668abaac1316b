"""A Bluesky Jetstream on 127.0.0.1: a WebSocket ``/subscribe`` endpoint that replays
events after ``cursor`` (unix microseconds) and then sends live ones, in the documented
JSON shape."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

BASE_TIME_US = 1_763_600_000_000_000


def post_event(
    n: int, text: str, did: str = "did:plc:mira", reply_to: str | None = None
) -> dict[str, Any]:
    """A commit event creating an app.bsky.feed.post, as Jetstream documents it."""
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-11-20T09:00:00.000Z",
        "langs": ["en"],
    }
    if reply_to:
        record["reply"] = {
            "root": {"uri": reply_to, "cid": "bafyroot"},
            "parent": {"uri": reply_to, "cid": "bafyparent"},
        }
    return {
        "did": did,
        "time_us": BASE_TIME_US + n * 1000,
        "kind": "commit",
        "commit": {
            "rev": f"3l{n:08d}",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": f"3k{n:06d}",
            "record": record,
            "cid": f"bafy{n}",
        },
    }


@dataclass
class FakeJetstream:
    events: list[dict[str, Any] | bytes] = field(default_factory=list)
    drop_after_events: int | None = None
    rate_limit_connections: int = 0
    retry_after: float = 0.3
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    connected_at: list[float] = field(default_factory=list)
    _listeners: list[asyncio.Queue[bytes]] = field(default_factory=list)

    @property
    def open_connections(self) -> int:
        return len(self._listeners)

    def emit(self, event: dict[str, Any] | bytes) -> None:
        self.events.append(event)
        for queue in self._listeners:
            queue.put_nowait(_encode(event))

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        self.connected_at.append(asyncio.get_running_loop().time())
        self.requests.append(parse_qs(urlsplit(request.path).query))
        if self.rate_limit_connections > 0:
            self.rate_limit_connections -= 1
            response = connection.respond(HTTPStatus.TOO_MANY_REQUESTS, "slow down\n")
            response.headers["Retry-After"] = str(self.retry_after)
            return response
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path if connection.request else "").query)
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        if cursor is not None:
            for event in self.events:
                if isinstance(event, bytes) or event["time_us"] >= cursor:
                    queue.put_nowait(_encode(event))
        self._listeners.append(queue)
        sent = 0
        closed = asyncio.ensure_future(connection.wait_closed())
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():  # the client went away
                    getter.cancel()
                    return
                await connection.send(getter.result().decode())
                sent += 1
                if self.drop_after_events is not None and sent >= self.drop_after_events:
                    self.drop_after_events = None
                    await connection.close(1011, "internal error")
                    return
        except ConnectionClosed:
            return
        finally:
            closed.cancel()
            self._listeners.remove(queue)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        async with serve(self._handle, "127.0.0.1", 0, process_request=self._check) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            yield f"ws://127.0.0.1:{port}/subscribe"


def _encode(event: dict[str, Any] | bytes) -> bytes:
    return event if isinstance(event, bytes) else orjson.dumps(event)
