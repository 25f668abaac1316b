"""The silences API over real HTTP on 127.0.0.1, with the Kafka side kept in memory."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiohttp.test_utils import TestServer
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from alerts.response.errors import InvalidRequestError
from alerts.response.http import build_app
from alerts.response.metrics import ResponseMetrics
from alerts.response.records import Silence
from alerts.response.silences import build_silence, check_matchers, parse_request
from alerts.response.state import Outcome, apply_action
from config.response import ResponseSettings
from config.schema import Settings

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
TOKEN = "t0ken-for-tests"


class MemoryBackend:
    def __init__(self) -> None:
        self.stored: dict[str, Silence] = {}

    def ready(self) -> bool:
        return True

    async def change_state(self, alert_id: str, action: str, by: str, source: str) -> Outcome:
        return apply_action(None, action, alert_id, by, NOW, 60)

    def silences(self) -> list[Silence]:
        return list(self.stored.values())

    async def put_silence(self, silence: Silence) -> None:
        self.stored[silence.id] = silence


@pytest.fixture
async def api() -> AsyncIterator[tuple[httpx.AsyncClient, MemoryBackend, ResponseMetrics]]:
    settings = Settings(response=ResponseSettings(api_tokens=[SecretStr(TOKEN)]))
    backend = MemoryBackend()
    metrics = ResponseMetrics(CollectorRegistry(), [], [], ["care"], 0)
    server = TestServer(build_app(settings, backend, metrics, lambda: NOW.timestamp()))
    await server.start_server()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=str(server.make_url("/")), headers=headers) as client:
        yield client, backend, metrics
    await server.close()


GOOD = {
    "matchers": ['team="care"'],
    "duration_seconds": 3600,
    "created_by": "ana",
    "comment": "planned outage",
}


async def test_a_silence_is_created_listed_and_expired(api: tuple) -> None:  # type: ignore[type-arg]
    client, backend, _ = api
    created = await client.post("/api/v1/silences", json=GOOD)
    assert created.status_code == 200
    silence_id = created.json()["silence_id"]
    stored = backend.stored[silence_id]
    assert (stored.starts_at, stored.ends_at) == (NOW, NOW + timedelta(hours=1))
    listed = (await client.get("/api/v1/silences")).json()
    assert [(s["id"], s["status"]) for s in listed] == [(silence_id, "active")]
    assert (await client.get("/api/v1/silences?status=expired")).json() == []
    expired = await client.delete(f"/api/v1/silences/{silence_id}")
    assert expired.status_code == 200 and expired.json()["status"] == "expired"
    assert backend.stored[silence_id].ends_at == NOW
    assert (await client.get(f"/api/v1/silences/{silence_id}")).json()["status"] == "expired"
    assert (await client.delete("/api/v1/silences/nope")).status_code == 404


async def test_an_update_keeps_the_id(api: tuple) -> None:  # type: ignore[type-arg]
    client, backend, _ = api
    silence_id = (await client.post("/api/v1/silences", json=GOOD)).json()["silence_id"]
    update = {**GOOD, "id": silence_id, "comment": "longer outage", "duration_seconds": 7200}
    assert (await client.post("/api/v1/silences", json=update)).json() == {"silence_id": silence_id}
    assert backend.stored[silence_id].comment == "longer outage"
    missing = await client.post("/api/v1/silences", json={**GOOD, "id": "unknown"})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"matchers": ['team=="care"']}, "matchers.0: malformed matcher"),
        ({"matchers": ['team=~"("']}, "invalid regular expression"),
        ({"matchers": []}, "matchers: List should have at least 1 item"),
        ({"matchers": ['team=~".*"']}, "would mute every alert"),
        ({"matchers": ['team!="care"']}, "would mute every alert"),
        ({"created_by": ""}, "created_by: String should have at least 1 character"),
        ({"comment": None}, "comment: Field required"),
        ({"colour": "red"}, "colour: unknown field"),
        ({"ends_at": "2026-11-22T13:00:00Z"}, "exactly one of ends_at"),
        ({"duration_seconds": None, "ends_at": "2026-11-22T11:00:00Z"}, "later than starts_at"),
        (
            {
                "duration_seconds": None,
                "starts_at": "2026-11-20T10:00:00Z",
                "ends_at": "2026-11-21T10:00:00Z",
            },
            "in the past",
        ),
        ({"duration_seconds": None, "ends_at": "2026-11-22T13:00:00"}, "timezone"),
    ],
)
async def test_invalid_silences_are_refused_with_the_reason(
    api: tuple,
    change: dict,
    message: str,  # type: ignore[type-arg]
) -> None:
    client, backend, _ = api
    body = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    response = await client.post("/api/v1/silences", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert backend.stored == {}


async def test_non_json_bodies_are_refused(api: tuple) -> None:  # type: ignore[type-arg]
    client, _, _ = api
    response = await client.post("/api/v1/silences", content=b"{not json")
    assert response.status_code == 400 and "not JSON" in response.json()["error"]
    response = await client.post("/api/v1/silences", json=["a"])
    assert response.status_code == 400 and "JSON object" in response.json()["error"]


async def test_requests_without_the_token_are_refused(api: tuple) -> None:  # type: ignore[type-arg]
    client, backend, metrics = api
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
    ):
        assert (
            await client.post("/api/v1/silences", json=GOOD, headers=headers)
        ).status_code == 401
        assert (await client.get("/api/v1/silences", headers=headers)).status_code == 401
    assert backend.stored == {}
    value = metrics.registry.get_sample_value(
        "earful_signature_failures_total", {"endpoint": "api", "reason": "bad_signature"}
    )
    assert value == 2


async def test_the_api_is_off_without_tokens() -> None:
    app = build_app(
        Settings(), MemoryBackend(), ResponseMetrics(CollectorRegistry(), [], [], [], 0)
    )
    server = TestServer(app)
    await server.start_server()
    try:
        async with httpx.AsyncClient(base_url=str(server.make_url("/"))) as client:
            response = await client.get("/api/v1/silences")
        assert response.status_code == 503 and "response.api_tokens" in response.json()["error"]
    finally:
        await server.close()


@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_any_accepted_matcher_set_leaves_unlabelled_alerts_alone(texts: list[str]) -> None:
    try:
        check_matchers(texts)
    except InvalidRequestError:
        return
    silence = build_silence(
        parse_request(
            {"matchers": texts, "duration_seconds": 60, "created_by": "a", "comment": "c"}
        ),
        NOW,
    )
    from config.matchers import parse_matcher

    assert not all(parse_matcher(m).matches({}) for m in silence.matchers)
