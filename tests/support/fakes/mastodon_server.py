"""A Mastodon instance on 127.0.0.1: the streaming API (server-sent events with ``:thump``
heartbeats) and the REST timelines with ``min_id``, serving Status entities in the
documented shape."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from tests.support.fakes.http import rate_limited


def status(native_id: int, text: str, **extra: Any) -> dict[str, Any]:
    """A Status entity as the API documents it (the fields a connector may read)."""
    return {
        "id": str(native_id),
        "created_at": "2026-11-20T09:00:00.000Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"https://masto.test/users/mira/statuses/{native_id}",
        "url": f"https://masto.test/@mira/{native_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": f"<p>{text}</p>",
        "reblog": None,
        "account": {
            "id": "42",
            "username": "mira",
            "acct": "mira",
            "display_name": "Mira",
            "bot": False,
            "followers_count": 120,
            "following_count": 10,
            "url": "https://masto.test/@mira",
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        **extra,
    }


def notification(native_id: int, kind: str, about: dict[str, Any] | None) -> dict[str, Any]:
    """A Notification entity: ``mention`` carries the status that mentions the account."""
    return {
        "id": str(native_id),
        "type": kind,
        "created_at": "2026-11-20T09:00:00.000Z",
        "account": status(0, "")["account"],
        **({"status": about} if about else {}),
    }


@dataclass
class FakeMastodon:
    statuses: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None
    rate_limit_streams: int = 0
    retry_after: float = 0.3
    drop_after_events: int | None = None
    stream_requests: list[float] = field(default_factory=list)
    timeline_requests: list[dict[str, str]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    _listeners: list[asyncio.Queue[bytes | None]] = field(default_factory=list)

    def post(self, item: dict[str, Any], event: str = "update") -> None:
        """A new status on the instance: stored for the timelines and pushed to streams."""
        if event == "update":
            self.statuses.append(item)
        self.push(event, orjson.dumps(item).decode())

    def notify(self, item: dict[str, Any]) -> None:
        self.notifications.append(item)
        self.push("notification", orjson.dumps(item).decode())

    def push(self, event: str, data: str) -> None:
        frame = f"event: {event}\ndata: {data}\n\n".encode()
        for queue in self._listeners:
            queue.put_nowait(frame)

    @property
    def open_streams(self) -> int:
        return len(self._listeners)

    def app(self) -> web.Application:
        app = web.Application()
        for path in ("public", "public/local", "hashtag", "user"):
            app.router.add_get(f"/api/v1/streaming/{path}", self._stream)
        app.router.add_get("/api/v1/timelines/public", self._timeline)
        app.router.add_get("/api/v1/timelines/tag/{tag}", self._timeline)
        app.router.add_get("/api/v1/timelines/home", self._timeline)
        app.router.add_get("/api/v1/notifications", self._notifications)
        return app

    def _authorized(self, request: web.Request) -> bool:
        return self.token is None or request.headers.get("Authorization") == f"Bearer {self.token}"

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        self.stream_requests.append(time.monotonic())
        if not self._authorized(request):
            return web.json_response({"error": "The access token is invalid"}, status=401)
        if self.rate_limit_streams > 0:
            self.rate_limit_streams -= 1
            return rate_limited(self.retry_after)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b":)\n")
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._listeners.append(queue)
        with suppress(ConnectionResetError):  # the client went away
            await self._send_events(response, queue)
        return response

    async def _send_events(
        self, response: web.StreamResponse, queue: asyncio.Queue[bytes | None]
    ) -> None:
        sent = 0
        try:
            while True:
                try:
                    frame = await asyncio.wait_for(queue.get(), timeout=0.5)
                except TimeoutError:
                    await response.write(b":thump\n")
                    continue
                await response.write(frame or b"")
                sent += 1
                if self.drop_after_events is not None and sent >= self.drop_after_events:
                    self.drop_after_events = None
                    break  # the connection drops mid-stream
        finally:
            self._listeners.remove(queue)

    async def _timeline(self, request: web.Request) -> web.Response:
        self.timeline_requests.append(dict(request.query))
        if not self._authorized(request):
            return web.json_response({"error": "The access token is invalid"}, status=401)
        return self._page(self.statuses, request)

    async def _notifications(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": "The access token is invalid"}, status=401)
        types = request.query.getall("types[]", [])
        return self._page(
            [n for n in self.notifications if not types or n["type"] in types], request
        )

    @staticmethod
    def _page(items: list[dict[str, Any]], request: web.Request) -> web.Response:
        """``min_id``: the ``limit`` items just after it, answered newest first."""
        min_id = int(request.query.get("min_id", "0"))
        limit = int(request.query.get("limit", "20"))
        newer = sorted((i for i in items if int(i["id"]) > min_id), key=lambda i: int(i["id"]))
        return web.json_response(list(reversed(newer[:limit])))
