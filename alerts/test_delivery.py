import random

from alerts.delivery import backoff_delay, deliver_with_retry
from alerts.errors import DeliveryError
from alerts.test_webhook import ALERT
from config.schema import RetrySettings
from streams.records import Alert

RETRY = RetrySettings(max_attempts=4, initial_backoff_seconds=1, max_backoff_seconds=8)


class Flaky:
    integration = "webhook"

    def __init__(self, errors: list[DeliveryError]) -> None:
        self.errors = errors
        self.calls = 0

    async def notify(self, alert: Alert) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)

    async def close(self) -> None:
        return None


async def test_retriable_errors_are_retried_until_delivered() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    flaky = Flaky([DeliveryError("503", retriable=True), DeliveryError("503", retriable=True)])
    result = await deliver_with_retry(flaky, ALERT, RETRY, sleep=sleep, rng=random.Random(1))
    assert result.delivered and result.attempts == 3 and flaky.calls == 3
    assert len(slept) == 2 and all(0 <= s <= 2 for s in slept)


async def test_permanent_error_is_not_retried() -> None:
    flaky = Flaky([DeliveryError("400", retriable=False)])
    result = await deliver_with_retry(flaky, ALERT, RETRY, sleep=_no_sleep)
    assert not result.delivered and result.attempts == 1 and result.error is not None


async def test_gives_up_after_max_attempts() -> None:
    flaky = Flaky([DeliveryError("503", retriable=True) for _ in range(10)])
    result = await deliver_with_retry(flaky, ALERT, RETRY, sleep=_no_sleep)
    assert not result.delivered and flaky.calls == RETRY.max_attempts


async def test_server_retry_after_is_honoured() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    flaky = Flaky([DeliveryError("429", retriable=True, retry_after=30)])
    await deliver_with_retry(flaky, ALERT, RETRY, sleep=sleep)
    assert slept == [30]


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(8, 2 ** (attempt - 1))
        assert all(0 <= backoff_delay(attempt, RETRY, rng) <= ceiling for _ in range(50))


async def _no_sleep(seconds: float) -> None:
    return None
