"""One HTTP port per worker: ``/metrics`` (Prometheus), ``/healthz`` (live) and ``/readyz``
(ready: connected to Kafka with partitions assigned). Health answers are JSON with the
reason, 200 when true and 503 when not, as orchestrators expect."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from streams.metrics import HealthState


def health_host() -> str:
    """127.0.0.1 unless ``EARFUL_METRICS_HOST`` says otherwise (0.0.0.0 in a container)."""
    return os.environ.get("EARFUL_METRICS_HOST", "127.0.0.1")


class HealthServer:
    def __init__(
        self, registry: CollectorRegistry, health: HealthState, host: str, port: int
    ) -> None:
        self.registry = registry
        self.health = health
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="earful-health", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> HealthServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry, health = self.registry, self.health

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    self._answer(200, CONTENT_TYPE_LATEST, generate_latest(registry))
                elif path in ("/healthz", "/readyz"):
                    ok, reason = health.liveness() if path == "/healthz" else health.readiness()
                    body = orjson.dumps({"ok": ok, "stage": health.stage, "reason": reason})
                    self._answer(200 if ok else 503, "application/json", body)
                else:
                    self._answer(404, "text/plain", b"try /metrics, /healthz or /readyz\n")

            def _answer(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None  # scrapes every 15 s would drown the worker's own logs

        return Handler


@contextmanager
def serving_health(
    registry: CollectorRegistry, health: HealthState, port: int, host: str | None = None
) -> Iterator[HealthServer | None]:
    """Serve the three endpoints while the block runs (port 0: not at all)."""
    if not port:
        yield None
        return
    server = HealthServer(registry, health, host or health_host(), port).start()
    try:
        yield server
    finally:
        server.stop()
