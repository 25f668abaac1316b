from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from alerts.response.errors import NotConfiguredError, SignatureError
from alerts.response.links import LINK_ACTIONS, link_for, make_token, read_token
from config.response import ResponseSettings
from config.schema import Settings

KEY = "k" * 40
OLD_KEY = "o" * 40
NOW = 1_800_000_000


def settings(**response: object) -> Settings:
    base = {"link_signing_key": SecretStr(KEY), "public_url": "https://earful.example/x"}
    return Settings(response=ResponseSettings.model_validate({**base, **response}))


@given(
    alert_id=st.text(min_size=1, max_size=300),
    action=st.sampled_from(LINK_ACTIONS),
    ttl=st.integers(min_value=1, max_value=10**7),
)
def test_a_token_round_trips_until_it_expires(alert_id: str, action: str, ttl: int) -> None:
    token = make_token(alert_id, action, KEY, NOW + ttl)  # type: ignore[arg-type]
    claim = read_token(token, [KEY], NOW)
    assert (claim.alert_id, claim.action, claim.expires_at) == (alert_id, action, NOW + ttl)
    with pytest.raises(SignatureError) as caught:
        read_token(token, [KEY], NOW + ttl)
    assert caught.value.reason == "expired"


@given(
    position=st.integers(min_value=0),
    replacement=st.sampled_from(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    ),
)
def test_any_changed_character_is_refused(position: int, replacement: str) -> None:
    token = make_token("mention:test:1", "acknowledge", KEY, NOW + 3600)
    index = position % len(token)
    tampered = token[:index] + replacement + token[index + 1 :]
    if tampered == token:
        return
    with pytest.raises(SignatureError):
        read_token(tampered, [KEY], NOW)


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = make_token("mention:test:1", "resolve", "x" * 40, NOW + 60)
    with pytest.raises(SignatureError) as caught:
        read_token(token, [KEY], NOW)
    assert caught.value.reason == "bad_signature"


def test_swapping_payloads_between_tokens_is_refused() -> None:
    ack = make_token("mention:test:1", "acknowledge", KEY, NOW + 60)
    resolve = make_token("mention:test:1", "resolve", KEY, NOW + 60)
    forged = resolve.split(".")[0] + "." + ack.split(".")[1]
    with pytest.raises(SignatureError):
        read_token(forged, [KEY], NOW)


def test_link_for_builds_a_public_url_that_verifies_with_rotated_keys() -> None:
    now = datetime.fromtimestamp(NOW, UTC)
    url = link_for("mention:test:9", "snooze", settings(link_ttl_seconds=600), now)
    assert url.startswith("https://earful.example/x/a/")
    token = url.rsplit("/", 1)[1]
    assert read_token(token, [KEY], NOW + 599).action == "snooze"
    with pytest.raises(SignatureError):
        read_token(token, [KEY], NOW + 600)
    # After rotation the old key still verifies links already sent.
    assert read_token(token, [OLD_KEY, KEY], NOW).alert_id == "mention:test:9"


def test_link_for_without_a_key_says_what_to_set() -> None:
    with pytest.raises(NotConfiguredError, match=r"response\.link_signing_key"):
        link_for("a", "acknowledge", Settings(), datetime.fromtimestamp(NOW, UTC))


def test_unknown_actions_cannot_be_signed() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        link_for("a", "delete", settings(), datetime.fromtimestamp(NOW, UTC))
