"""An aiohttp application on 127.0.0.1 for a test, started and stopped around it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from aiohttp import web


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free port; yields its base URL."""
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def rate_limited(retry_after: float) -> web.Response:
    return web.json_response(
        {"error": "Too many requests"}, status=429, headers={"Retry-After": str(retry_after)}
    )


@contextmanager
def serve_in_thread(app: web.Application) -> Iterator[tuple[str, asyncio.AbstractEventLoop]]:
    """Serve ``app`` from its own event loop in a thread, for tests that block (Kafka
    readers, processes). Yields the base URL and the loop (use call_soon_threadsafe)."""
    loop = asyncio.new_event_loop()
    ready: concurrent.futures.Future[str] = concurrent.futures.Future()
    stop = asyncio.Event()

    async def main() -> None:
        async with serve(app) as url:
            ready.set_result(url)
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=10), loop
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()
