from collections.abc import Iterator

import httpx
import orjson
import pytest
from pydantic import SecretStr

from alerts.channels.base import Receipt
from alerts.channels.pacing import Pacer
from alerts.channels.pagerduty import PagerDutyNotifier, dedup_key
from alerts.errors import DeliveryError
from config.receivers import PagerDutyConfig
from tests.support.alerts import sample_alert
from tests.support.clock import FakeClock
from tests.support.fakes.base import json_answer
from tests.support.fakes.pagerduty import ROUTING_KEY, FakePagerDuty

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def pagerduty() -> Iterator[FakePagerDuty]:
    with FakePagerDuty().serve() as fake:
        yield fake


def notifier(fake: FakePagerDuty, key: str = ROUTING_KEY, **kw: object) -> PagerDutyNotifier:
    config = PagerDutyConfig(routing_key=SecretStr(key), url=fake.enqueue_url)
    return PagerDutyNotifier(config, **kw)  # type: ignore[arg-type]


async def test_trigger_carries_a_stable_dedup_key_and_the_details(
    pagerduty: FakePagerDuty,
) -> None:
    alert = sample_alert(priority="P1")
    pd = notifier(pagerduty)
    receipt = await pd.notify(alert)
    await pd.notify(alert)  # a redelivery updates the same PagerDuty alert
    await pd.close()
    assert receipt == Receipt("pagerduty", {"dedup_key": alert.alert_id})
    first, second = pagerduty.events
    assert first == second
    assert first["event_action"] == "trigger" and first["dedup_key"] == alert.alert_id
    payload = first["payload"]
    assert payload["severity"] == "critical"
    assert payload["source"] == "earful"
    assert payload["summary"].startswith("[P1] mention for air-care: @acmeair lost my bag")
    assert payload["custom_details"]["reasons"] == alert.reasons
    assert payload["custom_details"]["brand"] == "acmeair"
    assert first["links"] == [{"href": alert.mention.url, "text": "The post"}]  # type: ignore[union-attr]
    assert pagerduty.alerts == {alert.alert_id: "triggered"}


async def test_acknowledge_and_resolve_follow_the_trigger(pagerduty: FakePagerDuty) -> None:
    alert = sample_alert()
    pd = notifier(pagerduty)
    receipt = await pd.notify(alert)
    assert receipt is not None
    await pd.acknowledge(alert.alert_id)
    assert pagerduty.alerts[alert.alert_id] == "acknowledged"
    await pd.update(alert, "snoozed", receipt)  # no such event: nothing is sent
    await pd.update(alert, "resolved", receipt)
    assert pagerduty.alerts[alert.alert_id] == "resolved"
    assert [e["event_action"] for e in pagerduty.events] == ["trigger", "acknowledge", "resolve"]
    assert all("payload" not in e for e in pagerduty.events[1:])
    await pd.close()


async def test_invalid_event_is_permanent_and_says_why(pagerduty: FakePagerDuty) -> None:
    pd = notifier(pagerduty, key="X" * 32)
    with pytest.raises(DeliveryError, match="Invalid routing key") as caught:
        await pd.notify(sample_alert())
    assert not caught.value.retriable and caught.value.reason == "payload"
    assert "X" * 32 not in str(caught.value)
    await pd.close()


async def test_throttled_event_is_retried_after_the_delay(pagerduty: FakePagerDuty) -> None:
    clock = FakeClock()
    pd = notifier(pagerduty, pacer=Pacer(clock=clock, sleep=clock.sleep))
    pagerduty.script(json_answer(429, {"status": "throttled"}, {"retry-after": "12"}))
    with pytest.raises(DeliveryError) as caught:
        await pd.notify(sample_alert())
    assert caught.value.retriable and caught.value.retry_after == 12
    await pd.notify(sample_alert())
    assert sum(clock.sleeps) == pytest.approx(12)
    assert len(pagerduty.events) == 1
    await pd.close()


@pytest.mark.parametrize(("status", "retriable"), [(500, True), (503, True), (403, False)])
async def test_status_decides_retry(status: int, retriable: bool) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(status, json={"status": "x"}))
    config = PagerDutyConfig(routing_key=SecretStr(ROUTING_KEY), url="http://127.0.0.1:9/")
    pd = PagerDutyNotifier(config, client=httpx.AsyncClient(transport=transport))
    with pytest.raises(DeliveryError) as caught:
        await pd.resolve("mention:x:1")
    assert caught.value.retriable is retriable


def test_long_ids_keep_a_unique_dedup_key_within_the_limit() -> None:
    long_a, long_b = "m:" + "a" * 300, "m:" + "a" * 299 + "b"
    assert len(dedup_key(long_a)) <= 255
    assert dedup_key(long_a) != dedup_key(long_b)
    assert dedup_key("mention:x:1") == "mention:x:1"


def test_routing_key_is_sent_but_never_printed() -> None:
    config = PagerDutyConfig(routing_key=SecretStr(ROUTING_KEY))
    assert ROUTING_KEY not in repr(config)
    assert ROUTING_KEY not in orjson.dumps(config.model_dump(mode="json")).decode()
