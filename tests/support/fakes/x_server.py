"""The X API v2 filtered stream on 127.0.0.1: ``/2/tweets/search/stream/rules`` (GET,
POST add/delete) and ``/2/tweets/search/stream`` (newline-delimited JSON with blank
keep-alive lines), with ``429`` + ``x-rate-limit-reset`` as X sends them."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web


def post_message(n: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(1_860_000_000_000_000_000 + n),
        "text": text,
        "created_at": "2026-11-20T09:00:00.000Z",
        "author_id": "2244994945",
        "lang": "en",
        "conversation_id": str(1_860_000_000_000_000_000 + (reply_to or n)),
        "edit_history_tweet_ids": [str(1_860_000_000_000_000_000 + n)],
    }
    if reply_to:
        data["referenced_tweets"] = [
            {"type": "replied_to", "id": str(1_860_000_000_000_000_000 + reply_to)}
        ]
    return {
        "data": data,
        "includes": {
            "users": [
                {
                    "id": "2244994945",
                    "name": "Mira",
                    "username": "mira",
                    "verified": False,
                    "public_metrics": {"followers_count": 1200, "following_count": 10},
                }
            ]
        },
        "matching_rules": [{"id": "1", "tag": "earful:x"}],
    }


@dataclass
class FakeX:
    token: str = "x-bearer"
    rules: list[dict[str, str]] = field(default_factory=list)
    rate_limit_streams: int = 0
    reset_in: float = 1.0
    drop_after_messages: int | None = None
    stream_requests: list[dict[str, str]] = field(default_factory=list)
    stream_times: list[float] = field(default_factory=list)
    rule_posts: list[dict[str, Any]] = field(default_factory=list)
    _listeners: list[asyncio.Queue[bytes]] = field(default_factory=list)
    _next_rule: int = 100

    @property
    def open_streams(self) -> int:
        return len(self._listeners)

    def send(self, message: dict[str, Any] | bytes) -> None:
        line = message if isinstance(message, bytes) else orjson.dumps(message)
        for queue in self._listeners:
            queue.put_nowait(line + b"\r\n")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/2/tweets/search/stream/rules", self._get_rules)
        app.router.add_post("/2/tweets/search/stream/rules", self._post_rules)
        app.router.add_get("/2/tweets/search/stream", self._stream)
        return app

    def _refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response(
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
                status=401,
            )
        return None

    async def _get_rules(self, request: web.Request) -> web.Response:
        if refused := self._refused(request):
            return refused
        body: dict[str, Any] = {
            "meta": {"sent": "2026-11-20T09:00:00.000Z", "result_count": len(self.rules)}
        }
        if self.rules:
            body["data"] = self.rules
        return web.json_response(body)

    async def _post_rules(self, request: web.Request) -> web.Response:
        if refused := self._refused(request):
            return refused
        body = await request.json()
        self.rule_posts.append(body)
        if "delete" in body:
            ids = set(body["delete"]["ids"])
            self.rules = [r for r in self.rules if r["id"] not in ids]
            return web.json_response({"meta": {"summary": {"deleted": len(ids)}}})
        created, errors = [], []
        for rule in body.get("add", []):
            if "(" in rule["value"] and ")" not in rule["value"]:
                errors.append(
                    {
                        "value": rule["value"],
                        "title": "UnprocessableEntity",
                        "detail": "mismatched parenthesis",
                    }
                )
                continue
            self._next_rule += 1
            created.append({"id": str(self._next_rule), **rule})
        self.rules += created
        answer: dict[str, Any] = {
            "data": created,
            "meta": {"summary": {"created": len(created), "invalid": len(errors)}},
        }
        if errors:
            answer["errors"] = errors
        return web.json_response(answer)

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        self.stream_requests.append(dict(request.query))
        self.stream_times.append(time.monotonic())
        if refused := self._refused(request):
            return refused
        if self.rate_limit_streams > 0:
            self.rate_limit_streams -= 1
            return web.json_response(
                {"title": "Too Many Requests", "status": 429, "detail": "Too Many Requests"},
                status=429,
                headers={
                    "x-rate-limit-reset": str(int(time.time() + self.reset_in) + 1),
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-limit": "50",
                },
            )
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._listeners.append(queue)
        sent = 0
        try:
            with suppress(ConnectionResetError):
                while True:
                    try:
                        line = await asyncio.wait_for(queue.get(), timeout=0.5)
                    except TimeoutError:
                        await response.write(b"\r\n")  # keep-alive
                        continue
                    await response.write(line)
                    sent += 1
                    if self.drop_after_messages is not None and sent >= self.drop_after_messages:
                        self.drop_after_messages = None
                        break
        finally:
            self._listeners.remove(queue)
        return response
