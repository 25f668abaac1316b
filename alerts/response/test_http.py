"""Slack interactivity and signed links over real HTTP on 127.0.0.1 (Kafka side in memory)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from aiohttp.test_utils import TestServer
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from alerts.response.http import build_app
from alerts.response.links import link_for
from alerts.response.metrics import ResponseMetrics
from alerts.response.records import AlertState, Silence
from alerts.response.slack_verify import slack_signature
from alerts.response.state import Outcome, apply_action
from alerts.response.test_slack_verify import block_actions
from config.response import ResponseSettings
from config.schema import Settings

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
SECRET = "slack-signing-secret-for-tests"
SETTINGS = Settings(
    response=ResponseSettings(
        slack_signing_secret=SecretStr(SECRET),
        link_signing_key=SecretStr("l" * 32),
        public_url="http://127.0.0.1:1",
    )
)


@dataclass
class MemoryBackend:
    states: dict[str, AlertState] = field(default_factory=dict)
    writes: list[tuple[AlertState, str]] = field(default_factory=list)

    def ready(self) -> bool:
        return True

    async def change_state(self, alert_id: str, action: str, by: str, source: str) -> Outcome:
        outcome = apply_action(self.states.get(alert_id), action, alert_id, by, NOW, 60)
        if outcome.changed:
            self.states[alert_id] = outcome.state
            self.writes.append((outcome.state, source))
        return outcome

    def silences(self) -> list[Silence]:
        return []

    async def put_silence(self, silence: Silence) -> None:
        raise AssertionError("not used here")


Served = tuple[httpx.AsyncClient, MemoryBackend, ResponseMetrics]


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    backend = MemoryBackend()
    metrics = ResponseMetrics(CollectorRegistry(), [], [], ["care"], 0)
    server = TestServer(build_app(SETTINGS, backend, metrics, lambda: NOW.timestamp()))
    await server.start_server()
    async with httpx.AsyncClient(base_url=str(server.make_url("/"))) as client:
        yield client, backend, metrics
    await server.close()


def signed(body: bytes, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": slack_signature(secret, str(timestamp), body),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def failures(metrics: ResponseMetrics, endpoint: str, reason: str) -> float | None:
    return metrics.registry.get_sample_value(
        "earful_signature_failures_total", {"endpoint": endpoint, "reason": reason}
    )


async def test_a_signed_slack_click_acknowledges_once(served: Served) -> None:
    client, backend, metrics = served
    body = block_actions("earful_ack", "mention:test:1", {"id": "U1", "username": "mira"})
    now = int(NOW.timestamp())
    response = await client.post("/slack/interactivity", content=body, headers=signed(body, now))
    assert response.status_code == 200
    assert response.json() == {"alert_id": "mention:test:1", "state": "acknowledged"}
    assert [(s.state, s.by, src) for s, src in backend.writes] == [
        ("acknowledged", "slack:mira", "slack")
    ]
    replay = await client.post("/slack/interactivity", content=body, headers=signed(body, now))
    assert replay.status_code == 401 and "already received" in replay.text
    assert failures(metrics, "slack", "replayed") == 1
    assert len(backend.writes) == 1


@pytest.mark.parametrize(
    ("age", "secret", "reason"),
    [(301, SECRET, "stale"), (0, "another-secret", "bad_signature")],
)
async def test_unverified_slack_requests_change_nothing(
    served: Served, age: int, secret: str, reason: str
) -> None:
    client, backend, metrics = served
    body = block_actions("earful_resolve", "mention:test:1", {"id": "U1"})
    headers = signed(body, int(NOW.timestamp()) - age, secret)
    response = await client.post("/slack/interactivity", content=body, headers=headers)
    assert response.status_code == 401
    assert backend.writes == []
    assert failures(metrics, "slack", reason) == 1


async def test_a_link_shows_a_page_on_get_and_acts_on_post(served: Served) -> None:
    client, backend, _ = served
    url = link_for("mention:test:2", "snooze", SETTINGS, NOW)
    path = "/a/" + url.rsplit("/", 1)[1]
    page = await client.get(path)
    assert page.status_code == 200 and '<form method="post">' in page.text
    assert backend.writes == []  # a mail scanner opening the link changes nothing
    done = await client.post(path)
    assert done.status_code == 200 and "snoozed" in done.text
    assert [(s.state, s.by, src) for s, src in backend.writes] == [("snoozed", "link", "link")]


async def test_expired_and_tampered_links_are_refused(served: Served) -> None:
    client, backend, metrics = served
    expired = link_for("mention:test:3", "resolve", SETTINGS, datetime(2026, 1, 1, tzinfo=UTC))
    response = await client.post("/a/" + expired.rsplit("/", 1)[1])
    assert response.status_code == 410
    token = link_for("mention:test:3", "resolve", SETTINGS, NOW).rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert (await client.post("/a/" + tampered)).status_code == 403
    assert backend.writes == []
    assert failures(metrics, "link", "expired") == 1
    assert failures(metrics, "link", "bad_signature") == 1


async def test_healthz(served: Served) -> None:
    client, _, _ = served
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ready": True}
