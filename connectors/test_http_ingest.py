from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from config.connectors import HttpIngestConnector
from connectors.http_ingest import HttpIngestSource
from connectors.runtime import run_source
from tests.support.fakes.harness import Run, eventually, new_run

pytestmark = pytest.mark.timeout(30)
TOKEN = "ingest-token-123"


def mention(i: int, **changes: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": f"zapier:{i}",
        "source": "zapier",
        "text": f"@acmeair ticket {i} is still open",
        "created_at": "2026-11-20T09:00:00Z",
        "author": {"id": f"u{i}", "handle": f"user{i}"},
        **changes,
    }


@pytest.fixture
async def ingest(tmp_path: Path) -> AsyncIterator[tuple[str, Run]]:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    config = HttpIngestConnector(
        name="ingest",
        type="http_ingest",
        port=0,
        token_file=token_file,
        max_batch=3,
        max_body_bytes=4096,
    )
    source = HttpIngestSource(config)
    run = new_run("ingest")
    task = asyncio.create_task(run_source(source, run.ctx))
    assert await eventually(lambda: source.url is not None)
    assert source.url is not None
    yield source.url, run
    run.ctx.stop.set()
    assert await asyncio.wait_for(task, 10)


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_single_mention_is_published(ingest: tuple[str, Run]) -> None:
    url, run = ingest
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post("/mentions", json=mention(1), headers=auth())
    assert response.status_code == 202
    assert response.json() == {
        "accepted": 1,
        "rejected": 0,
        "results": [{"index": 0, "status": "accepted", "id": "zapier:1"}],
    }
    assert run.sink.ids == ["zapier:1"]
    assert run.sink.unflushed == 0  # acknowledged before the answer


async def test_a_batch_reports_each_bad_item_with_its_reason(ingest: tuple[str, Run]) -> None:
    url, run = ingest
    batch = [mention(1), mention(2, created_at="2026-11-20T09:00:00"), "just text"]
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post("/mentions", json=batch, headers=auth())
    assert response.status_code == 207
    results = response.json()["results"]
    assert results[0] == {"index": 0, "status": "accepted", "id": "zapier:1"}
    assert results[1]["reason"] == "schema_violation"
    assert "created_at" in results[1]["detail"]
    assert results[2]["reason"] == "bad_shape"
    assert run.sink.ids == ["zapier:1"]
    assert run.metric("earful_connector_rejected_total", reason="schema_violation") == 1
    assert run.metric("earful_connector_rejected_total", reason="bad_shape") == 1


async def test_all_rejected_is_422(ingest: tuple[str, Run]) -> None:
    url, run = ingest
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post("/mentions", json=[mention(1, id="no colon")], headers=auth())
    assert response.status_code == 422
    assert response.json()["results"][0]["detail"].startswith("id:")
    assert run.sink.ids == []


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b"{}", 401),
        (auth("wrong"), b"{}", 401),
        (auth(), b"{not json", 400),
        (auth(), b"[" + b",".join([b"{}"] * 4) + b"]", 413),
        (auth(), b"[" + b" " * 5000 + b"]", 413),
    ],
)
async def test_bad_requests_are_refused_whole(
    ingest: tuple[str, Run], headers: dict[str, str], body: bytes, status: int
) -> None:
    url, run = ingest
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/mentions", content=body, headers={**headers, "Content-Type": "application/json"}
        )
    assert response.status_code == status
    assert "error" in response.json()
    assert run.sink.ids == []
