from __future__ import annotations

import random

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.backoff import Backoff, quota_exhausted_wait, raise_for_status, retry_after_seconds
from connectors.errors import ErrorKind, RateLimitedError, SourceRefusedError

NOW = 1_763_629_200.0


def test_backoff_grows_with_jitter_up_to_the_maximum_and_resets() -> None:
    backoff = Backoff(1.0, 8.0, random.Random(1))
    delays = [backoff.next_delay() for _ in range(6)]
    for attempt, delay in enumerate(delays):
        ceiling = min(8.0, 2.0**attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert len(set(delays)) == len(delays)  # jittered, not a fixed ladder
    backoff.reset()
    assert backoff.next_delay() <= 1.0


@given(st.floats(0.01, 10), st.floats(10, 600), st.integers(0, 40))
def test_backoff_never_exceeds_its_maximum(initial: float, maximum: float, failures: int) -> None:
    backoff = Backoff(initial, maximum)
    backoff.failures = failures
    assert 0 < backoff.next_delay() <= maximum


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"Retry-After": "Thu, 20 Nov 2025 09:01:00 GMT"}, 60.0),
        ({"X-Ratelimit-Reset": "42"}, 42.0),  # Reddit: seconds until the window resets
        ({"x-rate-limit-reset": str(int(NOW) + 90)}, 90.0),  # X: epoch seconds
        ({"X-RateLimit-Reset": "2025-11-20T09:02:00.000Z"}, 120.0),  # Mastodon: a time
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_from_each_services_headers(
    headers: dict[str, str], wait: float | None
) -> None:
    assert retry_after_seconds(headers, now=NOW) == wait


def test_an_exhausted_quota_waits_for_the_reset() -> None:
    assert (
        quota_exhausted_wait({"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "12"}, NOW) == 12
    )
    assert (
        quota_exhausted_wait({"X-Ratelimit-Remaining": "57", "X-Ratelimit-Reset": "12"}, NOW) == 0
    )


def test_http_errors_become_connector_errors_that_say_what_to_do() -> None:
    def answer(status: int, **headers: str) -> httpx.Response:
        return httpx.Response(status, headers=headers)

    with pytest.raises(RateLimitedError) as limited:
        raise_for_status(answer(429, **{"Retry-After": "7"}), "x")
    assert limited.value.retry_after == 7
    with pytest.raises(SourceRefusedError) as refused:
        raise_for_status(answer(401), "x")
    assert refused.value.kind is ErrorKind.AUTH and not refused.value.retriable
    raise_for_status(answer(304), "x")
