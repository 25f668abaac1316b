"""A fake service: a request handler with state, served by ``recording_server``."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

import orjson

from tests.support.receivers import Received, RecordingServer, recording_server

Answer = tuple[int, dict[str, str], bytes]


def json_answer(status: int, data: object, headers: dict[str, str] | None = None) -> Answer:
    return (
        status,
        {"content-type": "application/json; charset=utf-8", **(headers or {})},
        (orjson.dumps(data)),
    )


def text_answer(status: int, text: str, headers: dict[str, str] | None = None) -> Answer:
    return status, {"content-type": "text/plain; charset=utf-8", **(headers or {})}, text.encode()


class FakeService:
    """Subclasses implement ``handle``; ``script`` queues answers given before it (to
    play a rate limit or an outage), one per request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.scripted: deque[Answer] = deque()
        self.server: RecordingServer | None = None

    def script(self, *answers: Answer) -> None:
        with self.lock:
            self.scripted.extend(answers)

    def __call__(self, request: Received) -> Answer:
        with self.lock:
            if self.scripted:
                return self.scripted.popleft()
            return self.handle(request)

    def handle(self, request: Received) -> Answer:
        raise NotImplementedError

    @property
    def url(self) -> str:
        assert self.server is not None, "use the fake inside its serve() block"
        return self.server.url

    @property
    def requests(self) -> list[Received]:
        assert self.server is not None
        with self.server.lock:
            return list(self.server.requests)

    @contextmanager
    def serve(self) -> Iterator[Self]:
        with recording_server(self) as server:
            self.server = server
            yield self


def parse_json(request: Received) -> object:
    try:
        return orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return None
