"""An HTTP server on 127.0.0.1 that records what it receives, with scripted answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


# (status, headers, body) for a request; None means 200 with an empty JSON object.
Responder = Callable[[Received], tuple[int, dict[str, str], bytes] | None]


@dataclass
class RecordingServer:
    url: str
    requests: list[Received] = field(default_factory=list)
    responder: Responder | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.05)
        with self.lock:
            return list(self.requests)


@contextmanager
def recording_server(
    responder: Responder | None = None, *, keep_alive: bool = False
) -> Iterator[RecordingServer]:
    """``keep_alive``: answer in HTTP/1.1 and keep the connection open, as the real
    services do (the benchmarks); by default each request has a connection of its own."""
    state = RecordingServer(url="")
    state.responder = responder

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
        # Headers and body go out in two writes: on an open connection, Nagle's algorithm
        # would hold the body until the client's delayed ACK (40 ms).
        disable_nagle_algorithm = keep_alive

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            item = Received(
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
                time.time(),
            )
            with state.lock:
                state.requests.append(item)
            answer = state.responder(item) if state.responder else None
            status, headers, body = answer or (200, {"content-type": "application/json"}, b"{}")
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
