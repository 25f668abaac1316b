"""HTTP ingest: ``POST /mentions`` for integrators and automation tools.

The body is one mention (a JSON object in mention schema v1) or a JSON array of them,
with ``Authorization: Bearer <token>``. Each item is validated on its own: valid ones are
published, invalid ones come back with their index, reason and detail. The answer is
sent only after Kafka acknowledged the published ones, so a 2xx means they are durable:
202 when all were accepted, 207 when some were, 422 when none was.
"""

from __future__ import annotations

import hmac
from typing import Any

import orjson
from aiohttp import web

from config.connectors import HttpIngestConnector
from connectors.errors import MalformedPayloadError
from connectors.mapping import schema_v1_mention as to_mention
from connectors.runtime import Source, SourceContext


def _problem(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


async def _healthy(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


class HttpIngestSource(Source):
    def __init__(self, config: HttpIngestConnector) -> None:
        super().__init__(config)
        self.config = config
        self._token = (config.secret() or "").encode()
        self.url: str | None = None  # where it listens, once started
        self._ctx: SourceContext

    async def run(self, ctx: SourceContext) -> None:
        app = web.Application(client_max_size=self.config.max_body_bytes)
        self._ctx = ctx
        app.router.add_post("/mentions", self._ingest)
        app.router.add_get("/healthz", _healthy)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.config.host, self.config.port)
            await site.start()
            host, port = runner.addresses[0][:2]
            self.url = f"http://{host}:{port}"
            ctx.succeeded()
            ctx.log.info("http_ingest_listening", url=self.url)
            await ctx.stop.wait()
        finally:
            await runner.cleanup()  # finishes requests in flight, then closes

    def _authorized(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), self._token)

    async def _ingest(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        if not self._authorized(request):
            return _problem(
                401,
                "missing or wrong bearer token",
                **{"WWW-Authenticate": 'Bearer realm="earful"'},
            )
        if (request.content_length or 0) > self.config.max_body_bytes:
            return _problem(
                413, f"body over {self.config.max_body_bytes} bytes; send smaller batches"
            )
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError as error:
            return _problem(400, f"body is not JSON: {error}")
        except web.HTTPRequestEntityTooLarge:
            return _problem(
                413, f"body over {self.config.max_body_bytes} bytes; send smaller batches"
            )
        items = body if isinstance(body, list) else [body]
        if len(items) > self.config.max_batch:
            return _problem(413, f"{len(items)} items; at most {self.config.max_batch} per request")
        results: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            try:
                mention = to_mention(item)
            except MalformedPayloadError as error:
                ctx.metrics.fetched.labels(ctx.name).inc()
                ctx.reject(error.reason, f"item {index}: {error.detail}")
                results.append(
                    {
                        "index": index,
                        "status": "rejected",
                        "reason": error.reason.value,
                        "detail": error.detail,
                    }
                )
                continue
            await ctx.offer(mention, lambda m: m)
            results.append({"index": index, "status": "accepted", "id": mention.id})
        await ctx.sink.flush()
        accepted = sum(r["status"] == "accepted" for r in results)
        status = 202 if accepted == len(results) else 207 if accepted else 422
        ctx.succeeded()
        return web.json_response(
            {"accepted": accepted, "rejected": len(results) - accepted, "results": results},
            status=status,
        )
