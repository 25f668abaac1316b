"""``earful connect`` as a real process: a Mastodon stream into the real broker, through
the scoring worker to the scored topic; then a restart that resumes from the cursor
topic with neither gap nor repeat."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from streams.pipeline import Scored, process
from streams.scoring import build_scorer
from streams.topics import MENTIONS_RAW, MENTIONS_SCORED, topic_name
from tests.conftest import SettingsFactory
from tests.support.fakes.http import serve_in_thread
from tests.support.fakes.mastodon_server import FakeMastodon, status
from tests.support.kafka import read_topic
from tests.support.processes import start_earful, stop, worker_logs, workers

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(240)]

TEXTS = [
    "@acmeair my flight was cancelled and nobody answers the phone!",
    "Loved the crew on my @acmeair flight today, thank you!",
    "@acmeair is the Lisbon flight tomorrow delayed?",
    "Acme Air lost my bag, the worst service ever",
]


def start_connect(config: Path, workdir: Path, *names: str) -> subprocess.Popen[bytes]:
    return start_earful(config, workdir, "connect", *names, "--metrics-port", "0")


def wait_until(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_mastodon_stream_is_scored_and_a_restart_neither_loses_nor_repeats(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    server = FakeMastodon(token="masto-token")
    with serve_in_thread(server.app()) as (url, loop):
        token_file = tmp_path / "masto.token"
        token_file.write_text("masto-token\n")
        settings, config = make_settings(
            connectors=[
                {
                    "name": "masto",
                    "type": "mastodon",
                    "instance_url": url,
                    "stream": "hashtag",
                    "tag": "acmeair",
                    "token_file": str(token_file),
                    "retry_initial_seconds": 0.1,
                    "retry_max_seconds": 1,
                }
            ]
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix

        def post(first: int, last: int) -> None:
            for n in range(first, last + 1):
                loop.call_soon_threadsafe(server.post, status(n, TEXTS[n % len(TEXTS)]))

        with workers(config, tmp_path, "streams"):
            connector = start_connect(config, tmp_path, "masto")
            try:
                assert wait_until(lambda: server.open_streams > 0), worker_logs(tmp_path)
                post(1, 5)
                raw = read_topic(bootstrap, topic_name(MENTIONS_RAW, prefix), expect=5)
                assert len(raw) == 5, worker_logs(tmp_path)
            finally:
                stop(connector)
            assert connector.returncode == 0, worker_logs(tmp_path)

            post(6, 8)  # while the connector is down: the stream would never send these
            connector = start_connect(config, tmp_path, "masto")
            try:
                scored = read_topic(
                    bootstrap, topic_name(MENTIONS_SCORED, prefix), expect=8, timeout=120
                )
                raw = read_topic(bootstrap, topic_name(MENTIONS_RAW, prefix), expect=8, timeout=120)
            finally:
                stop(connector)

    host = url.removeprefix("http://")
    logs = worker_logs(tmp_path)
    assert sorted(orjson.loads(r.value or b"")["id"] for r in raw) == sorted(
        f"mastodon:{host}/{n}" for n in range(1, 9)
    ), logs  # each exactly once: no gap, no repeat
    assert len(scored) == 8, logs
    by_id = {orjson.loads(r.value or b"")["id"]: orjson.loads(r.value or b"") for r in scored}
    scorer = build_scorer(settings)
    for record in raw:  # scored by the worker as the scoring code scores the raw mention
        expected = process(record.value, scorer)
        assert isinstance(expected, Scored)
        got = by_id[expected.scored.id]
        assert got["brand"] == expected.scored.brand == "acmeair"
        assert got["team"] == "air-care"
        assert got["sentiment"]["label"] == expected.scored.sentiment.label
        assert got["needs_response"] == expected.scored.needs_response
    assert {r.key for r in scored} == {f"mastodon:{host}/{n}".encode() for n in range(1, 9)}
    assert server.timeline_requests[0]["min_id"] == "5"
