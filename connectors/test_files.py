from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pytest

from config.connectors import FilesConnector
from connectors.files import FilesSource
from tests.support.fakes.harness import MemoryCursors, new_run, run_until

pytestmark = pytest.mark.timeout(30)


def mention(i: int) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": f"backfill:{i}",
        "source": "backfill",
        "text": f"acme air story {i}",
        "created_at": "2026-11-20T09:00:00Z",
        "author": {"id": f"u{i}", "handle": f"user{i}"},
    }


def jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


async def backfill(config: FilesConnector, cursors: MemoryCursors | None = None) -> Any:
    out = io.StringIO()
    run = new_run(config.name, cursors=cursors)
    await run_until(FilesSource(config, progress_to=out), run, lambda: False, within=20)
    return run, out.getvalue()


async def test_jsonl_publishes_valid_lines_and_counts_bad_ones(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "m.jsonl",
        [
            orjson.dumps(mention(1)),
            b"{oops",
            b"",
            orjson.dumps({**mention(2), "author": {}}),
            orjson.dumps(mention(3)),
        ],
    )
    config = FilesConnector(name="files", type="files", paths=[path])
    run, progress = await backfill(config)
    assert run.healthy
    assert run.sink.ids == ["backfill:1", "backfill:3"]
    assert run.metric("earful_connector_rejected_total", reason="not_json") == 1
    assert run.metric("earful_connector_rejected_total", reason="schema_violation") == 1
    assert run.cursors.values == {f"files/{path.resolve()}": "5"}
    assert progress.endswith("files: m.jsonl lines 5/5 (100%)\n")


async def test_a_rerun_resumes_after_the_last_line_done(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "m.jsonl", [orjson.dumps(mention(i)) for i in range(1, 4)])
    config = FilesConnector(name="files", type="files", paths=[path], progress=False)
    cursors = MemoryCursors()
    first, _ = await backfill(config, cursors)
    with path.open("ab") as handle:
        handle.write(b"".join(orjson.dumps(mention(i)) + b"\n" for i in range(4, 7)))
    second, _ = await backfill(config, cursors)
    assert first.sink.ids + second.sink.ids == [f"backfill:{i}" for i in range(1, 7)]


CSV = """review_id,body,posted,user,fans,vip
r1,"Acme Air lost my bag, again",2026-11-20T09:00:00Z,mira,12,true
r2,Lovely crew on acme air,1763629200,@joao,,false
r3,missing user,2026-11-20T09:00:00Z,,3,no
r4,bad fans,2026-11-20T09:00:00Z,ana,many,no
"""


async def test_csv_rows_go_through_the_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(CSV)
    config = FilesConnector(
        name="reviews",
        type="files",
        paths=[path],
        format="csv",
        source="reviews",
        brand="acmeair",
        mapping={
            "id": "review_id",
            "text": "body",
            "created_at": "posted",
            "author.id": "user",
            "author.handle": "user",
            "author.followers": "fans",
            "author.verified": "vip",
        },
    )
    run, progress = await backfill(config)
    assert run.sink.ids == ["reviews:r1", "reviews:r2"]
    first, second = run.sink.mentions
    assert first.text == "Acme Air lost my bag, again"
    assert (first.author.followers, first.author.verified, first.brand) == (12, True, "acmeair")
    assert second.author.handle == "joao"
    assert second.created_at.isoformat() == "2025-11-20T09:00:00+00:00"
    assert run.metric("earful_connector_rejected_total", reason="bad_shape") == 2
    assert "reviews.csv rows 4/4 (100%)" in progress


async def test_a_missing_file_stops_the_connector_and_says_so(tmp_path: Path) -> None:
    config = FilesConnector(name="files", type="files", paths=[tmp_path / "nope.jsonl"])
    run, _ = await backfill(config)
    assert not run.healthy
    assert run.metric("earful_connector_errors_total", kind="client") == 1


async def test_a_mention_too_large_for_kafka_is_rejected_not_published(tmp_path: Path) -> None:
    huge = {**mention(1), "author": {"id": "u", "handle": "h", "bio": "x" * 1_000_001}}
    path = jsonl(tmp_path / "m.jsonl", [orjson.dumps(huge), orjson.dumps(mention(2))])
    run, _ = await backfill(FilesConnector(name="files", type="files", paths=[path]))
    assert run.sink.ids == ["backfill:2"]
    assert run.metric("earful_connector_rejected_total", reason="too_large") == 1
